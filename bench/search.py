"""Search benchmark: seeds a catalog, reindexes it, starts the API (gunicorn + a Celery
worker) and measures, each against a baseline measured in the same run:

1. reindex throughput vs raw `helpers.bulk` of the same documents into a scratch index;
2. search latency over HTTP vs the same query body sent straight to Elasticsearch, and the
   API under 16 concurrent clients;
3. the same searches on a plain DRF ListAPIView with SearchFilter (PostgreSQL icontains);
4. autocomplete latency (products, tags) on 1-5 character prefixes;
5. commit-to-searchable lag through the real outbox + Celery path.

It writes docs/PERFORMANCE.md and prints the table. Not a test.

    .venv/bin/python bench/search.py --products 100000

Run it with the same DATABASE_URL / REDIS_URL / ELASTICSEARCH_INDEX_PREFIX as the services
it should use; the prefix defaults to `bench` so it never touches other prefixes' indices.
"""

import argparse
import os
import platform
import random
import secrets
import signal
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, sys.path[0] is bench/, where this file would shadow the `search` app.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
from bench.harness import write_section  # noqa: E402  (needs ROOT on the path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "api.settings")
os.environ.setdefault("ELASTICSEARCH_INDEX_PREFIX", "bench")
os.environ["DEBUG"] = "false"

BIN = Path(sys.executable).parent
REPORT = ROOT / "docs" / "PERFORMANCE.md"
CONCURRENT_CLIENTS = 16

# Realistic searches from the seed vocabulary (catalog/seed_vocabulary.py): whole words,
# typos, and a last word still being typed.
QUERIES = [
    "walnut desk lamp",
    "vintage brass",
    "ceramic mug",
    "linen tablecloth",
    "leather wallet",
    "bamboo cutting board",
    "wool blanket",
    "copper kettle",
    "handmade",
    "gift idea",
    "scandinavian oak",
    "cast iron skillet",
    "waterproof backpack",
    "yoga mat",
    "walnutt desk",  # typos
    "ceramc vase",
    "lether backpack",
    "vintge lamp",
    "oak boo",  # partial last word
    "leather wal",
    "cast iron skil",
    "bluetooth spea",
    "linen napk",
    "teak side",
]
PRODUCT_PREFIX_WORDS = ["walnut", "ceramic", "leather", "vintage", "kettle", "lamp", "blanket"]
TAG_PREFIX_WORDS = ["kitchen", "gift", "vintage", "linen", "outdoor", "coffee", "wedding"]


# --- measuring ------------------------------------------------------------------------------


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


@dataclass
class Row:
    figure: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    status: str = ""  # PASS / MISS / "" (informative)


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    whys: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # figures later phases compare to

    def add(self, *args: Any, **kwargs: Any) -> Row:
        row = Row(*args, **kwargs)
        self.rows.append(row)
        print(f"  {row.figure}: {row.value} {row.baseline} {row.ratio} {row.status}", flush=True)
        return row

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        try:
            yield
        except Exception as exc:  # a failed phase is reported, the next one still runs
            traceback.print_exc()
            self.errors.append(f"{name}: {type(exc).__name__}: {exc}")
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# --- processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Servers:
    """The API, its Celery worker and the baseline server, as subprocesses of this run."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen[bytes]] = []
        self.api_port = free_port()
        self.baseline_port = free_port()

    def _start(self, name: str, argv: list[str], **env: str) -> None:
        log = (self.log_dir / f"{name}.log").open("wb")
        server_env = {**os.environ, "DEBUG": "false", **env}
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=server_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with its children
        )
        self.processes.append(process)

    def start(self) -> None:
        gunicorn = [str(BIN / "gunicorn"), "api.wsgi", "-w", "2", "--log-level", "warning"]
        gunicorn.append("--no-control-socket")  # two servers, and not /root/.gunicorn
        self._start("api", [*gunicorn, "-b", f"127.0.0.1:{self.api_port}"])
        self._start(
            "baseline",
            [*gunicorn, "-b", f"127.0.0.1:{self.baseline_port}"],
            DJANGO_SETTINGS_MODULE="bench.settings",
        )
        self._start(
            "worker",
            [str(BIN / "celery"), "-A", "api", "worker", "--concurrency", "2", "-l", "WARNING"],
        )
        for port in (self.api_port, self.baseline_port):
            wait_healthy(f"http://127.0.0.1:{port}/api/health/", self.processes)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_healthy(url: str, processes: list[subprocess.Popen[bytes]], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        dead = [p.args for p in processes if p.poll() is not None]
        if dead:
            raise RuntimeError(f"server exited early: {dead}")
        try:
            response = requests.get(url, timeout=2)
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:200]}"
        except requests.RequestException as exc:
            last = str(exc)
        time.sleep(0.25)
    raise RuntimeError(f"{url} not healthy after {timeout:.0f} s: {last}")


# --- phases ---------------------------------------------------------------------------------


def seed(report: Report, n_products: int) -> None:
    from django.core.management import call_command

    from catalog.models import Product

    existing = Product.objects.count()
    missing = max(0, n_products - existing)
    if missing:
        _, seconds = timed(
            lambda: call_command("seed_catalog", products=missing, users=50, seed=42)
        )
        report.add(
            "seed_catalog",
            f"{missing:,} products in {seconds:.1f} s",
            ratio=f"{missing / seconds:,.0f} products/s",
            target="100k in < 120 s",
            status=verdict(missing / seconds >= 100_000 / 120),
        )
    else:
        report.add("seed_catalog", f"skipped: the database already has {existing:,} products")


def reindex_vs_bulk(report: Report) -> None:
    import json

    from django.conf import settings
    from django.core.management import call_command
    from elasticsearch import helpers

    from search.client import get_client, prefixed
    from search.indexing import indexable_products, product_actions

    # The same per-request timeout search_reindex uses for its bulk load and refresh.
    client = get_client().options(request_timeout=settings.ELASTICSEARCH_BULK_TIMEOUT)
    documents = indexable_products().count()
    _, reindex_seconds = timed(lambda: call_command("search_reindex", index="products"))
    with suppress(Exception):
        call_command("search_reindex", index="tags")

    body = json.loads((ROOT / "es" / "mappings" / "products.json").read_text())
    scratch = prefixed(f"bench-scratch-products-{datetime.now(UTC):%Y%m%d%H%M%S}")
    index_settings = {**body.get("settings", {}), "number_of_replicas": 0}
    index_settings["refresh_interval"] = "-1"  # as a bulk load would (and reindex does)
    client.indices.create(index=scratch, settings=index_settings, mappings=body["mappings"])
    try:

        def actions() -> Iterator[dict[str, Any]]:
            for action in product_actions(indexable_products()):
                yield {**action, "_index": scratch}

        def raw_bulk() -> int:
            written, _ = helpers.bulk(client, actions(), chunk_size=1000, raise_on_error=False)
            client.indices.refresh(index=scratch)
            return written

        written, raw_seconds = timed(raw_bulk)
    finally:
        client.indices.delete(index=scratch, ignore_unavailable=True)
    reindex_rate = documents / reindex_seconds
    raw_rate = written / raw_seconds
    ratio = reindex_rate / raw_rate
    report.add(
        "search_reindex (products)",
        f"{documents:,} docs in {reindex_seconds:.1f} s = {reindex_rate:,.0f} docs/s",
        baseline=f"raw helpers.bulk: {raw_rate:,.0f} docs/s",
        ratio=f"{ratio:.2f}x",
        target="≥ 0.7x",
        status=verdict(ratio >= 0.7),
    )


def search_params(q: str) -> dict[str, Any]:
    """The params the API hands to product_search for `?q=...` (its own validation)."""
    try:
        from search.serializers import ProductSearchParams
    except ImportError:
        return {"q": q}
    params = ProductSearchParams(data={"q": q})
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


def http_latencies(
    session: requests.Session, urls: list[str], *, rounds: int, time_cap: float
) -> tuple[list[float], int]:
    samples: list[float] = []
    errors = 0
    deadline = time.monotonic() + time_cap
    for _ in range(rounds):
        for url in urls:
            if time.monotonic() > deadline:
                return samples, errors
            started = time.perf_counter()
            try:
                response = session.get(url, timeout=30)
                ok = response.status_code == 200
                response.content  # noqa: B018 - read the whole body
            except requests.RequestException:
                ok = False
            elapsed = time.perf_counter() - started
            if ok:
                samples.append(elapsed)
            else:
                errors += 1
    return samples, errors


def search_latency(report: Report, api: str) -> None:
    from urllib.parse import quote

    from search.client import get_client, prefixed
    from search.queries import product_search

    client = get_client()
    alias = prefixed("products")
    session = requests.Session()
    urls = [f"{api}/api/products/?q={quote(q)}" for q in QUERIES]
    bodies = [product_search(search_params(q)) for q in QUERIES]
    empty = []
    for q, url in zip(QUERIES, urls, strict=True):  # warm-up, and a sanity check
        response = session.get(url, timeout=30)
        response.raise_for_status()
        if not response.json().get("results"):
            empty.append(q)
    for body in bodies:
        client.search(index=alias, **body)
    if empty:
        report.notes.append(f"API searches that found nothing: {', '.join(empty)}.")

    api_samples: list[float] = []
    direct_samples: list[float] = []
    direct_by_query: dict[str, list[float]] = {q: [] for q in QUERIES}
    deadline = time.monotonic() + 90
    for _ in range(6):  # interleaved, so both see the same machine load
        for q, url, body in zip(QUERIES, urls, bodies, strict=True):
            if time.monotonic() > deadline:
                break
            samples, _ = http_latencies(session, [url], rounds=1, time_cap=30)
            api_samples += samples
            started = time.perf_counter()
            client.search(index=alias, **body)
            direct_samples.append(time.perf_counter() - started)
            direct_by_query[q].append(direct_samples[-1])
    api_p50, direct_p50 = percentile(api_samples, 50), percentile(direct_samples, 50)
    report.seconds["api_search_p50"] = api_p50
    ratio = api_p50 / direct_p50
    report.add(
        "search over HTTP, p50 / p95",
        f"{ms(api_p50)} / {ms(percentile(api_samples, 95))} (n={len(api_samples)})",
        baseline=f"direct ES: {ms(direct_p50)} / {ms(percentile(direct_samples, 95))}",
        ratio=f"p50 {ratio:.2f}x",
        target="≤ 1.5x",
        status=verdict(ratio <= 1.5),
    )
    if ratio > 1.5:
        report.whys.append(
            f"Search p50 is {ratio:.2f}x the direct Elasticsearch call: the fixed cost of a "
            f"request through gunicorn + Django + DRF (~{ms(api_p50 - direct_p50)} here: "
            "routing, query-param validation, serialization, a new TCP connection per request "
            "with sync workers) is large next to a few-ms Elasticsearch query on 2 cores."
        )

    slowest = sorted(direct_by_query.items(), key=lambda kv: -percentile(kv[1], 50))[:4]
    report.notes.append(
        "Slowest searches straight on Elasticsearch (p50): "
        + ", ".join(f"`{q}` {ms(percentile(samples, 50))}" for q, samples in slowest)
        + "."
    )

    # 16 concurrent clients, bounded by time and count.
    lock = threading.Lock()
    concurrent: list[float] = []
    errors = [0]
    stop_at = time.monotonic() + 20

    def client_loop(offset: int) -> None:
        own = requests.Session()
        i = offset
        while time.monotonic() < stop_at and len(concurrent) < 4000:
            samples, failed = http_latencies(own, [urls[i % len(urls)]], rounds=1, time_cap=30)
            with lock:
                concurrent.extend(samples)
                errors[0] += failed
            i += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENT_CLIENTS) as pool:
        list(pool.map(client_loop, range(CONCURRENT_CLIENTS)))
    elapsed = time.perf_counter() - started
    report.add(
        f"search, {CONCURRENT_CLIENTS} concurrent clients",
        f"{len(concurrent) / elapsed:,.0f} req/s, p50 {ms(percentile(concurrent, 50))}, "
        f"p95 {ms(percentile(concurrent, 95))}, {errors[0]} errors",
    )
    report.notes.append(
        f"{CONCURRENT_CLIENTS} concurrent clients: throughput is bounded by the CPU, not by "
        f"the API: one search costs Elasticsearch ~{ms(direct_p50)} (p50, alone) and the 2 "
        "cores also run PostgreSQL, Redis, gunicorn and the clients; requests queue behind "
        "the 2 sync workers, so latency grows with the number of clients."
    )


def baseline_latency(report: Report, baseline: str) -> None:
    from urllib.parse import quote

    session = requests.Session()
    urls = [f"{baseline}/baseline/products/?search={quote(q)}" for q in QUERIES]
    http_latencies(session, urls[:2], rounds=1, time_cap=60)  # warm-up
    samples, errors = http_latencies(session, urls, rounds=2, time_cap=120)
    sampled = urls[:: max(1, len(urls) // 6)]
    found = sum(1 for url in sampled if session.get(url, timeout=30).json()["count"])
    baseline_row = report.add(
        "plain DRF SearchFilter (PostgreSQL icontains), p50 / p95",
        f"{ms(percentile(samples, 50))} / {ms(percentile(samples, 95))} "
        f"(n={len(samples)}, {errors} errors)",
        baseline="the baseline",
    )
    report.notes.append(
        "The DRF baseline matches substrings only: queries with typos find nothing there "
        f"({found} of {len(sampled)} sampled queries found something)."
    )
    for row in report.rows:
        if row.figure.startswith("search over HTTP"):
            row.baseline += f"; DRF SearchFilter p50 {ms(percentile(samples, 50))}"
    if "api_search_p50" in report.seconds:
        speedup = percentile(samples, 50) / report.seconds["api_search_p50"]
        baseline_row.ratio = f"API p50 is {speedup:.1f}x faster"


def prefixes(words: list[str]) -> list[str]:
    return [word[:n] for word in words for n in range(1, 6)]


def autocomplete_latency(report: Report, api: str) -> None:
    from urllib.parse import quote

    session = requests.Session()
    for kind, words in (("products", PRODUCT_PREFIX_WORDS), ("tags", TAG_PREFIX_WORDS)):
        urls = [f"{api}/api/{kind}/autocomplete/?q={quote(p)}" for p in prefixes(words)]
        empty = [
            u.rsplit("=", 1)[1] for u in urls if not session.get(u, timeout=30).json()["results"]
        ]
        if empty:  # the warm-up doubles as a sanity check
            report.notes.append(f"Autocomplete {kind} found nothing for: {', '.join(empty)}.")
        samples, errors = http_latencies(session, urls, rounds=5, time_cap=45)
        p95 = percentile(samples, 95)
        report.add(
            f"autocomplete {kind} (1-5 chars), p50 / p95",
            f"{ms(percentile(samples, 50))} / {ms(p95)} (n={len(samples)}, {errors} errors)",
            target="p95 ≤ 15 ms",
            status=verdict(p95 <= 0.015),
        )
        if p95 > 0.015:
            report.whys.append(
                f"Autocomplete {kind} p95 {ms(p95)}: most of it is the per-request cost of "
                "gunicorn sync workers + Django + DRF on 2 cores shared with Elasticsearch "
                "and PostgreSQL; one-letter prefixes also match the most documents."
            )


def commit_to_searchable(report: Report, api: str, samples_wanted: int = 50) -> None:
    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    from accounts.models import User
    from catalog.models import Product, ProductState
    from search.client import get_client, prefixed

    owner = User.objects.get(username="seller-0001")
    token = AccessToken.objects.create(
        user=owner,
        token=f"bench-{secrets.token_hex(16)}",
        expires=timezone.now() + timedelta(hours=1),
        scope="read write",
    )
    products = list(
        Product.objects.filter(owner=owner, state=ProductState.ACTIVE)
        .order_by("created")
        .values_list("id", "name")[: samples_wanted + 3]
    )
    client = get_client()
    alias = prefixed("products")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token.token}"
    lags: list[float] = []
    timeouts = 0
    deadline = time.monotonic() + 150
    try:
        for i, (product_id, name) in enumerate(products):
            if time.monotonic() > deadline:
                break
            word = "zq" + "".join(random.choices(string.ascii_lowercase, k=10))
            new_name = f"{name.split(' zq')[0]} {word}"[:200]
            started = time.perf_counter()
            response = session.patch(
                f"{api}/api/products/{product_id}/", json={"name": new_name}, timeout=30
            )
            response.raise_for_status()
            visible = False
            while time.perf_counter() - started < 10:
                hits = client.search(index=alias, query={"match": {"name": word}}, size=1)
                if hits["hits"]["hits"]:
                    visible = True
                    break
                time.sleep(0.01)
            lag = time.perf_counter() - started
            if i < 3:
                continue  # warm-up
            if visible:
                lags.append(lag)
            else:
                timeouts += 1
    finally:
        token.delete()
    p95 = percentile(lags, 95)
    report.add(
        "commit-to-searchable lag (PATCH → visible in search), p50 / p95",
        f"{ms(percentile(lags, 50))} / {ms(p95)} (n={len(lags)}, {timeouts} not "
        "visible within 10 s)",
        target="p95 ≤ 1.5 s",
        status=verdict(p95 <= 1.5 and not timeouts),
    )
    if p95 > 1.5 or timeouts:
        report.whys.append(
            f"Lag p95 {ms(p95)}: the PATCH → outbox → Celery → bulk path plus Elasticsearch's "
            "1 s refresh interval; see the worker log for slow or failed drains."
        )


# --- report ---------------------------------------------------------------------------------


def shell(command: str) -> str:
    try:
        return subprocess.run(  # noqa: S602 - fixed commands describing the machine
            command, shell=True, capture_output=True, text=True, timeout=10, check=False
        ).stdout.strip()
    except Exception as exc:
        return f"({exc})"


def write_report(report: Report, args: argparse.Namespace, total_seconds: float) -> str:
    from django.db import connection

    from catalog.models import Product
    from search.client import get_client

    products = Product.objects.count()
    try:  # GET / is not served by the local node: ask the nodes API
        nodes = get_client().nodes.info(node_id="_local")["nodes"]
        es_version = next(iter(nodes.values()))["version"]
    except Exception:
        es_version = "8.19"
    cpu = shell("lscpu | grep -m1 'Model name'").split(":")[-1].strip() or platform.processor()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    command = " ".join([".venv/bin/python bench/search.py", *sys.argv[1:]])
    table = ["| figure | value | baseline | ratio | target | result |", "|---|---|---|---|---|---|"]
    table += [
        f"| {r.figure} | {r.value} | {r.baseline} | {r.ratio} | {r.target} | {r.status} |"
        for r in report.rows
    ]
    lines = [
        "## Search: `bench/search.py` (`make bench`)",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; whole run {total_seconds / 60:.1f} min.",
        f"- Machine: {shell('nproc')} cores ({cpu}), "
        f"Python {platform.python_version()}, PostgreSQL {pg_version}, Elasticsearch "
        f"{es_version}; API = gunicorn `-w 2` (sync) + Celery worker `--concurrency 2`, all on "
        "the same machine as PostgreSQL, Redis and Elasticsearch (heap 768 MB).",
        f"- Catalog: N = {args.products:,} requested, {products:,} products in the database "
        "(seeded by `manage.py seed_catalog`).",
        f"- Command: `{command}` (with `DATABASE_URL`, `REDIS_URL`, "
        f"`ELASTICSEARCH_INDEX_PREFIX={os.environ['ELASTICSEARCH_INDEX_PREFIX']}`).",
        "",
        "```",
        "$ nproc",
        shell("nproc"),
        "$ free -m",
        shell("free -m"),
        "```",
        "",
        *table,
        "",
        "How: latencies are wall time with `time.perf_counter` after a warm-up; HTTP goes over "
        '127.0.0.1 with `requests`; "direct ES" is `client.search(index=alias, '
        "**product_search(params))` with the very body the API sends. Queries: "
        + ", ".join(f"`{q}`" for q in QUERIES)
        + ". Reindex (run first) and the raw bulk (run second) both read the documents from "
        "PostgreSQL through `product_actions` and send 1,000-document bulk requests to an "
        "index with refresh off, then refresh; the ratio is reindex rate / raw rate. "
        "The lag is measured from sending the PATCH (so it includes the request) until "
        "a search on the alias finds the new word, polled every 10 ms.",
        "",
    ]
    if report.notes:
        lines += ["Notes:", "", *[f"- {n}" for n in report.notes], ""]
    if report.whys:
        lines += ["Why the misses:", "", *[f"- {w}" for w in report.whys], ""]
    if report.errors:
        lines += ["Phases that failed:", "", *[f"- `{e}`" for e in report.errors], ""]
    write_section("search", lines)
    return "\n".join(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--products", type=int, default=100_000, help="catalog size N")
    parser.add_argument("--skip-seed", action="store_true", help="use the catalog as it is")
    args = parser.parse_args()

    import django

    django.setup()
    run_started = time.perf_counter()
    report = Report()
    if not args.skip_seed:
        with report.phase("seed"):
            seed(report, args.products)
    with report.phase("reindex vs raw bulk"):
        reindex_vs_bulk(report)

    with tempfile.TemporaryDirectory(prefix="bench-search-") as log_dir:
        servers = Servers(Path(log_dir))
        try:
            with report.phase("start API, worker, baseline server"):
                servers.start()
            api = f"http://127.0.0.1:{servers.api_port}"
            baseline = f"http://127.0.0.1:{servers.baseline_port}"
            with report.phase("search latency"):
                search_latency(report, api)
            with report.phase("baseline: plain DRF SearchFilter"):
                baseline_latency(report, baseline)
            with report.phase("autocomplete"):
                autocomplete_latency(report, api)
            with report.phase("commit-to-searchable lag"):
                commit_to_searchable(report, api)
        finally:
            servers.stop()
            for log in sorted(Path(log_dir).glob("*.log")):
                tail = log.read_text(errors="replace").strip().splitlines()[-15:]
                if tail and report.errors:
                    print(f"--- {log.name} (last lines)\n" + "\n".join(tail))

    table = write_report(report, args, time.perf_counter() - run_started)
    print()
    print(table)
    for error in report.errors:
        print(f"FAILED: {error}")
    print(f"\nWritten to {REPORT.relative_to(ROOT)}")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
