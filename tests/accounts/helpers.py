"""Helpers for tests that sign users up and in over HTTP."""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import User

PASSWORD = "plum-Tractor-41-velvet"
TOKEN_URL = "/api/oauth/token/"
FORM = "application/x-www-form-urlencoded"


def make_user(username: str, password: str = PASSWORD, **fields: Any) -> User:
    fields.setdefault("email", f"{username}@example.com")
    return User.objects.create_user(username=username, password=password, **fields)


def post_form(client: APIClient, url: str, data: dict[str, str], **extra: Any) -> Any:
    return client.post(url, urlencode(data), content_type=FORM, **extra)


def token_response(client: APIClient, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    data = {
        "grant_type": "password",
        "username": username,
        "password": password,
        "client_id": settings.OAUTH_CLIENT_ID,
    }
    return post_form(client, TOKEN_URL, data, **extra)


def get_tokens(client: APIClient, username: str, password: str = PASSWORD) -> dict[str, Any]:
    response = token_response(client, username, password)
    assert response.status_code == 200, response.content
    return response.json()


def bearer(access_token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {access_token}"}


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    return body["error"]


# The two 401 codes: no credentials at all, or a bearer token that is unknown, expired,
# revoked or of a gone account.
NOT_AUTHENTICATED = "not_authenticated"
TOKEN_REFUSED = "authentication_failed"


def assert_unauthorized(response: Any, code: str) -> None:
    """A 401 with the one error body, the `code` the caller expects, and a Bearer challenge."""
    assert_error(response, 401, code)
    assert response["WWW-Authenticate"].startswith("Bearer ")
