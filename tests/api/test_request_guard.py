"""Requests no view could answer well are refused by one guard, before any view or
authentication reads them: 413/400 with the one error body, or RFC 6749's body at the OAuth
endpoints (issue 9, findings 1 to 5)."""

import base64
import json
from urllib.parse import urlencode

import pytest
from django.conf import settings

from api.parsers import MAX_JSON_DEPTH
from tests.accounts.helpers import FORM, make_user

pytestmark = pytest.mark.django_db

OAUTH_ENDPOINTS = ["/api/oauth/token/", "/api/oauth/revoke_token/", "/api/oauth/introspect/"]


def assert_error_body(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    return body["error"]


def assert_rfc6749_body(response, status: int) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"] == "invalid_request"
    assert set(body) <= {"error", "error_description"}
    assert response["Cache-Control"] == "no-store"


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- 1. parse depth (the JSON parser, api.parsers: once, when a view reads the body) --------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/users/"),
        ("POST", "/api/tags/"),
        ("GET", "/api/users/me/"),  # the body is parsed during token authentication
    ],
)
def test_json_nested_ten_thousand_deep_is_a_400(owner_client, method, path):
    response = owner_client.generic(
        method, path, deep_json(10_000), content_type="application/json"
    )

    error = assert_error_body(response, 400, "parse_error")
    assert str(MAX_JSON_DEPTH) in error["message"]


def test_json_nested_ten_thousand_deep_is_a_400_when_anonymous(api_client):
    response = api_client.generic(
        "POST", "/api/users/", deep_json(10_000), content_type="application/json"
    )

    assert_error_body(response, 400, "parse_error")


def test_a_body_a_read_never_reads_is_never_parsed(api_client):
    # An anonymous listing ignores any body: it is not parsed, so its depth cannot matter.
    response = api_client.generic(
        "GET", "/api/tags/", deep_json(10_000), content_type="application/json"
    )

    assert response.status_code == 200, response.content


def test_json_nested_deeper_than_the_limit_is_a_400_for_a_signed_in_caller(owner_client):
    too_deep = {"name": "x", "price": "1.00", "stock": 1, "tags": json.loads(deep_json(40))}

    response = owner_client.post("/api/products/", too_deep, format="json")

    error = assert_error_body(response, 400, "parse_error")
    assert str(MAX_JSON_DEPTH) in error["message"]


def test_json_within_the_depth_limit_reaches_the_view(owner_client):
    response = owner_client.post(
        "/api/products/", {"name": "x", "price": "1.00", "stock": 1, "tags": [[]]}, format="json"
    )

    assert response.status_code == 400
    assert "tags" in response.json()["error"]["details"]  # the serializer's own answer


def test_a_large_valid_body_reaches_the_view_intact(owner_client):
    # 2 MB, under the size limit: parsed once by the view's parser, the fields it reads kept
    # to the character, a property it does not read ignored.
    description = " ".join(["Ünïcödé ✓"] * 1_000)
    body = {"name": "Big", "description": description, "price": "1.00", "stock": 1}
    body["ignored"] = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 500_000)

    response = owner_client.post("/api/products/", body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["description"] == description


def test_deep_json_at_an_oauth_endpoint_keeps_the_rfc6749_body(api_client):
    # django-oauth-toolkit reads form fields only: a JSON body is no grant at all.
    response = api_client.generic(
        "POST", "/api/oauth/token/", deep_json(10_000), content_type="application/json"
    )

    assert response.status_code == 400
    assert "error" in response.json()
    assert "code" not in response.json()  # RFC 6749's body, not the API's


# --- 2. request size ---------------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413_with_the_error_body(owner_client):
    big = json.dumps({"name": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})

    response = owner_client.generic("POST", "/api/products/", big, content_type="application/json")

    assert_error_body(response, 413, "request_too_large")


@pytest.mark.parametrize("path", OAUTH_ENDPOINTS)
def test_a_body_over_the_limit_at_an_oauth_endpoint_is_a_413_in_rfc6749_shape(api_client, path):
    big = urlencode({"grant_type": "password", "username": "x" * 3_000_000})

    assert_rfc6749_body(api_client.generic("POST", path, big, content_type=FORM), 413)


@pytest.mark.parametrize("length", ["-5", "²", "1e3"])
def test_a_malformed_content_length_is_a_400(api_client, length):
    response = api_client.generic(
        "POST", "/api/users/", "{}", content_type="application/json", CONTENT_LENGTH=length
    )

    assert_error_body(response, 400, "bad_request")


# --- 3. field count ----------------------------------------------------------------------


def test_more_than_a_thousand_query_fields_is_a_400(api_client):
    query = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    assert_error_body(api_client.get(f"/api/tags/?{query}"), 400, "bad_request")


@pytest.mark.parametrize("path", OAUTH_ENDPOINTS)
def test_more_than_a_thousand_form_fields_at_an_oauth_endpoint_is_a_400(api_client, path):
    form = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    assert_rfc6749_body(api_client.generic("POST", path, form, content_type=FORM), 400)


# --- 4. multipart without a boundary -----------------------------------------------------


@pytest.mark.parametrize("path", OAUTH_ENDPOINTS)
def test_multipart_without_a_boundary_at_an_oauth_endpoint_is_a_400(api_client, path):
    response = api_client.generic(
        "POST", path, "token=0&client_id=0", content_type="multipart/form-data"
    )

    assert_rfc6749_body(response, 400)


def test_multipart_without_a_boundary_at_a_drf_view_is_a_4xx_with_the_error_body(owner_client):
    response = owner_client.generic(
        "POST", "/api/tags/", "name=x", content_type="multipart/form-data"
    )

    assert_error_body(response, 400, "bad_request")


# --- 5. NUL characters -------------------------------------------------------------------


@pytest.mark.parametrize("field", ["username", "client_id", "password", "grant_type"])
def test_a_nul_in_a_token_request_field_is_a_400_in_rfc6749_shape(api_client, field):
    make_user("ada")
    data = {"grant_type": "password", "username": "ada", "password": "x", "client_id": "storefront"}
    data[field] += "\x00"

    response = api_client.post("/api/oauth/token/", urlencode(data), content_type=FORM)

    assert_rfc6749_body(response, 400)


@pytest.mark.parametrize("path", OAUTH_ENDPOINTS)
def test_a_nul_in_basic_credentials_is_a_400_in_rfc6749_shape(api_client, path):
    for credentials in (b"client\x00:secret", b"client%00:secret"):
        basic = base64.b64encode(credentials).decode()

        response = api_client.post(
            path, "token=abc", content_type=FORM, HTTP_AUTHORIZATION=f"Basic {basic}"
        )

        assert_rfc6749_body(response, 400)


def test_a_nul_in_the_query_is_a_400_naming_the_parameter(api_client):
    error = assert_error_body(api_client.get("/api/tags/?q=a%00b"), 400, "bad_request")

    assert set(error["details"]) == {"q"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"username": "a\\u0000b", "email": "a@example.com", "password": "x"}', "username"),
        ('{"username": "ab", "email": "a@example.com", "password": "a\\u0000b"}', "password"),
        ('{"username": "ab", "email": "a@example.com", "password": "\\ud800"}', "password"),
    ],
)
def test_nul_and_lone_surrogates_in_json_text_are_a_400_naming_the_field(api_client, body, field):
    response = api_client.generic("POST", "/api/users/", body, content_type="application/json")

    assert_error_body(response, 400, "invalid")
    assert field in response.json()["error"]["details"]


def test_a_nul_in_a_property_no_view_reads_is_ignored(owner_client):
    body = '{"name": "Lamp", "price": "1.00", "stock": 1, "note\\u0000": "x\\u0000"}'

    response = owner_client.generic("POST", "/api/products/", body, content_type="application/json")

    assert response.status_code == 201, response.content


def test_a_nul_in_a_bearer_token_is_a_400_not_a_database_error(api_client):
    response = api_client.get("/api/users/me/", HTTP_AUTHORIZATION="Bearer abc\x00def")

    assert_error_body(response, 400, "bad_request")


def test_a_well_formed_oauth_request_still_reaches_django_oauth_toolkit(api_client):
    make_user("ada")
    data = {"grant_type": "password", "username": "ada", "password": "wrong", "client_id": "x"}

    response = api_client.post("/api/oauth/token/", urlencode(data), content_type=FORM)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_an_oauth_endpoint_ignores_a_nul_in_a_parameter_it_does_not_know(api_client):
    # RFC 6749 §3.2: unrecognized parameters are ignored, whatever they hold.
    make_user("ada")
    data = {"grant_type": "password", "username": "ada", "password": "x", "client_id": "x"}
    form = urlencode({**data, "unknown": "a\x00b"})

    response = api_client.post("/api/oauth/token/", form, content_type=FORM)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
