import pytest

pytestmark = pytest.mark.django_db


def assert_error_body(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    return body["error"]


def test_unknown_url_under_api_answers_with_the_error_body(client):
    assert_error_body(client.get("/api/no-such-thing/"), 404, "not_found")


def test_wrong_method_answers_with_the_error_body(api_client):
    assert_error_body(api_client.delete("/api/health/"), 405, "method_not_allowed")


def test_schema_and_docs_render(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert "/api/health/" in schema.json()["paths"]

    docs = api_client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


@pytest.mark.parametrize(
    ("method", "path", "headers", "status", "code"),
    [
        ("POST", "/api/schema/", {}, 405, "method_not_allowed"),
        ("DELETE", "/api/docs/", {}, 405, "method_not_allowed"),
        ("GET", "/api/schema/", {"HTTP_ACCEPT": "application/xml"}, 406, "not_acceptable"),
        ("GET", "/api/docs/", {"HTTP_ACCEPT": "application/xml"}, 406, "not_acceptable"),
        ("GET", "/api/schema/?format=xml", {}, 404, "not_found"),
        ("GET", "/api/schema/", {"HTTP_AUTHORIZATION": "Bearer x"}, 401, "authentication_failed"),
    ],
)
def test_schema_and_docs_errors_are_the_json_error_body(
    api_client, method, path, headers, status, code
):
    response = api_client.generic(method, path, **headers)

    assert response.status_code == status, response.content
    assert_error_body(response, status, code)


@pytest.mark.parametrize("path", ["/api/docs/", "/api/schema/"])
def test_options_on_schema_and_docs_answers_json_not_a_500(api_client, path):
    response = api_client.options(path)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "GET" in response["Allow"]
