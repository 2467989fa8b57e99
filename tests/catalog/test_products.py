import uuid

import pytest

from catalog.models import Product

pytestmark = pytest.mark.django_db

VALID = {"name": "Red kettle", "description": "1.7 l", "price": "24.50", "stock": 3}


def test_create_product_makes_the_caller_owner_and_starts_as_draft(owner, owner_client):
    response = owner_client.post("/api/products/", {**VALID, "tags": ["Kitchen", " kitchen "]})

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"]["id"] == str(owner.id)
    assert body["state"] == "draft"
    assert body["price"] == "24.50"
    assert body["currency"] == "EUR"
    assert body["tags"] == [{"name": "Kitchen", "slug": "kitchen"}]
    assert response["ETag"] == '"1"'


def test_create_with_publish_makes_it_active(owner_client):
    response = owner_client.post("/api/products/", {**VALID, "publish": True})

    assert response.status_code == 201
    assert response.json()["state"] == "active"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price": "-1"}, "price"),
        ({"stock": -1}, "stock"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"description": "x" * 10_001}, "description"),
        ({"price": "1.999"}, "price"),
        ({"tags": [f"t{i}" for i in range(21)]}, "tags"),
        ({"tags": ["x" * 51]}, "tags"),
    ],
)
def test_invalid_product_is_refused_with_field_details(owner_client, change, field):
    response = owner_client.post("/api/products/", {**VALID, **change})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["details"]
    assert Product.all_objects.count() == 0


def test_anonymous_cannot_create(api_client):
    response = api_client.post("/api/products/", VALID)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_draft_is_visible_to_its_owner_only(make_product, owner_client, other_client, api_client):
    product = make_product(publish=False)

    assert owner_client.get(f"/api/products/{product.id}/").status_code == 200
    assert other_client.get(f"/api/products/{product.id}/").status_code == 404
    assert api_client.get(f"/api/products/{product.id}/").status_code == 404


def test_active_product_is_visible_to_everybody(make_product, api_client):
    product = make_product()

    response = api_client.get(f"/api/products/{product.id}/")

    assert response.status_code == 200
    assert response.json()["name"] == "Blue kettle"


@pytest.mark.parametrize("bad", ["not-a-uuid", "123", str(uuid.uuid4())])
def test_malformed_or_unknown_id_is_404_with_error_body(api_client, bad):
    response = api_client.get(f"/api/products/{bad}/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_owner_patches_and_puts(make_product, owner_client):
    product = make_product()

    patched = owner_client.patch(f"/api/products/{product.id}/", {"stock": 9})
    assert patched.status_code == 200
    assert patched.json()["stock"] == 9
    assert patched.json()["name"] == "Blue kettle"

    put = owner_client.put(f"/api/products/{product.id}/", {"name": "Kettle", "stock": 1})
    assert put.status_code == 400
    assert set(put.json()["error"]["details"]) == {"description", "price"}

    put = owner_client.put(f"/api/products/{product.id}/", VALID)
    assert put.status_code == 200
    assert put.json()["name"] == "Red kettle"


def test_if_match_refuses_a_stale_update(make_product, owner_client):
    product = make_product()
    etag = owner_client.get(f"/api/products/{product.id}/")["ETag"]

    first = owner_client.patch(f"/api/products/{product.id}/", {"stock": 7}, HTTP_IF_MATCH=etag)
    second = owner_client.patch(f"/api/products/{product.id}/", {"stock": 8}, HTTP_IF_MATCH=etag)

    assert first.status_code == 200
    assert second.status_code == 412
    assert second.json()["error"]["code"] == "precondition_failed"
    product.refresh_from_db()
    assert product.stock == 7


def test_delete_is_soft_and_hides_the_product_everywhere(make_product, owner, owner_client):
    product = make_product(tags=["kitchen"])

    assert owner_client.delete(f"/api/products/{product.id}/").status_code == 204

    assert Product.all_objects.get(pk=product.pk).deleted is not None
    assert owner_client.get(f"/api/products/{product.id}/").status_code == 404
    assert owner_client.patch(f"/api/products/{product.id}/", {"stock": 1}).status_code == 404
    assert owner_client.delete(f"/api/products/{product.id}/").status_code == 404
    assert owner_client.get(f"/api/products/{product.id}/tags/").status_code == 404
    assert owner_client.get("/api/users/me/products/").json()["count"] == 0
    assert owner_client.get(f"/api/users/{owner.id}/products/").json()["count"] == 0
    assert owner_client.get("/api/tags/kitchen/").json()["product_count"] == 0


def test_a_deleted_sellers_products_are_gone_everywhere(make_product, owner, api_client):
    from accounts import services as accounts_services

    product = make_product(tags=["kitchen"])
    accounts_services.delete_account(user=owner)

    assert api_client.get(f"/api/products/{product.id}/").status_code == 404
    assert api_client.get(f"/api/products/{product.id}/tags/").status_code == 404
    assert api_client.get(f"/api/users/{owner.id}/products/").status_code == 404
    assert api_client.get("/api/tags/kitchen/").json()["product_count"] == 0


def test_my_products_lists_every_state_and_filters(make_product, owner_client):
    make_product(name="a", publish=False)
    make_product(name="b")

    assert owner_client.get("/api/users/me/products/").json()["count"] == 2
    drafts = owner_client.get("/api/users/me/products/?state=draft").json()
    assert [p["name"] for p in drafts["results"]] == ["a"]
    bad = owner_client.get("/api/users/me/products/?state=sold")
    assert bad.status_code == 400
    assert "state" in bad.json()["error"]["details"]


def test_users_products_lists_only_active_ones(make_product, owner, api_client):
    make_product(name="draft", publish=False)
    make_product(name="live")

    response = api_client.get(f"/api/users/{owner.id}/products/")

    assert [p["name"] for p in response.json()["results"]] == ["live"]
    assert api_client.get(f"/api/users/{uuid.uuid4()}/products/").status_code == 404


def test_public_profile_counts_active_products_only(make_product, owner, api_client):
    make_product(name="live")
    make_product(name="draft", publish=False)
    make_product(name="gone").delete()

    profile = api_client.get(f"/api/users/{owner.id}/").json()

    assert profile["active_products"] == 1
