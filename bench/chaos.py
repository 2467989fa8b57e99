"""Chaos (`make chaos`): real faults against the real services while the API (gunicorn), a
Celery worker and beat run as in production. Each fault is reported as the writes made
during it and how many of them are visible after recovery (target: all):

1. Elasticsearch stopped during a burst of writes;
2. Redis (broker, cache, event stream) stopped while products are edited and orders placed;
3. a Celery worker killed (SIGKILL) in the middle of a drain;
4. a three-node Elasticsearch cluster on this machine, the project's indices with one
   replica, where the node holding the products' primary shard is killed while shoppers
   search: every search must answer 200 and complete (the API refuses partial results), and
   the cluster must go green again when the node returns.

The writers and the checks are bench/chaos_common.py, the cluster fault bench/chaos_cluster.py.
It writes its section of docs/RELIABILITY.md and prints it. Not a test.

    .venv/bin/python -m bench.chaos [--products 20000] [--only es,redis,worker,cluster]
"""

import argparse
import signal
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime

from bench.chaos_cluster import fault_cluster
from bench.chaos_common import (
    Attempt,
    FaultResult,
    Shopper,
    Store,
    Writers,
    attempts_summary,
    services,
    verify_writes,
    wait_until,
)
from bench.harness import (
    ROOT,
    Report,
    Servers,
    arguments,
    command_line,
    configure,
    environment,
    machine,
    parse_and_set_up,
    running_servers,
    stamp,
    write_section,
)
from bench.stores import pending_search_rows

configure(index_prefix="chaos")

RELIABILITY = ROOT / "docs" / "RELIABILITY.md"
RELIABILITY_HEADER = """# Reliability

How the store behaves when things break, measured against the real services. Each section
below is written by its own script.
"""


# --- the faults -----------------------------------------------------------------------------


def service_outage(
    store: Store,
    result: FaultResult,
    service: str,
    label: str,
    actions: list[Callable[[Shopper], Attempt]],
    down_for: float,
) -> FaultResult:
    """Stop `service` (services.sh stop-<service>) while writers do `actions`, start it again
    after `down_for` seconds, and check every write made meanwhile arrived."""
    from django.utils import timezone

    since = timezone.now()
    writers = Writers(actions, store.shoppers).start()
    try:
        time.sleep(5)
        down_at = time.monotonic()
        services(f"stop-{service}")
        stopped_at = time.monotonic()
        time.sleep(down_for)
        starting_at = time.monotonic()
        services(f"start-{service}")  # returns once it answers
        back_at = time.monotonic()
        time.sleep(5)
    finally:
        writers.stop()
    result.what += (
        f", started again {starting_at - stopped_at:.0f} s after it had stopped (answering "
        f"{back_at - stopped_at:.0f} s after)"
    )
    result.notes.append(f"{label} was down for {back_at - down_at:.0f} s")
    during = writers.between(down_at, back_at)
    result.writes_ok = sum(a.ok for a in during)
    result.writes_failed = sum(not a.ok for a in during)
    result.written = attempts_summary(during)
    verify_writes(result, during, since, back_at, timeout=120)
    return result


def fault_elasticsearch(store: Store) -> FaultResult:
    result = FaultResult(
        "Elasticsearch stopped during a burst of writes",
        "the node stopped (SIGTERM) while writes go on",
    )
    return service_outage(
        store, result, "elasticsearch", "Elasticsearch", [store.create, store.edit], 10
    )


def fault_redis(store: Store) -> FaultResult:
    result = FaultResult(
        "Redis stopped while products are edited and orders placed",
        "Redis (broker, cache, stream) stopped while edits and orders go on",
    )
    return service_outage(
        store, result, "redis", "Redis", [store.edit, store.order, store.order], 15
    )


def fault_worker(store: Store, servers: Servers) -> FaultResult:
    """A backlog of product changes (tag renames: one write changes every product carrying
    the tag), a worker that starts draining it and is killed by SIGKILL half-way."""
    from django.db.models import Count

    from catalog.models import ProductTag, Tag
    from catalog.services import rename_tag

    result = FaultResult(
        "A Celery worker killed in the middle of a drain",
        "tags renamed while no worker runs; a worker starts draining and gets SIGKILL "
        "(with its pool)",
    )
    servers.stop_one("worker")
    popular = ProductTag.objects.values("tag").annotate(n=Count("id")).order_by("-n")[:40]
    changed: set[str] = set()
    for row in popular:
        tag = Tag.objects.get(pk=row["tag"])
        rename_tag(tag=tag, name=f"{tag.name[:38]} {uuid.uuid4().hex[:6]}")
        changed |= {
            str(p) for p in ProductTag.objects.filter(tag=tag).values_list("product_id", flat=True)
        }
        if len(changed) >= 4000:
            break
    backlog = pending_search_rows()
    servers.worker(name="worker-draining")
    killed = wait_until(lambda: 0 < pending_search_rows() <= backlog - 500, 120, step=0.05)
    pending_at_kill = pending_search_rows()
    servers.stop_one("worker-draining", signal.SIGKILL)
    killed_at = time.monotonic()
    result.writes_ok = len(changed)
    result.written = (
        f"{len(changed):,} products changed by renaming tags ({backlog:,} outbox rows); "
        f"{pending_at_kill:,} rows still pending when the worker died"
    )
    if killed:
        result.what += f" after draining {backlog - pending_at_kill:,} of {backlog:,} rows"
    else:
        result.what += " (the drain had finished or not started: no mid-drain kill)"
        result.notes.append("the drain finished or did not start before the kill: no mid-drain")
    result.what += "; a new worker starts"
    result.notes.append(
        "the killed worker's task stays unacknowledged in Redis (acks_late) until the broker's "
        "visibility timeout; what it left pending was drained by the next wake-up or by beat's "
        "re-drive, whichever came first"
    )
    servers.worker(name="worker")
    verify_writes(
        result,
        [Attempt(killed_at, "change", 201, product=p) for p in changed],
        datetime.now().astimezone(),
        killed_at,
        timeout=180,
    )
    result.recovery = result.recovery.replace("after it came back", "after the kill")
    return result


def write_report(
    results: list[FaultResult], report: Report, args: argparse.Namespace, seconds: float
) -> list[str]:
    lines = [
        "## Faults: `bench/chaos.py` (`make chaos`)",
        "",
        f"- Date: {stamp(seconds)}.",
        f"- Machine: {machine()}. API = gunicorn as `make run` serves it (2 processes of 4 "
        "threads) + one Celery worker `--concurrency 2` + beat (the outbox re-drives every "
        "30 s for search, 10 s for events), writers and shoppers as threads of the script: "
        "all on the same 2 cores, shared with other jobs.",
        f"- Command: `{command_line()}` (with "
        f"{environment()}); "
        f"catalog of {args.products:,} seeded products.",
        "",
        "| fault | what was done | writes during the fault (ok / failed) | visible after "
        "recovery | recovered | result |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        ok = r.all_visible and not r.writes_failed and r.searches_ok
        lines.append(
            f"| {r.fault} | {r.what} | {r.writes_ok:,} / {r.writes_failed} ({r.written}) | "
            f"{r.visible} | {r.recovery} | {'PASS' if ok else 'MISS'} |"
        )
    lines += ["", "What was seen:", ""]
    for r in results:
        lines += [f"- {r.fault}: {note}." for note in r.notes]
    lines += [
        "",
        'How: "writes during the fault" are the writers\' HTTP writes (a thread per '
        "signed-in user, 4, or 2 in the cluster fault, creating and editing their products, or "
        "adding to the bag and placing an order) that got an answer between the fault and the "
        "service answering again (for the cluster: until it was green again); a "
        'failed write is any answer but 2xx. "Visible" is checked in the stores: every such '
        "product fetched from the index and compared by version with PostgreSQL (absent when "
        "not for sale), and every such order's `placed` event read back from the Redis stream. "
        "The worker fault's writes are the product changes pending in the outbox when the "
        "worker died. The cluster is three local nodes of the same Elasticsearch build "
        "(`scripts/services.sh cluster-start`: HTTP 59250-59252, heap 320 MB each, data under "
        ".services/es-cluster/), the API and worker given all three hosts; searches run "
        "with `allow_partial_search_results=false`, so a 200 is a complete answer.",
        "",
        *report.closing(),
    ]
    return lines


def main() -> int:
    options = arguments(
        __doc__,
        products=(20_000, "catalog size"),
        only=("es,redis,worker,cluster", "which faults, comma-separated"),
    )
    args = parse_and_set_up(options)
    only = set(args.only.split(","))
    from django.core.management import call_command

    from catalog.models import Product

    run_started = time.perf_counter()
    report = Report()
    results: list[FaultResult] = []
    with report.phase("catalog"):
        existing = Product.objects.count()
        if existing < args.products:
            call_command("seed_catalog", products=args.products - existing, users=20, seed=7)
        call_command("search_reindex")
    with running_servers("chaos", report) as servers:
        with report.phase("start API, worker and beat"):
            api = servers.api()
            servers.worker()
            servers.beat()
            servers.wait()
            store = Store(api, n_shoppers=4)
        for name, run in (
            ("es", lambda: fault_elasticsearch(store)),
            ("redis", lambda: fault_redis(store)),
            ("worker", lambda: fault_worker(store, servers)),
        ):
            if name in only:
                with report.phase(name):
                    results.append(run())
                    print(f"   {results[-1]}")
    if "cluster" in only:
        with report.phase("cluster"):
            results.append(fault_cluster({"n_shoppers": 2}, report))
            print(f"   {results[-1]}")

    lines = write_report(results, report, args, time.perf_counter() - run_started)
    write_section("chaos", lines, path=RELIABILITY, header=RELIABILITY_HEADER)
    print("\n".join(lines))
    return 1 if report.errors else 0


if __name__ == "__main__":
    with suppress(KeyboardInterrupt):
        sys.exit(main())
