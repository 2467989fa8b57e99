"""Orders over HTTP: placing, idempotent retries, shortages, cancelling, fulfilling."""

import re
from decimal import Decimal

import pytest

from catalog import services as catalog
from catalog.models import Product
from commerce.models import Bag, BagState, Order, OrderLine
from tests.conftest import add, bearer_client, place

pytestmark = pytest.mark.django_db


def stock(product) -> int:
    return Product.all_objects.get(pk=product.pk).stock


def test_placing_an_order_takes_stock_copies_prices_and_checks_the_bag_out(
    buyer_client, seller, kettle, lamp
):
    bag = add(buyer_client, kettle, 2)
    add(buyer_client, lamp, 1)

    response = place(buyer_client)

    assert response.status_code == 201, response.content
    order = response.json()
    assert order["state"] == "placed"
    assert re.fullmatch(r"ORD-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", order["number"])
    assert (order["total"], order["currency"]) == ("84.80", "EUR")
    assert [
        (line["product_name"], line["unit_price"], line["quantity"], line["line_total"])
        for line in order["lines"]
    ] == [("Blue kettle", "19.90", 2, "39.80"), ("Desk lamp", "45.00", 1, "45.00")]
    assert {line["seller"]["username"] for line in order["lines"]} == {seller.username}
    assert (stock(kettle), stock(lamp)) == (3, 2)
    assert Product.objects.get(pk=kettle.pk).version == kettle.version + 1
    assert Bag.objects.get(pk=bag["id"]).state == BagState.CHECKED_OUT
    assert buyer_client.get("/api/bag/").json()["items"] == []
    assert buyer_client.get(f"/api/orders/{order['id']}/").json() == order


def test_the_order_keeps_the_price_it_was_placed_at(buyer_client, kettle):
    add(buyer_client, kettle)
    order = place(buyer_client).json()

    catalog.update_product(product=kettle, name="Renamed", price=Decimal("99.00"))

    line = buyer_client.get(f"/api/orders/{order['id']}/").json()["lines"][0]
    assert (line["product_name"], line["unit_price"]) == ("Blue kettle", "19.90")


def test_an_empty_bag_is_400(buyer_client):
    response = place(buyer_client)

    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"bag": ["Your bag is empty."]}
    assert not Order.objects.exists()


def test_a_short_bag_is_409_listing_every_short_line_and_nothing_changes(
    buyer_client, make_product, kettle, lamp
):
    mug = make_product(name="Mug", stock=10)
    add(buyer_client, kettle, 5)
    add(buyer_client, lamp, 3)
    add(buyer_client, mug, 2)
    catalog.update_product(product=kettle, stock=4)  # someone bought one meanwhile
    catalog.transition_product(product=lamp, event="archive")
    bag_before = buyer_client.get("/api/bag/").json()
    versions = {p.pk: p.version for p in Product.objects.all()}

    response = place(buyer_client)

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "insufficient_stock"
    assert {line["product_id"]: line for line in error["details"]["lines"]} == {
        str(kettle.id): {
            "product_id": str(kettle.id),
            "requested": 5,
            "available": 4,
            "reason": "insufficient_stock",
        },
        str(lamp.id): {
            "product_id": str(lamp.id),
            "requested": 3,
            "available": 0,
            "reason": "not_active",
        },
    }
    assert not Order.objects.exists()
    assert (stock(kettle), stock(lamp), stock(mug)) == (4, 3, 10)
    assert {p.pk: p.version for p in Product.objects.all()} == versions
    assert buyer_client.get("/api/bag/").json() == bag_before


def test_a_deleted_product_or_seller_is_refused_the_same_way(buyer_client, kettle, seller):
    add(buyer_client, kettle)
    catalog.delete_product(product=kettle)

    response = place(buyer_client)

    assert response.status_code == 409
    assert response.json()["error"]["details"]["lines"] == [
        {"product_id": str(kettle.id), "requested": 1, "available": 0, "reason": "deleted"}
    ]


def test_a_retry_with_the_same_key_returns_the_same_order(buyer_client, kettle):
    add(buyer_client, kettle, 2)

    first = place(buyer_client, key="checkout-7f3a")
    retry = place(buyer_client, key="checkout-7f3a")

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1
    assert stock(kettle) == 3


def test_the_same_key_for_a_different_bag_is_422(buyer_client, kettle, lamp):
    add(buyer_client, kettle)
    assert place(buyer_client, key="k-1").status_code == 201
    add(buyer_client, lamp)

    reused = place(buyer_client, key="k-1")
    fresh = place(buyer_client, key="k-2")

    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert fresh.status_code == 201
    assert Order.objects.count() == 2


def test_keys_belong_to_their_user(buyer_client, third_client, kettle):
    add(buyer_client, kettle)
    add(third_client, kettle)

    mine = place(buyer_client, key="same-key")
    theirs = place(third_client, key="same-key")

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]


@pytest.mark.parametrize("key", ["", "x" * 256, "clé", "tab\there"])
def test_a_malformed_key_is_400(buyer_client, kettle, key):
    add(buyer_client, kettle)

    response = buyer_client.post("/api/orders/", headers={"Idempotency-Key": key})

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["details"]
    assert not Order.objects.exists()


def test_cancel_returns_the_stock_once(buyer_client, kettle):
    add(buyer_client, kettle, 2)
    order = place(buyer_client).json()

    cancelled = buyer_client.post(f"/api/orders/{order['id']}/cancel/")
    twice = buyer_client.post(f"/api/orders/{order['id']}/cancel/")

    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"
    assert stock(kettle) == 5
    assert twice.status_code == 409
    assert twice.json()["error"]["details"] == {
        "state": "cancelled",
        "event": "cancel",
        "allowed_events": [],
    }
    assert stock(kettle) == 5


def test_sellers_fulfil_lines_and_the_last_one_completes_the_order(
    buyer_client, seller_client, make_user, make_product, kettle
):
    other_seller = make_user("other-seller")
    vase = make_product(owner=other_seller, name="Vase", stock=2)
    add(buyer_client, kettle)
    add(buyer_client, vase)
    order = place(buyer_client).json()
    kettle_line = next(
        line["id"] for line in order["lines"] if line["product_name"] == "Blue kettle"
    )
    vase_line = next(line["id"] for line in order["lines"] if line["product_name"] == "Vase")

    first = seller_client.post(f"/api/sales/{kettle_line}/fulfil/")
    assert first.status_code == 200, first.content
    assert first.json()["fulfilled"] is not None
    assert first.json()["order"]["state"] == "partially_fulfilled"

    refused = buyer_client.post(f"/api/orders/{order['id']}/cancel/")
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["allowed_events"] == ["fulfil_line"]

    twice = seller_client.post(f"/api/sales/{kettle_line}/fulfil/")
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "invalid_transition"

    last = bearer_client(other_seller).post(f"/api/sales/{vase_line}/fulfil/")
    assert last.status_code == 200
    assert last.json()["order"]["state"] == "completed"
    assert buyer_client.get(f"/api/orders/{order['id']}/").json()["state"] == "completed"
    assert stock(kettle) == 4


def test_a_line_of_a_cancelled_order_cannot_be_fulfilled(buyer_client, seller_client, kettle):
    add(buyer_client, kettle)
    order = place(buyer_client).json()
    buyer_client.post(f"/api/orders/{order['id']}/cancel/")

    response = seller_client.post(f"/api/sales/{order['lines'][0]['id']}/fulfil/")

    assert response.status_code == 409
    assert response.json()["error"]["details"]["state"] == "cancelled"
    assert OrderLine.objects.get().fulfilled is None


def test_my_orders_newest_first_filtered_by_state(buyer_client, kettle):
    ids = []
    for _ in range(3):
        add(buyer_client, kettle)
        ids.append(place(buyer_client).json()["id"])
    buyer_client.post(f"/api/orders/{ids[0]}/cancel/")

    every = buyer_client.get("/api/orders/").json()
    placed = buyer_client.get("/api/orders/?state=placed").json()
    bad = buyer_client.get("/api/orders/?state=lost")

    assert every["count"] == 3
    assert [o["id"] for o in every["results"]] == ids[::-1]
    assert [o["id"] for o in placed["results"]] == ids[:0:-1]
    assert bad.status_code == 400


def test_my_sales_filtered_by_fulfilment_and_order_state(
    buyer_client, seller_client, third_client, kettle, lamp
):
    add(buyer_client, kettle)
    first = place(buyer_client).json()
    add(third_client, lamp, 2)
    second = place(third_client).json()
    seller_client.post(f"/api/sales/{first['lines'][0]['id']}/fulfil/")

    def sale_ids(query: str = "") -> list[str]:
        response = seller_client.get(f"/api/sales/{query}")
        assert response.status_code == 200, response.content
        return [line["id"] for line in response.json()["results"]]

    assert sale_ids() == [second["lines"][0]["id"], first["lines"][0]["id"]]
    assert sale_ids("?fulfilled=true") == [first["lines"][0]["id"]]
    assert sale_ids("?fulfilled=false") == [second["lines"][0]["id"]]
    assert sale_ids("?order_state=completed") == [first["lines"][0]["id"]]
    sale = seller_client.get("/api/sales/?fulfilled=false").json()["results"][0]
    assert sale["order"]["buyer"]["username"] == "third"
    assert (sale["quantity"], sale["line_total"]) == (2, "90.00")
    assert seller_client.get("/api/sales/?fulfilled=maybe").status_code == 400
