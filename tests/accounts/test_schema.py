import pytest

pytestmark = pytest.mark.django_db

# Every accounts path, each method with the error statuses it must document.
EXPECTED = {
    "/api/users/": {"post": {"400", "429"}},
    "/api/users/me/": {"get": {"401"}, "patch": {"400", "401"}},
    "/api/users/me/password/": {"post": {"400", "401", "429"}},
    "/api/users/{user_id}/": {"get": {"404"}},
    "/api/users/{user_id}/follow/": {"post": {"400", "401", "404"}, "delete": {"401", "404"}},
    "/api/users/{user_id}/followers/": {"get": {"404"}},
    "/api/users/{user_id}/following/": {"get": {"404"}},
    "/api/oauth/token/": {"post": {"400", "401", "429"}},
    "/api/oauth/revoke_token/": {"post": {"400", "401"}},
    "/api/oauth/introspect/": {"post": {"400", "401"}},
}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_every_accounts_endpoint_documents_its_error_answers(schema, path):
    assert path in schema["paths"], sorted(schema["paths"])
    operations = schema["paths"][path]
    for method, statuses in EXPECTED[path].items():
        assert method in operations, (path, method)
        documented = set(operations[method]["responses"])
        assert statuses <= documented, (path, method, documented)
        assert any(code.startswith("2") for code in documented)


def test_error_answers_use_the_shared_error_body(schema):
    me_401 = schema["paths"]["/api/users/me/"]["get"]["responses"]["401"]
    ref = me_401["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/Error")
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {"error"}


def test_oauth_endpoints_are_form_encoded_and_keep_rfc6749_errors(schema):
    token = schema["paths"]["/api/oauth/token/"]["post"]
    assert set(token["requestBody"]["content"]) == {"application/x-www-form-urlencoded"}
    bad = token["responses"]["400"]["content"]["application/json"]["schema"]["$ref"]
    assert bad.endswith("/OAuthError")


def test_only_the_three_oauth_endpoints_are_mounted(schema, client):
    oauth_paths = {p for p in schema["paths"] if p.startswith("/api/oauth/")}
    names = ("token", "revoke_token", "introspect")
    assert oauth_paths == {f"/api/oauth/{name}/" for name in names}
    assert client.get("/api/oauth/authorize/").status_code == 404
    assert client.get("/api/oauth/applications/").status_code == 404
