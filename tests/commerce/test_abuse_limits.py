"""Stock cannot be hoarded for free (issue 17, finding 7): a buyer holds at most
ORDER_MAX_OPEN_UNITS_PER_PRODUCT units of a product in open orders, and places orders at
most at the `orders` rate."""

import pytest

from catalog.models import Product
from commerce.models import Order
from tests.conftest import add, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def plenty(make_product):
    return make_product(name="Plenty", stock=100)


def stock(product) -> int:
    return Product.all_objects.get(pk=product.pk).stock


def test_a_buyer_cannot_hold_more_than_the_cap_in_open_orders(buyer_client, plenty, lamp):
    add(buyer_client, plenty, 6)
    first = place(buyer_client)
    assert first.status_code == 201, first.content
    add(buyer_client, plenty, 5)
    add(buyer_client, lamp, 1)

    refused = place(buyer_client)

    assert refused.status_code == 409, refused.content
    error = refused.json()["error"]
    assert error["code"] == "open_units_limit"
    assert error["details"] == {
        "limit": 10,
        "lines": [{"product_id": str(plenty.id), "name": "Plenty", "held": 6, "requested": 5}],
    }
    assert Order.objects.count() == 1
    assert (stock(plenty), stock(lamp)) == (94, 3)  # nothing taken by the refused order

    # Up to the cap is fine.
    change = buyer_client.get("/api/bag/").json()["items"][0]["id"]
    buyer_client.patch(f"/api/bag/items/{change}/", {"quantity": 4})
    assert place(buyer_client).status_code == 201
    assert stock(plenty) == 90


def test_one_order_over_the_cap_is_refused(buyer_client, plenty):
    add(buyer_client, plenty, 11)

    response = place(buyer_client)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "open_units_limit"


def test_cancelling_frees_the_units(buyer_client, plenty):
    add(buyer_client, plenty, 10)
    order = place(buyer_client).json()
    add(buyer_client, plenty, 1)
    assert place(buyer_client).status_code == 409

    cancelled = buyer_client.post(f"/api/orders/{order['id']}/cancel/")
    assert cancelled.status_code == 200, cancelled.content

    assert place(buyer_client).status_code == 201


def test_fulfilled_lines_no_longer_count(buyer_client, seller_client, plenty, lamp):
    add(buyer_client, plenty, 10)
    add(buyer_client, lamp, 1)
    order = place(buyer_client).json()
    line = next(line for line in order["lines"] if line["product_name"] == "Plenty")
    fulfilled = seller_client.post(f"/api/sales/{line['id']}/fulfil/")
    assert fulfilled.status_code == 200, fulfilled.content  # the order is partially fulfilled

    add(buyer_client, plenty, 10)
    assert place(buyer_client).status_code == 201


def test_the_cap_is_per_buyer(buyer_client, third_client, plenty):
    add(buyer_client, plenty, 10)
    assert place(buyer_client).status_code == 201
    add(third_client, plenty, 10)
    assert place(third_client).status_code == 201


def test_the_cap_comes_from_the_settings(settings, buyer_client, plenty):
    settings.ORDER_MAX_OPEN_UNITS_PER_PRODUCT = 2
    add(buyer_client, plenty, 3)

    response = place(buyer_client)

    assert response.status_code == 409
    assert response.json()["error"]["details"]["limit"] == 2


def test_placing_orders_is_throttled_per_buyer(settings, buyer_client, third_client, make_product):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "orders": "2/min"},
    }
    product = make_product(name="Many", stock=100)
    for _ in range(2):
        add(buyer_client, product, 1)
        assert place(buyer_client).status_code == 201
    add(buyer_client, product, 1)

    refused = place(buyer_client)

    assert refused.status_code == 429, refused.content
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    # Reads and other writes of orders do not count; another buyer is not held back.
    assert buyer_client.get("/api/orders/").status_code == 200
    order = Order.objects.filter(buyer__username="other").latest("created")
    assert buyer_client.post(f"/api/orders/{order.pk}/cancel/").status_code == 200
    add(third_client, product, 1)
    assert place(third_client).status_code == 201
