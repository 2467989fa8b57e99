"""Checkout benchmark: concurrent buyers place orders over HTTP against gunicorn, the real
PostgreSQL and a Celery worker draining the search outbox, as in production. Each figure is
measured against a baseline from the same run:

1. baseline: the bare `GET /api/bag/` rate and latency at the same concurrency;
2. distinct products: each buyer fills its bag with its own two products and places the
   order: orders/s and p50/p95 of `POST /api/orders/`;
3. one hot product: every buyer buys one unit of the same product until it sells out:
   orders/s, p50/p95, refusals (409), and oversold units (must be 0).

It writes its section of docs/PERFORMANCE.md and prints the table. Not a test.

    .venv/bin/python -m bench.checkout [--buyers 16] [--seconds 20]
"""

import argparse
import os
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

import requests

from bench.harness import (
    Report,
    arguments,
    configure,
    ms,
    new_user,
    parse_and_set_up,
    percentile,
    products_for_sale,
    publish,
    running_servers,
    signed_in,
    times,
)

configure(index_prefix="bench")


@dataclass
class Buyer:
    user: Any
    session: requests.Session
    products: list[str] = field(default_factory=list)


@dataclass
class Tally:
    """What the buyers saw in one phase: latencies of the timed call and answers by status."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, response: requests.Response, seconds: float) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code in (200, 201):
                self.latencies.append(seconds)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def timed_call(call: Callable[[], requests.Response]) -> tuple[requests.Response, float]:
    started = time.perf_counter()
    response = call()
    response.content  # noqa: B018 - read the whole body
    return response, time.perf_counter() - started


def run_buyers(
    buyers: list[Buyer], loop: Callable[[Buyer, Callable[[], bool]], None], seconds: float
) -> float:
    """Each buyer runs `loop` in its own thread until `seconds` pass; returns the wall time."""
    stop_at = time.monotonic() + seconds
    started = time.perf_counter()
    with ThreadPoolExecutor(len(buyers)) as pool:
        list(pool.map(lambda b: loop(b, lambda: time.monotonic() < stop_at), buyers))
    return time.perf_counter() - started


def summary(tally: Tally, elapsed: float, what: str) -> str:
    ok = len(tally.latencies)
    return (
        f"{ok / elapsed:,.1f} {what}/s, p50 {ms(percentile(tally.latencies, 50))}, "
        f"p95 {ms(percentile(tally.latencies, 95))} (n={ok}, {tally.errors} errors)"
    )


# --- set-up ---------------------------------------------------------------------------------


def make_people(n_buyers: int, hot_stock: int) -> tuple[list[Buyer], str]:
    """A seller with two products per buyer (plenty of stock) and one hot product; buyers
    with bearer tokens. Fresh names each run, so runs never share state."""
    from catalog.services import create_product

    run = uuid.uuid4().hex[:6]
    seller = new_user(f"bench-seller-{run}")
    buyers = []
    for n in range(n_buyers):
        user = new_user(f"bench-buyer-{run}-{n:02d}")
        products = products_for_sale(
            seller, f"Bench item {run} {n}-", 2, "For the checkout benchmark.", "12.50", 1_000_000
        )
        buyers.append(Buyer(user, signed_in(user), products))
    hot = create_product(
        owner=seller,
        name=f"Bench hot item {run}",
        description="Everybody wants it.",
        price=Decimal("99.00"),
        stock=hot_stock,
        publish=True,
    )
    return buyers, str(hot.pk)


# --- phases ---------------------------------------------------------------------------------


def bag_baseline(report: Report, api: str, buyers: list[Buyer], seconds: float) -> float:
    tally = Tally()

    def loop(buyer: Buyer, going: Callable[[], bool]) -> None:
        while going():
            tally.record(*timed_call(lambda: buyer.session.get(f"{api}/api/bag/", timeout=30)))

    elapsed = run_buyers(buyers, loop, seconds)
    rate = len(tally.latencies) / elapsed
    report.add(
        f"baseline: `GET /api/bag/`, {len(buyers)} concurrent buyers",
        summary(tally, elapsed, "req"),
        baseline="the baseline",
    )
    report.rows[-1].ratio = "1.00x"
    return rate


def checkouts(
    report: Report,
    api: str,
    buyers: list[Buyer],
    seconds: float,
    baseline_rate: float,
    *,
    hot: str | None = None,
    hot_stock: int = 0,
) -> None:
    """Each buyer repeatedly fills its bag and places the order; only the POST is timed."""
    orders, adds = Tally(), Tally()
    sold_out = threading.Event()

    def loop(buyer: Buyer, going: Callable[[], bool]) -> None:
        products = [hot] if hot else buyer.products
        while going() and not sold_out.is_set():
            for product in products:
                added, seconds_ = timed_call(
                    partial(
                        buyer.session.post,
                        f"{api}/api/bag/items/",
                        json={"product_id": product, "quantity": 1},
                        timeout=30,
                    )
                )
                adds.record(added, seconds_)
                if hot and added.status_code == 400:  # out of stock: nothing left to race for
                    sold_out.set()
                    return
            placed, seconds_ = timed_call(
                partial(buyer.session.post, f"{api}/api/orders/", timeout=30)
            )
            orders.record(placed, seconds_)

    elapsed = run_buyers(buyers, loop, seconds)
    rate = len(orders.latencies) / elapsed
    name = "one hot product" if hot else "distinct products (2 lines an order)"
    report.add(
        f"`POST /api/orders/`, {name}, {len(buyers)} concurrent buyers",
        summary(orders, elapsed, "orders")
        + (f"; {orders.statuses[409]} refused 409 (sold out)" if hot else ""),
        baseline=f"bag GET {baseline_rate:,.1f} req/s",
        ratio=times(rate / baseline_rate),
    )
    report.notes.append(
        f"{name}: `POST /api/bag/items/` {summary(adds, elapsed, 'adds')}; answers of "
        f"`POST /api/orders/` by status: {dict(sorted(orders.statuses.items()))}."
    )
    if hot:
        oversold(report, hot, hot_stock)


def oversold(report: Report, hot: str, initial: int) -> None:
    from django.db.models import Sum

    from catalog.models import Product
    from commerce.models import OrderLine

    stock = Product.objects.get(pk=hot).stock
    sold = OrderLine.objects.filter(product_id=hot).aggregate(units=Sum("quantity"))["units"] or 0
    over = max(0, sold - initial)
    report.add(
        "oversold units of the hot product",
        f"{over} (stock {initial} → {stock}, {sold} units in orders)",
        baseline=f"stock {initial}",
        target="0, and stock + sold = initial",
        status="PASS" if over == 0 and stock + sold == initial and stock >= 0 else "MISS",
    )


# --- report ---------------------------------------------------------------------------------


def write_report(report: Report, args: argparse.Namespace) -> None:
    publish(
        "checkout",
        report,
        title="Checkout: `bench/checkout.py` (`make bench-checkout`)",
        machine_note=". API = gunicorn as `make run` serves it (`config/gunicorn.py`, 2 "
        "workers) + a Celery worker `--concurrency 2` draining the search outbox.",
        command_note=" (with `DATABASE_URL`, `REDIS_URL`, "
        f"`ELASTICSEARCH_INDEX_PREFIX={os.environ['ELASTICSEARCH_INDEX_PREFIX']}`); "
        f"{args.seconds:.0f} s a phase, {args.buyers} buyers, each a thread with its own "
        "keep-alive session.",
        how="How: each buyer loops: `POST /api/bag/items/` for each product, then "
        "`POST /api/orders/` (timed, wall clock with `time.perf_counter`, body read). "
        "Orders/s counts 201s over the phase's wall time, bag adds included, so it is the rate "
        "a buyer really checks out at; the ratio compares it with the bare bag read rate at "
        "the same concurrency. Each order locks its products in id order, takes stock with "
        "one UPDATE, writes the order and its lines, bumps product versions and records the "
        "search outbox rows, all in one transaction. In the hot phase every order contends "
        f"for the same product row until its {args.hot_stock} units are gone.",
    )


def main() -> int:
    options = arguments(
        __doc__,
        buyers=(16, "concurrent buyers"),
        seconds=(20.0, "length of each phase"),
        hot_stock=(200, "units of the hot product (sells out mid-phase)"),
    )
    args = parse_and_set_up(options)
    report = Report()
    with running_servers("checkout", report) as servers:
        with report.phase("start API and worker"):
            api = servers.api()
            servers.worker()
            servers.wait()
        with report.phase("set up buyers and products"):
            buyers, hot = make_people(args.buyers, args.hot_stock)
        baseline_rate = float("nan")
        with report.phase("baseline: GET /api/bag/"):
            baseline_rate = bag_baseline(report, api, buyers, args.seconds)
        with report.phase("checkouts of distinct products"):
            checkouts(report, api, buyers, args.seconds, baseline_rate)
        with report.phase("checkouts of one hot product"):
            checkouts(
                report,
                api,
                buyers,
                args.seconds,
                baseline_rate,
                hot=hot,
                hot_stock=args.hot_stock,
            )

    write_report(report, args)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
