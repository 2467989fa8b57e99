"""Issue 17, finding 5: any change of a password revokes the user's tokens, wherever it is
made (the API keeps the caller's own token, as before)."""

import pytest
from django.conf import settings
from django.core.management import call_command
from oauth2_provider.models import AccessToken, RefreshToken

from accounts.models import User
from tests.accounts.helpers import (
    PASSWORD,
    TOKEN_REFUSED,
    TOKEN_URL,
    assert_unauthorized,
    bearer,
    get_tokens,
    make_user,
    post_form,
)

pytestmark = pytest.mark.django_db

ME = "/api/users/me/"
NEW_PASSWORD = "quince-Harbor-77-lantern"


def refresh(client, refresh_token):
    data = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": settings.OAUTH_CLIENT_ID,
    }
    return post_form(client, TOKEN_URL, data)


def assert_signed_out(client, tokens):
    """The stolen pair is dead: the access token is refused, the refresh token mints nothing."""
    assert_unauthorized(client.get(ME, **bearer(tokens["access_token"])), TOKEN_REFUSED)
    refreshed = refresh(client, tokens["refresh_token"])
    assert refreshed.status_code == 400
    assert refreshed.json()["error"] == "invalid_grant"


@pytest.fixture
def boss(client):
    boss = User.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    client.force_login(boss)
    return boss


def test_the_admins_password_form_revokes_the_users_tokens(api_client, client, boss):
    ada = make_user("ada")
    stolen = get_tokens(api_client, "ada")

    response = client.post(
        f"/admin/accounts/user/{ada.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 302, response.content
    assert_signed_out(api_client, stolen)
    assert get_tokens(api_client, "ada", NEW_PASSWORD)


def test_disabling_the_password_in_the_admin_revokes_the_users_tokens(api_client, client, boss):
    ada = make_user("ada")
    stolen = get_tokens(api_client, "ada")

    response = client.post(
        f"/admin/accounts/user/{ada.pk}/password/",
        {"usable_password": "false", "unset-password": "Disable password-based authentication"},
    )

    assert response.status_code == 302, response.content
    ada.refresh_from_db()
    assert not ada.has_usable_password()
    assert_signed_out(api_client, stolen)


def test_manage_py_changepassword_revokes_the_users_tokens(api_client, monkeypatch):
    make_user("ada")
    stolen = get_tokens(api_client, "ada")
    # The command prompts twice on a terminal; answer it as an operator would.
    monkeypatch.setattr("getpass.getpass", lambda prompt=None: NEW_PASSWORD)

    call_command("changepassword", "ada", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert_signed_out(api_client, stolen)


def test_set_password_and_save_anywhere_revokes_the_users_tokens(api_client):
    ada = make_user("ada")
    stolen = get_tokens(api_client, "ada")

    ada.set_password(NEW_PASSWORD)
    ada.save()

    assert_signed_out(api_client, stolen)
    assert not AccessToken.objects.filter(user=ada).exists()
    assert not RefreshToken.objects.filter(user=ada, revoked__isnull=True).exists()


def test_saving_other_fields_or_signing_in_again_revokes_nothing(api_client):
    ada = make_user("ada")
    first = get_tokens(api_client, "ada")
    ada.bio = "Hello"
    ada.save()
    ada.check_password(PASSWORD)
    get_tokens(api_client, "ada")  # a second sign-in

    assert api_client.get(ME, **bearer(first["access_token"])).status_code == 200
    assert refresh(api_client, first["refresh_token"]).status_code == 200


def test_deleting_a_user_in_the_admin_revokes_their_tokens(api_client, client, boss):
    ada = make_user("ada")
    stolen = get_tokens(api_client, "ada")

    response = client.post(f"/admin/accounts/user/{ada.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302, response.content
    assert User.all_objects.get(pk=ada.pk).deleted is not None  # soft-deleted, kept
    assert not RefreshToken.objects.filter(user=ada, revoked__isnull=True).exists()
    assert not AccessToken.objects.filter(user=ada).exists()
    refreshed = refresh(api_client, stolen["refresh_token"])
    assert refreshed.json()["error"] == "invalid_grant"


def test_deleting_users_from_the_admins_list_revokes_their_tokens(api_client, client, boss):
    ada, bob = make_user("ada"), make_user("bob")
    get_tokens(api_client, "ada"), get_tokens(api_client, "bob")

    response = client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [ada.pk, bob.pk], "post": "yes"},
    )

    assert response.status_code == 302, response.content
    assert not AccessToken.objects.filter(user__in=[ada, bob]).exists()
    assert not RefreshToken.objects.filter(user__in=[ada, bob], revoked__isnull=True).exists()
