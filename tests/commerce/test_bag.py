"""The bag over HTTP: what may go in, what it shows, how it is emptied and abandoned."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog import services as catalog
from commerce.models import Bag, BagState
from commerce.tasks import abandon_idle_bags
from tests.conftest import add

pytestmark = pytest.mark.django_db


def test_the_bag_is_created_on_first_use_and_stays_the_same(buyer_client):
    first = buyer_client.get("/api/bag/")

    assert first.status_code == 200
    body = first.json()
    assert body["state"] == "open"
    assert (body["items"], body["item_count"], body["total"]) == ([], 0, "0.00")
    assert body["currency"] == "EUR"
    assert body["orderable"] is False
    assert buyer_client.get("/api/bag/").json()["id"] == body["id"]


def test_adding_a_product_twice_adds_to_its_line(buyer_client, kettle, lamp):
    add(buyer_client, kettle, 2)
    add(buyer_client, lamp)
    body = add(buyer_client, kettle, 1)

    assert [(i["product"]["name"], i["quantity"]) for i in body["items"]] == [
        ("Blue kettle", 3),
        ("Desk lamp", 1),
    ]
    kettle_line = body["items"][0]
    assert kettle_line["line_total"] == "59.70"
    assert kettle_line["product"]["price"] == "19.90"
    assert kettle_line["availability"] == {"active": True, "in_stock": True, "enough_stock": True}
    assert (body["item_count"], body["total"], body["orderable"]) == (4, "104.70", True)


def test_the_bag_shows_current_prices_and_availability(buyer_client, kettle, lamp, seller):
    add(buyer_client, kettle, 4)
    add(buyer_client, lamp)

    catalog.update_product(product=kettle, price=Decimal("10.00"), stock=2)
    catalog.transition_product(product=lamp, event="archive")
    body = buyer_client.get("/api/bag/").json()

    kettle_line, lamp_line = body["items"]
    assert (kettle_line["product"]["price"], kettle_line["line_total"]) == ("10.00", "40.00")
    assert kettle_line["availability"] == {"active": True, "in_stock": True, "enough_stock": False}
    assert lamp_line["availability"] == {"active": False, "in_stock": False, "enough_stock": False}
    assert (body["total"], body["orderable"]) == ("85.00", False)


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("own product", "product_id", "You cannot buy your own product."),
        ("draft", "product_id", "This product is not for sale."),
        ("archived", "product_id", "This product is not for sale."),
        ("deleted", "product_id", "This product is not for sale."),
        ("unknown", "product_id", "This product is not for sale."),
        ("above stock", "quantity", "Only 5 in stock."),
        ("sold out", "quantity", "Out of stock."),
    ],
)
def test_refusals_name_the_reason(
    buyer_client, buyer, make_product, make_user, case, field, message
):
    seller_product = {
        "own product": lambda: make_product(owner=buyer),
        "draft": lambda: make_product(publish=False),
        "archived": lambda: catalog.transition_product(product=make_product(), event="archive"),
        "unknown": lambda: make_product(),
        "deleted": lambda: make_product(),
        "above stock": lambda: make_product(stock=5),
        "sold out": lambda: make_product(stock=0),
    }[case]()
    if case == "deleted":
        catalog.delete_product(product=seller_product)
    product_id = "00000000-0000-4000-8000-000000000000" if case == "unknown" else seller_product.id
    quantity = 6 if case == "above stock" else 1

    response = buyer_client.post(
        "/api/bag/items/", {"product_id": str(product_id), "quantity": quantity}
    )

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["details"] == {field: [message]}
    assert buyer_client.get("/api/bag/").json()["items"] == []


def test_a_line_can_never_exceed_the_stock_or_999(buyer_client, make_product):
    product = make_product(stock=5000)
    add(buyer_client, product, 998)

    too_many = buyer_client.post("/api/bag/items/", {"product_id": str(product.id), "quantity": 2})

    assert too_many.status_code == 400
    assert too_many.json()["error"]["details"] == {
        "quantity": ["At most 999 of a product per bag."]
    }


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"product_id": "not-a-uuid"},
        {"product_id": "00000000-0000-4000-8000-000000000000", "quantity": 0},
        {"product_id": "00000000-0000-4000-8000-000000000000", "quantity": 1000},
        {"product_id": "00000000-0000-4000-8000-000000000000", "quantity": "many"},
    ],
)
def test_malformed_items_are_400(buyer_client, body):
    response = buyer_client.post("/api/bag/items/", body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_change_and_remove_a_line(buyer_client, kettle, lamp):
    items = add(buyer_client, kettle)["items"]
    add(buyer_client, lamp)
    kettle_line = items[0]["id"]

    changed = buyer_client.patch(f"/api/bag/items/{kettle_line}/", {"quantity": 5})
    too_many = buyer_client.patch(f"/api/bag/items/{kettle_line}/", {"quantity": 6})
    removed = buyer_client.delete(f"/api/bag/items/{kettle_line}/")
    again = buyer_client.delete(f"/api/bag/items/{kettle_line}/")

    assert changed.status_code == 200
    assert changed.json()["items"][0]["quantity"] == 5
    assert too_many.status_code == 400
    assert too_many.json()["error"]["details"] == {"quantity": ["Only 5 in stock."]}
    assert removed.status_code == 204
    assert again.status_code == 404
    assert [i["product"]["name"] for i in buyer_client.get("/api/bag/").json()["items"]] == [
        "Desk lamp"
    ]


def test_emptying_abandons_the_bag_and_the_next_use_opens_a_new_one(buyer_client, buyer, kettle):
    old = add(buyer_client, kettle)

    assert buyer_client.delete("/api/bag/").status_code == 204
    assert buyer_client.delete("/api/bag/").status_code == 204  # nothing left: still fine
    new = buyer_client.get("/api/bag/").json()

    assert new["id"] != old["id"]
    assert new["items"] == []
    assert Bag.objects.get(pk=old["id"]).state == BagState.ABANDONED
    assert Bag.all_objects.get(pk=old["id"]).items.count() == 1  # kept, as history


def test_idle_bags_are_abandoned_by_the_beat_task(settings, buyer_client, make_user, kettle):
    from tests.conftest import bearer_client

    settings.BAG_IDLE_DAYS = 30
    idle = add(buyer_client, kettle)["id"]
    fresh = add(bearer_client(make_user("fresh")), kettle)["id"]
    Bag.objects.filter(pk=idle).update(updated=timezone.now() - timedelta(days=31))

    assert abandon_idle_bags() == 1

    assert Bag.objects.get(pk=idle).state == BagState.ABANDONED
    assert Bag.objects.get(pk=fresh).state == BagState.OPEN
    assert buyer_client.get("/api/bag/").json()["id"] != idle
