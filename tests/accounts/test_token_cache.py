"""The per-process cache of verified bearer tokens (accounts.token_cache) never outlives a
revocation: each test warms the cache first (and proves it is warm: no token query), then
revokes in one of the ways an account can, and the very next request must be refused.

Transactional, so revocations really commit and their after-commit epoch runs."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from oauth2_provider.models import AccessToken

from tests.accounts.helpers import (
    PASSWORD,
    TOKEN_REFUSED,
    assert_error,
    assert_unauthorized,
    bearer,
    get_tokens,
    make_user,
    post_form,
)

pytestmark = pytest.mark.django_db(transaction=True)

ME = "/api/users/me/"
ROOT = Path(__file__).resolve().parents[2]


def token_queries(client, token: str) -> int:
    """Answer `GET /api/users/me/` with `token` (200 expected); how many queries read tokens."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(ME, **bearer(token))
    assert response.status_code == 200, response.content
    return sum("oauth2_provider_accesstoken" in q["sql"] for q in queries.captured_queries)


def warm(client, token: str) -> None:
    """Use the token until this process answers it from the cache."""
    token_queries(client, token)
    assert token_queries(client, token) == 0, "the second use should not read the token"


def test_a_verified_token_is_not_read_again(api_client):
    make_user("ada")
    token = get_tokens(api_client, "ada")["access_token"]
    assert token_queries(api_client, token) == 1
    assert token_queries(api_client, token) == 0


def test_without_the_cache_every_request_reads_its_token(api_client, settings):
    settings.TOKEN_CACHE_SECONDS = 0
    make_user("ada")
    token = get_tokens(api_client, "ada")["access_token"]
    token_queries(api_client, token)
    assert token_queries(api_client, token) == 1


def test_revoking_a_cached_token_refuses_it_at_once(api_client):
    make_user("ada")
    token = get_tokens(api_client, "ada")["access_token"]
    warm(api_client, token)
    revoked = post_form(
        api_client,
        "/api/oauth/revoke_token/",
        {"token": token, "client_id": settings.OAUTH_CLIENT_ID},
    )
    assert revoked.status_code == 200
    assert_unauthorized(api_client.get(ME, **bearer(token)), TOKEN_REFUSED)


def test_a_password_change_refuses_the_other_cached_tokens_at_once(api_client):
    make_user("ada")
    kept = get_tokens(api_client, "ada")["access_token"]
    other = get_tokens(api_client, "ada")["access_token"]
    warm(api_client, kept)
    warm(api_client, other)
    changed = api_client.post(
        "/api/users/me/password/",
        {"old_password": PASSWORD, "new_password": "quartz-Meadow-93-lantern"},
        **bearer(kept),
    )
    assert changed.status_code == 204, changed.content
    assert_unauthorized(api_client.get(ME, **bearer(other)), TOKEN_REFUSED)
    assert api_client.get(ME, **bearer(kept)).status_code == 200


def test_a_soft_deleted_user_is_refused_at_once(api_client):
    """A bare soft delete, the token rows left in place."""
    ada = make_user("ada")
    token = get_tokens(api_client, "ada")["access_token"]
    warm(api_client, token)
    ada.delete()
    assert_unauthorized(api_client.get(ME, **bearer(token)), TOKEN_REFUSED)


def test_a_deactivated_user_is_refused_at_once(api_client):
    ada = make_user("ada")
    token = get_tokens(api_client, "ada")["access_token"]
    warm(api_client, token)
    ada.is_active = False
    ada.save(update_fields=["is_active"])
    assert_unauthorized(api_client.get(ME, **bearer(token)), TOKEN_REFUSED)


def test_a_cached_token_still_expires_on_time(api_client):
    ada = make_user("ada")
    token = AccessToken.objects.create(
        user=ada,
        token="short-lived-token",
        expires=timezone.now() + timedelta(seconds=2),
        scope="read write",
    )
    warm(api_client, token.token)
    time.sleep(max(0.0, (token.expires - timezone.now()).total_seconds()) + 0.2)
    assert_unauthorized(api_client.get(ME, **bearer(token.token)), TOKEN_REFUSED)


def test_a_revocation_in_another_process_reaches_this_one_at_once(api_client):
    """Another process (an admin's shell, another web worker) deletes the token: this
    process's next request is refused."""
    make_user("ada")
    token = get_tokens(api_client, "ada")["access_token"]
    warm(api_client, token)
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        ),
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    script = (
        "from oauth2_provider.models import AccessToken; "
        f"print(AccessToken.objects.filter(token={token!r}).delete()[0])"
    )
    done = subprocess.run(  # noqa: S603 - our own manage.py with a fixed script
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("1"), done.stdout
    assert_unauthorized(api_client.get(ME, **bearer(token)), TOKEN_REFUSED)


def test_while_redis_is_unreachable_tokens_are_checked_in_postgresql(api_client):
    """No epoch to trust: nothing comes from the cache, and a revocation is refused (503)
    rather than committed unannounced; the token keeps working until one succeeds."""
    make_user("ada")
    token = get_tokens(api_client, "ada")["access_token"]
    warm(api_client, token)
    unreachable = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"},
    }
    with override_settings(CACHES=unreachable):
        assert token_queries(api_client, token) == 1
        refused = post_form(
            api_client,
            "/api/oauth/revoke_token/",
            {"token": token, "client_id": settings.OAUTH_CLIENT_ID},
        )
        assert_error(refused, 503, "service_unavailable")
        assert token_queries(api_client, token) == 1
    assert token_queries(api_client, token) in (0, 1)  # Redis back: the cache may serve it
