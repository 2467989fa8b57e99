"""HEAD behaves as GET without a body, everywhere (issue 9, finding 7)."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from catalog.models import Tag

pytestmark = pytest.mark.django_db

UNSAFE = ("post", "put", "patch", "delete")


def callbacks(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from callbacks(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_no_viewset_handler_serves_both_get_and_an_unsafe_method():
    # DRF sends HEAD to the GET handler; one handler for GET and POST would run for HEAD too.
    shared = []
    for route, callback in callbacks(get_resolver().url_patterns):
        actions = getattr(callback, "actions", None) or {}
        if "get" in actions and any(actions.get(m) == actions["get"] for m in UNSAFE):
            shared.append((route, actions))
    assert shared == []


def test_head_on_a_products_tags_changes_nothing_even_with_a_body(make_product, owner_client):
    product = make_product(tags=["Kitchen"])
    url = f"/api/products/{product.id}/tags/"

    head = owner_client.generic("HEAD", url, '{"name": "Sneaky"}', content_type="application/json")

    assert head.status_code == 200
    assert head.content == b""
    assert not Tag.objects.filter(name="Sneaky").exists()
    assert owner_client.get(url).json() == [{"name": "Kitchen", "slug": "kitchen"}]


METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE", "BREW"]


@pytest.fixture
def every_path(make_product, seller, buyer, buyer_client, kettle, settings) -> list[str]:
    """Every path of the schema, its parameters filled with objects that exist."""
    from rest_framework.test import APIClient

    from events import webhooks
    from tests.conftest import add, place

    settings.WEBHOOK_ALLOW_LOOPBACK = True
    endpoint = webhooks.create_endpoint(owner=buyer, url="http://127.0.0.1:9/hook")
    delivery = webhooks.send_test_event(owner=buyer, endpoint_id=endpoint.pk)

    add(buyer_client, kettle)
    order = place(buyer_client).json()
    line = add(buyer_client, kettle)["items"][0]
    ids = {
        "/api/products/": str(kettle.id),
        "/api/bag/items/": line["id"],
        "/api/orders/": order["id"],
        "/api/sales/": order["lines"][0]["id"],
        "/api/webhooks/": str(endpoint.pk),
        "/deliveries/": str(delivery.pk),
    }
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = []
    for path in schema.json()["paths"]:
        for collection, value in ids.items():
            path = path.replace(f"{collection}{{id}}", f"{collection}{value}")
        path = path.replace("{endpoint_id}", str(endpoint.pk))
        path = path.replace("{type}", "store.order.placed.v1")
        paths.append(path.replace("{user_id}", str(seller.id)).replace("{slug}", "kitchen"))
    assert not [path for path in paths if "{" in path], paths  # a new kind of id: add it above
    return paths


def test_every_path_answers_every_method_without_a_server_error(
    every_path, buyer_client, api_client
):
    # Wrong methods are 405 with an Allow header, OPTIONS describes, HEAD is GET without a
    # body: signed in (the buyer of a real order) and anonymously.
    server_errors = []
    head_differs = []
    for client in (buyer_client, api_client):
        for path in every_path:
            for method in METHODS:
                response = client.generic(method, path)
                if response.status_code >= 500:
                    server_errors.append((method, path, response.status_code))
                if response.status_code == 405:
                    assert response.has_header("Allow"), (method, path)
            get, head = client.get(path), client.head(path)
            if (head.status_code, head.content) != (get.status_code, b""):
                head_differs.append((path, get.status_code, head.status_code))

    assert server_errors == []
    assert head_differs == []
