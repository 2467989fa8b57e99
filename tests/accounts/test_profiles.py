import uuid

import pytest
from oauth2_provider.models import AccessToken

from tests.accounts.helpers import (
    NOT_AUTHENTICATED,
    PASSWORD,
    TOKEN_REFUSED,
    assert_error,
    assert_unauthorized,
    bearer,
    get_tokens,
    make_user,
    token_response,
)

pytestmark = pytest.mark.django_db

ME = "/api/users/me/"
PASSWORD_URL = "/api/users/me/password/"
NEW_PASSWORD = "quartz-Meadow-93-lantern"


@pytest.fixture
def ada(api_client):
    user = make_user("ada", first_name="Ada", last_name="Lovelace", bio="engines")
    api_client.credentials(**bearer(get_tokens(api_client, "ada")["access_token"]))
    return user


def test_me_is_the_own_profile(api_client, ada):
    body = api_client.get(ME).json()
    assert body == {
        "id": str(ada.pk),
        "username": "ada",
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "bio": "engines",
        "joined": body["joined"],
    }


def test_patch_me_changes_the_profile(api_client, ada):
    response = api_client.patch(
        ME, {"bio": "analytical", "first_name": "Augusta", "email": "countess@example.com"}
    )
    assert response.status_code == 200
    ada.refresh_from_db()
    assert (ada.bio, ada.first_name, ada.email) == (
        "analytical",
        "Augusta",
        "countess@example.com",
    )


def test_patch_me_may_keep_or_recase_ones_own_username(api_client, ada):
    assert api_client.patch(ME, {"username": "Ada"}).status_code == 200


def test_patch_me_ignores_read_only_fields(api_client, ada):
    api_client.patch(ME, {"id": str(uuid.uuid4()), "joined": "2000-01-01T00:00:00Z"})
    assert api_client.get(ME).json()["id"] == str(ada.pk)


def test_patch_me_refuses_a_username_or_email_someone_else_has(api_client, ada):
    make_user("bob", email="bob@example.com")
    error = assert_error(api_client.patch(ME, {"username": "BOB"}), 409, "already_exists")
    assert set(error["details"]) == {"username"}
    error = assert_error(api_client.patch(ME, {"email": "Bob@Example.com"}), 409, "already_exists")
    assert set(error["details"]) == {"email"}


def test_patch_me_needs_a_token(api_client):
    assert_unauthorized(api_client.patch(ME, {"bio": "x"}), NOT_AUTHENTICATED)


def test_password_change_keeps_the_callers_token_and_revokes_the_others(api_client, ada):
    other = get_tokens(api_client, "ada")

    response = api_client.post(
        PASSWORD_URL, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 204
    assert api_client.get(ME).status_code == 200
    api_client.credentials(**bearer(other["access_token"]))
    assert_unauthorized(api_client.get(ME), TOKEN_REFUSED)
    assert AccessToken.objects.filter(user=ada).count() == 1
    assert token_response(api_client, "ada").status_code == 400
    assert token_response(api_client, "ada", NEW_PASSWORD).status_code == 200


def test_password_change_with_a_wrong_old_password_is_400(api_client, ada):
    response = api_client.post(
        PASSWORD_URL, {"old_password": "wrong-one", "new_password": NEW_PASSWORD}
    )
    error = assert_error(response, 400, "invalid")
    assert set(error["details"]) == {"old_password"}
    ada.refresh_from_db()
    assert ada.check_password(PASSWORD)


def test_password_change_applies_the_password_validators(api_client, ada):
    response = api_client.post(PASSWORD_URL, {"old_password": PASSWORD, "new_password": "123"})
    error = assert_error(response, 400, "invalid")
    assert set(error["details"]) == {"new_password"}


def test_password_change_needs_a_token(api_client):
    assert_unauthorized(
        api_client.post(PASSWORD_URL, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}),
        NOT_AUTHENTICATED,
    )


class TestPublicProfile:
    def test_shows_public_fields_only(self, api_client):
        user = make_user("ada", first_name="Ada", last_name="Lovelace", bio="engines")
        body = api_client.get(f"/api/users/{user.pk}/").json()
        assert body == {
            "id": str(user.pk),
            "username": "ada",
            "bio": "engines",
            "joined": body["joined"],
            "active_products": 0,
            "followers": 0,
            "following": 0,
        }
        assert "ada@example.com" not in str(body)
        assert "Lovelace" not in str(body)

    def test_another_signed_in_user_sees_the_same_public_profile(self, api_client, ada):
        bob = make_user("bob", first_name="Robert")
        body = api_client.get(f"/api/users/{bob.pk}/").json()
        assert set(body) == {
            "id",
            "username",
            "bio",
            "joined",
            "active_products",
            "followers",
            "following",
        }

    @pytest.mark.parametrize("user_id", [str(uuid.uuid4()), "not-a-uuid", "1", "me-too"])
    def test_unknown_or_malformed_ids_are_404(self, api_client, user_id):
        assert_error(api_client.get(f"/api/users/{user_id}/"), 404, "not_found")

    def test_soft_deleted_user_is_404(self, api_client):
        user = make_user("ada")
        user.delete()
        assert_error(api_client.get(f"/api/users/{user.pk}/"), 404, "not_found")
