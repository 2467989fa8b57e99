"""How a request proves who it is: opaque bearer tokens from django-oauth-toolkit (DOT)."""

from typing import Any

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.oauth2_validators import OAuth2Validator
from rest_framework import exceptions
from rest_framework.request import Request

from accounts.token_cache import verified_tokens


def is_usable_account(user: Any) -> bool:
    """Soft-deleted or deactivated accounts may neither sign in nor use old tokens."""
    return user is not None and user.is_active and getattr(user, "deleted", None) is None


class BearerTokenAuthentication(OAuth2Authentication):
    """DOT's bearer authentication, stricter in three ways.

    - Tokens are taken from the `Authorization` header only, never from `?access_token=` or
      a form field (RFC 6750 §2.3 discourages them: URLs land in access logs and histories).
    - A request that presents `Authorization: Bearer ...` with a token that is unknown,
      expired or revoked gets 401 everywhere, even on endpoints anonymous callers may read
      (RFC 6750 §3.1): a client must learn that its token is dead.
    - Tokens of a soft-deleted or deactivated user are refused (the token rows point at the
      user through the base manager, which still sees deleted users).

    What it verified, a process remembers until any revocation (accounts.token_cache).
    """

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        if not _presents_bearer_token(request):
            # DOT would also look for `access_token` in the query and a form body; not
            # asking it at all also spares anonymous reads a tenth of a search's CPU.
            return None
        raw_token = request.headers["Authorization"].partition(" ")[2].strip()
        known, epoch = verified_tokens.lookup(raw_token)
        if known is not None:
            return known
        result = super().authenticate(request)
        if result is None:
            # Read by authenticate_header() for the WWW-Authenticate challenge.
            error = getattr(request, "oauth2_error", None) or {"error": "invalid_token"}
            setattr(request, "oauth2_error", error)  # noqa: B010
            raise exceptions.AuthenticationFailed("The access token is invalid or expired.")
        user, token = result
        if not is_usable_account(user):
            setattr(request, "oauth2_error", {"error": "invalid_token"})  # noqa: B010
            raise exceptions.AuthenticationFailed("The access token is invalid or expired.")
        verified_tokens.remember(raw_token, user, token, epoch)
        return user, token


def _presents_bearer_token(request: Request) -> bool:
    scheme, _, _ = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer"


class StoreOAuth2Validator(OAuth2Validator):
    """DOT's validator; a refresh token of a soft-deleted or deactivated user is refused.

    The password grant already refuses such users: Django's `authenticate` looks users up
    through the default manager, which hides soft-deleted rows, and DOT checks `is_active`.
    """

    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        return is_usable_account(request.user)
