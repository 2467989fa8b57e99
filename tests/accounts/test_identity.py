"""Issue 17, finding 1: one canonical username, so a lookalike cannot take a name (or
break everyone's sign-in with a 500)."""

import importlib

import pytest
from django.apps import apps as django_apps

from accounts.identity import canonical_username
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

DOTLESS_I = "\u0131"  # LATIN SMALL LETTER DOTLESS I
DOTTED_CAPITAL_I = "\u0130"  # LATIN CAPITAL LETTER I WITH DOT ABOVE


@pytest.mark.parametrize(
    ("name", "same_as"),
    [
        (f"v{DOTLESS_I}ctimi", "victimi"),
        (f"V{DOTTED_CAPITAL_I}CT{DOTTED_CAPITAL_I}M{DOTTED_CAPITAL_I}", "victimi"),
        ("VICTIMI", "victimi"),
        ("\uff56ictimi", "victimi"),  # fullwidth v
        ("\u017fam", "sam"),  # long s
        ("\u212aate", "kate"),  # Kelvin sign
        ("stra\u00dfe", "STRASSE"),  # sharp s
        ("\ufb01ona", "fiona"),  # fi ligature
    ],
)
def test_lookalikes_share_one_canonical_name(name, same_as):
    assert canonical_username(name) == canonical_username(same_as)


@pytest.mark.parametrize("pair", [("jose", "jos\u00e9"), ("ada", "ad\u0430")])
def test_different_letters_stay_different_names(pair):
    # An accent or another script's letter is another name (a single-script rule would
    # be another issue); only case mapping and compatibility forms fold.
    assert canonical_username(pair[0]) != canonical_username(pair[1])


def register(client, username, email):
    return client.post("/api/users/", {"username": username, "email": email, "password": PASSWORD})


@pytest.mark.parametrize(
    "lookalike",
    [f"v{DOTLESS_I}ctimi", f"V{DOTTED_CAPITAL_I}CTIMI", f"victim{DOTLESS_I}", "VICTIMI"],
)
def test_a_lookalike_of_a_taken_name_is_409_and_the_owner_still_signs_in(api_client, lookalike):
    assert register(api_client, "victimi", "victim@example.com").status_code == 201

    error = assert_error(
        register(api_client, lookalike, "attacker@example.com"), 409, "already_exists"
    )

    assert set(error["details"]) == {"username"}
    assert User.all_objects.count() == 1
    # Before: two accounts answered to `victimi` and every sign-in was a 500.
    assert token_response(api_client, "victimi").status_code == 200
    assert token_response(api_client, lookalike).status_code == 200  # the same name


def test_renaming_oneself_to_a_lookalike_of_another_name_is_409(api_client):
    make_user("victimi")
    make_user("mallory")
    tokens = get_tokens(api_client, "mallory")

    response = api_client.patch(
        "/api/users/me/", {"username": f"v{DOTLESS_I}ctimi"}, **bearer(tokens["access_token"])
    )

    error = assert_error(response, 409, "already_exists")
    assert set(error["details"]) == {"username"}
    assert User.objects.get(username="mallory").username_canonical == "mallory"
    assert token_response(api_client, "victimi").status_code == 200


def test_a_rename_keeps_the_canonical_column_in_step(api_client):
    user = make_user("ada")
    tokens = get_tokens(api_client, "ada")
    response = api_client.patch(
        "/api/users/me/", {"username": "Grace"}, **bearer(tokens["access_token"])
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.username, user.username_canonical) == ("Grace", "grace")
    assert token_response(api_client, "GRACE").status_code == 200
    assert token_response(api_client, "ada").status_code == 400


def test_the_admin_refuses_a_lookalike(client):
    make_user("victimi")
    boss = User.objects.create_superuser("boss", "boss@example.com", PASSWORD)
    client.force_login(boss)

    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": f"v{DOTLESS_I}ctimi",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "usable_password": "true",
        },
    )

    assert response.status_code == 200  # the form again, with the error
    assert "A user with that username already exists." in response.content.decode()
    assert User.all_objects.count() == 2


class TestMigration:
    """accounts/migrations/0003: fills the column, and reports collisions instead of
    renaming anyone."""

    migration = importlib.import_module("accounts.migrations.0003_username_canonical")

    def test_fills_the_canonical_name_of_every_row(self):
        ada = make_user("Ada")
        gone = make_user("\uff27one")  # fullwidth G; soft-deleted rows are filled too
        gone.delete()
        for user in (ada, gone):  # stale values, as before the column existed
            User.all_objects.filter(pk=user.pk).update(username_canonical=f"stale-{user.pk}")

        self.migration.fill_username_canonical(django_apps, None)

        ada.refresh_from_db()
        gone.refresh_from_db()
        assert (ada.username_canonical, gone.username_canonical) == ("ada", "gone")

    def test_refuses_and_lists_existing_collisions(self):
        # Rows the old lower-case index let in: forced past today's unique column.
        victim = make_user("victimi")
        twin = make_user("placeholder")
        User.all_objects.filter(pk=twin.pk).update(
            username=f"v{DOTLESS_I}ctimi", username_canonical="legacy"
        )

        with pytest.raises(self.migration.CanonicalUsernameCollision) as refused:
            self.migration.fill_username_canonical(django_apps, None)

        report = str(refused.value)
        assert "'victimi'" in report
        assert str(victim.pk) in report
        assert str(twin.pk) in report
        assert f"v{DOTLESS_I}ctimi" in report
        twin.refresh_from_db()
        assert twin.username == f"v{DOTLESS_I}ctimi"  # nobody renamed
