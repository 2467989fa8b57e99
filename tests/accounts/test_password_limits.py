"""Issue 17, finding 4: wrong `old_password`s at the password change and wrong passwords at
the admin login are limited like sign-ins (429 / the form's refusal, with the wait)."""

import pytest
from django.conf import settings

from accounts.models import User
from tests.accounts.helpers import (
    PASSWORD,
    assert_error,
    bearer,
    get_tokens,
    make_user,
    token_response,
)

pytestmark = pytest.mark.django_db

PASSWORD_URL = "/api/users/me/password/"
NEW_PASSWORD = "quartz-Meadow-93-lantern"
THIEF = "203.0.113.66"


def change_password(client, token, old_password, **extra):
    body = {"old_password": old_password, "new_password": NEW_PASSWORD}
    return client.post(PASSWORD_URL, body, **bearer(token), **extra)


class TestPasswordChange:
    def test_a_stolen_token_cannot_guess_the_old_password_without_limit(self, api_client):
        ada = make_user("ada")
        stolen = get_tokens(api_client, "ada")["access_token"]
        for n in range(settings.PASSWORD_CHANGE_RATE_LIMIT_PER_USER):
            answer = change_password(api_client, stolen, f"guess-{n}", REMOTE_ADDR=THIEF)
            assert_error(answer, 400, "invalid")

        # Before: unlimited. Now even the right one is refused unseen, from any address.
        refused = change_password(api_client, stolen, PASSWORD, REMOTE_ADDR="198.51.100.9")

        error = assert_error(refused, 429, "throttled")
        assert int(refused["Retry-After"]) > 0
        assert "second" in error["message"]
        ada.refresh_from_db()
        assert ada.check_password(PASSWORD)
        # Signing in is another budget: the owner still signs in.
        assert token_response(api_client, "ada").status_code == 200

    def test_the_address_limit_spans_users(self, api_client, settings):
        settings.PASSWORD_CHANGE_RATE_LIMIT_PER_IP = 3
        tokens = []
        for name in ("ada", "bob", "cy", "dee"):
            make_user(name)
            tokens.append(get_tokens(api_client, name)["access_token"])
        for token in tokens[:3]:
            assert change_password(api_client, token, "wrong").status_code == 400

        assert_error(change_password(api_client, tokens[3], PASSWORD), 429, "throttled")
        other = change_password(api_client, tokens[3], PASSWORD, REMOTE_ADDR="10.2.2.2")
        assert other.status_code == 204

    def test_only_wrong_old_passwords_count(self, api_client, settings):
        settings.PASSWORD_CHANGE_RATE_LIMIT_PER_USER = 2
        make_user("ada")
        token = get_tokens(api_client, "ada")["access_token"]
        for _ in range(3):  # missing old password, weak new one: no guesses
            missing = api_client.post(PASSWORD_URL, {"new_password": NEW_PASSWORD}, **bearer(token))
            assert_error(missing, 400, "invalid")
            weak = api_client.post(
                PASSWORD_URL, {"old_password": PASSWORD, "new_password": "123"}, **bearer(token)
            )
            assert_error(weak, 400, "invalid")

        assert change_password(api_client, token, PASSWORD).status_code == 204


class TestAdminLogin:
    URL = "/admin/login/"

    @pytest.fixture(autouse=True)
    def boss(self):
        return User.objects.create_superuser("boss", "boss@example.com", PASSWORD)

    def sign_in(self, client, password, **extra):
        form = {"username": "boss", "password": password, "next": "/admin/"}
        return client.post(self.URL, form, **extra)

    def test_guessing_is_stopped_and_the_right_password_elsewhere_still_works(self, client):
        for n in range(settings.TOKEN_RATE_LIMIT_PER_USERNAME_AND_IP):
            answer = self.sign_in(client, f"guess-{n}", REMOTE_ADDR=THIEF)
            assert answer.status_code == 200  # the form again
            assert "enter the correct username and password" in answer.content.decode()

        # Before: unlimited. Now the right password from the guessing address is refused...
        refused = self.sign_in(client, PASSWORD, REMOTE_ADDR=THIEF)
        assert refused.status_code == 200
        assert "Too many failed sign-ins" in refused.content.decode()
        assert "_auth_user_id" not in client.session
        # ...and from the owner's address it signs in.
        signed_in = self.sign_in(client, PASSWORD, REMOTE_ADDR="198.51.100.9")
        assert signed_in.status_code == 302
        assert "_auth_user_id" in client.session

    def test_the_admin_and_the_token_endpoint_share_their_counters(self, client, api_client):
        for n in range(settings.TOKEN_RATE_LIMIT_PER_USERNAME_AND_IP):
            self.sign_in(client, f"guess-{n}")
        assert_error(token_response(api_client, "BOSS"), 429, "throttled")
