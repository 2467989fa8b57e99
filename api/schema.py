"""OpenAPI building blocks every app shares: the one error body and its responses."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response


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


class _JSONErrorsMixin:
    """Errors (and OPTIONS) of views that otherwise render YAML or HTML answer JSON, so the
    one error body is JSON here too, and no HTML template is needed for what has none."""

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(response, Response) and (
            getattr(response, "exception", False) or request.method == "OPTIONS"
        ):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]


class SchemaView(_JSONErrorsMixin, SpectacularAPIView):
    """GET /api/schema/: the OpenAPI document (YAML, or JSON by `Accept` or `?format=json`)."""


class DocsView(_JSONErrorsMixin, SpectacularSwaggerView):
    """GET /api/docs/: Swagger UI over the schema."""
