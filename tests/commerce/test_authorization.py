"""The authorization matrix: buyer, seller, a third user and anonymous, times every
commerce endpoint. Another user's bag item, order or sale line is 404 and stays unchanged."""

import pytest
from rest_framework.test import APIClient

from commerce.models import BagItem, Order, OrderLine
from tests.conftest import add, bearer_client, place

pytestmark = pytest.mark.django_db

# (method, url, body): {item} is a line of the buyer's open bag, {order} the buyer's order,
# {line} the seller's sale line in it.
ENDPOINTS = {
    "get bag": ("get", "/api/bag/", None),
    "empty bag": ("delete", "/api/bag/", None),
    "add item": ("post", "/api/bag/items/", "product"),
    "change item": ("patch", "/api/bag/items/{item}/", {"quantity": 2}),
    "remove item": ("delete", "/api/bag/items/{item}/", None),
    "place order": ("post", "/api/orders/", None),
    "list orders": ("get", "/api/orders/", None),
    "get order": ("get", "/api/orders/{order}/", None),
    "cancel order": ("post", "/api/orders/{order}/cancel/", None),
    "list sales": ("get", "/api/sales/", None),
    "fulfil sale": ("post", "/api/sales/{line}/fulfil/", None),
}

# What each caller gets; None: anonymous gets 401 everywhere.
EXPECTED = {
    "buyer": {
        "get bag": 200, "empty bag": 204, "add item": 201, "change item": 200,
        "remove item": 204, "place order": 201, "list orders": 200, "get order": 200,
        "cancel order": 200, "list sales": 200, "fulfil sale": 404,
    },
    "seller": {
        "get bag": 200, "empty bag": 204, "add item": 400, "change item": 404,
        "remove item": 404, "place order": 400, "list orders": 200, "get order": 404,
        "cancel order": 404, "list sales": 200, "fulfil sale": 200,
    },
    "third": {
        "get bag": 200, "empty bag": 204, "add item": 201, "change item": 404,
        "remove item": 404, "place order": 400, "list orders": 200, "get order": 404,
        "cancel order": 404, "list sales": 200, "fulfil sale": 404,
    },
}  # fmt: skip


@pytest.fixture
def world(buyer, buyer_client, seller, make_user, make_product):
    """The buyer has an order of the seller's kettle and a lamp in the open bag."""
    kettle = make_product(name="Kettle", stock=5)
    lamp = make_product(name="Lamp", stock=5)
    add(buyer_client, kettle)
    order = place(buyer_client).json()
    item = add(buyer_client, lamp)["items"][0]["id"]
    return {
        "clients": {
            "buyer": buyer_client,
            "seller": bearer_client(seller),
            "third": bearer_client(make_user("third")),
            "anonymous": APIClient(),
        },
        "ids": {"item": item, "order": order["id"], "line": order["lines"][0]["id"]},
        "product": {"product_id": str(lamp.id), "quantity": 1},
    }


def snapshot() -> tuple:
    return (
        sorted(BagItem.all_objects.values_list("id", "quantity", "deleted")),
        sorted(Order.objects.values_list("id", "state")),
        sorted(OrderLine.objects.values_list("id", "fulfilled")),
    )


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("who", ["buyer", "seller", "third", "anonymous"])
def test_every_endpoint_for_every_caller(world, who, endpoint):
    method, url, body = ENDPOINTS[endpoint]
    client = world["clients"][who]
    before = snapshot()

    response = getattr(client, method)(
        url.format(**world["ids"]), world["product"] if body == "product" else body
    )

    expected = 401 if who == "anonymous" else EXPECTED[who][endpoint]
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) == {"error"}
        if expected in (401, 404):
            assert snapshot() == before
    if expected == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_nobody_sees_anyone_elses_orders_or_sales(world):
    third = world["clients"]["third"]

    assert third.get("/api/orders/").json()["count"] == 0
    assert third.get("/api/sales/").json()["count"] == 0
    assert world["clients"]["seller"].get("/api/orders/").json()["count"] == 0
    assert world["clients"]["buyer"].get("/api/sales/").json()["count"] == 0
    assert third.get("/api/bag/").json()["items"] == []
