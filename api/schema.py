"""OpenAPI building blocks every app shares: the one error body and its responses."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Machine-readable, e.g. `invalid`, `not_found`.")
    message = serializers.CharField(help_text="Human-readable summary.")
    details = serializers.DictField(
        help_text="Field errors for `invalid`; otherwise extra context (may be empty)."
    )


class ErrorSerializer(serializers.Serializer[Any]):
    """The one body of every 4xx/5xx answer: `{"error": {"code", "message", "details"}}`."""

    error = ErrorDetailSerializer()


_ERROR_DESCRIPTIONS = {
    400: "Invalid request; field errors in `error.details`.",
    401: "Missing, malformed, expired or revoked bearer token (`WWW-Authenticate: Bearer`).",
    403: "Authenticated but not allowed.",
    404: "Not found.",
    405: "Method not allowed.",
    409: "The resource's current state refuses this; `details` has the state and allowed events.",
    412: "If-Match does not match the current version (the resource changed).",
    422: "Well-formed, but cannot be applied as asked (see `error.code`).",
    429: "Too many requests; retry after `Retry-After` seconds.",
    503: "A service this endpoint needs is unavailable.",
}


def error_responses(*status_codes: int) -> dict[int, OpenApiResponse]:
    """Responses for `extend_schema(responses=...)`: each status answered with the error body."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS.get(code, "Error."))
        for code in status_codes
    }


# RFC 6749 §5.2 error body: the OAuth endpoints answer in this shape, not the one above.
OAuthErrorSerializer = inline_serializer(
    name="OAuthError",
    fields={
        "error": serializers.CharField(help_text="e.g. `invalid_grant`, `invalid_client`."),
        "error_description": serializers.CharField(required=False),
    },
)
