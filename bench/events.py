"""Event relay benchmark, for each backend (Redis Streams, Kafka), each figure against a
baseline measured in the same run:

1. relay throughput: N pending order events in the outbox, published by `events.relay`
   (select a batch, publish, mark it, commit) against the bare rate of the same bytes sent
   straight to the backend in the same batches (a pipeline of XADDs / produce + flush);
2. commit-to-published lag: real orders placed in-process (bag, `place_order`) while a
   Celery worker relays, from the commit to the event's arrival at a consumer reading the
   stream: p50 / p95.

It writes its section of docs/PERFORMANCE.md and prints the table. Not a test.

    .venv/bin/python -m bench.events [--events 20000] [--orders 200]
"""

import json
import os
import sys
import threading
import time
import uuid
from decimal import Decimal
from typing import Any

from bench.harness import (
    Report,
    arguments,
    configure,
    ms,
    parse_and_set_up,
    percentile,
    publish,
    running_servers,
    timed,
    times,
)

configure(index_prefix="bench")

BACKENDS = ("redis", "kafka")
BATCH = 500  # the relay's batch size


def compact_json(event: dict[str, Any]) -> bytes:
    """An event as the relay writes it: compact JSON, UTF-8."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


def use_backend(backend: str, stream: str) -> None:
    """Point this process (and the worker it starts) at a backend and a fresh stream."""
    from django.conf import settings

    os.environ["EVENTS_BACKEND"] = settings.EVENTS_BACKEND = backend
    os.environ["EVENTS_STREAM"] = settings.EVENTS_STREAM = stream


# --- set-up ---------------------------------------------------------------------------------


class Shop:
    """A seller with plenty of stock and a buyer, to place real orders in-process."""

    def __init__(self) -> None:
        from accounts.models import User
        from catalog.services import create_product

        run = uuid.uuid4().hex[:6]
        seller = User.objects.create_user(username=f"bench-ev-seller-{run}", password=None)
        self.buyer = User.objects.create_user(username=f"bench-ev-buyer-{run}", password=None)
        self.products = [
            create_product(
                owner=seller,
                name=f"Event bench item {run} {n}",
                description="For the event relay benchmark.",
                price=Decimal("24.50"),
                stock=1_000_000,
                publish=True,
            )
            for n in range(2)
        ]

    def place_order(self) -> Any:
        from commerce import services

        for product in self.products:
            services.add_to_bag(buyer=self.buyer, product_id=product.pk, quantity=1)
        order, _ = services.place_order(buyer=self.buyer)
        return order


def sample_event(shop: Shop) -> dict[str, Any]:
    """A real `placed` event (two lines), recorded and left pending."""
    from core.models import OutboxEntry
    from events.envelope import EVENT_TOPIC

    order = shop.place_order()
    row = OutboxEntry.objects.filter(topic=EVENT_TOPIC, key=str(order.pk)).latest("position")
    OutboxEntry.objects.filter(topic=EVENT_TOPIC).update(processed=row.created)
    payload: dict[str, Any] = row.payload
    return payload


def pending_rows(template: dict[str, Any], count: int) -> None:
    """`count` pending event rows like `template`, each with its own id and subject."""
    from core.models import OutboxEntry
    from events.envelope import EVENT_TOPIC

    rows = []
    for _ in range(count):
        subject = str(uuid.uuid4())
        event = {**template, "id": str(uuid.uuid4()), "subject": subject}
        rows.append(OutboxEntry(topic=EVENT_TOPIC, key=subject, payload=event))
    OutboxEntry.objects.bulk_create(rows, batch_size=2000)


# --- phases ---------------------------------------------------------------------------------


def bare_rate(backend: str, events: list[dict[str, Any]]) -> float:
    """Events/s sending the same bytes straight to the backend, in the relay's batches."""
    from django.conf import settings

    from events.backends import EVENT_FIELD, ensure_topic, kafka_producer, redis_client

    stream = f"{settings.EVENTS_STREAM}.bare"
    started = time.perf_counter()
    if backend == "redis":
        client = redis_client()
        for i in range(0, len(events), BATCH):
            pipe = client.pipeline(transaction=False)
            for event in events[i : i + BATCH]:
                pipe.xadd(stream, {EVENT_FIELD: compact_json(event)})
            pipe.execute()
        client.delete(stream)
    else:
        ensure_topic(stream, 3600, settings.EVENTS_KAFKA_PARTITIONS)
        started = time.perf_counter()
        producer = kafka_producer(settings.KAFKA_BOOTSTRAP_SERVERS)
        for i in range(0, len(events), BATCH):
            for event in events[i : i + BATCH]:
                producer.produce(stream, key=event["subject"].encode(), value=compact_json(event))
            assert producer.flush(30) == 0
    return len(events) / (time.perf_counter() - started)


def relay_throughput(report: Report, backend: str, shop: Shop, count: int) -> None:
    from core.models import OutboxEntry
    from events import relay
    from events.envelope import EVENT_TOPIC

    template = sample_event(shop)
    pending_rows(template, count)
    rows = list(
        OutboxEntry.objects.filter(topic=EVENT_TOPIC, processed__isnull=True).values_list(
            "payload", flat=True
        )
    )
    relay.publish_batch(1)  # warm-up: connection, topic
    _, seconds = timed(relay.relay)
    rate = (count - 1) / seconds
    baseline = bare_rate(backend, rows)
    report.add(
        f"{backend}: relay throughput ({count:,} pending events)",
        f"{rate:,.0f} events/s",
        baseline=f"bare {'XADD pipeline' if backend == 'redis' else 'produce + flush'}: "
        f"{baseline:,.0f} events/s",
        ratio=times(rate / baseline),
    )


class Arrivals:
    """A consumer in a thread, noting when each event id arrives."""

    def __init__(self, backend: str) -> None:
        from events.backends import get_consumer

        self.seen: dict[str, float] = {}
        self.stop = threading.Event()
        self.consumer = get_consumer(f"bench-{uuid.uuid4().hex[:6]}", "bench", from_start=True)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.ready = threading.Event()
        self.thread.start()

    def run(self) -> None:
        import json

        while not self.stop.is_set():
            for message in self.consumer.messages(wait_seconds=0.05):
                self.seen[json.loads(message.raw)["id"]] = time.perf_counter()
            kafka = getattr(self.consumer, "consumer", None)
            if kafka is None or kafka.assignment():  # Kafka: partitions assigned, ready
                self.ready.set()
        self.consumer.close()


def commit_to_published(report: Report, backend: str, shop: Shop, orders: int) -> None:
    from django.db import transaction

    from core.models import OutboxEntry
    from events.envelope import EVENT_TOPIC

    if backend == "kafka":  # the topic first: a consumer of a missing one waits for metadata
        from django.conf import settings

        from events.backends import ensure_topic

        ensure_topic(
            settings.EVENTS_STREAM,
            settings.EVENTS_RETENTION_SECONDS,
            settings.EVENTS_KAFKA_PARTITIONS,
        )
    arrivals = Arrivals(backend)
    arrivals.ready.wait(30)
    committed: dict[str, float] = {}
    commits: list[float] = []

    def stamp_commit() -> None:
        commits.append(time.perf_counter())

    for _ in range(orders):
        with transaction.atomic():
            transaction.on_commit(stamp_commit)  # first: runs before the relay's wake-up
            order = shop.place_order()
        event_id = (
            OutboxEntry.objects.filter(topic=EVENT_TOPIC, key=str(order.pk))
            .values_list("payload__id", flat=True)
            .get()
        )
        committed[event_id] = commits[-1]
        time.sleep(0.02)  # ~40 orders/s: a steady trickle, not a burst
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not set(committed) <= set(arrivals.seen):
        time.sleep(0.05)
    arrivals.stop.set()
    lags = [arrivals.seen[i] - t for i, t in committed.items() if i in arrivals.seen]
    missing = len(committed) - len(lags)
    report.add(
        f"{backend}: commit-to-published lag (order committed → event read), p50 / p95",
        f"{ms(percentile(lags, 50))} / {ms(percentile(lags, 95))} "
        f"(n={len(lags)}, {missing} not arrived within 30 s)",
        baseline="same run, Celery worker relaying",
    )


# --- report ---------------------------------------------------------------------------------


def write_report(report: Report) -> None:
    publish(
        "events",
        report,
        title="Event relay: `bench/events.py` (`make bench-events`)",
        machine_note=". Redis 7 (Debian), Kafka 4.4 single node (KRaft, heap 512 MB); a Celery "
        "worker `--concurrency 2` relays during the lag phase.",
        command_note=" (with `DATABASE_URL`, `REDIS_URL`, Kafka on `KAFKA_BOOTSTRAP_SERVERS`).",
        how="How: throughput publishes N pending rows built from a real two-line `placed` "
        "event (each its own id and subject) with `events.relay.relay()` in batches of "
        f"{BATCH}: a batch taken with `SKIP LOCKED`, published, marked, committed; the "
        "baseline sends the same bytes in the same batches straight to the backend (a "
        "non-transactional pipeline of XADDs; produce then flush, idempotent producer, "
        "`acks=all`). The lag is measured from the commit of `place_order` (an `on_commit` "
        "callback registered first) to the moment a consumer thread reading the stream sees "
        "the event, at about 40 orders/s; it includes the wake-up through Redis to the "
        "worker, the relay's select and mark, and the consumer's own polling.",
    )


def main() -> int:
    parser = arguments(
        __doc__,
        events=(20_000, "pending events to relay"),
        orders=(200, "orders for the lag"),
        backends=(",".join(BACKENDS), "which of them, e.g. redis (no Kafka)"),
    )
    args = parse_and_set_up(parser)
    backends = [b for b in args.backends.split(",") if b]
    unknown = set(backends) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backends: {sorted(unknown)}; choose from {BACKENDS}")
    report = Report()
    shop = Shop()
    run = uuid.uuid4().hex[:6]
    for backend in backends:
        use_backend(backend, f"bench-{run}.{backend}.orders")
        with report.phase(f"{backend}: relay throughput"):
            relay_throughput(report, backend, shop, args.events)
        use_backend(backend, f"bench-{run}.{backend}.lag")  # a stream of its own
        with (
            running_servers("events", report) as servers,
            report.phase(f"{backend}: commit-to-published lag"),
        ):
            servers.worker()
            time.sleep(4)  # the worker connects and starts consuming
            commit_to_published(report, backend, shop, args.orders)

    write_report(report)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
