"""Checkouts racing each other, as real parallel HTTP clients against a live server and the
real PostgreSQL: stock never oversells and locks never deadlock."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
import requests

from catalog.models import Product
from commerce import services
from commerce.models import Order, OrderLine, OrderState
from tests.conftest import bearer_token

pytestmark = pytest.mark.django_db(transaction=True)


def race(calls):
    """Run the calls at the same moment, one thread each; returns their results in order."""
    barrier = Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


class Shopper:
    def __init__(self, base_url: str, user):
        self.user = user
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {bearer_token(user)}"

    def place_order(self) -> requests.Response:
        return self.session.post(f"{self.base_url}/api/orders/", timeout=30)

    def cancel(self, order_id: str) -> requests.Response:
        return self.session.post(f"{self.base_url}/api/orders/{order_id}/cancel/", timeout=30)


def test_twenty_buyers_race_for_the_last_five_units(live_server, make_user, make_product):
    product = make_product(name="Last few", stock=5)
    shoppers = [Shopper(live_server.url, make_user(f"racer-{n}")) for n in range(20)]
    for shopper in shoppers:
        services.add_to_bag(buyer=shopper.user, product_id=product.id, quantity=1)

    responses = race([shopper.place_order for shopper in shoppers])

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 5, 409: 15}, [r.text for r in responses if r.status_code >= 500]
    refused = next(r for r in responses if r.status_code == 409).json()["error"]
    assert refused["details"]["lines"][0]["available"] == 0
    assert Product.objects.get(pk=product.pk).stock == 0
    assert Order.objects.count() == 5
    assert sum(OrderLine.objects.values_list("quantity", flat=True)) == 5


def test_opposite_bag_orders_never_deadlock(live_server, make_user, make_product):
    first, second = make_product(name="A", stock=10_000), make_product(name="B", stock=10_000)
    shoppers = [Shopper(live_server.url, make_user(f"crossing-{n}")) for n in range(6)]
    previous: list[str] = []
    rounds = 12

    for round_number in range(rounds):
        for n, shopper in enumerate(shoppers):  # half fill A then B, half B then A
            for product in (first, second) if n % 2 else (second, first):
                services.add_to_bag(buyer=shopper.user, product_id=product.id, quantity=2)
        # This round's orders race each other and the cancelling of last round's.
        cancels = [(lambda s=s, o=o: s.cancel(o)) for s, o in zip(shoppers, previous, strict=False)]
        responses = race([s.place_order for s in shoppers] + cancels)

        errors = [(r.status_code, r.text) for r in responses if r.status_code not in (200, 201)]
        assert errors == [], f"round {round_number}: {errors}"
        previous = [r.json()["id"] for r in responses[: len(shoppers)]]

    live = Order.objects.filter(state=OrderState.PLACED).count()
    assert live == len(shoppers)
    assert Order.objects.filter(state=OrderState.CANCELLED).count() == len(shoppers) * (rounds - 1)
    for product in (first, second):
        assert Product.objects.get(pk=product.pk).stock == 10_000 - 2 * live


def test_ten_retries_of_one_order_at_once_place_it_once(live_server, make_user, make_product):
    """Issue 18: a client retrying on a timeout sends the same Idempotency-Key many times."""
    product = make_product(name="Once", stock=50)
    buyer = make_user("impatient")
    services.add_to_bag(buyer=buyer, product_id=product.id, quantity=3)
    token = bearer_token(buyer)

    def place_with_key() -> requests.Response:  # a connection of its own, like a retry
        return requests.post(
            f"{live_server.url}/api/orders/",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "retry-me"},
            timeout=30,
        )

    responses = race([place_with_key] * 10)

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 200: 9}, [(r.status_code, r.text) for r in responses]
    assert {r.json()["id"] for r in responses} == {str(Order.objects.get().pk)}
    assert [r.headers.get("Idempotent-Replayed") for r in responses].count("true") == 9
    assert Product.objects.get(pk=product.pk).stock == 47
    assert sum(OrderLine.objects.values_list("quantity", flat=True)) == 3
