"""Black-box: a seller lists a product and a shopper finds it, over HTTP only, through the
real database, the outbox and the real Elasticsearch node."""

from urllib.parse import urlencode

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.search.conftest import eager_celery, fresh_indices, refresh

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures(eager_celery.__name__, fresh_indices.__name__),
]
PASSWORD = "plum-Tractor-41-velvet"


def signed_up(username: str) -> APIClient:
    client = APIClient()
    registered = client.post(
        "/api/users/",
        {"username": username, "email": f"{username}@example.com", "password": PASSWORD},
    )
    assert registered.status_code == 201, registered.content
    token = client.post(
        "/api/oauth/token/",
        urlencode(
            {
                "grant_type": "password",
                "username": username,
                "password": PASSWORD,
                "client_id": settings.OAUTH_CLIENT_ID,
            }
        ),
        content_type="application/x-www-form-urlencoded",
    )
    assert token.status_code == 200, token.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['access_token']}")
    return client


def test_a_seller_lists_a_product_and_a_shopper_finds_it():
    seller, shopper = signed_up("seller"), signed_up("shopper")

    created = seller.post(
        "/api/products/",
        {
            "name": "Hand-thrown stoneware mug",
            "description": "Glazed in deep blue.",
            "price": "18.00",
            "stock": 4,
            "tags": ["Ceramics", "Kitchen"],
        },
    )
    assert created.status_code == 201
    product_id = created.json()["id"]
    refresh()
    assert shopper.get("/api/products/?q=stoneware").json()["results"] == []  # still a draft

    assert seller.post(f"/api/products/{product_id}/publish/").status_code == 200
    refresh()
    found = shopper.get("/api/products/?q=stoneware mu").json()["results"]
    assert [p["id"] for p in found] == [product_id]
    typo = shopper.get("/api/products/?q=stonware mug").json()["results"]
    assert [p["id"] for p in typo] == [product_id]
    tags = shopper.get("/api/tags/autocomplete/?q=cer").json()["results"]
    assert tags == [{"name": "Ceramics", "slug": "ceramics", "product_count": 1}]

    assert shopper.patch(f"/api/products/{product_id}/", {"stock": 0}).status_code == 403
    assert seller.post(f"/api/products/{product_id}/archive/").status_code == 200
    refresh()
    assert shopper.get("/api/products/?q=stoneware").json()["results"] == []
    assert shopper.get(f"/api/products/{product_id}/").status_code == 404
