"""OpenAPI building blocks every app shares: the one error body and its responses, the
post-processing that documents what every operation can answer, and the schema views."""

import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

_V = TypeVar("_V", bound=Callable[..., Any])


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
    403: "Authenticated but not allowed, or the bearer token lacks the scope this operation "
    "needs (`insufficient_scope`, `details.required_scope`; `read` to read, `write` to change).",
    404: "Not found.",
    405: "Method not allowed.",
    406: "`Accept` names no media type this endpoint answers.",
    409: "The resource's current state refuses this; `details` has the state and allowed events.",
    412: "If-Match does not match the current version (the resource changed).",
    413: f"The body is larger than the API reads ({settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes).",
    415: "The body's Content-Type is not one this endpoint reads.",
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


def own_list_and_detail(
    serializer: type[serializers.Serializer[Any]],
    *,
    list_description: str,
    detail_description: str,
    list_parameters: Sequence[Any] = (),
) -> Callable[[_V], _V]:
    """The schema of a viewset's `list` and `retrieve` of the caller's own things: both need a
    token (401); a list with filters may refuse them (400); another's item is a 404."""
    list_errors = (400, 401) if list_parameters else (401,)
    return extend_schema_view(
        list=extend_schema(
            description=list_description,
            parameters=list(list_parameters) or None,
            responses={200: serializer(many=True), **error_responses(*list_errors)},
        ),
        retrieve=extend_schema(
            description=detail_description,
            responses={200: serializer, **error_responses(401, 404)},
        ),
    )


_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _error_response(status_code: int, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": _ERROR_DESCRIPTIONS[status_code],
        "content": {"application/json": {"schema": schema}},
    }


def _path_params(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def _document_common_answers(path: str, operation: dict[str, Any]) -> None:
    """Answers an operation gives because of where it sits, not what it does: the request
    guard's 400/413 (api.middleware), DRF's 406/415, 401 wherever a bearer token is read
    (a dead one is refused even where anonymous callers may read) and 403 there for a token
    without the operation's scope (api.permissions), 404 for an unknown id in the path or a
    page past the last."""
    responses = operation["responses"]
    own_400 = responses.get("400", {}).get("content", {}).get("application/json", {})
    guard_schema = own_400.get("schema", _ERROR_REF)  # RFC 6749's at the OAuth endpoints
    wanted: dict[int, dict[str, Any]] = {
        400: _ERROR_REF,
        406: _ERROR_REF,
        413: guard_schema,
    }
    if "requestBody" in operation:
        wanted[415] = _ERROR_REF
    if any(requirement for requirement in operation.get("security", [])):
        wanted[401] = _ERROR_REF
        wanted[403] = _ERROR_REF
    query = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
    if _path_params(path) or "page" in query:
        wanted[404] = _ERROR_REF
    for status_code, schema in wanted.items():
        responses.setdefault(str(status_code), _error_response(status_code, schema))


def _allow_empty_query_values(operation: dict[str, Any]) -> None:
    # An empty query parameter means "not given" (DRF reads the query string as form data,
    # and so does every HTML form): `?state=&q=` is the same as no filter at all.
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query":
            parameter["allowEmptyValue"] = True


# Components whose names do not say which collection they belong to.
_COMPONENT_ALIASES = {"profile": "users", "owner": "users"}


def _objects_in(result: dict[str, Any], response: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(JSON pointer prefix, component name, properties) of every object an answer names: the
    body, the first item of a list answer (or of its `results`), and the first item of each
    list the body holds (a bag's `items`)."""
    components = result.get("components", {}).get("schemas", {})

    def resolve(node: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        ref = node.get("$ref", "")
        name = ref.rsplit("/", 1)[-1]
        return (name, components.get(name, {})) if ref else ("", node)

    name, body = resolve(response.get("content", {}).get("application/json", {}).get("schema", {}))
    if body.get("type") == "array":
        name, body = resolve(body.get("items", {}))
        return [("/0/", name, body.get("properties", {}))]
    found = [("/", name, body.get("properties", {}))]
    for key, node in body.get("properties", {}).items():
        _, inner = resolve(node)
        if inner.get("type") == "array" and "$ref" in inner.get("items", {}):
            item_name, item = resolve(inner["items"])
            found.append((f"/{key}/0/", item_name, item.get("properties", {})))
    return found


def _belongs(component: str, segment: str) -> bool:
    """Whether objects of `component` are those of the collection `segment` (`products`)."""
    name = component.lower()
    aliased = any(alias in name and to == segment for alias, to in _COMPONENT_ALIASES.items())
    return aliased or (bool(segment) and segment.rstrip("s") in name)


def _link_parameters(
    source_path: str, target_path: str, objects: list[tuple[str, str, Any]]
) -> dict[str, str] | None:
    """How an answer at `source_path` fills the path of `target_path`, if it does: the target
    has one path parameter the answer names (the object of the collection just before it),
    beneath the answering path (the others then come from the request) or on its own."""
    rest = target_path.removeprefix(source_path)
    beneath = target_path != rest and rest.startswith("{")
    new = _path_params(rest if beneath else target_path)
    if len(new) != 1:
        return None
    before = target_path[: target_path.index("{" + new[0] + "}")].rstrip("/")
    segment = before.rsplit("/", 1)[-1]
    for pointer, component, properties in objects:
        if not _belongs(component, segment):
            continue
        field = new[0] if new[0] in properties else "id"
        if field in properties:
            passed = {p: f"$request.path.{p}" for p in _path_params(source_path)} if beneath else {}
            return passed | {new[0]: f"$response.body#{pointer}{field}"}
    return None


def _link_operations(result: dict[str, Any]) -> None:
    """OpenAPI links from an answer that names an object (a created product, a list of tags,
    my profile, the lines of my bag) to the operations on that object, so clients and
    fuzzers can follow them."""
    operations = [
        (path, method, operation)
        for path, item in result["paths"].items()
        for method, operation in item.items()
        if method in _METHODS
    ]
    for source_path, method, source in operations:
        if method not in {"get", "post"}:
            continue
        for status_code, response in source["responses"].items():
            if not status_code.startswith("2"):
                continue
            objects = _objects_in(result, response)
            links: dict[str, Any] = {}
            for target_path, _, target in operations:
                parameters = _link_parameters(source_path, target_path, objects)
                if parameters is not None and target is not source:
                    links[target["operationId"]] = {
                        "operationId": target["operationId"],
                        "parameters": parameters,
                    }
            if links:
                response["links"] = links


def complete_operations(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular post-processing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    for path, item in result["paths"].items():
        for method, operation in item.items():
            if method in _METHODS:
                _document_common_answers(path, operation)
                _allow_empty_query_values(operation)
    _link_operations(result)
    return result


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
