"""Black-box: a user's whole account life over HTTP, against the real database."""

from urllib.parse import urlencode

import pytest
from django.conf import settings
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "plum-Tractor-41-velvet"
NEW_PASSWORD = "quartz-Meadow-93-lantern"
FORM = "application/x-www-form-urlencoded"


def form(client, url, **data):
    return client.post(url, urlencode(data), content_type=FORM)


def sign_in(client, password):
    response = form(
        client,
        "/api/oauth/token/",
        grant_type="password",
        username="grace",
        password=password,
        client_id=settings.OAUTH_CLIENT_ID,
    )
    assert response.status_code == 200, response.content
    return response.json()


def me(client, access_token):
    return client.get("/api/users/me/", HTTP_AUTHORIZATION=f"Bearer {access_token}")


def assert_refused(response):
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_register_sign_in_change_password_refresh_revoke():
    client = APIClient()

    # Register.
    registered = client.post(
        "/api/users/",
        {"username": "grace", "email": "grace@example.com", "password": PASSWORD},
    )
    assert registered.status_code == 201
    assert "password" not in registered.json()

    # Sign in twice: this device and another one.
    mine = sign_in(client, PASSWORD)
    other = sign_in(client, PASSWORD)
    assert mine["token_type"] == "Bearer"

    # Me.
    profile = me(client, mine["access_token"])
    assert profile.status_code == 200
    assert profile.json()["id"] == registered.json()["id"]

    # Change the password: the other device's tokens die, mine stays.
    changed = client.post(
        "/api/users/me/password/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        HTTP_AUTHORIZATION=f"Bearer {mine['access_token']}",
    )
    assert changed.status_code == 204
    assert_refused(me(client, other["access_token"]))
    assert me(client, mine["access_token"]).status_code == 200
    stale_refresh = form(
        client,
        "/api/oauth/token/",
        grant_type="refresh_token",
        refresh_token=other["refresh_token"],
        client_id=settings.OAUTH_CLIENT_ID,
    )
    assert stale_refresh.status_code == 400

    # Refresh mine: a new pair; the old refresh token and access token are refused.
    refreshed = form(
        client,
        "/api/oauth/token/",
        grant_type="refresh_token",
        refresh_token=mine["refresh_token"],
        client_id=settings.OAUTH_CLIENT_ID,
    )
    assert refreshed.status_code == 200
    fresh = refreshed.json()
    assert fresh["refresh_token"] != mine["refresh_token"]
    assert me(client, fresh["access_token"]).status_code == 200
    assert_refused(me(client, mine["access_token"]))
    replayed = form(
        client,
        "/api/oauth/token/",
        grant_type="refresh_token",
        refresh_token=mine["refresh_token"],
        client_id=settings.OAUTH_CLIENT_ID,
    )
    assert replayed.status_code == 400
    assert replayed.json()["error"] == "invalid_grant"

    # Revoke: the token is refused afterwards, and so is its refresh token.
    revoked = form(
        client,
        "/api/oauth/revoke_token/",
        token=fresh["refresh_token"],
        token_type_hint="refresh_token",
        client_id=settings.OAUTH_CLIENT_ID,
    )
    assert revoked.status_code == 200
    assert_refused(me(client, fresh["access_token"]))

    # The new password signs in; the old one does not.
    assert me(client, sign_in(client, NEW_PASSWORD)["access_token"]).status_code == 200
    old = form(
        client,
        "/api/oauth/token/",
        grant_type="password",
        username="grace",
        password=PASSWORD,
        client_id=settings.OAUTH_CLIENT_ID,
    )
    assert old.status_code == 400
