"""Load test (`make load`): locust in headless mode drives a mixed workload on the bench
catalog (100,000 products) at 32 concurrent shoppers for a fixed time, against gunicorn and a
Celery worker started as in production, twice:

1. steady: throughput, p50/p95/p99 per endpoint, errors;
2. the same with the Celery worker stopped for the middle third: the writes and orders must
   still succeed, and afterwards the index and the event stream must catch up; how long that
   takes from the worker's restart, and whether every change arrived, is measured.

The shoppers are bench/locustfile.py. It writes its section of docs/PERFORMANCE.md and prints
the table. Not a test.

    .venv/bin/python -m bench.load [--products 100000] [--users 32] [--seconds 120]
"""

import json
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.harness import (
    Report,
    Servers,
    access_token,
    arguments,
    command_line,
    configure,
    environment,
    machine,
    new_user,
    parse_and_set_up,
    products_for_sale,
    running_servers,
    stamp,
    write_section,
)
from bench.load_locust import WRITES, Run, locust, locust_version, run_table, shares
from bench.stores import pending_by_topic, placed_events, products_in_index

configure(index_prefix="bench")

# The worker keeps up if the outbox left at the end of the steady run drains within this;
# how long to wait for it at most.
KEPT_UP_SECONDS = 5.0
DRAIN_WAIT_SECONDS = 300.0


# --- the catalog and the shoppers -----------------------------------------------------------


def ensure_catalog(report: Report, n_products: int) -> None:
    """Tops the bench catalog up to N products (seed_catalog) and reindexes when the index
    does not hold what it should (seeded rows bypass the search sync)."""
    from django.core.management import call_command

    from catalog.models import Product
    from search.client import get_client, prefixed
    from search.indexing import indexable_products

    existing = Product.objects.count()
    if existing < n_products:
        started = time.perf_counter()
        call_command("seed_catalog", products=n_products - existing, users=50, seed=42)
        report.notes.append(
            f"seeded {n_products - existing:,} products in {time.perf_counter() - started:.0f} s"
        )
    expected = indexable_products().count()
    try:
        indexed = get_client().count(index=prefixed("products"))["count"]
    except Exception:
        indexed = 0
    if abs(indexed - expected) > expected * 0.01:
        started = time.perf_counter()
        call_command("search_reindex")
        report.notes.append(
            f"reindexed {expected:,} products in {time.perf_counter() - started:.0f} s "
            f"(the index held {indexed:,})"
        )


def write_load_data(path: Path, n_users: int) -> dict[str, Any]:
    """Shoppers (each with a token and two products of their own to edit), products to read
    and to buy, and the words to search: what the locustfile needs, in a JSON file."""
    from catalog.models import Product, ProductState, Tag
    from catalog.seed_vocabulary import ADJECTIVES, CATEGORIES, MATERIALS

    run = datetime.now(UTC).strftime("%H%M%S")
    rng = random.Random(42)
    seller = new_user(f"load-seller-{run}")
    buyable = products_for_sale(
        seller,
        f"Load test supply {run} ",
        100,
        "Plenty in stock: shoppers check out during the load test.",
        "9.90",
        stock=10_000_000,
    )
    accounts = []
    for n in range(n_users):
        user = new_user(f"load-shopper-{run}-{n:02d}")
        own = products_for_sale(
            user, f"Load test listing {run} {n}-", 2, "Edited during the load test.", "20.00", 10
        )
        accounts.append({"token": access_token(user), "own_products": own})
    active = Product.objects.filter(state=ProductState.ACTIVE).values_list("id", flat=True)
    read_products = [str(pk) for pk in active.order_by("?")[:5000]]
    nouns = [noun for _, names in CATEGORIES.values() for noun in names]
    queries = [
        " ".join(rng.sample([rng.choice(ADJECTIVES), rng.choice(MATERIALS), rng.choice(nouns)], 2))
        for _ in range(300)
    ]
    # Some typos and some last words still being typed, as shoppers write.
    queries += [q[:-1] for q in queries[:40]] + [q[: len(q) - 3] for q in queries[40:80]]
    words = [w.lower() for w in ADJECTIVES + MATERIALS + nouns]
    prefixes = [w[: rng.randint(1, 5)] for w in words]
    tags = list(Tag.objects.order_by("?").values_list("slug", flat=True)[:100])
    data = {
        "accounts": accounts,
        "buyable_products": buyable,
        "read_products": read_products,
        "queries": queries,
        "prefixes": prefixes,
        "tags": tags,
        "names": [f"{a} {m} {n}" for a, m, n in zip(ADJECTIVES, MATERIALS, nouns, strict=False)],
    }
    path.write_text(json.dumps(data))
    return data


# --- the worker outage ----------------------------------------------------------------------


@dataclass
class Outage:
    stopped_at: datetime | None = None
    restarted_at: datetime | None = None
    backlog_at_restart: dict[str, int] = field(default_factory=dict)
    caught_up_seconds: float | None = None
    orders_during: int = 0
    product_writes_during: int = 0


def outage_run(
    servers: Servers, api: str, data: Path, out: Path, users: int, seconds: int
) -> tuple[Run, Outage]:
    from django.db import connection
    from django.utils import timezone

    from catalog.models import Product
    from commerce.models import Order

    outage = Outage()
    third = seconds / 3

    def the_outage() -> None:
        try:
            time.sleep(third)
            servers.stop_one("worker")  # SIGTERM: a warm shutdown, tasks under way finish
            outage.stopped_at = timezone.now()
            time.sleep(third)
            outage.backlog_at_restart = pending_by_topic()
            outage.restarted_at = timezone.now()
            servers.worker(name="worker-restarted")
            # Caught up: no row recorded before the restart is still pending.
            while pending_by_topic(before=outage.restarted_at):
                time.sleep(0.25)
            outage.caught_up_seconds = (timezone.now() - outage.restarted_at).total_seconds()
        finally:
            connection.close()

    thread = threading.Thread(target=the_outage)
    thread.start()
    run = locust(api, data, out, users, seconds, "worker-stopped")
    thread.join(timeout=600)
    if outage.stopped_at and outage.restarted_at:
        window = {"created__gte": outage.stopped_at, "created__lt": outage.restarted_at}
        outage.orders_during = Order.objects.filter(**window).count()
        outage.product_writes_during = Product.objects.filter(
            updated__gte=outage.stopped_at, updated__lt=outage.restarted_at
        ).count()
    return run, outage


def everything_arrived(since: datetime) -> tuple[str, bool]:
    """Every order placed since `since` has its `placed` event on the stream, and every
    product changed since then is in the index at its database version (or absent when not
    for sale)."""
    from catalog.models import Product
    from commerce.models import Order

    orders = {
        str(pk) for pk in Order.objects.filter(created__gte=since).values_list("id", flat=True)
    }
    missing_events = orders - placed_events(since, orders)
    rows = Product.all_objects.filter(updated__gte=since).values_list("id", "version")
    changed = {str(pk): version for pk, version in rows}
    stale = len(changed) - products_in_index(changed)
    ok = not missing_events and not stale
    summary = (
        f"{len(orders) - len(missing_events):,} of {len(orders):,} orders' `placed` events on "
        f"the stream; {len(changed) - stale:,} of {len(changed):,} changed products in the "
        "index at their database version"
    )
    return summary, ok


# --- the report -----------------------------------------------------------------------------


def steady_drain(backlog: int, drained_after: float | None) -> str:
    """What the outbox at the end of the steady run says about the worker: it kept up only
    if what was left drained within KEPT_UP_SECONDS."""
    if drained_after is None:
        return (
            f"Outbox still not empty {DRAIN_WAIT_SECONDS:.0f} s after the run ended ({backlog:,} "
            "rows pending at its end): the worker did not keep up under load."
        )
    kept_up = drained_after <= KEPT_UP_SECONDS
    return (
        f"Outbox empty {drained_after:.1f} s after the run ended ({backlog:,} rows pending at "
        + (
            "its end): the worker kept up under load."
            if kept_up
            else f"its end): the worker fell behind under load (more than {KEPT_UP_SECONDS:g} s "
            "of backlog)."
        )
    )


def main() -> int:
    options = arguments(
        __doc__,
        products=(100_000, "catalog size"),
        users=(32, "concurrent locust users"),
        seconds=(120, "length of each run"),
    )
    args = parse_and_set_up(options)
    from django.utils import timezone

    run_started = time.perf_counter()
    report = Report()
    steady: Run | None = None
    stopped: Run | None = None
    outage = Outage()
    arrival = ("not checked", False)
    drained_after_steady: float | None = None  # None: still pending after the wait
    backlog_after_steady = 0
    scratch = tempfile.TemporaryDirectory(prefix="bench-load-")
    out = Path(scratch.name)
    with report.phase("catalog"):
        ensure_catalog(report, args.products)
    with report.phase("shoppers"):
        write_load_data(out / "load.json", args.users)
    with running_servers("load", report) as servers:
        with report.phase("start API and worker"):
            api = servers.api()
            servers.worker()
            servers.wait()
        with report.phase(f"steady: {args.users} users, {args.seconds} s"):
            steady = locust(api, out / "load.json", out, args.users, args.seconds, "steady")
            ended = time.perf_counter()
            backlog_after_steady = sum(pending_by_topic().values())
            while pending_by_topic() and time.perf_counter() - ended < DRAIN_WAIT_SECONDS:
                time.sleep(0.25)
            if not pending_by_topic():
                drained_after_steady = time.perf_counter() - ended
        with report.phase("worker stopped for the middle third"):
            since = timezone.now()
            stopped, outage = outage_run(
                servers, api, out / "load.json", out, args.users, args.seconds
            )
        with report.phase("did everything arrive?"):
            arrival = everything_arrived(since)

    lines = [
        "## Load: `bench/load.py` (`make load`)",
        "",
        f"- Date: {stamp(time.perf_counter() - run_started)}.",
        f"- Machine: {machine()}. API = gunicorn as `make run` serves it (`config/gunicorn.py`: "
        "2 processes of 4 threads) + one Celery worker `--concurrency 2`; locust (one process, "
        "FastHttpUser) on the same 2 cores, "
        "which other people's jobs share too: figures are noisy.",
        f"- Command: `{command_line()}` (with "
        f"{environment()}); "
        f"locust {locust_version()} headless, {args.users} users, no think time (each user "
        f"always has one request in flight), {args.seconds} s a run.",
        "- Workload (bench/locustfile.py, weights per request): search and autocomplete 70 % "
        "(full-text search 40, tag listing 10, product and tag autocomplete 10 each), product "
        "and bag reads 20 % (a product by id 12, the bag 8), writes and checkouts 10 % (add "
        "to bag 4, add + place an order 3, edit one's product 2, list a product 1; a checkout "
        "is two requests, so writes are ~12 % of requests); every shopper signed in with a "
        "bearer token. An error is any answer but 2xx.",
        "",
    ]
    if steady:
        lines += [
            f"### Steady ({shares(steady)} of requests)",
            "",
            *run_table(steady),
            "",
        ]
        lines += [steady_drain(backlog_after_steady, drained_after_steady), ""]
    if stopped:
        lines += [
            "### The Celery worker stopped for the middle third",
            "",
            *run_table(stopped),
            "",
        ]
        if outage.caught_up_seconds is not None and outage.stopped_at and outage.restarted_at:
            stopped_for = (outage.restarted_at - outage.stopped_at).total_seconds()
            backlog = ", ".join(f"{k} {v:,}" for k, v in sorted(outage.backlog_at_restart.items()))
            write_errors = sum(stopped.stats[n].failures for n in WRITES if n in stopped.stats)
            if steady and steady.total and stopped.total:
                lines.append(
                    f"- Against the steady run: throughput "
                    f"{stopped.total.rps / steady.total.rps:.2f}x, p95 "
                    f"{stopped.total.p95 / steady.total.p95:.2f}x, p99 "
                    f"{stopped.total.p99 / steady.total.p99:.2f}x (the stopped worker's CPU goes "
                    "to the web while it is away, and on a shared machine the two runs see "
                    "different background load)."
                )
            lines += [
                f"- Worker stopped (SIGTERM, warm shutdown) for {stopped_for:.0f} s; meanwhile "
                f"{outage.orders_during:,} orders were placed and {outage.product_writes_during:,}"
                f" distinct products changed, with {write_errors} failed writes in the whole run.",
                f"- Backlog when it came back: {backlog or 'none'} pending outbox rows.",
                f"- Caught up **{outage.caught_up_seconds:.1f} s** after the restart (no row "
                "recorded before the restart still pending), "
                + (
                    "while the load went on."
                    if outage.caught_up_seconds <= args.seconds / 3
                    else f"after the load had ended ({args.seconds / 3:.0f} s after the restart)."
                ),
                f"- After the run: {arrival[0]}: "
                f"{'**all arrived**' if arrival[1] else '**something is missing**'}.",
                "",
            ]
    lines += [
        "How: latencies are locust's (wall time of each request, body read; locust rounds "
        "times over 100 ms to 2 significant digits). The outage is the real thing: the worker "
        "process group gets SIGTERM, and a new worker starts a third later; meanwhile every "
        "write still commits with its outbox rows and its wake-up task waits in Redis. "
        '"Arrived" is checked in the stores themselves: the `placed` event of every order of '
        "the second run read back from the Redis stream, and every product changed in it "
        "fetched from the index and compared by version.",
        "",
        *report.closing(),
    ]
    if (steady and steady.failures) or (stopped and stopped.failures):
        lines += ["Failures:", ""]
        for run in (steady, stopped):
            if run:
                lines += [f"- {run.label}: {f}" for f in run.failures]
        lines.append("")
    write_section("load", lines)
    print("\n".join(lines))
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
