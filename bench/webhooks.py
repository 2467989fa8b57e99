"""Webhook delivery benchmark, each figure beside a baseline measured in the same run:

1. delivery throughput: N pending deliveries of real `store.sale.ordered.v1` events to one
   endpoint, sent by `events.webhooks.deliver` (pick the due head, sign, check and pin the
   address, POST, record) to a local receiver, against the bare rate of the same signed
   POSTs sent with urllib3 over one kept-alive connection;
2. commit-to-delivered lag: real orders placed in-process while a Celery worker fans out and
   delivers, from the commit to the seller's receiver getting the signed event, p50 / p95,
   beside the stream relay's commit-to-published lag for the same orders (Redis Streams).

It writes its section of docs/PERFORMANCE.md and prints the table. Not a test.

    .venv/bin/python -m bench.webhooks [--deliveries 2000] [--orders 200] [--rate 10]
"""

import argparse
import json
import os
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench.events import Arrivals, Shop, use_backend
from bench.harness import (
    Report,
    command_line,
    configure,
    machine,
    ms,
    percentile,
    running_servers,
    stamp,
    timed,
    write_section,
)

configure(index_prefix="bench")
os.environ["WEBHOOK_ALLOW_LOOPBACK"] = "1"  # the receiver is on 127.0.0.1 (the worker too)


class Receiver:
    """A local HTTP receiver (threads), noting when each event's subject first arrives."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.count = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive for the baseline

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                now = time.perf_counter()
                receiver.count += 1
                subject = json.loads(body).get("subject", "")
                receiver.arrived.setdefault(subject, now)
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def seller_endpoint(shop: Shop, url: str) -> Any:
    from events import webhooks

    seller = shop.products[0].owner
    return webhooks.create_endpoint(owner=seller, url=url)


def delivery_throughput(report: Report, shop: Shop, receiver: Receiver, count: int) -> None:
    from django.db import connection

    from core.models import OUTBOX_POSITION_SEQUENCE
    from events import webhooks
    from events.envelope import encode
    from events.models import Delivery

    endpoint = seller_endpoint(shop, receiver.url())
    order = shop.place_order()
    template = Delivery.objects.filter(endpoint=endpoint, subject=str(order.pk)).first()
    if template is None:  # no worker in this phase: fan out here
        webhooks.fan_out()
        template = Delivery.objects.get(endpoint=endpoint, subject=str(order.pk))
    Delivery.objects.filter(pk=template.pk).update(status="delivered")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(%s) FROM generate_series(1, %s)", [OUTBOX_POSITION_SEQUENCE, count]
        )
        positions = [row[0] for row in cursor.fetchall()]
    rows = []
    for position in positions:
        subject, event_id = str(uuid.uuid4()), str(uuid.uuid4())
        event = {**template.payload, "id": event_id, "subject": subject}
        rows.append(
            Delivery(
                endpoint=endpoint,
                event_id=event_id,
                event_type=template.event_type,
                subject=subject,
                position=position,
                payload=event,
                next_try=template.next_try,
            )
        )
    Delivery.objects.bulk_create(rows, batch_size=2000)
    _, seconds = timed(lambda: webhooks.deliver(endpoint.pk))
    rate = count / seconds
    delivered = Delivery.objects.filter(endpoint=endpoint, status="delivered").count() - 1

    import urllib3

    pool = urllib3.HTTPConnectionPool("127.0.0.1", receiver.server.server_address[1], maxsize=1)
    bodies = [encode(row.payload) for row in rows]
    started = time.perf_counter()
    for row, body in zip(rows, bodies, strict=True):
        headers = webhooks.signed_headers(endpoint, str(row.event_id), body)
        pool.urlopen("POST", "/hook", body=body, headers=headers, retries=False)
    baseline = count / (time.perf_counter() - started)
    report.add(
        f"delivery throughput ({count:,} pending deliveries, one endpoint)",
        f"{rate:,.0f} deliveries/s ({delivered:,} delivered)",
        baseline=f"bare signed POSTs, one kept-alive connection: {baseline:,.0f}/s",
        ratio=f"{rate / baseline:.2f}x",
    )
    endpoint.delete()


def commit_to_delivered(
    report: Report, shop: Shop, receiver: Receiver, orders: int, rate: float
) -> None:
    from django.db import transaction

    from core.models import OutboxEntry
    from events.envelope import EVENT_TOPIC

    seller_endpoint(shop, receiver.url())
    stream = Arrivals("redis")
    stream.ready.wait(30)
    receiver.arrived.clear()
    committed: dict[str, float] = {}  # order id → commit time
    event_ids: dict[str, str] = {}  # order id → its placed event id (the stream's)
    commits: list[float] = []

    for _ in range(orders):
        with transaction.atomic():
            transaction.on_commit(lambda: commits.append(time.perf_counter()))  # first
            order = shop.place_order()
        committed[str(order.pk)] = commits[-1]
        event_ids[str(order.pk)] = (
            OutboxEntry.objects.filter(topic=EVENT_TOPIC, key=str(order.pk))
            .values_list("payload__id", flat=True)
            .get()
        )
        time.sleep(1 / rate)  # a steady trickle, not a burst
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (
        set(committed) <= set(receiver.arrived) and set(event_ids.values()) <= set(stream.seen)
    ):
        time.sleep(0.05)
    stream.stop.set()
    hook_lags = [receiver.arrived[o] - t for o, t in committed.items() if o in receiver.arrived]
    stream_lags = [
        stream.seen[event_ids[o]] - t for o, t in committed.items() if event_ids[o] in stream.seen
    ]
    report.add(
        f"commit-to-delivered lag (order committed → seller's receiver has it, "
        f"~{rate:g} orders/s), p50 / p95",
        f"{ms(percentile(hook_lags, 50))} / {ms(percentile(hook_lags, 95))} "
        f"(n={len(hook_lags)}, {len(committed) - len(hook_lags)} not arrived within 60 s)",
        baseline=f"stream relay, same orders: {ms(percentile(stream_lags, 50))} / "
        f"{ms(percentile(stream_lags, 95))} (n={len(stream_lags)})",
    )


def write_report(report: Report, total_seconds: float) -> None:
    lines = [
        "## Webhooks: `bench/webhooks.py` (`make bench-webhooks`)",
        "",
        f"- Date: {stamp(total_seconds)}.",
        f"- Machine: {machine()}. A local `http.server` receiver (threads) on 127.0.0.1 "
        "answering 204; a Celery worker `--concurrency 2` fans out, delivers and relays during "
        "the lag phase; the stream is Redis Streams.",
        f"- Command: `{command_line()}` (with `DATABASE_URL`, `REDIS_URL`).",
        "",
        *report.table(),
        "",
        "How: throughput sends N pending deliveries (copies of a real `store.sale.ordered.v1`, "
        "each its own id and order) to one endpoint with `events.webhooks.deliver`, one at a "
        "time in order: up to 100 due heads of their orders picked with one query, the address "
        "resolved, checked and pinned once per such round (its connection kept alive for the "
        "round), each one signed (Standard Webhooks), sent, its answer read and its outcome "
        "saved in its own commit. The baseline sends the same signed bodies over one kept-alive "
        "connection with no database. The "
        "lag runs from the commit of `place_order` to the receiver getting the seller's event "
        "(outbox → fan-out task → deliver task → POST), beside the same orders' `placed` "
        "event read from the stream (outbox → relay task → XADD → consumer). Each order makes four "
        "tasks (search drain, relay, fan-out, delivery); at rates above what two worker "
        "processes run, the queue grows and the webhook, a hop further, lags most.",
        "",
        *report.closing(),
    ]
    write_section("webhooks", lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--deliveries", type=int, default=2000, help="pending deliveries")
    parser.add_argument("--orders", type=int, default=200, help="orders for the lag")
    parser.add_argument("--rate", type=float, default=10, help="orders/s during the lag phase")
    args = parser.parse_args()

    import django

    django.setup()
    run_started = time.perf_counter()
    report = Report()
    shop = Shop()
    receiver = Receiver()
    use_backend("redis", f"bench-{uuid.uuid4().hex[:6]}.webhooks")
    with report.phase("delivery throughput"):
        delivery_throughput(report, shop, receiver, args.deliveries)
    with (
        running_servers("webhooks", report) as servers,
        report.phase("commit-to-delivered lag"),
    ):
        servers.worker()
        time.sleep(4)  # the worker connects and starts consuming
        commit_to_delivered(report, shop, receiver, args.orders, args.rate)
    receiver.server.shutdown()
    write_report(report, time.perf_counter() - run_started)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
