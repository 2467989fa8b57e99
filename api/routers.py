"""URL building blocks the apps' routers share."""

# An id in a URL: a malformed one never reaches a view (the resolver answers the JSON 404).
UUID_PATTERN = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
