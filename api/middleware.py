"""`RequestGuardMiddleware`, the request guard: refuses, before any view or authentication reads
it, a request no view could answer well (too big, too many fields, a NUL character where no
field would refuse it, a form body that cannot be parsed; JSON nested too deep is the JSON
parser's to refuse, `api.parsers`). One place, so every endpoint answers these the same way:
413 or 400 with the one error body, or with RFC 6749's body at the OAuth endpoints (views
whose class sets `rfc6749_errors = True`). A view that ignores form fields it does not know
(the OAuth ones, as RFC 6749 §3.2 requires) names those it reads in `form_fields`.
"""

import base64
import binascii
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError

from api.errors import error_body

# --- the request guard ------------------------------------------------------------------

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str
    where: str

    def response(self, *, rfc6749: bool) -> HttpResponse:
        if rfc6749:
            body: dict[str, Any] = {"error": "invalid_request", "error_description": self.message}
            response = JsonResponse(body, status=self.status)
            response["Cache-Control"] = "no-store"
            return response
        return JsonResponse(
            error_body(self.code, self.message, {self.where: [self.message]}), status=self.status
        )


def _too_big() -> Refusal:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return Refusal(413, "request_too_large", f"The request body exceeds {limit} bytes.", "body")


def _nul(where: str, field: str | None = None) -> Refusal:
    message = f"The {where} contains a NUL character" + (f" (in {field!r})." if field else ".")
    return Refusal(400, "bad_request", message, field or where)


def _malformed(where: str, problem: str) -> Refusal:
    return Refusal(400, "bad_request", f"The {where} could not be read: {problem}", where)


def _field_with_nul(fields: Iterable[tuple[str, str]]) -> str | None:
    """The name of the first field whose name or value holds a NUL, if any."""
    for name, value in fields:
        if "\x00" in name or "\x00" in value:
            return name.replace("\x00", "\\x00")
    return None


def _query_dict_items(query_dict: Any) -> list[tuple[str, str]]:
    return [(key, value) for key, values in query_dict.lists() for value in values or [""]]


def _check_content_length(request: HttpRequest) -> Refusal | None:
    raw = request.META.get("CONTENT_LENGTH") or "0"
    if not (raw.isascii() and raw.isdigit()):  # also refuses a negative length, or "²"
        return _malformed("headers", "Content-Length is not a non-negative integer.")
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and int(raw) > limit:
        return _too_big()
    return None


def _check_headers(request: HttpRequest) -> Refusal | None:
    headers = [
        (key.removeprefix("HTTP_").replace("_", "-").title(), value)
        for key, value in request.META.items()
        if isinstance(value, str) and (key.startswith("HTTP_") or key == "CONTENT_TYPE")
    ]
    header = _field_with_nul(headers)
    if header:
        return _nul("headers", header)
    # HTTP Basic credentials (OAuth clients) are base64 of url-encoded "id:secret".
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials).decode()
        except (binascii.Error, ValueError):
            return None  # not Basic credentials at all: the view refuses them as such
        if "\x00" in decoded or "\x00" in unquote_plus(decoded):
            return _nul("headers", "Authorization")
    return None


def _check_query(request: HttpRequest) -> Refusal | None:
    if "\x00" in request.path:
        return _nul("path")
    try:
        items = _query_dict_items(request.GET)
    except TooManyFieldsSent:
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return _malformed("query", f"more than {limit} parameters.")
    field = _field_with_nul(items)
    return _nul("query", field) if field else None


def _check_form(request: HttpRequest, form_fields: frozenset[str] | None) -> Refusal | None:
    """Form bodies (the OAuth endpoints read them, through Django, not DRF): their size, field
    count, syntax and NUL characters. Other bodies are left to the view's parser, which
    reads them once if it reads them at all (JSON depth: `api.parsers`)."""
    if request.content_type not in FORM_TYPES:
        return None
    try:
        request.body  # noqa: B018  (reads and caches it: Django's size check)
    except RequestDataTooBig:
        return _too_big()
    except (UnreadablePostError, OSError) as exc:
        return _malformed("body", str(exc) or "the connection broke.")
    try:
        fields = _query_dict_items(request.POST)
    except RequestDataTooBig:
        return _too_big()
    except TooManyFieldsSent:
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return _malformed("body", f"more than {limit} fields.")
    except (MultiPartParserError, SuspiciousOperation, BadRequest) as exc:
        return _malformed("body", str(exc) or "malformed form data.")
    if form_fields is not None:  # RFC 6749 §3.2: unrecognized parameters are ignored
        fields = [(name, value) for name, value in fields if name in form_fields]
    field = _field_with_nul(fields)
    return _nul("body", field) if field else None


def find_refusal(request: HttpRequest, form_fields: frozenset[str] | None = None) -> Refusal | None:
    """Why this request must be refused before a view sees it, or None. `form_fields`: the
    form fields the view reads (None: all), the only ones whose NUL characters matter."""
    return (
        _check_content_length(request)
        or _check_headers(request)
        or _check_query(request)
        or _check_form(request, form_fields)
    )


def _view_class(view_func: Callable[..., Any]) -> Any:
    return getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)


def speaks_rfc6749(view_func: Callable[..., Any]) -> bool:
    return bool(getattr(_view_class(view_func), "rfc6749_errors", False))


class RequestGuardMiddleware:
    """Runs after URL resolution (so it knows which error body the view speaks) and before
    every view, CSRF check and authentication."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        refusal = find_refusal(request, getattr(_view_class(view_func), "form_fields", None))
        if refusal is None:
            return None
        return refusal.response(rfc6749=speaks_rfc6749(view_func))
