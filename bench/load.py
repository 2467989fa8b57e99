"""Load test (`make load`): the current code against the frozen baseline (bench/frozen.py,
tag `baseline-21` served from its own worktree) in the same run. Each side, with its own
database, Redis db, index prefix and catalog (N products from its own `seed_catalog`, kept
between runs), gets the same locust mix (bench/locustfile.py) at 32 shoppers for the same
time, against its gunicorn and Celery worker:

1. steady, side by side: throughput, p50/p95/p99, errors, the search share's p95, with the
   ratios and targets, and the CPU per request by component;
2. the current side only: the same with its Celery worker stopped for the middle third; the
   writes and orders must still succeed, and the index and the event stream must catch up.

It writes its section of docs/PERFORMANCE.md and prints the table. Not a test.

    .venv/bin/python -m bench.load [--products 100000] [--users 32] [--seconds 120]
"""

import json
import os
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from bench.frozen import (
    Comparison,
    Side,
    list_product,
    ratio,
    serving,
    sides,
    sign_up,
    sign_up_many,
)
from bench.frozen_cpu import CpuTable
from bench.harness import (
    Report,
    Servers,
    arguments,
    configure,
    parse_and_set_up,
    publish,
    times,
    verdict,
)
from bench.load_locust import (
    ENDPOINTS,
    WRITES,
    Run,
    locust,
    locust_version,
    merged_percentile,
    run_table,
    shares,
)
from bench.stores import pending_by_topic, placed_events, products_in_index

configure(index_prefix="bench")

# The worker keeps up if the outbox left at the end of the steady run drains within this;
# how long to wait for it at most.
KEPT_UP_SECONDS = 5.0
DRAIN_WAIT_SECONDS = 300.0


# --- the catalog and the shoppers, per side -----------------------------------------------


def sql(side: Side, query: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(side.database_url, autocommit=True) as connection:
        return list(connection.execute(query, params).fetchall())


def indexed(side: Side) -> int:
    url = os.environ.get("ELASTICSEARCH_URL", "http://127.0.0.1:59200")
    answer = requests.get(f"{url}/{side.index_prefix}-products/_count", timeout=30)
    return int(answer.json().get("count", 0)) if answer.status_code == 200 else 0


def ensure_catalog(report: Report, side: Side, n_products: int) -> None:
    """Tops the side's catalog up to N products with its own `seed_catalog` and runs its
    `search_reindex` when the index does not hold what is for sale (seeded rows bypass the
    search sync); the catalog persists between runs."""
    existing = sql(side, "SELECT count(*) FROM catalog_product")[0][0]
    if existing < n_products:
        started = time.perf_counter()
        side.manage(
            "seed_catalog",
            f"--products={n_products - existing}",
            "--users=50",
            "--seed=42",
            "--no-progress",
        )
        report.notes.append(
            f"{side.name}: seeded {n_products - existing:,} products in "
            f"{time.perf_counter() - started:.0f} s"
        )
    for_sale = sql(
        side,
        "SELECT count(*) FROM catalog_product p JOIN accounts_user u ON u.id = p.owner_id "
        "WHERE p.state = 'active' AND p.deleted IS NULL AND u.deleted IS NULL",
    )[0][0]
    held = indexed(side)
    if abs(held - for_sale) > for_sale * 0.01:
        started = time.perf_counter()
        side.manage("search_reindex")
        report.notes.append(
            f"{side.name}: reindexed {for_sale:,} products in "
            f"{time.perf_counter() - started:.0f} s (the index held {held:,})"
        )


def words_to_search(side: Side) -> dict[str, list[str]]:
    """Queries, autocomplete prefixes and names made of the words of the catalog's product
    names (the same for both sides: read once, from the current side)."""
    rng = random.Random(42)
    names = [n for (n,) in sql(side, "SELECT name FROM catalog_product ORDER BY name LIMIT 3000")]
    words = sorted({w.lower() for n in names for w in n.split() if w.isalpha() and len(w) > 2})
    queries = [" ".join(rng.sample(words, 2)) for _ in range(300)]
    # Some typos and some last words still being typed, as shoppers write.
    queries += [q[:-1] for q in queries[:40]] + [q[: len(q) - 3] for q in queries[40:80]]
    return {
        "queries": queries,
        "prefixes": [w[: rng.randint(1, 5)] for w in words],
        "names": rng.sample(names, min(100, len(names))),
    }


def write_load_data(side: Side, path: Path, n_users: int, words: dict[str, list[str]]) -> None:
    """Shoppers (each with a token and two products of their own to edit), products to read
    and to buy, the words to search: set up over the side's HTTP API, in a JSON file."""
    run = datetime.now(UTC).strftime("%H%M%S")
    seller = sign_up(side.api, f"load-seller-{run}")
    buyable = [
        list_product(
            side.api,
            seller,
            f"Load test supply {run} {k}",
            price="9.90",
            stock=10_000_000,
            description="Plenty in stock for the load test.",
        )
        for k in range(100)
    ]
    shoppers = sign_up_many(side.api, [f"load-shopper-{run}-{n:02d}" for n in range(n_users)])
    accounts = [
        {
            "token": shopper.token,
            "own_products": [
                list_product(
                    side.api,
                    shopper,
                    f"Load test listing {run} {n}-{k}",
                    price="20.00",
                    stock=10,
                    description="Edited during the load test.",
                )
                for k in range(2)
            ],
        }
        for n, shopper in enumerate(shoppers)
    ]
    read_products = sql(
        side,
        "SELECT id FROM catalog_product WHERE state = 'active' AND deleted IS NULL "
        "ORDER BY md5(id::text) LIMIT 5000",
    )
    tags = sql(side, "SELECT slug FROM catalog_tag WHERE deleted IS NULL ORDER BY slug LIMIT 100")
    data = {
        "accounts": accounts,
        "buyable_products": buyable,
        "read_products": [str(pk) for (pk,) in read_products],
        "tags": [slug for (slug,) in tags],
        **words,
    }
    path.write_text(json.dumps(data))


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


def comparison_rows(report: Comparison, runs: dict[str, Run]) -> None:
    """Throughput, latency, errors and the search share's p95, baseline beside current."""
    b, c = runs.get("baseline"), runs.get("current")
    if not (b and c and b.total and c.total):
        return
    bt, ct = b.total, c.total
    r = ratio(ct.rps, bt.rps)
    report.add(
        "throughput",
        f"{ct.rps:,.1f} req/s",
        baseline=f"{bt.rps:,.1f} req/s",
        ratio=times(r),
        target="≥ 2x",
        status=verdict(r >= 2),
    )
    report.add(
        "p50 / p95 / p99",
        f"{ct.p50:,.0f} / {ct.p95:,.0f} / {ct.p99:,.0f} ms",
        baseline=f"{bt.p50:,.0f} / {bt.p95:,.0f} / {bt.p99:,.0f} ms",
        ratio=times(ratio(ct.p95, bt.p95)) + " (p95)",
        target="p95 ≤ 300 ms",
        status=verdict(ct.p95 <= 300),
    )
    report.add(
        "errors (answers but 2xx)",
        f"{ct.failures:,} of {ct.requests:,}",
        baseline=f"{bt.failures:,} of {bt.requests:,}",
        target="0",
        status=verdict(not ct.failures),
    )
    searches = [name for name, share in ENDPOINTS if share == "search"]
    sb, sc = merged_percentile(b, searches, 0.95), merged_percentile(c, searches, 0.95)
    report.add(
        "search share's p95 (4 search endpoints merged)",
        f"{sc:,.0f} ms",
        baseline=f"{sb:,.0f} ms",
        ratio=times(ratio(sc, sb)),
        target="≤ 60 ms",
        status=verdict(sc <= 60),
    )


def main() -> int:
    options = arguments(
        __doc__,
        products=(100_000, "catalog size (each side's own)"),
        users=(32, "concurrent locust users"),
        seconds=(120, "length of each run"),
        baseline_database=("store_bench_base", "the frozen side's database"),
        baseline_redis_db=(7, "the frozen side's Redis db"),
        baseline_prefix=("benchbase", "the frozen side's index prefix"),
        skip_outage=(False, "skip the current side's run with the worker stopped"),
    )
    args = parse_and_set_up(options)
    from django.utils import timezone

    report = Comparison()
    cpu = CpuTable()
    runs: dict[str, Run] = {}
    stopped: Run | None = None
    outage = Outage()
    arrival = ("not checked", False)
    drained: dict[str, tuple[int, float | None]] = {}
    scratch = tempfile.TemporaryDirectory(prefix="bench-load-")
    out = Path(scratch.name)
    all_sides = sides(args.baseline_database, args.baseline_redis_db, args.baseline_prefix)
    for side in all_sides:
        with report.phase(f"{side.name}: migrate, catalog"):
            side.prepare()
            ensure_catalog(report, side, args.products)
    words = words_to_search(all_sides[1])
    with serving(all_sides, report):
        for side in all_sides:
            with report.phase(f"{side.name}: shoppers over HTTP"):
                write_load_data(side, out / f"{side.name}.json", args.users, words)
        for side in all_sides:
            with report.phase(f"{side.name}: steady, {args.users} users, {args.seconds} s"):
                count = [0]
                with cpu.measure("steady mix", side, count):
                    run = locust(
                        side.api,
                        out / f"{side.name}.json",
                        out,
                        args.users,
                        args.seconds,
                        side.name,
                    )
                    if run.total:
                        count[0] = run.total.requests - run.total.failures
                runs[side.name] = run
                drained[side.name] = wait_drained(side)
        current = all_sides[1]
        if not args.skip_outage:
            with report.phase("current: worker stopped for the middle third"):
                assert current.servers is not None
                since = timezone.now()
                stopped, outage = outage_run(
                    current.servers,
                    current.api,
                    out / "current.json",
                    out,
                    args.users,
                    args.seconds,
                )
            with report.phase("did everything arrive?"):
                arrival = everything_arrived(since)
    comparison_rows(report, runs)
    write_report(report, args, all_sides, runs, drained, cpu, (stopped, outage, arrival))
    return report.finish()


def wait_drained(side: Side) -> tuple[int, float | None]:
    """The side's outbox rows pending when its run ended, and how long they took to drain
    (None: still pending after DRAIN_WAIT_SECONDS), read from its database."""
    query = "SELECT count(*) FROM api_outboxentry WHERE processed IS NULL"
    ended = time.perf_counter()
    backlog = sql(side, query)[0][0]
    while sql(side, query)[0][0] and time.perf_counter() - ended < DRAIN_WAIT_SECONDS:
        time.sleep(0.25)
    left = sql(side, query)[0][0]
    return backlog, None if left else time.perf_counter() - ended


def outage_lines(
    steady: Run | None, stopped: Run, outage: Outage, arrival: tuple[str, bool], seconds: int
) -> list[str]:
    lines = [
        "### Current side: the Celery worker stopped for the middle third",
        "",
        *run_table(stopped),
        "",
    ]
    if outage.caught_up_seconds is None or not (outage.stopped_at and outage.restarted_at):
        return [*lines, "The outage did not complete (see the failed phases).", ""]
    stopped_for = (outage.restarted_at - outage.stopped_at).total_seconds()
    backlog = ", ".join(f"{k} {v:,}" for k, v in sorted(outage.backlog_at_restart.items()))
    write_errors = sum(stopped.stats[n].failures for n in WRITES if n in stopped.stats)
    if steady and steady.total and stopped.total:
        lines.append(
            f"- Against the current side's steady run: throughput "
            f"{stopped.total.rps / steady.total.rps:.2f}x, p95 "
            f"{stopped.total.p95 / steady.total.p95:.2f}x, p99 "
            f"{stopped.total.p99 / steady.total.p99:.2f}x."
        )
    caught_up = outage.caught_up_seconds
    return [
        *lines,
        f"- Worker stopped (SIGTERM, warm shutdown) for {stopped_for:.0f} s; meanwhile "
        f"{outage.orders_during:,} orders were placed and {outage.product_writes_during:,} "
        f"distinct products changed, with {write_errors} failed writes in the whole run.",
        f"- Backlog when it came back: {backlog or 'none'} pending outbox rows.",
        f"- Caught up **{caught_up:.1f} s** after the restart (no row recorded before the "
        "restart still pending), "
        + ("while the load went on." if caught_up <= seconds / 3 else "after the load had ended."),
        f"- After the run: {arrival[0]}: "
        f"{'**all arrived**' if arrival[1] else '**something is missing**'}.",
        "",
    ]


def cpu_ceiling(per_request: dict[str, float], baseline_rps: float, current_rps: float) -> str:
    """Why the throughput is where it is: with no think time the shoppers keep the machine
    busy, so its cores over the CPU one request costs (every component, this run's figures,
    locust's own not counted) bound the rate; and with 32 shoppers always waiting, latency is
    their number over the rate (Little's law)."""
    exclusive = [k for k in per_request if "this side" not in k]
    per_req = sum(per_request[k] for k in exclusive)
    cores = os.cpu_count() or 1
    cap = cores * 1000 / per_req
    needed = cores * 1000 / (2 * baseline_rps)
    return (
        f"Throughput is bounded by CPU: a request of the mix cost {per_req:.1f} ms of CPU "
        f"(web, worker, PostgreSQL, Elasticsearch, Redis), so {cores} cores serve at most "
        f"{cap:.0f} req/s before locust takes its share; this run served {current_rps:.1f}. "
        f"2x the baseline's {baseline_rps:.1f} req/s needs at most {needed:.1f} ms per "
        f"request, {per_req / needed:.1f}x less than now. With every shopper always waiting "
        "for an answer, the mean latency is the shoppers over the rate (Little's law), so the "
        "p95 target falls with the throughput target."
    )


def write_report(
    report: Comparison,
    args: Any,
    all_sides: list[Side],
    runs: dict[str, Run],
    drained: dict[str, tuple[int, float | None]],
    cpu: CpuTable,
    outage_run_: tuple[Run | None, Outage, tuple[str, bool]],
) -> None:
    stopped, outage, arrival = outage_run_
    per_side: list[str] = []
    for side in all_sides:
        run = runs.get(side.name)
        if run is None:
            continue
        backlog, after = drained.get(side.name, (0, None))
        per_side += [
            f"### {side.name.capitalize()} side, steady ({shares(run)} of requests)",
            "",
            *run_table(run),
            "",
            steady_drain(backlog, after),
            "",
        ]
        if run.failures:
            per_side += ["Failures:", "", *[f"- {f}" for f in run.failures], ""]
    if stopped is not None:
        per_side += outage_lines(runs.get("current"), stopped, outage, arrival, args.seconds)
    elif args.skip_outage:
        per_side += ["The run with the worker stopped was skipped (`--skip-outage`).", ""]
    steady_cpu = cpu.rows.get(("steady mix", "current"), {})
    base_cpu = cpu.rows.get(("steady mix", "baseline"), {})
    cpu_note = ""
    if steady_cpu and base_cpu:
        top = max(steady_cpu, key=lambda k: steady_cpu[k] if "this side" not in k else -1)
        cpu_note = (
            f"The largest share of a request's CPU on the current side is {top} "
            f"({steady_cpu[top]:.1f} ms, {base_cpu.get(top, float('nan')):.1f} ms on the "
            "baseline)."
        )
        base_run, current_run = runs.get("baseline"), runs.get("current")
        if base_run and current_run and base_run.total and current_run.total:
            report.whys.append(cpu_ceiling(steady_cpu, base_run.total.rps, current_run.total.rps))
    publish(
        "load",
        report,
        title="Load: `bench/load.py` (`make load`)",
        intro=(
            f"Current code against the frozen baseline, commit `{all_sides[0].commit}` (tag "
            "`baseline-21`, served from its own git worktree by the same venv), the same "
            f"locust mix on each side's own catalog, in the same run. {report.met()}",
            "",
        ),
        machine_note=". Each side: gunicorn as `make run` serves it (`config/gunicorn.py`: 2 "
        "processes of 4 threads) + one Celery worker `--concurrency 2`, started in its own "
        "checkout; locust (one process, FastHttpUser) on the same 2 cores, which other jobs "
        "may share too: figures are noisy.",
        facts=tuple(f"- {side.describe()}." for side in all_sides),
        command_note=f"; locust {locust_version()} headless, {args.users} users, no think "
        f"time, {args.seconds} s a run, baseline then current.",
        how="How: each side's catalog is topped up by its own `manage.py seed_catalog` "
        "(`--seed 42`) and `search_reindex`; its shoppers, their tokens and products are set "
        "up over its HTTP API; the search words come from the product names. Workload "
        "(bench/locustfile.py, weights per request): search and autocomplete 70 % (full-text "
        "search 40, tag listing 10, product and tag autocomplete 10 each), product and bag "
        "reads 20 %, writes and checkouts 10 % (a checkout is two requests). An error is any "
        "answer but 2xx. Latencies are locust's (wall time, body read); the search share's "
        "p95 merges the four search endpoints' percentile columns weighted by their counts.",
        after=(
            *per_side,
            "### Where the CPU goes (ms of CPU per 2xx request of the steady mix)",
            "",
            *cpu.lines("req"),
            "",
            "Read from /proc/<pid>/stat before and after each steady run, over each "
            "component's process tree; PostgreSQL (whole server), Elasticsearch and Redis are "
            "shared with anything else on the machine. " + cpu_note,
            "",
        ),
    )


if __name__ == "__main__":
    sys.exit(main())
