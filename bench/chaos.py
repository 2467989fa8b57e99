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

It writes its section of docs/RELIABILITY.md and prints it. Not a test.

    .venv/bin/python -m bench.chaos [--products 20000] [--only es,redis,worker,cluster]
"""

import argparse
import json
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from bench.harness import (
    ROOT,
    Report,
    Servers,
    access_token,
    command_line,
    configure,
    machine,
    ms,
    percentile,
    products_for_sale,
    stamp,
    write_section,
)

configure(index_prefix="chaos")

SERVICES = ROOT / "scripts" / "services.sh"
RELIABILITY = ROOT / "docs" / "RELIABILITY.md"
RELIABILITY_HEADER = """# Reliability

How the store behaves when things break, measured against the real services. Each section
below is written by its own script.
"""


def services(*args: str) -> str:
    return subprocess.run(
        ["/bin/bash", str(SERVICES), *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout.strip()


def wait_until(check: Callable[[], bool], timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return False


# --- people and their writes ----------------------------------------------------------------


@dataclass
class Shopper:
    session: requests.Session
    own: list[str]


@dataclass
class Attempt:
    at: float  # time.monotonic()
    kind: str
    status: int  # 0: no answer at all
    product: str | None = None
    order: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in (200, 201)


class Writers:
    """Threads that write over HTTP until stopped, each attempt recorded with its time."""

    def __init__(
        self, actions: list[Callable[[Shopper], Attempt]], shoppers: list[Shopper]
    ) -> None:
        self.actions = actions
        self.shoppers = shoppers
        self.attempts: list[Attempt] = []
        self.lock = threading.Lock()
        self.going = threading.Event()
        self.threads: list[threading.Thread] = []

    def loop(self, shopper: Shopper) -> None:
        rng = random.Random(id(shopper))
        while self.going.is_set():
            action = rng.choice(self.actions)
            try:
                attempt = action(shopper)
            except requests.RequestException:
                attempt = Attempt(time.monotonic(), action.__name__, 0)
            with self.lock:
                self.attempts.append(attempt)
            time.sleep(0.05)

    def start(self) -> "Writers":
        self.going.set()
        self.threads = [threading.Thread(target=self.loop, args=(s,)) for s in self.shoppers]
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> None:
        self.going.clear()
        for thread in self.threads:
            thread.join()

    def between(self, start: float, end: float) -> list[Attempt]:
        return [a for a in self.attempts if start <= a.at <= end]


class Store:
    """The API's URL and the people who write to it."""

    def __init__(self, api: str, n_shoppers: int) -> None:
        from accounts.models import User

        self.api = api
        run = uuid.uuid4().hex[:6]
        seller = User.objects.create_user(username=f"chaos-seller-{run}", password=None)
        self.supply = products_for_sale(
            seller,
            [f"Chaos supply {run} {n}" for n in range(20)],
            "Bought while things break.",
            "5.00",
            stock=1_000_000,
        )
        self.shoppers = []
        for n in range(n_shoppers):
            user = User.objects.create_user(username=f"chaos-{run}-{n}", password=None)
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {access_token(user)}"
            own = products_for_sale(
                user,
                [f"Chaos listing {run} {n}-{k}" for k in range(3)],
                "Edited while things break.",
                "10.00",
                stock=5,
            )
            self.shoppers.append(Shopper(session, own))

    def create(self, shopper: Shopper) -> Attempt:
        word = uuid.uuid4().hex[:10]
        response = shopper.session.post(
            f"{self.api}/api/products/",
            json={"name": f"Chaos item {word}", "price": "7.50", "stock": 3, "publish": True},
            timeout=30,
        )
        product = response.json().get("id") if response.status_code == 201 else None
        return Attempt(time.monotonic(), "create", response.status_code, product=product)

    def edit(self, shopper: Shopper) -> Attempt:
        product = random.choice(shopper.own)
        response = shopper.session.patch(
            f"{self.api}/api/products/{product}/",
            json={"name": f"Chaos edit {uuid.uuid4().hex[:10]}", "stock": random.randint(1, 9)},
            timeout=30,
        )
        return Attempt(time.monotonic(), "edit", response.status_code, product=product)

    def order(self, shopper: Shopper) -> Attempt:
        product = random.choice(self.supply)
        added = shopper.session.post(
            f"{self.api}/api/bag/items/", json={"product_id": product, "quantity": 1}, timeout=30
        )
        if added.status_code != 201:
            return Attempt(time.monotonic(), "order", added.status_code)
        placed = shopper.session.post(
            f"{self.api}/api/orders/", headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=30
        )
        order = placed.json().get("id") if placed.status_code == 201 else None
        return Attempt(time.monotonic(), "order", placed.status_code, product=product, order=order)


# --- is it visible? -------------------------------------------------------------------------


def products_in_index(product_ids: set[str]) -> int:
    """How many of these products the index shows exactly as the database has them: at the
    database's version when for sale, absent when not."""
    from catalog.models import Product
    from search.client import get_client, prefixed
    from search.indexing import indexable_products

    versions = {
        str(pk): version
        for pk, version in Product.all_objects.filter(id__in=product_ids).values_list(
            "id", "version"
        )
    }
    for_sale = {
        str(pk)
        for pk in indexable_products().filter(id__in=product_ids).values_list("id", flat=True)
    }
    right = 0
    ids = sorted(product_ids)
    for start in range(0, len(ids), 500):
        docs = get_client().mget(index=prefixed("products"), ids=ids[start : start + 500])["docs"]
        for doc in docs:
            if doc["_id"] in for_sale:
                right += bool(doc.get("found")) and doc["_version"] == versions[doc["_id"]]
            else:
                right += not doc.get("found")
    return right


def events_on_stream(order_ids: set[str], since: datetime) -> int:
    """How many of these orders have their `placed` event on the stream."""
    import redis as redis_lib
    from django.conf import settings

    stream = redis_lib.Redis.from_url(settings.EVENTS_REDIS_URL)
    found: set[str] = set()
    start = f"{int(since.timestamp() * 1000)}-0"
    while True:
        entries: Any = stream.xrange(settings.EVENTS_STREAM, min=start, max="+", count=1000)
        for _, fields in entries:
            event = json.loads(fields[b"event"])
            if event["type"] == "store.order.placed.v1" and event["subject"] in order_ids:
                found.add(event["subject"])
        if len(entries) < 1000:
            break
        start = "(" + entries[-1][0].decode()
    stream.close()
    return len(found)


def pending_search_rows() -> int:
    from search.sync import pending_count

    return pending_count()


# --- results --------------------------------------------------------------------------------


@dataclass
class FaultResult:
    fault: str
    what: str
    writes_ok: int = 0
    writes_failed: int = 0
    written: str = ""  # what the writes were
    visible: str = ""
    all_visible: bool = False
    recovery: str = ""
    searches_ok: bool = True  # the cluster fault: every search 200 and complete
    notes: list[str] = field(default_factory=list)


def attempts_summary(attempts: list[Attempt]) -> str:
    kinds: dict[str, int] = {}
    for attempt in attempts:
        if attempt.ok:
            kinds[attempt.kind] = kinds.get(attempt.kind, 0) + 1
    return ", ".join(f"{n} {kind}s" for kind, n in sorted(kinds.items()))


def verify_writes(
    result: FaultResult, during: list[Attempt], since: datetime, back_at: float, timeout: float
) -> None:
    """Wait until the writes made during the fault are all visible (or `timeout`); record
    how many are and how long after the service came back it took."""
    products = {a.product for a in during if a.ok and a.product}
    orders = {a.order for a in during if a.ok and a.order}

    def counts() -> tuple[int, int]:
        return products_in_index(products), events_on_stream(orders, since) if orders else 0

    wait_until(lambda: counts() == (len(products), len(orders)), timeout, step=0.5)
    seen_products, seen_orders = counts()
    result.recovery = f"{time.monotonic() - back_at:.1f} s after it came back"
    result.visible = (
        f"{seen_products:,} of {len(products):,} products in the index at their version"
    )
    if orders:
        result.visible += f"; {seen_orders:,} of {len(orders):,} orders' events on the stream"
    result.all_visible = seen_products == len(products) and seen_orders == len(orders)
    if not result.all_visible:
        result.recovery = f"not within {timeout:.0f} s"


# --- the faults -----------------------------------------------------------------------------


def fault_elasticsearch(store: Store) -> FaultResult:
    from django.utils import timezone

    result = FaultResult(
        "Elasticsearch stopped during a burst of writes",
        "the node stopped (SIGTERM) while writes go on, started again 10 s later",
    )
    since = timezone.now()
    writers = Writers([store.create, store.edit], store.shoppers).start()
    try:
        time.sleep(5)
        down_at = time.monotonic()
        services("stop-elasticsearch")
        time.sleep(10)
        services("start-elasticsearch")  # returns once it answers
        back_at = time.monotonic()
        time.sleep(5)
    finally:
        writers.stop()
    during = writers.between(down_at, back_at)
    result.writes_ok = sum(a.ok for a in during)
    result.writes_failed = sum(not a.ok for a in during)
    result.written = attempts_summary(during)
    result.notes.append(f"Elasticsearch was down for {back_at - down_at:.0f} s")
    verify_writes(result, during, since, back_at, timeout=120)
    return result


def fault_redis(store: Store) -> FaultResult:
    from django.utils import timezone

    result = FaultResult(
        "Redis stopped while products are edited and orders placed",
        "Redis (broker, cache, stream) stopped while edits and orders go on, started 15 s later",
    )
    since = timezone.now()
    writers = Writers([store.edit, store.order, store.order], store.shoppers).start()
    try:
        time.sleep(5)
        down_at = time.monotonic()
        services("stop-redis")
        time.sleep(15)
        services("start-redis")
        back_at = time.monotonic()
        time.sleep(5)
    finally:
        writers.stop()
    during = writers.between(down_at, back_at)
    result.writes_ok = sum(a.ok for a in during)
    result.writes_failed = sum(not a.ok for a in during)
    result.written = attempts_summary(during)
    result.notes.append(f"Redis was down for {back_at - down_at:.0f} s")
    verify_writes(result, during, since, back_at, timeout=120)
    return result


def fault_worker(store: Store, servers: Servers) -> FaultResult:
    """A backlog of product changes (tag renames: one write changes every product carrying
    the tag), a worker that starts draining it and is killed by SIGKILL half-way."""
    from django.db.models import Count

    from catalog.models import ProductTag, Tag
    from catalog.services import rename_tag

    result = FaultResult(
        "A Celery worker killed in the middle of a drain",
        "tags renamed while no worker runs; a worker starts draining and gets SIGKILL "
        "(with its pool) after its first batch; a new worker starts",
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
    if not killed:
        result.notes.append("the drain finished or did not start before the kill: no mid-drain")
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


# --- the cluster ----------------------------------------------------------------------------


@dataclass
class Search:
    at: float
    kind: str
    status: int
    seconds: float
    ids: tuple[str, ...] = ()


class Shoppers:
    """Threads that search over HTTP: full text, listings by tag (whose order is fixed:
    newest first) and autocomplete."""

    def __init__(self, api: str, queries: list[str], tags: list[str], threads: int) -> None:
        self.api, self.queries, self.tags, self.n = api, queries, tags, threads
        self.searches: list[Search] = []
        self.lock = threading.Lock()
        self.going = threading.Event()
        self.threads: list[threading.Thread] = []

    def one(self, session: requests.Session, rng: random.Random) -> Search:
        roll = rng.random()
        if roll < 0.5:
            kind, url = "search", f"{self.api}/api/products/?q={rng.choice(self.queries)}"
        elif roll < 0.8:
            kind, url = "listing", f"{self.api}/api/products/?tags={rng.choice(self.tags)}"
        else:
            prefix = rng.choice(self.queries)[:3]
            kind, url = "autocomplete", f"{self.api}/api/products/autocomplete/?q={prefix}"
        started = time.perf_counter()
        try:
            response = session.get(url, timeout=30)
            status = response.status_code
            body = response.json() if status == 200 else {}
        except requests.RequestException:
            status, body = 0, {}
        ids = tuple(r.get("id", "") for r in body.get("results", []))
        return Search(
            time.monotonic(),
            f"{kind} {url.split('?', 1)[1]}",
            status,
            time.perf_counter() - started,
            ids,
        )

    def loop(self, seed: int) -> None:
        rng = random.Random(seed)
        with requests.Session() as session:
            while self.going.is_set():
                search = self.one(session, rng)
                with self.lock:
                    self.searches.append(search)

    def start(self) -> "Shoppers":
        self.going.set()
        self.threads = [threading.Thread(target=self.loop, args=(n,)) for n in range(self.n)]
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> None:
        self.going.clear()
        for thread in self.threads:
            thread.join()


def use_elasticsearch(urls: list[str], replicas: int) -> None:
    """Point this process's client (and index creation) at other Elasticsearch nodes."""
    from django.conf import settings
    from elasticsearch.dsl.connections import connections

    settings.ELASTICSEARCH_REPLICAS = replicas
    settings.ELASTICSEARCH_DSL = {
        "default": {**settings.ELASTICSEARCH_DSL["default"], "hosts": urls}
    }
    connections.configure(**settings.ELASTICSEARCH_DSL)


def fault_cluster(store_args: dict[str, Any], log_dir: Path, report: Report) -> FaultResult:
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from catalog.models import Tag
    from catalog.seed_vocabulary import ADJECTIVES, CATEGORIES, MATERIALS
    from search.client import get_client, prefixed

    result = FaultResult(
        "Three-node Elasticsearch cluster loses a node while shoppers search",
        "",
    )
    single: list[str] = settings.ELASTICSEARCH_URL.split(",")
    urls = services("cluster-start").splitlines()[-1].split(",")
    servers = Servers(log_dir)
    try:
        use_elasticsearch(urls, replicas=1)
        started = time.perf_counter()
        call_command("search_reindex")
        client = get_client()
        client.options(request_timeout=200).cluster.health(wait_for_status="green", timeout="180s")
        indexed_in = time.perf_counter() - started
        report.notes.append(f"cluster: catalog indexed with one replica in {indexed_in:.0f} s")
        env = {"ELASTICSEARCH_URL": ",".join(urls), "ELASTICSEARCH_REPLICAS": "1"}
        api = servers.api("api-cluster", 2, **env)
        servers.worker("worker-cluster", 2, **env)
        servers.beat(name="beat-cluster", **env)
        servers.wait()
        store = Store(api, **store_args)

        shards: Any = client.cat.shards(index=prefixed("products"), format="json").body
        primary = next(s["node"] for s in shards if s["prirep"] == "p")
        victim = int(primary.rsplit("-", 1)[1])
        masters: Any = client.cat.master(format="json").body
        master = masters[0]["node"]
        result.what = (
            f"SIGKILL to {primary}, which held the products' primary shard"
            f"{' and was the elected master' if master == primary else ''}; started again "
            "30 s later"
        )
        nouns = [n for _, names in CATEGORIES.values() for n in names]
        rng = random.Random(7)
        queries = [f"{rng.choice(ADJECTIVES)} {rng.choice(MATERIALS + nouns)}" for _ in range(60)]
        tags = list(Tag.objects.order_by("-updated").values_list("slug", flat=True)[:30])
        shoppers = Shoppers(api, queries, tags, threads=6).start()
        health: list[tuple[float, int]] = []
        watching = threading.Event()
        watching.set()

        def watch_health() -> None:
            while watching.is_set():
                try:
                    status = requests.get(f"{api}/api/health/", timeout=5).status_code
                except requests.RequestException:
                    status = 0
                health.append((time.monotonic(), status))
                time.sleep(0.5)

        watcher = threading.Thread(target=watch_health)
        watcher.start()
        since = timezone.now()
        writers = Writers([store.edit, store.create], store.shoppers).start()
        try:
            time.sleep(10)  # warm-up: caches and connections of a freshly started API
            warm_at = time.monotonic()
            time.sleep(15)
            killed_at = time.monotonic()
            services("cluster-kill-node", str(victim))
            time.sleep(30)
            services("cluster-start-node", str(victim))
            back_at = time.monotonic()
            client.options(request_timeout=320).cluster.health(
                wait_for_status="green", timeout="300s"
            )
            green_at = time.monotonic()
            time.sleep(10)
        finally:
            writers.stop()
            shoppers.stop()
            watching.clear()
            watcher.join()

        before = [s for s in shoppers.searches if warm_at <= s.at < killed_at]
        during = [s for s in shoppers.searches if killed_at <= s.at <= green_at]
        after = [s for s in shoppers.searches if s.at > green_at]
        # Listings are sorted newest first: a complete answer is exactly the one before.
        expected: dict[str, tuple[str, ...]] = {}
        for s in before:
            if s.kind.startswith("listing") and s.status == 200:
                expected.setdefault(s.kind, s.ids)
        compared = [s for s in during if s.kind in expected and s.status == 200]
        differing = [s for s in compared if s.ids != expected[s.kind]]
        not_ok = [s for s in during + after if s.status != 200]
        health_during = [status for at, status in health if killed_at <= at <= green_at]
        result.notes += [
            f"searches while a node was missing or recovering: {len(during):,}, "
            f"{len(during) - sum(s.status != 200 for s in during):,} answered 200; "
            f"after: {len(after):,}, {sum(s.status == 200 for s in after):,} answered 200",
            f"listings compared with the answer before the kill: {len(compared):,}, "
            f"{len(compared) - len(differing)} identical",
            f"search latency p50 / p95: before {ms(percentile([s.seconds for s in before], 50))}"
            f" / {ms(percentile([s.seconds for s in before], 95))}, with a node missing "
            f"{ms(percentile([s.seconds for s in during], 50))} / "
            f"{ms(percentile([s.seconds for s in during], 95))}",
            f"health while the node was missing: {health_during.count(200)} x 200, "
            f"{len(health_during) - health_during.count(200)} x other",
            f"green again {green_at - back_at:.1f} s after the node was back "
            f"({green_at - killed_at:.0f} s after the kill)",
        ]
        result.searches_ok = not not_ok and not differing
        writes = writers.between(killed_at, green_at)
        result.writes_ok = sum(a.ok for a in writes)
        result.writes_failed = sum(not a.ok for a in writes)
        result.written = attempts_summary(writes)
        verify_writes(result, writes, since, green_at, timeout=120)
        result.recovery = f"green {green_at - back_at:.1f} s after the node returned"
        if not_ok:
            statuses = sorted({s.status for s in not_ok})
            result.notes.append(f"searches not answered 200: {len(not_ok)} ({statuses})")
    finally:
        servers.stop()
        if report.errors:
            servers.print_logs()
        services("cluster-stop")
        use_elasticsearch(single, replicas=0)
    return result


# --- the report -----------------------------------------------------------------------------


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
        "`DATABASE_URL` = store_chaos, `REDIS_URL` db 6, `ELASTICSEARCH_INDEX_PREFIX=chaos`); "
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
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--only", default="es,redis,worker,cluster")
    args = parser.parse_args()
    only = set(args.only.split(","))

    import django

    django.setup()
    from django.core.management import call_command

    from catalog.models import Product

    run_started = time.perf_counter()
    report = Report()
    results: list[FaultResult] = []
    scratch = tempfile.TemporaryDirectory(prefix="bench-chaos-")
    log_dir = Path(scratch.name)
    with report.phase("catalog"):
        existing = Product.objects.count()
        if existing < args.products:
            call_command("seed_catalog", products=args.products - existing, users=20, seed=7)
        call_command("search_reindex")
    servers = Servers(log_dir)
    try:
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
    finally:
        servers.stop()
        if report.errors:
            servers.print_logs()
    if "cluster" in only:
        with report.phase("cluster"):
            results.append(fault_cluster({"n_shoppers": 2}, log_dir, report))
            print(f"   {results[-1]}")

    lines = write_report(results, report, args, time.perf_counter() - run_started)
    write_section("chaos", lines, path=RELIABILITY, header=RELIABILITY_HEADER)
    print("\n".join(lines))
    return 1 if report.errors else 0


if __name__ == "__main__":
    with suppress(KeyboardInterrupt):
        sys.exit(main())
