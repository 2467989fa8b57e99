import pytest

from accounts.models import User
from tests.accounts.helpers import PASSWORD, assert_error, make_user

pytestmark = pytest.mark.django_db

URL = "/api/users/"


def register(api_client, username="ada", email="ada@example.com", password=PASSWORD, **extra):
    data = {"username": username, "email": email, "password": password}
    return api_client.post(URL, data, **extra)


def test_registration_answers_the_own_profile_without_the_password(api_client):
    response = register(api_client)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "username", "email", "first_name", "last_name", "bio", "joined"}
    assert body["username"] == "ada"
    assert body["email"] == "ada@example.com"
    assert User.objects.get(pk=body["id"]).check_password(PASSWORD)


@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "ada-example"])
def test_weak_passwords_are_refused_by_djangos_validators(api_client, password):
    error = assert_error(register(api_client, password=password), 400, "invalid")
    assert "password" in error["details"]
    assert not User.objects.filter(username="ada").exists()


def test_missing_fields_are_field_errors(api_client):
    error = assert_error(api_client.post(URL, {}), 400, "invalid")
    assert set(error["details"]) == {"username", "email", "password"}


# Well-formed, but in conflict with an existing account: 409, naming the field.
def test_username_taken_in_another_case_is_a_conflict(api_client):
    make_user("Ada", email="first@example.com")
    error = assert_error(register(api_client, username="aDA"), 409, "already_exists")
    assert set(error["details"]) == {"username"}


def test_email_taken_in_another_case_is_a_conflict(api_client):
    make_user("someone", email="Ada@Example.com")
    error = assert_error(register(api_client, email="ada@EXAMPLE.com"), 409, "already_exists")
    assert set(error["details"]) == {"email"}


def test_a_taken_username_that_says_email_is_named_as_the_username(api_client):
    # PostgreSQL's message holds the value; the field comes from the violated constraint.
    make_user("emailfan", email="first@example.com")
    error = assert_error(register(api_client, username="EmailFan"), 409, "already_exists")
    assert set(error["details"]) == {"username"}


def test_a_soft_deleted_users_name_stays_taken(api_client):
    make_user("ada").delete()
    error = assert_error(register(api_client, username="ADA"), 409, "already_exists")
    # Both are taken (the e-mail too): both are named, whichever index PostgreSQL hit first.
    assert set(error["details"]) == {"username", "email"}
    assert error["message"] == "A user with that username already exists."


def test_a_malformed_request_is_a_400_even_when_the_name_is_taken(api_client):
    make_user("ada")
    error = assert_error(register(api_client, username="ada", email="nope"), 400, "invalid")
    assert set(error["details"]) == {"email"}


def test_registration_is_throttled_per_ip(api_client):
    for n in range(10):
        response = register(api_client, username=f"user{n}", email=f"u{n}@example.com")
        assert response.status_code == 201, response.content

    refused = register(api_client, username="one-more", email="more@example.com")
    assert_error(refused, 429, "throttled")
    assert int(refused["Retry-After"]) > 0
    # Another address still may sign up.
    other = register(
        api_client, username="elsewhere", email="else@example.com", REMOTE_ADDR="10.1.2.3"
    )
    assert other.status_code == 201
