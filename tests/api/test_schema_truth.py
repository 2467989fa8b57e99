"""The schema and the behaviour agree (issue 9, finding 14). The fuzz suite (tests/fuzz) checks
every operation against the schema; these pin down each disagreement that was found."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def operation(schema, method: str, path: str) -> dict:
    return schema["paths"][path][method]


def parameters(schema, method: str, path: str) -> dict[str, dict]:
    return {p["name"]: p for p in operation(schema, method, path).get("parameters", [])}


def response_schema(schema, method: str, path: str, status: str = "200") -> dict:
    content = operation(schema, method, path)["responses"][status]["content"]
    node = content["application/json"]["schema"]
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


# --- the product listing pages with a cursor, and says so --------------------------------


def test_the_product_listing_documents_its_cursor_not_pages(schema):
    params = parameters(schema, "get", "/api/products/")
    page = response_schema(schema, "get", "/api/products/")

    assert "page" not in params
    assert {"cursor", "page_size", "q", "tags", "sort"} <= set(params)
    assert set(page["properties"]) == {
        "next",
        "results",
        "facets",
        "corrected_query",
        "dropped_words",
    }
    # always present, so required; facets only with facets=true
    assert set(page["required"]) == {"next", "results", "corrected_query", "dropped_words"}


def test_the_product_listing_refuses_page_as_the_schema_says(api_client):
    response = api_client.get("/api/products/?page=2")

    assert response.status_code == 400
    assert "page" in response.json()["error"]["details"]


# --- lists that answer a page are documented as a page -----------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/users/me/products/",
        "/api/users/{user_id}/products/",
        "/api/users/{user_id}/followers/",
        "/api/users/{user_id}/following/",
        "/api/tags/",
    ],
)
def test_paginated_lists_document_the_page_and_its_404(schema, path):
    page = response_schema(schema, "get", path)
    params = parameters(schema, "get", path)

    assert page["type"] == "object"
    assert set(page["properties"]) == {"count", "next", "previous", "results"}
    assert params["page"]["schema"]["minimum"] == 1
    assert params["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert "404" in operation(schema, "get", path)["responses"]


def test_my_products_answer_the_documented_page(owner_client, make_product):
    make_product()

    body = owner_client.get("/api/users/me/products/").json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [("page=0", "page"), ("page=abc", "page"), ("page=last", "page"), ("page_size=0", "page_size")],
)
def test_a_page_or_size_the_schema_forbids_is_a_400(api_client, query, field):
    response = api_client.get(f"/api/tags/?{query}")

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


def test_a_page_past_the_last_is_the_documented_404(api_client):
    assert api_client.get("/api/tags/?page=2").status_code == 404


# --- answers carry what the schema requires ----------------------------------------------


def test_adding_a_tag_documents_and_answers_product_count(schema, make_product, owner_client):
    tag = response_schema(schema, "post", "/api/products/{id}/tags/")
    product = make_product()

    answer = owner_client.post(f"/api/products/{product.id}/tags/", {"name": "Kitchen"}).json()

    assert "product_count" in tag["required"]
    assert answer["product_count"] == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/tags/{slug}/"),
        ("get", "/api/products/{id}/"),
        ("delete", "/api/products/{id}/tags/{slug}/"),
    ],
)
def test_operations_on_an_id_or_slug_document_404(schema, method, path):
    assert "404" in operation(schema, method, path)["responses"]


def test_every_operation_documents_what_the_request_guard_and_drf_answer(schema):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            documented = set(op["responses"])
            assert {"400", "406", "413"} <= documented, (method, path)
            if "requestBody" in op:
                assert "415" in documented, (method, path)
            if any(op.get("security", [])):
                assert "401" in documented, (method, path)


# --- what the schema allows is accepted ---------------------------------------------------


def test_empty_query_parameters_are_documented_as_allowed_and_mean_not_given(schema, owner_client):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                if param["in"] == "query":
                    assert param.get("allowEmptyValue") is True, (method, path, param["name"])

    assert owner_client.get("/api/users/me/products/?state=&page=&page_size=").status_code == 200
    assert owner_client.get("/api/tags/?q=").status_code == 200


def test_autocomplete_documents_its_limit_and_takes_an_empty_q(schema, api_client):
    q = parameters(schema, "get", "/api/tags/autocomplete/")["q"]

    assert q["required"] is True
    assert q["allowEmptyValue"] is True
    assert {"type": "string", "maxLength": 0} in q["schema"]["oneOf"]
    assert q["schema"]["oneOf"][0]["maxLength"] == 100
    assert api_client.get("/api/tags/autocomplete/?q=").json() == {"results": []}
    assert api_client.get(f"/api/tags/autocomplete/?q={'x' * 101}").status_code == 400


def test_if_match_is_documented_as_rfc9110_says_and_parsed_so(schema, make_product, owner_client):
    documented = parameters(schema, "patch", "/api/products/{id}/")["If-Match"]
    product = make_product()
    url = f"/api/products/{product.id}/"
    current = f'"{product.version}"'

    def patch(if_match: str) -> int:
        return owner_client.patch(url, {"stock": 1}, HTTP_IF_MATCH=if_match).status_code

    assert documented["schema"]["pattern"]
    assert patch("") == 200  # empty: no precondition
    assert patch("*") == 200
    current = f'"{product.version + 2}"'
    assert patch(f'"0", {current}') == 200  # a list: any one of them may match
    assert patch(f"W/{current}") == 412  # weak tags never match (strong comparison)
    assert patch('"0"') == 412
    assert patch("3") == 400  # not an entity tag


def test_a_price_is_documented_and_taken_as_a_decimal_string(schema, owner_client):
    body = schema["components"]["schemas"]["ProductCreateRequest"]
    price = body["properties"]["price"]

    as_number = owner_client.post(
        "/api/products/", {"name": "x", "price": 19.9, "stock": 1}, format="json"
    )
    negative = owner_client.post(
        "/api/products/", {"name": "x", "price": "-1.00", "stock": 1}, format="json"
    )

    assert price["type"] == "string"
    assert price["pattern"] == r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
    assert as_number.status_code == 400
    assert negative.status_code == 400


def test_uniqueness_conflicts_are_documented_409s(schema):
    assert "409" in operation(schema, "post", "/api/users/")["responses"]
    assert "409" in operation(schema, "patch", "/api/users/me/")["responses"]


def test_creating_answers_link_to_the_operations_on_what_was_created(schema):
    created = operation(schema, "post", "/api/products/")["responses"]["201"]["links"]
    retrieve = next(link for link in created.values() if link["operationId"] == "products_retrieve")

    assert retrieve["parameters"] == {"id": "$response.body#/id"}


def test_links_name_the_object_of_the_target_collection(schema):
    # Adding to the bag answers the bag: its lines, not the bag's own id, are bag items.
    added = operation(schema, "post", "/api/bag/items/")["responses"]["201"]["links"]

    assert added["bag_items_partial_update"]["parameters"] == {"id": "$response.body#/items/0/id"}


def test_operation_ids_are_unique(schema):
    ids = [op["operationId"] for item in schema["paths"].values() for op in item.values()]

    assert len(ids) == len(set(ids))


def test_the_schema_is_valid_openapi_without_generator_warnings(tmp_path):
    from django.core.management import call_command

    # --fail-on-warn: a view spectacular cannot read is a promise it would make up.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
