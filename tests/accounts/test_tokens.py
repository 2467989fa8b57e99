from base64 import b64encode
from contextlib import ExitStack
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, RefreshToken

from accounts import services
from accounts.throttling import Refused, limited_attempt, sign_in_budgets
from tests.accounts.helpers import (
    FORM,
    NOT_AUTHENTICATED,
    PASSWORD,
    TOKEN_REFUSED,
    TOKEN_URL,
    assert_error,
    assert_unauthorized,
    bearer,
    get_tokens,
    make_user,
    post_form,
    token_response,
)

pytestmark = pytest.mark.django_db

ME = "/api/users/me/"


def test_migrate_creates_the_public_first_party_client():
    client = Application.objects.get(client_id=settings.OAUTH_CLIENT_ID)
    assert client.client_type == Application.CLIENT_PUBLIC
    assert client.authorization_grant_type == Application.GRANT_PASSWORD
    assert client.client_secret == ""


def test_first_party_client_follows_the_setting(settings):
    settings.OAUTH_CLIENT_ID = "another-front"
    services.ensure_first_party_client()
    services.ensure_first_party_client()  # idempotent
    assert Application.objects.filter(client_id="another-front").count() == 1


def test_password_grant_answers_an_opaque_bearer_token(api_client):
    make_user("ada")
    response = token_response(api_client, "ada")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == settings.OAUTH2_PROVIDER["ACCESS_TOKEN_EXPIRE_SECONDS"]
    assert set(body["scope"].split()) == {"read", "write"}
    assert response["Cache-Control"] == "no-store"
    assert AccessToken.objects.filter(user__username="ada").count() == 1


def test_username_is_case_insensitive_at_sign_in(api_client):
    make_user("ada")
    assert token_response(api_client, "ADA").status_code == 200


def test_wrong_password_keeps_the_rfc6749_error_shape(api_client):
    make_user("ada")
    response = token_response(api_client, "ada", "not-the-password")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_unknown_client_is_refused(api_client):
    make_user("ada")
    data = {"grant_type": "password", "username": "ada", "password": PASSWORD, "client_id": "x"}
    response = post_form(api_client, TOKEN_URL, data)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_soft_deleted_user_cannot_get_a_token(api_client):
    make_user("ada").delete()
    response = token_response(api_client, "ada")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_token_of_a_user_deleted_afterwards_is_refused(api_client):
    user = make_user("ada")
    tokens = get_tokens(api_client, "ada")
    user.delete()  # a bare soft delete, tokens left in place

    assert_unauthorized(api_client.get(ME, **bearer(tokens["access_token"])), TOKEN_REFUSED)
    refreshed = post_form(
        api_client,
        TOKEN_URL,
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": settings.OAUTH_CLIENT_ID,
        },
    )
    assert refreshed.status_code == 400


def test_delete_account_revokes_every_token(api_client):
    user = make_user("ada")
    tokens = get_tokens(api_client, "ada")
    services.delete_account(user=user)
    assert not AccessToken.objects.filter(user=user).exists()
    assert not RefreshToken.objects.filter(user=user, revoked__isnull=True).exists()
    assert_unauthorized(api_client.get(ME, **bearer(tokens["access_token"])), TOKEN_REFUSED)


def test_missing_token_is_401_with_bearer_challenge(api_client):
    response = api_client.get(ME)
    assert_unauthorized(response, NOT_AUTHENTICATED)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer", TOKEN_REFUSED),
        ("Bearer not-a-token", TOKEN_REFUSED),
        ("Bearer a b c", TOKEN_REFUSED),
        # Another scheme is no bearer token at all: as if no credentials were sent.
        ("Token abc", NOT_AUTHENTICATED),
        ("Basic Zm9vOmJhcg==", NOT_AUTHENTICATED),
    ],
)
def test_malformed_token_is_401_with_bearer_challenge(api_client, header, code):
    assert_unauthorized(api_client.get(ME, HTTP_AUTHORIZATION=header), code)


def test_invalid_token_is_401_even_where_anonymous_callers_may_read(api_client):
    user = make_user("ada")
    response = api_client.get(f"/api/users/{user.pk}/", **bearer("no-such-token"))
    assert_unauthorized(response, TOKEN_REFUSED)
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_expired_token_is_401(api_client):
    make_user("ada")
    tokens = get_tokens(api_client, "ada")
    AccessToken.objects.filter(user__username="ada").update(
        expires=timezone.now() - timedelta(seconds=1)
    )
    response = api_client.get(ME, **bearer(tokens["access_token"]))
    assert_unauthorized(response, TOKEN_REFUSED)
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_refresh_rotates_the_refresh_token(api_client):
    make_user("ada")
    first = get_tokens(api_client, "ada")
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": first["refresh_token"],
        "client_id": settings.OAUTH_CLIENT_ID,
    }

    second = post_form(api_client, TOKEN_URL, refresh)
    assert second.status_code == 200
    assert second.json()["refresh_token"] != first["refresh_token"]
    assert api_client.get(ME, **bearer(second.json()["access_token"])).status_code == 200
    assert_unauthorized(api_client.get(ME, **bearer(first["access_token"])), TOKEN_REFUSED)

    replay = post_form(api_client, TOKEN_URL, refresh)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def refresh_with(client, refresh_token: str):
    data = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": settings.OAUTH_CLIENT_ID,
    }
    return post_form(client, TOKEN_URL, data)


def test_reusing_a_rotated_refresh_token_revokes_the_tokens_issued_after_it(api_client):
    # OAuth 2.0 Security BCP (RFC 9700 §4.14.2): reuse means theft; end that sign-in.
    make_user("ada")
    stolen = get_tokens(api_client, "ada")
    current = refresh_with(api_client, stolen["refresh_token"]).json()
    other_device = get_tokens(api_client, "ada")

    replay = refresh_with(api_client, stolen["refresh_token"])

    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert_unauthorized(api_client.get(ME, **bearer(current["access_token"])), TOKEN_REFUSED)
    assert refresh_with(api_client, current["refresh_token"]).json()["error"] == "invalid_grant"
    # Another sign-in of the same user is another chain: it stays.
    assert api_client.get(ME, **bearer(other_device["access_token"])).status_code == 200
    assert refresh_with(api_client, other_device["refresh_token"]).status_code == 200


@pytest.mark.parametrize("where", ["query", "form body"])
def test_a_token_outside_the_authorization_header_is_ignored(api_client, where):
    make_user("ada")
    token = get_tokens(api_client, "ada")["access_token"]

    if where == "query":
        response = api_client.get(f"{ME}?access_token={token}")
    else:
        response = api_client.generic("GET", ME, f"access_token={token}", content_type=FORM)

    assert_unauthorized(response, NOT_AUTHENTICATED)
    assert "error=" not in response["WWW-Authenticate"]  # no token was presented


def test_revoked_token_is_401(api_client):
    make_user("ada")
    tokens = get_tokens(api_client, "ada")
    revoked = post_form(
        api_client,
        "/api/oauth/revoke_token/",
        {"token": tokens["access_token"], "client_id": settings.OAUTH_CLIENT_ID},
    )
    assert revoked.status_code == 200
    assert_unauthorized(api_client.get(ME, **bearer(tokens["access_token"])), TOKEN_REFUSED)
    # Revoking the access token revoked its refresh token too.
    refreshed = post_form(
        api_client,
        TOKEN_URL,
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": settings.OAUTH_CLIENT_ID,
        },
    )
    assert refreshed.status_code == 400


ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"


class TestSignInLimits:
    """Issue 17, finding 3: failures only, tight per (username, address), loose per
    username, per address, with back-off; nobody can lock the owner out from one address."""

    def test_guessing_from_one_address_does_not_lock_the_owner_out(self, api_client):
        make_user("alice")
        answers = [
            token_response(api_client, "alice", "wrong-password", REMOTE_ADDR=ATTACKER)
            for _ in range(10)
        ]

        assert [a.status_code for a in answers] == [400] * 5 + [429] * 5
        # Before: alice's own right password answered 429 from anywhere for 5 minutes.
        assert token_response(api_client, "alice", REMOTE_ADDR=OWNER).status_code == 200

    def test_a_locked_pair_refuses_even_the_right_password_with_the_wait(self, api_client):
        make_user("alice")
        for _ in range(5):
            token_response(api_client, "alice", "wrong-password", REMOTE_ADDR=ATTACKER)

        response = token_response(api_client, "ALICE", REMOTE_ADDR=ATTACKER)

        error = assert_error(response, 429, "throttled")
        assert 0 < int(response["Retry-After"]) <= settings.TOKEN_RATE_LIMIT_WINDOW_SECONDS
        assert "second" in error["message"]
        assert not AccessToken.objects.filter(user__username="alice").exists()

    def test_successes_do_not_count(self, api_client):
        make_user("ada")
        for _ in range(12):  # before: the 11th sign-in in 5 minutes was a 429
            assert token_response(api_client, "ada").status_code == 200

    def test_a_success_forgets_the_pairs_failures(self, api_client):
        make_user("ada")
        for _ in range(4):
            token_response(api_client, "ada", "typo")
        assert token_response(api_client, "ada").status_code == 200
        for _ in range(4):
            assert token_response(api_client, "ada", "typo").status_code == 400

    def test_lookalike_spellings_share_the_counters(self, api_client):
        make_user("victimi")
        for name in ["victimi", "VICTIMI", "v\u0131ctimi", "V\u0130CTIMI", "victimi"]:
            assert token_response(api_client, name, "wrong").status_code == 400
        assert token_response(api_client, "victimi").status_code == 429

    def test_the_lockout_doubles_each_time(self, api_client):
        make_user("ada")
        window = settings.TOKEN_RATE_LIMIT_WINDOW_SECONDS
        pair = sign_in_budgets("ada", "127.0.0.1")[0]
        waits = []
        for _ in range(3):
            for _ in range(5):
                token_response(api_client, "ada", "wrong-password")
            waits.append(int(token_response(api_client, "ada")["Retry-After"]))
            cache.delete(pair.key("lock"))  # as if the lockout had run out

        assert waits[0] <= window < waits[1] <= 2 * window < waits[2] <= 4 * window

    def test_the_username_limit_is_loose_and_spans_addresses(self, api_client, settings):
        settings.TOKEN_RATE_LIMIT_PER_USERNAME = 12
        make_user("ada")
        for n in range(12):  # three addresses, each under its own pair limit
            token_response(api_client, "ada", "wrong", REMOTE_ADDR=f"10.0.0.{n % 3}")

        assert_error(token_response(api_client, "ada", REMOTE_ADDR=OWNER), 429, "throttled")
        assert token_response(api_client, "bob", "x", REMOTE_ADDR=OWNER).status_code == 400

    def test_the_address_limit_covers_many_usernames(self, api_client, settings):
        settings.TOKEN_RATE_LIMIT_PER_IP = 5
        make_user("ada")
        for n in range(5):
            token_response(api_client, f"guess{n}", "wrong-password")

        response = token_response(api_client, "ada")
        assert_error(response, 429, "throttled")
        assert int(response["Retry-After"]) > 0
        # Another address is not affected.
        assert token_response(api_client, "ada", REMOTE_ADDR="10.9.9.9").status_code == 200

    def test_guessed_refresh_tokens_count_against_the_address(self, api_client, settings):
        settings.TOKEN_RATE_LIMIT_PER_IP = 3
        make_user("ada")
        for n in range(3):
            assert refresh_with(api_client, f"guess-{n}").status_code == 400
        assert refresh_with(api_client, "guess-4").status_code == 429
        assert token_response(api_client, "ada", REMOTE_ADDR=OWNER).status_code == 200

    def test_forwarded_for_header_does_not_dodge_the_address_limit(self, api_client, settings):
        settings.TOKEN_RATE_LIMIT_PER_IP = 5
        for n in range(5):
            token_response(api_client, f"guess{n}", "x", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        response = token_response(api_client, "ada", HTTP_X_FORWARDED_FOR="10.0.0.99")
        assert response.status_code == 429

    def test_parallel_guesses_cannot_overshoot_a_budget(self):
        # Attempts still running hold their share: the sixth of six at once is refused.
        budgets = sign_in_budgets("ada", ATTACKER)
        with ExitStack() as running:
            for _ in range(5):
                running.enter_context(limited_attempt(budgets))
            with pytest.raises(Refused), limited_attempt(budgets):
                pass
        with limited_attempt(budgets) as attempt:  # all finished: room again
            attempt.failed()


class TestIntrospection:
    URL = "/api/oauth/introspect/"

    @pytest.fixture
    def resource_server(self):
        return Application.objects.create(
            name="resource server",
            client_id="resource-server",
            client_secret="s3cret-for-tests",
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        )

    def test_confidential_client_can_introspect(self, api_client, resource_server):
        make_user("ada")
        tokens = get_tokens(api_client, "ada")
        api_client.credentials()
        response = post_form(
            api_client,
            self.URL,
            {"token": tokens["access_token"]},
            HTTP_AUTHORIZATION="Basic " + b64encode(b"resource-server:s3cret-for-tests").decode(),
        )
        assert response.status_code == 200
        body = response.json()
        assert body["active"] is True
        assert body["username"] == "ada"
        assert body["client_id"] == settings.OAUTH_CLIENT_ID

    def test_an_empty_token_is_refused_as_the_schema_says(self, api_client, resource_server):
        """Found by the fuzz suite: an empty `token` answered 200 `{"active": false}` while
        the schema (drf-spectacular's `oneOf` for a blank-allowed field) called it invalid."""
        response = post_form(
            api_client,
            self.URL,
            {"token": "", "junk": "x"},
            HTTP_AUTHORIZATION="Basic " + b64encode(b"resource-server:s3cret-for-tests").decode(),
        )
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"

    def test_public_client_and_users_cannot_introspect(self, api_client, resource_server):
        make_user("ada")
        tokens = get_tokens(api_client, "ada")
        as_public_client = post_form(
            api_client,
            self.URL,
            {"token": tokens["access_token"], "client_id": settings.OAUTH_CLIENT_ID},
        )
        assert as_public_client.status_code == 401
        token = tokens["access_token"]
        as_user = post_form(api_client, self.URL, {"token": token}, **bearer(token))
        assert as_user.status_code == 401
        anonymous = post_form(api_client, self.URL, {"token": tokens["access_token"]})
        assert anonymous.status_code == 401


def test_token_endpoint_wrong_method_answers_the_one_error_body(api_client):
    assert_error(api_client.get(TOKEN_URL), 405, "method_not_allowed")
