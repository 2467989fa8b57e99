"""The HTTP edge every app's views share: the one error body and the map from domain errors
to status codes, the request guard, parsers, renderers, pagination, shared serializer fields,
schema helpers and the /api/ index. Imports no app's models or services."""
