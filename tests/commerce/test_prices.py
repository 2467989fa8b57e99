"""A buyer is never charged a price they did not see (issue 17, finding 6): a price raised
between the bag and the order is refused (409 `price_changed`) unless the buyer confirms the
bag they read with If-Match; a price that fell is charged without asking."""

import pytest

from catalog.models import Product
from commerce.models import Order
from tests.conftest import add, place

pytestmark = pytest.mark.django_db


def set_price(seller_client, product, price: str) -> None:
    response = seller_client.patch(f"/api/products/{product.id}/", {"price": price})
    assert response.status_code == 200, response.content


def stock(product) -> int:
    return Product.all_objects.get(pk=product.pk).stock


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code, error
    return error


def test_a_price_raised_after_the_bag_is_refused_and_nothing_is_placed(
    buyer_client, seller_client, kettle, lamp
):
    add(buyer_client, kettle, 2)
    add(buyer_client, lamp, 1)
    set_price(seller_client, kettle, "999.00")

    error = error_of(place(buyer_client), 409, "price_changed")

    assert error["details"]["lines"] == [
        {
            "product_id": str(kettle.id),
            "name": "Blue kettle",
            "old_price": "19.90",
            "new_price": "999.00",
        }
    ]
    assert not Order.objects.exists()
    assert (stock(kettle), stock(lamp)) == (5, 3)
    bag = buyer_client.get("/api/bag/").json()
    assert [item["quantity"] for item in bag["items"]] == [2, 1]  # the bag is still open


def test_if_match_with_the_bag_read_after_the_rise_places_at_the_new_price(
    buyer_client, seller_client, kettle
):
    add(buyer_client, kettle, 2)
    set_price(seller_client, kettle, "25.00")
    assert place(buyer_client).status_code == 409

    etag = buyer_client.get("/api/bag/")["ETag"]
    response = buyer_client.post("/api/orders/", headers={"If-Match": etag})

    assert response.status_code == 201, response.content
    order = response.json()
    assert (order["lines"][0]["unit_price"], order["total"]) == ("25.00", "50.00")
    assert stock(kettle) == 3


def test_if_match_with_a_stale_bag_is_412_and_nothing_is_placed(
    buyer_client, seller_client, kettle
):
    add(buyer_client, kettle, 1)
    set_price(seller_client, kettle, "25.00")
    etag = buyer_client.get("/api/bag/")["ETag"]
    set_price(seller_client, kettle, "30.00")  # raised again while the buyer confirmed

    response = buyer_client.post("/api/orders/", headers={"If-Match": etag})

    error_of(response, 412, "precondition_failed")
    assert not Order.objects.exists()
    assert stock(kettle) == 5


def test_a_price_that_fell_is_charged_without_asking(buyer_client, seller_client, kettle):
    add(buyer_client, kettle, 2)
    set_price(seller_client, kettle, "9.90")

    response = place(buyer_client)

    assert response.status_code == 201, response.content
    assert response.json()["total"] == "19.80"


def test_changing_the_quantity_sees_the_new_price(buyer_client, seller_client, kettle):
    bag = add(buyer_client, kettle, 1)
    set_price(seller_client, kettle, "25.00")

    changed = buyer_client.patch(f"/api/bag/items/{bag['items'][0]['id']}/", {"quantity": 2})

    assert changed.json()["items"][0]["seen_price"] == "25.00"
    assert place(buyer_client).status_code == 201


def test_the_bag_etag_changes_with_a_quantity_and_with_a_price(
    buyer_client, seller_client, kettle, lamp
):
    bag = add(buyer_client, kettle, 1)
    first = buyer_client.get("/api/bag/")["ETag"]
    assert first == buyer_client.get("/api/bag/")["ETag"]  # stable while nothing changes
    assert re_quoted(first)

    item = bag["items"][0]["id"]
    changed = buyer_client.patch(f"/api/bag/items/{item}/", {"quantity": 2})
    after_quantity = buyer_client.get("/api/bag/")["ETag"]
    assert after_quantity != first
    assert changed["ETag"] == after_quantity  # every answer with the bag carries its ETag

    set_price(seller_client, kettle, "20.00")
    after_price = buyer_client.get("/api/bag/")["ETag"]
    assert after_price != after_quantity

    # Others buying (stock and version change) leaves it alone: a confirmation stays valid.
    Product.objects.filter(pk=kettle.pk).update(stock=4, version=kettle.version + 7)
    assert buyer_client.get("/api/bag/")["ETag"] == after_price
    add(buyer_client, lamp, 1)
    assert buyer_client.get("/api/bag/")["ETag"] != after_price


def test_if_match_replayed_with_the_same_idempotency_key_returns_the_order(
    buyer_client, seller_client, kettle
):
    add(buyer_client, kettle, 1)
    set_price(seller_client, kettle, "25.00")
    etag = buyer_client.get("/api/bag/")["ETag"]
    headers = {"If-Match": etag, "Idempotency-Key": "confirm-1"}

    first = buyer_client.post("/api/orders/", headers=headers)
    again = buyer_client.post("/api/orders/", headers=headers)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert stock(kettle) == 4


def test_a_refused_order_can_be_retried_with_its_idempotency_key_once_confirmed(
    buyer_client, seller_client, kettle
):
    add(buyer_client, kettle, 1)
    set_price(seller_client, kettle, "25.00")
    key = {"Idempotency-Key": "checkout-7"}
    assert place(buyer_client, "checkout-7").status_code == 409

    etag = buyer_client.get("/api/bag/")["ETag"]
    response = buyer_client.post("/api/orders/", headers={**key, "If-Match": etag})

    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("if_match", "status"),
    [("*", 409), ("", 409), ('W/"abc"', 412), ('"nope", "other"', 412), ("not-an-etag", 400)],
)
def test_if_match_forms(buyer_client, seller_client, kettle, if_match, status):
    add(buyer_client, kettle, 1)
    set_price(seller_client, kettle, "25.00")

    response = buyer_client.post("/api/orders/", headers={"If-Match": if_match})

    assert response.status_code == status, response.content
    assert not Order.objects.exists()


def test_if_match_may_list_the_current_etag_among_others(buyer_client, seller_client, kettle):
    add(buyer_client, kettle, 1)
    set_price(seller_client, kettle, "25.00")
    etag = buyer_client.get("/api/bag/")["ETag"]

    response = buyer_client.post("/api/orders/", headers={"If-Match": f'"old", {etag}'})

    assert response.status_code == 201, response.content


def re_quoted(etag: str) -> bool:
    return etag.startswith('"') and etag.endswith('"') and len(etag) > 2
