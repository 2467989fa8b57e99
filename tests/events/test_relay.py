"""Order events from the outbox to a real stream (Redis Streams, then Kafka): as recorded,
in order, never from rolled-back work, nothing lost through outages or a killed relay."""

import json
import os
import subprocess
import sys
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, transaction

from commerce import services as commerce
from core.models import OutboxEntry
from events import relay
from events.envelope import EVENT_TOPIC
from tests.conftest import add, place
from tests.events.conftest import read_events, services

pytestmark = pytest.mark.django_db(transaction=True)


def recorded(order_id: str | None = None) -> list[dict]:
    rows = OutboxEntry.objects.filter(topic=EVENT_TOPIC).order_by("position")
    if order_id:
        rows = rows.filter(key=order_id)
    return [row.payload for row in rows]


def for_order(events: list[dict], order_id: str) -> list[dict]:
    return [event for event in events if event["subject"] == order_id]


def by_order(events: list[dict]) -> dict[str, list[dict]]:
    """Each order's events in arrival order. Kafka keeps order within a partition (one
    order's events), not across partitions, so that is the order that can be compared."""
    orders: dict[str, list[dict]] = {}
    for event in events:
        orders.setdefault(event["subject"], []).append(event)
    return orders


def unique(events: list[dict]) -> list[dict]:
    """What a consumer keeps after de-duplicating by id: first copies, in arrival order."""
    first: dict[str, dict] = {}
    for event in events:
        first.setdefault(event["id"], event)
    return list(first.values())


@pytest.fixture
def two_sellers(make_user, make_product):
    other_seller = make_user("second-seller")
    return (
        make_product(name="Kettle", price=Decimal("19.90"), stock=10),
        make_product(owner=other_seller, name="Vase", price=Decimal("7.50"), stock=10),
        other_seller,
    )


@pytest.mark.usefixtures("eager_relay")
def test_an_orders_events_arrive_exactly_as_recorded_and_in_order(
    backend, buyer_client, seller_client, two_sellers, third_client
):
    from tests.conftest import bearer_client

    kettle, vase, vase_seller = two_sellers
    add(buyer_client, kettle, 2)
    add(buyer_client, vase)
    order = place(buyer_client).json()
    add(third_client, kettle)
    cancelled = place(third_client).json()
    third_client.post(f"/api/orders/{cancelled['id']}/cancel/")
    lines = {line["product_name"]: line["id"] for line in order["lines"]}
    seller_client.post(f"/api/sales/{lines['Kettle']}/fulfil/")
    bearer_client(vase_seller).post(f"/api/sales/{lines['Vase']}/fulfil/")

    arrived = read_events(len(recorded()))

    # Nothing lost, nothing twice, nothing reordered within an order.
    assert by_order(arrived) == by_order(recorded())
    assert [e["type"] for e in for_order(arrived, order["id"])] == [
        "store.order.placed.v1",
        "store.order.line_fulfilled.v1",
        "store.order.partially_fulfilled.v1",
        "store.order.line_fulfilled.v1",
        "store.order.completed.v1",
    ]
    assert [e["type"] for e in for_order(arrived, cancelled["id"])] == [
        "store.order.placed.v1",
        "store.order.cancelled.v1",
    ]
    placed = for_order(arrived, order["id"])[0]
    assert {k: placed[k] for k in ("specversion", "source", "subject", "datacontenttype")} == {
        "specversion": "1.0",
        "source": settings.EVENTS_SOURCE,
        "subject": order["id"],
        "datacontenttype": "application/json",
    }
    assert placed["time"].endswith("Z")
    data = placed["data"]
    assert (data["order_id"], data["number"], data["state"]) == (
        order["id"],
        order["number"],
        "placed",
    )
    assert (data["total"], data["currency"]) == ("47.30", "EUR")
    assert [
        (
            line["product_id"],
            line["seller_id"],
            line["quantity"],
            line["unit_price"],
            line["line_total"],
        )
        for line in data["lines"]
    ] == [
        (str(kettle.id), str(kettle.owner_id), 2, "19.90", "39.80"),
        (str(vase.id), str(vase_seller.id), 1, "7.50", "7.50"),
    ]
    assert relay.backlog()[0] == 0


@pytest.mark.usefixtures("eager_relay")
def test_a_rolled_back_order_emits_nothing(backend, buyer, buyer_client, kettle, lamp):
    add(buyer_client, kettle)

    def place_then_fail() -> None:
        with transaction.atomic():
            commerce.place_order(buyer=buyer)
            raise RuntimeError("the request failed after placing")

    with pytest.raises(RuntimeError):
        place_then_fail()
    relay.relay()
    buyer_client.delete("/api/bag/")
    add(buyer_client, lamp)
    kept = place(buyer_client).json()  # a committed order after it: its event does arrive

    arrived = read_events(1, linger=0.5)
    assert [(e["subject"], e["data"]["lines"][0]["product_name"]) for e in arrived] == [
        (kept["id"], "Desk lamp")
    ]
    assert recorded() == arrived


def test_orders_are_taken_while_the_broker_is_down_and_every_event_arrives_after(
    backend, buyer_client, make_product
):
    products = [make_product(name=f"Item {n}", stock=5) for n in range(4)]
    broker = "redis" if backend == "redis" else "kafka"
    services(f"stop-{broker}")
    try:
        for product in products:  # after each commit the relay's wake-up is sent, or lost
            add(buyer_client, product)
            assert place(buyer_client).status_code == 201
        assert relay.relay() == 0  # a worker's try while the broker is down
        assert relay.backlog()[0] == len(products)
        attempts = OutboxEntry.objects.filter(topic=EVENT_TOPIC).values_list("attempts", flat=True)
        assert set(attempts) == {1}
    finally:
        services(f"start-{broker}")

    assert relay.relay() == len(products)  # what the beat re-drive does

    arrived = read_events(len(products), linger=0.5, timeout=60)
    assert by_order(unique(arrived)) == by_order(recorded())
    assert len(arrived) == len(recorded()) == len(products)
    assert relay.backlog()[0] == 0


def test_a_relay_killed_in_the_middle_of_a_batch_loses_nothing(backend, buyer_client, make_product):
    for n in range(3):  # three orders, no relay running: six events wait (placed, cancelled)
        add(buyer_client, make_product(name=f"Thing {n}"))
        order = place(buyer_client).json()
        buyer_client.post(f"/api/orders/{order['id']}/cancel/")
    assert relay.backlog()[0] == 6

    # A real process that publishes half the batch, then dies by SIGKILL before marking it.
    child = subprocess.run(  # noqa: S603
        [sys.executable, "-c", KILLED_RELAY],
        env={
            **os.environ,
            "DATABASE_URL": database_url(),
            "EVENTS_BACKEND": settings.EVENTS_BACKEND,
            "EVENTS_STREAM": settings.EVENTS_STREAM,
        },
        capture_output=True,
        timeout=120,
    )
    assert child.returncode == -9, child.stderr.decode()[-2000:]
    assert relay.backlog()[0] == 6  # nothing was marked published
    assert len(read_events(3, timeout=30)) == 3  # but three did reach the stream

    assert relay.relay() == 6

    arrived = read_events(9, timeout=30)
    assert len(arrived) == 9  # three twice: at least once
    # After de-duplication by id: every event, once, each order's in order.
    assert by_order(unique(arrived)) == by_order(recorded())


KILLED_RELAY = """
import os, signal, django
django.setup()
from events import relay
from events.backends import get_publisher

real = get_publisher()

class DiesMidBatch:
    name = real.name
    def publish(self, events):
        real.publish(events[: len(events) // 2])
        os.kill(os.getpid(), signal.SIGKILL)

relay.get_publisher = DiesMidBatch
relay.relay()
"""


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def test_several_relays_at_once_publish_each_event_once(backend, buyer_client, make_product):
    for n in range(5):
        add(buyer_client, make_product(name=f"Gadget {n}"))
        place(buyer_client)
    outcomes: list[int] = []

    def run_relay() -> None:
        try:
            outcomes.append(relay.relay(batch_size=1))
        finally:
            connection.close()

    threads = [threading.Thread(target=run_relay) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(outcomes) == 5
    arrived = read_events(5, linger=1)  # a duplicate would show up meanwhile
    assert sorted(e["id"] for e in arrived) == sorted(e["id"] for e in recorded())


def test_health_shows_the_backend_and_the_backlog(backend, api_client, buyer_client, kettle):
    add(buyer_client, kettle)
    place(buyer_client)  # no relay ran: one pending event

    events = api_client.get("/api/health/").json()["events"]

    assert (events["backend"], events["stream"], events["pending"]) == (
        backend,
        settings.EVENTS_STREAM,
        1,
    )
    assert events["oldest_pending_seconds"] >= 0


def test_consume_events_prints_each_event_once_and_acknowledges(
    backend, buyer_client, kettle, lamp
):
    from io import StringIO

    from django.core.management import call_command

    add(buyer_client, kettle)
    first = place(buyer_client).json()
    buyer_client.post(f"/api/orders/{first['id']}/cancel/")
    relay.relay()
    OutboxEntry.objects.filter(topic=EVENT_TOPIC).update(processed=None)
    relay.relay()  # published twice: the consumer must skip the copies

    def consume(**options) -> tuple[list[str], str]:
        out, err = StringIO(), StringIO()
        call_command(
            "consume_events", group="shipping", idle_exit=20, stdout=out, stderr=err, **options
        )
        return out.getvalue().splitlines(), err.getvalue()

    lines, _ = consume(from_start=True, max_events=2)
    assert [line.split()[1] for line in lines] == [
        "store.order.placed.v1",
        "store.order.cancelled.v1",
    ]
    assert all(f"subject={first['id']}" in line for line in lines)

    add(buyer_client, lamp)
    second = place(buyer_client).json()
    relay.relay()
    lines, err = consume(max_events=1, json=True)  # the group goes on where it stopped

    assert [json.loads(line)["subject"] for line in lines] == [second["id"]]
    assert err.count("skipped") == 2  # the two copies, handled before
