"""One error body for every 4xx and 5xx answer under /api/:

{"error": {"code": "not_found", "message": "...", "details": {...}}}
"""

import logging
from typing import Any

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from core import errors as domain

logger = logging.getLogger(__name__)


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = "The request body is too large."


# Django's own refusals of a request it cannot read (the request guard answers them first;
# these stay 4xx should a view ever read the request itself).
UNREADABLE_REQUEST = (
    TooManyFieldsSent,
    TooManyFilesSent,
    MultiPartParserError,
    UnreadablePostError,
)


# The one map from the domain's refusals (core.errors) to HTTP; most specific class first.
DOMAIN_STATUS: list[tuple[type[domain.DomainError], int]] = [
    (domain.NotFound, status.HTTP_404_NOT_FOUND),
    (domain.Invalid, status.HTTP_400_BAD_REQUEST),
    (domain.Conflict, status.HTTP_409_CONFLICT),
    (domain.PreconditionFailed, status.HTTP_412_PRECONDITION_FAILED),
    (domain.Unprocessable, status.HTTP_422_UNPROCESSABLE_ENTITY),
    (domain.Unavailable, status.HTTP_503_SERVICE_UNAVAILABLE),
]


class _DomainAnswer(exceptions.APIException):
    def __init__(self, error: domain.DomainError, status_code: int) -> None:
        super().__init__(error.message, error.code)
        self.status_code = status_code
        self.details = error.details


def _from_domain(error: domain.DomainError) -> exceptions.APIException:
    if isinstance(error, domain.Invalid):
        # Field errors answer like a serializer's refusal: details map fields to messages.
        return exceptions.ValidationError(error.details or {"non_field_errors": [error.message]})
    status_code = next(
        (code for kind, code in DOMAIN_STATUS if isinstance(error, kind)),
        status.HTTP_400_BAD_REQUEST,
    )
    return _DomainAnswer(error, status_code)


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _first_message(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict) and detail:
        return _first_message(next(iter(detail.values())))
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, UNREADABLE_REQUEST):
        exc = exceptions.ParseError(f"The request could not be read: {exc}")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        # Services refuse input with Django's ValidationError: a 400 like a serializer's.
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, domain.DomainError):
        exc = _from_domain(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        # Unexpected: log it with the traceback and still answer with the one body.
        logger.exception("Unhandled error in %s", context.get("view"), exc_info=exc)
        return Response(
            error_body("server_error", "An unexpected error occurred."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    assert isinstance(exc, exceptions.APIException)  # noqa: S101  (drf handles nothing else)
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        details = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        response.data = error_body(
            "invalid", "The request is invalid: " + _first_message(detail), details
        )
    else:
        code = exc.get_codes()
        structured = isinstance(exc.detail, (dict, list))
        response.data = error_body(
            code if isinstance(code, str) else str(exc.default_code),
            str(exc.default_detail if structured else exc.detail),
            getattr(exc, "details", None) or (exc.detail if isinstance(exc.detail, dict) else None),
        )
    return response


def _json_error(status_code: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status_code)


# Django's own handlers (unknown URLs, unhandled errors outside DRF views).
def bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    if isinstance(exception, RequestDataTooBig):
        return _json_error(413, "request_too_large", "The request body is too large.")
    return _json_error(400, "bad_request", "The request could not be understood.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json_error(403, "permission_denied", "You do not have permission to do this.")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json_error(404, "not_found", "Not found.")


def server_error(request: HttpRequest) -> JsonResponse:
    return _json_error(500, "server_error", "An unexpected error occurred.")
