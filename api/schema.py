"""OpenAPI pieces shared by every app: the one error body and its responses."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorBody = inline_serializer(
    "ErrorBody",
    {
        "error": inline_serializer(
            "Error",
            {
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "details": serializers.DictField(),
            },
        )
    },
)

_DESCRIPTIONS = {
    400: "Invalid input; field errors in `error.details`.",
    401: "Missing, malformed, expired or revoked bearer token.",
    403: "Signed in, but not allowed (not the owner).",
    404: "Not found, or not visible to the caller.",
    409: "The resource's state refuses this; `details` has the state and allowed events.",
    412: "If-Match does not match the current version.",
    429: "Too many requests; see Retry-After.",
    503: "A backing service is unavailable.",
}


def error_responses(*codes: int) -> dict[int, Any]:
    return {code: OpenApiResponse(ErrorBody, description=_DESCRIPTIONS[code]) for code in codes}
