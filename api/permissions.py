"""Permissions every view shares: OAuth2 scopes (`read` to read, `write` to change)."""

from typing import Any

from oauth2_provider.contrib.rest_framework import TokenHasReadWriteScope
from oauth2_provider.settings import oauth2_settings
from rest_framework import exceptions, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request


class InsufficientScope(exceptions.PermissionDenied):
    """403: the bearer token was not granted the scope this request needs (RFC 6750 §3.1)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "insufficient_scope"

    def __init__(self, scope: str):
        super().__init__(f"This request needs a token with the `{scope}` scope.")
        self.details = {"required_scope": scope}
        # Read by DRF's exception handler into the WWW-Authenticate header.
        self.auth_header = f'Bearer error="insufficient_scope", scope="{scope}"'


def required_scope(method: str) -> str:
    """The scope a request of this HTTP method needs: `read` for safe methods, else `write`."""
    if method.upper() in SAFE_METHODS:
        return str(oauth2_settings.READ_SCOPE)
    return str(oauth2_settings.WRITE_SCOPE)


class TokenScopes(TokenHasReadWriteScope):
    """A bearer token must carry `read` for GET/HEAD/OPTIONS and `write` for anything else.

    Anonymous requests pass: scopes only restrict what a token holder may do, and the
    view's other permission classes decide about anonymous callers. In DEFAULT_PERMISSION_CLASSES
    and in every view that sets its own `permission_classes`.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.auth is None:
            return True
        if super().has_permission(request, view):
            return True
        raise InsufficientScope(required_scope(request.method or "GET"))
