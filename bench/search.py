"""Search benchmark: seeds a catalog, reindexes it, starts the API (gunicorn as `make run`
serves it, + a Celery worker) and a baseline server (the API as it was before issue 10,
bench/before.py, and a plain DRF view), then measures, each against a baseline measured in
the same run:

1. reindex throughput vs raw `helpers.bulk` of the same documents into a scratch index;
2. search over HTTP, one client: the API vs the API before issue 10 vs the same requests
   sent straight to Elasticsearch (interleaved), typo + unfinished-word queries included;
   highlights on every hit, and equal to Elasticsearch's highlighting of the fuzzy clauses;
3. highlighting designs, straight on Elasticsearch (what chose the design);
4. 16 concurrent clients: the API vs raw Elasticsearch (same requests) vs the API before;
5. the same searches on a plain DRF ListAPIView with SearchFilter (PostgreSQL icontains);
6. autocomplete (products, tags): the API vs before vs straight on Elasticsearch;
7. the slowest query, with Elasticsearch's profile of it;
8. commit-to-searchable lag through the real outbox + Celery path.

It writes docs/PERFORMANCE.md and prints the table. Not a test.

    .venv/bin/python -m bench.search --products 100000

Run it with the same DATABASE_URL / REDIS_URL / ELASTICSEARCH_INDEX_PREFIX as the services
it should use; the prefix defaults to `bench` so it never touches other prefixes' indices.
"""

import argparse
import copy
import os
import random
import re
import secrets
import string
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from bench import harness
from bench.harness import (
    ROOT,
    command_line,
    configure,
    ms,
    percentile,
    timed,
    verdict,
    write_section,
)

configure(index_prefix="bench")

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
# A typo together with a last word still being typed, and what the top hit's name must
# contain (a word, or the start of a word for "x*").
TYPO_AND_PREFIX = {
    "wallnut lam": ["walnut", "lam*"],
    "lether backp": ["leather", "backp*"],
    "ceramc mu": ["ceramic", "mu*"],
    "vintge bra": ["vintage", "bra*"],
    "scandinavain oa": ["scandinavian", "oa*"],
    "bluetoth spea": ["bluetooth", "spea*"],
    "coper ket": ["copper", "ket*"],
    "linnen napk": ["linen", "napk*"],
}
ALL_QUERIES = QUERIES + list(TYPO_AND_PREFIX)
PRODUCT_PREFIX_WORDS = ["walnut", "ceramic", "leather", "vintage", "kettle", "lamp", "blanket"]
TAG_PREFIX_WORDS = ["kitchen", "gift", "vintage", "linen", "outdoor", "coffee", "wedding"]


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Report(harness.Report):
    """The shared report, plus what this benchmark adds: per-query figures, markdown
    sections, and how busy the machine was during each phase."""

    seconds: dict[str, float] = field(default_factory=dict)  # figures later phases compare to
    per_query: dict[str, dict[str, float]] = field(default_factory=dict)
    noise: list[str] = field(default_factory=list)
    sections: list[tuple[str, str]] = field(default_factory=list)  # (title, markdown)
    phases: list[str] = field(default_factory=list)  # duration and machine load of each

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        before = cpu_jiffies()
        started = time.perf_counter()
        with super().phase(name):
            yield
        seconds = time.perf_counter() - started
        busy, total, ours = (a - b for a, b in zip(cpu_jiffies(), before, strict=True))
        others = max(0, busy - ours) / max(total, 1)
        self.phases.append(
            f"{name}: {seconds:.0f} s, machine CPU {busy / max(total, 1):.0%} busy, of which "
            f"{others:.0%} (of both cores) other people's processes"
        )


def cpu_jiffies() -> tuple[int, int, int]:
    """(busy, total) CPU time of the whole machine so far, from /proc/stat, and the CPU time
    of this run's own processes (this one, its servers, and the services of this checkout:
    any process whose command line names the checkout or its ports, and their children)."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    ports = [os.environ.get(v) for v in ("ES_PORT", "PG_PORT", "REDIS_PORT")]
    marks = [str(ROOT), *(port for port in ports if port)]
    parents: dict[int, int] = {}
    used: dict[int, int] = {}
    own: set[int] = {os.getpid()}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        pid = int(proc.name)
        parents[pid] = int(fields[1])
        used[pid] = int(fields[11]) + int(fields[12])
        if any(mark in command for mark in marks):
            own.add(pid)
    ours = 0
    for pid, ticks in used.items():
        ancestor, hops = pid, 0
        while ancestor not in own and ancestor > 1 and hops < 20:
            ancestor, hops = parents.get(ancestor, 1), hops + 1
        if ancestor in own:
            ours += ticks
    return sum(values) - idle, sum(values), ours


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
    from search.serializers import ProductSearchParams

    params = ProductSearchParams(data={"q": q})
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


@dataclass
class Bodies:
    """What the API sends Elasticsearch for one query (the spelling request, then the search
    built from its answer), and the one request the API sent before issue 10."""

    q: str
    spelling: dict[str, Any]
    search: dict[str, Any]
    before: dict[str, Any]


def bodies_for(client: Any, alias: str, q: str) -> Bodies:
    from bench.before import before_product_search
    from search.queries import SPELLING_ANSWER, product_search, query_words, spelling_request

    params = search_params(q)
    spelling = spelling_request(params["q"])
    answer = client.search(index=alias, filter_path=SPELLING_ANSWER, **spelling).body
    return Bodies(
        q, spelling, product_search(params, query_words(answer)), before_product_search(params)
    )


def direct_search(client: Any, alias: str, bodies: Bodies) -> Any:
    """The API's two requests, sent straight to Elasticsearch."""
    from search.queries import SEARCH_ANSWER, SPELLING_ANSWER

    client.search(index=alias, filter_path=SPELLING_ANSWER, **bodies.spelling)
    return client.search(index=alias, filter_path=SEARCH_ANSWER, **bodies.search)


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


def one_get(session: requests.Session, url: str) -> float | None:
    samples, _ = http_latencies(session, [url], rounds=1, time_cap=60)
    return samples[0] if samples else None


def p50_p95(samples: list[float]) -> str:
    return f"{ms(percentile(samples, 50))} / {ms(percentile(samples, 95))}"


def finds_what_it_should(q: str, results: list[dict[str, Any]]) -> bool:
    """The top hit's name has every expected word (or word start, for "x*")."""
    if not results:
        return False
    words = re.findall(r"\w+", results[0]["name"].lower())
    return all(
        any(w.startswith(e[:-1]) for w in words) if e.endswith("*") else e in words
        for e in TYPO_AND_PREFIX[q]
    )


MARK = re.compile(r"<em>(.*?)</em>")


def marks(hit: dict[str, Any]) -> dict[str, set[str]]:
    found = hit.get("highlight", {})
    return {
        f: {m.lower() for part in parts for m in MARK.findall(part)} for f, parts in found.items()
    }


def fuzzy_highlight(search: dict[str, Any], spelling: dict[str, Any]) -> dict[str, Any]:
    """The search body with the fuzzy clauses themselves given to the highlighter (the old
    way: it rebuilds their automata for every hit), plus the start of the last word."""
    from search.queries import FUZZINESS, LABEL_BOOSTS, PREFIX_LENGTH, TEXT_FIELDS, query_words

    body = copy.deepcopy(search)
    words = [w.text for w in query_words(spelling)]
    clauses: list[dict[str, Any]] = [
        {"match": {f: {"query": w, "fuzziness": FUZZINESS, "prefix_length": PREFIX_LENGTH}}}
        for w in words
        for f in TEXT_FIELDS
    ]
    clauses += [{"wildcard": {f: {"value": words[-1] + "*"}}} for f in LABEL_BOOSTS]
    body["highlight"]["highlight_query"] = {"bool": {"should": clauses}}
    return body


def search_latency(report: Report, api: str, baseline: str) -> list[Bodies]:
    """One client, interleaved: the API, the API before issue 10, and the API's requests
    straight to Elasticsearch, query by query."""
    from urllib.parse import quote

    from search.client import get_client, prefixed
    from search.queries import SPELLING_ANSWER

    client = get_client()
    alias = prefixed("products")
    session = requests.Session()
    bodies = [bodies_for(client, alias, q) for q in ALL_QUERIES]
    api_urls = {q: f"{api}/api/products/?q={quote(q)}" for q in ALL_QUERIES}
    before_urls = {q: f"{baseline}/before/products/?q={quote(q)}" for q in ALL_QUERIES}
    answers, before_answers = {}, {}
    for q in ALL_QUERIES:  # warm-up, and what each finds
        answers[q] = session.get(api_urls[q], timeout=30).json()["results"]
        before_answers[q] = session.get(before_urls[q], timeout=30).json()["results"]
    empty = [q for q in ALL_QUERIES if not answers[q]]
    if empty:
        report.notes.append(f"API searches that found nothing: {', '.join(empty)}.")

    kinds = ("api", "before", "direct")
    samples: dict[str, dict[str, list[float]]] = {k: {q: [] for q in ALL_QUERIES} for k in kinds}
    round_p50s: list[float] = []
    deadline = time.monotonic() + 180
    for _ in range(6):
        this_round: list[float] = []
        for b in bodies:
            if time.monotonic() > deadline:
                break
            for kind in kinds:
                if kind == "direct":
                    started = time.perf_counter()
                    direct_search(client, alias, b)
                    elapsed: float | None = time.perf_counter() - started
                else:
                    url = (api_urls if kind == "api" else before_urls)[b.q]
                    elapsed = one_get(session, url)
                if elapsed is not None:
                    samples[kind][b.q].append(elapsed)
                    if kind == "api":
                        this_round.append(elapsed)
        if this_round:
            round_p50s.append(percentile(this_round, 50))
    flat = {k: [x for v in samples[k].values() for x in v] for k in kinds}
    api_p50, api_p95 = percentile(flat["api"], 50), percentile(flat["api"], 95)
    before_p95 = percentile(flat["before"], 95)
    report.seconds["api_search_p50"] = api_p50
    report.per_query["api"] = {q: percentile(v, 50) for q, v in samples["api"].items() if v}
    report.add(
        f"search over HTTP, one client ({len(ALL_QUERIES)} queries), p50 / p95",
        f"{p50_p95(flat['api'])} (n={len(flat['api'])})",
        baseline=f"before issue 10: {p50_p95(flat['before'])}",
        ratio=f"p95 {before_p95 / api_p95:.1f}x lower",
        target="p50 ≤ 12 ms, p95 ≤ 25 ms",
        status=verdict(api_p50 <= 0.012 and api_p95 <= 0.025),
    )
    direct_p50 = percentile(flat["direct"], 50)
    ratio = api_p50 / direct_p50
    report.add(
        "API over Elasticsearch (the same two requests), one client, p50",
        ms(api_p50),
        baseline=f"straight to Elasticsearch: {p50_p95(flat['direct'])}",
        ratio=f"{ratio:.2f}x",
        target="≤ 1.5x",
        status=verdict(ratio <= 1.5),
    )
    if round_p50s:
        report.noise.append(
            "API search p50 per round of the one-client phase: "
            + ", ".join(ms(x) for x in round_p50s)
            + f" (spread {max(round_p50s) / min(round_p50s):.2f}x)."
        )

    found = [q for q in TYPO_AND_PREFIX if finds_what_it_should(q, answers[q])]
    found_before = [q for q in TYPO_AND_PREFIX if finds_what_it_should(q, before_answers[q])]
    hits = sum(len(answers[q]) for q in TYPO_AND_PREFIX)
    hits_before = sum(len(before_answers[q]) for q in TYPO_AND_PREFIX)
    typo_p95 = percentile([x for q in TYPO_AND_PREFIX for x in samples["api"][q]], 95)
    report.add(
        f"a typo + an unfinished last word ({len(TYPO_AND_PREFIX)} queries): right top hit",
        f"{len(found)} of {len(TYPO_AND_PREFIX)} ({hits} hits; API p95 {ms(typo_p95)})",
        baseline=f"before: {len(found_before)} of {len(TYPO_AND_PREFIX)} ({hits_before} hits)",
        target=f"{len(TYPO_AND_PREFIX)} of {len(TYPO_AND_PREFIX)}",
        status=verdict(len(found) == len(TYPO_AND_PREFIX)),
    )
    same_top = 0
    for b in bodies[: len(QUERIES)]:  # the queries the old API could already answer
        old = client.search(index=alias, **{**b.before, "size": 50, "_source": False})
        hits = old["hits"]["hits"]
        tied = {h["_id"] for h in hits if h["_score"] == hits[0]["_score"]}
        same_top += bool(answers[b.q]) and answers[b.q][0]["id"] in tied
    report.add(
        "same top hit as the old query (or one tied with it)",
        f"{same_top} of {len(QUERIES)}",
        baseline="the old query's top hits",
    )
    missed = [q for q in TYPO_AND_PREFIX if q not in found]
    if missed:
        report.whys.append(f"Typo + unfinished word queries whose top hit was wrong: {missed}.")

    # Highlights: on every hit, and exactly what Elasticsearch marks given the fuzzy clauses.
    all_hits = [h for q in ALL_QUERIES for h in answers[q]]
    highlighted = sum(1 for h in all_hits if h.get("highlight"))
    same = compared = 0
    for b in bodies:
        ours = client.search(index=alias, **b.search)["hits"]["hits"]
        spelling = client.search(index=alias, filter_path=SPELLING_ANSWER, **b.spelling).body
        theirs = client.search(index=alias, **fuzzy_highlight(b.search, spelling))["hits"]["hits"]
        for mine, reference in zip(ours, theirs, strict=False):
            compared += 1
            same += mine["_id"] == reference["_id"] and marks(mine) == marks(reference)
    report.add(
        "highlights: hits with one; hits marked as Elasticsearch marks the fuzzy clauses",
        f"{highlighted} of {len(all_hits)}; {same} of {compared}",
        baseline="before: the fuzzy clauses given to the highlighter",
        target="all; all",
        status=verdict(highlighted == len(all_hits) and same == compared),
    )
    return bodies


def highlight_designs(report: Report, bodies: list[Bodies]) -> None:
    """Straight on Elasticsearch, interleaved: what each highlighting design costs."""
    from search.client import get_client, prefixed
    from search.queries import SEARCH_ANSWER

    client = get_client()
    alias = prefixed("products")

    def without_highlight(body: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in body.items() if k != "highlight"}

    def one_edit(body: dict[str, Any]) -> dict[str, Any]:
        capped = copy.deepcopy(body)
        for clause in capped["highlight"]["highlight_query"]["bool"]["should"]:
            for options in clause.get("match", {}).values():
                options["fuzziness"] = 1 if len(options["query"]) >= 4 else 0
        return capped

    designs: dict[str, Callable[[Bodies, dict[str, Any]], Any]] = {
        "old query, no highlighting": lambda b, _: client.search(
            index=alias, **without_highlight(b.before)
        ),
        "per-word query, no highlighting": lambda b, _: client.search(
            index=alias, filter_path=SEARCH_ANSWER, **without_highlight(b.search)
        ),
        "old query, fuzzy clauses highlighted (before)": lambda b, _: client.search(
            index=alias, **b.before
        ),
        "per-word query, fuzzy clauses highlighted": lambda b, f: client.search(
            index=alias, filter_path=SEARCH_ANSWER, **f["fuzzy"]
        ),
        "per-word query, fuzzy clauses capped at 1 edit highlighted": lambda b, f: client.search(
            index=alias, filter_path=SEARCH_ANSWER, **f["one_edit"]
        ),
        "spelling request + per-word query, plain terms highlighted (chosen)": (
            lambda b, _: direct_search(client, alias, b)
        ),
    }
    from search.queries import SPELLING_ANSWER

    fuzzy = {}
    for b in bodies:
        spelling = client.search(index=alias, filter_path=SPELLING_ANSWER, **b.spelling).body
        slow = fuzzy_highlight(b.search, spelling)
        fuzzy[b.q] = {"fuzzy": slow, "one_edit": one_edit(slow)}
    samples: dict[str, list[float]] = {name: [] for name in designs}
    deadline = time.monotonic() + 90
    for _ in range(3):
        for b in bodies:
            if time.monotonic() > deadline:
                break
            for name, run in designs.items():
                started = time.perf_counter()
                run(b, fuzzy[b.q])
                samples[name].append(time.perf_counter() - started)
    table = ["| design (straight on Elasticsearch) | p50 | p95 |", "|---|---|---|"]
    table += [f"| {name} | {p50_p95(s).replace(' / ', ' | ')} |" for name, s in samples.items()]
    report.sections.append(
        (
            "Highlighting designs",
            "Measured in this run, the same queries, interleaved, straight on Elasticsearch "
            "(the chosen design includes its spelling request). The unified highlighter "
            "given fuzzy clauses rebuilds their automata for every hit and field; given the "
            "plain terms the spelling request found, it only re-reads the hits' text.\n\n"
            + "\n".join(table),
        )
    )
    new = percentile(samples["per-word query, no highlighting"], 95)
    old = percentile(samples["old query, no highlighting"], 95)
    report.add(
        "per-word query (typos + last-word prefix) vs old query, no highlighting, p95",
        ms(new),
        baseline=f"old query: {ms(old)}",
        ratio=f"{new / old:.2f}x",
        target="≤ 1.25x (no measurable cost)",
        status=verdict(new / old <= 1.25),
    )


def load_clients(run: Callable[[Any, int], None], make: Callable[[], Any], seconds: float) -> Any:
    """CONCURRENT_CLIENTS threads, each calling run(own session, i) in a loop."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    stop_at = time.monotonic() + seconds

    def client_loop(offset: int) -> None:
        own = make()
        mine: list[float] = []
        failed = 0
        i = offset
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                run(own, i)
                mine.append(time.perf_counter() - started)
            except Exception:
                failed += 1
            i += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENT_CLIENTS) as pool:
        list(pool.map(client_loop, range(CONCURRENT_CLIENTS)))
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies, errors[0]


def concurrency(report: Report, api: str, baseline: str, bodies: list[Bodies]) -> None:
    """16 clients at once: the API, raw Elasticsearch (the same requests), the old API. The
    clients are plain urllib3 connections with the requests prepared beforehand, so that the
    load generator, which shares the 2 cores, costs as little as it can and the same per
    HTTP request on both sides."""
    from urllib.parse import quote, urlsplit

    import orjson
    import urllib3
    from django.conf import settings

    from search.client import prefixed
    from search.queries import SEARCH_ANSWER, SPELLING_ANSWER

    es = urlsplit(settings.ELASTICSEARCH_URL.split(",")[0])
    search_path = f"/{prefixed('products')}/_search?filter_path="
    prepared = [
        (
            orjson.dumps(b.spelling),
            orjson.dumps(b.search),
        )
        for b in bodies
    ]
    json_headers = {"Content-Type": "application/json"}

    def pool(url: str) -> Callable[[], urllib3.HTTPConnectionPool]:
        parts = urlsplit(url)
        host = parts.hostname or "127.0.0.1"
        return lambda: urllib3.HTTPConnectionPool(host, parts.port, maxsize=1)

    def over_http(path: str) -> Callable[[Any, int], None]:
        paths = [f"{path}?q={quote(b.q)}" for b in bodies]

        def run(connection: urllib3.HTTPConnectionPool, i: int) -> None:
            answer = connection.request("GET", paths[i % len(paths)], timeout=30.0)
            if answer.status != 200:
                raise RuntimeError(answer.status)
            orjson.loads(answer.data)  # read it as a client would

        return run

    def straight(connection: urllib3.HTTPConnectionPool, i: int) -> None:
        spelling, search = prepared[i % len(prepared)]
        for body, answer in ((spelling, SPELLING_ANSWER), (search, SEARCH_ANSWER)):
            reply = connection.request(
                "POST",
                search_path + ",".join(answer),
                body=body,
                headers=json_headers,
                timeout=30.0,
            )
            if reply.status != 200:
                raise RuntimeError(reply.status)
            orjson.loads(reply.data)  # read it as the API does

    raw = pool(f"{es.scheme}://{es.netloc}")
    plan = [
        ("raw", straight, raw),
        ("api", over_http("/api/products/"), pool(api)),
        ("before", over_http("/before/products/"), pool(baseline)),
        ("raw", straight, raw),
        ("api", over_http("/api/products/"), pool(api)),
    ]
    results: dict[str, list[tuple[float, list[float], int]]] = {}
    for name, run, make in plan:
        results.setdefault(name, []).append(load_clients(run, make, 12))

    def merged(name: str) -> tuple[float, list[float], int]:
        rounds = results[name]
        rate = sum(r[0] for r in rounds) / len(rounds)
        return rate, [x for r in rounds for x in r[1]], sum(r[2] for r in rounds)

    api_rate, api_lat, api_errors = merged("api")
    raw_rate, raw_lat, raw_errors = merged("raw")
    before_rate, before_lat, before_errors = merged("before")
    api_p95 = percentile(api_lat, 95)
    report.add(
        f"search, {CONCURRENT_CLIENTS} concurrent clients: throughput (p50 / p95)",
        f"{api_rate:,.0f} req/s ({p50_p95(api_lat)}, {api_errors} errors)",
        baseline=f"raw Elasticsearch, same requests: {raw_rate:,.0f} req/s "
        f"({p50_p95(raw_lat)}, {raw_errors} errors)",
        ratio=f"{api_rate / raw_rate:.2f}x",
        target="≥ 0.5x, p95 ≤ 100 ms",
        status=verdict(api_rate / raw_rate >= 0.5 and api_p95 <= 0.1 and not api_errors),
    )
    report.add(
        f"search, {CONCURRENT_CLIENTS} concurrent clients: throughput vs before",
        f"{api_rate:,.0f} req/s",
        baseline=f"before issue 10: {before_rate:,.0f} req/s ({p50_p95(before_lat)}, "
        f"{before_errors} errors)",
        ratio=f"{api_rate / before_rate:.1f}x",
        target="≥ 5x",
        status=verdict(api_rate / before_rate >= 5),
    )
    for name in ("raw", "api"):
        rates = [f"{r[0]:,.0f}" for r in results[name]]
        report.noise.append(f"{CONCURRENT_CLIENTS} clients, {name}: req/s per round {rates}.")
    report.notes.append(
        f"{CONCURRENT_CLIENTS} concurrent clients: everything shares the 2 cores (the clients "
        "in this process, gunicorn, Elasticsearch, PostgreSQL, Redis), so throughput is CPU "
        "per search: the API's own CPU plus Elasticsearch's. Rounds alternate raw / API / "
        "before / raw / API, 12 s each; every client is one keep-alive urllib3 connection "
        "with its requests prepared beforehand; raw Elasticsearch sends the API's two requests "
        "and decodes the answer."
    )


def group_cpu_seconds(group: int) -> float:
    """CPU time (user + system) of every live process in a process group, from /proc."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def es_cpu_seconds() -> float | None:
    """CPU time of the local Elasticsearch node (its pid from the nodes API), if readable."""
    from search.client import get_client

    try:
        nodes = get_client().nodes.info(node_id="_local", metric="process")["nodes"]
        pid = next(iter(nodes.values()))["process"]["id"]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except Exception:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# Parts of a search's CPU in the API: (label, [(file, function), ...]) summed, inclusive.
API_CPU_PARTS = [
    ("Elasticsearch client (2 requests: HTTP, JSON)", [("search/selectors.py", "search_index")]),
    ("query parameters (serializer)", [("rest_framework/serializers.py", "is_valid")]),
    ("rendering the answer (JSON)", [("rest_framework/response.py", "rendered_content")]),
    (
        "building the requests, reading the spelling answer",
        [("search/queries.py", n) for n in ("spelling_request", "query_words", "product_search")],
    ),
    ("authentication, permissions, negotiation", [("rest_framework/views.py", "initial")]),
    ("the whole DRF view", [("rest_framework/views.py", "dispatch")]),
]


def api_cpu(
    report: Report, servers: harness.Servers, api: str, baseline: str, bodies: list[Bodies]
) -> None:
    """CPU per search of the API's and the old API's server processes (sequential requests),
    and where the API's goes (cProfile of the same view run in this process)."""
    import cProfile
    import io
    import pstats
    from urllib.parse import quote

    from django.test import Client

    session = requests.Session()
    paths = {
        "api": (servers.processes[0].pid, [f"{api}/api/products/?q={quote(b.q)}" for b in bodies]),
        "before": (
            servers.processes[1].pid,
            [f"{baseline}/before/products/?q={quote(b.q)}" for b in bodies],
        ),
    }
    per_search: dict[str, list[float]] = {"api": [], "before": [], "es_api": [], "es_before": []}
    for _ in range(3):  # interleaved rounds
        for name, (group, urls) in paths.items():
            for url in urls:
                session.get(url, timeout=30)
            own, es = group_cpu_seconds(group), es_cpu_seconds()
            for url in urls * 2:
                session.get(url, timeout=30)
            count = len(urls) * 2
            per_search[name].append((group_cpu_seconds(group) - own) / count)
            es_after = es_cpu_seconds()
            if es is not None and es_after is not None:
                per_search[f"es_{name}"].append((es_after - es) / count)

    def median(values: list[float]) -> float:
        return percentile(values, 50) if values else float("nan")

    api_cpu, before_cpu = median(per_search["api"]), median(per_search["before"])
    es_api, es_before = median(per_search["es_api"]), median(per_search["es_before"])
    report.add(
        "CPU per search, one client: API processes (Elasticsearch's)",
        f"{ms(api_cpu)} ({ms(es_api)})",
        baseline=f"before: {ms(before_cpu)} ({ms(es_before)})",
        ratio=f"API {before_cpu / api_cpu:.1f}x less, Elasticsearch {es_before / es_api:.1f}x less",
    )

    # Where the API's CPU goes: the same requests through Django in this process.
    client = Client()
    urls = [f"/api/products/?q={quote(b.q)}" for b in bodies]
    for url in urls:
        client.get(url)
    profile = cProfile.Profile(time.process_time)
    started = time.process_time()
    profile.enable()
    for url in urls * 5:
        client.get(url)
    profile.disable()
    in_process = (time.process_time() - started) / (len(urls) * 5)
    stats: dict[tuple[str, int, str], tuple[Any, ...]] = pstats.Stats(
        profile, stream=io.StringIO()
    ).stats  # type: ignore[attr-defined]

    def inclusive(file: str, function: str) -> float:
        return max(
            (e[3] for (path, _, name), e in stats.items() if name == function and file in path),
            default=0.0,
        )

    whole = inclusive("django/core/handlers/base.py", "get_response")
    rows = [
        f"| {label} | {sum(inclusive(f, n) for f, n in parts) / whole:.0%} |"
        for label, parts in API_CPU_PARTS
    ]
    report.sections.append(
        (
            "Where the API's CPU goes",
            f"cProfile (CPU clock) of {len(urls) * 5} searches through Django's test client in "
            f"the bench process ({ms(in_process)} of CPU each, profiling included); "
            "inclusive share of each part:\n\n| part | share |\n|---|---|\n"
            + "\n".join(rows)
            + "\n\nCut after profiling (issue 10): django-oauth-toolkit no longer runs for "
            "anonymous reads; Elasticsearch answers only the paths read (`filter_path`); "
            "orjson encodes and decodes the JSON (client and renderer); query-parameter "
            "serializers shallow-copy their fields; gunicorn `gthread` keeps connections "
            "alive. The rest is the price of Django + DRF + two HTTP requests to "
            "Elasticsearch.",
        )
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


def autocomplete_latency(report: Report, api: str, baseline: str) -> None:
    """The API (answers cached up to SEARCH_AUTOCOMPLETE_CACHE_SECONDS) vs the API before
    issue 10 vs the same body straight to Elasticsearch, interleaved prefix by prefix."""
    from urllib.parse import quote

    from django.conf import settings

    from bench.before import before_product_autocomplete, before_tag_autocomplete
    from search.client import get_client, prefixed
    from search.queries import SOURCE_ANSWER, product_autocomplete, tag_autocomplete

    client = get_client()
    session = requests.Session()
    size = settings.SEARCH_AUTOCOMPLETE_SIZE
    builders = {"products": product_autocomplete, "tags": tag_autocomplete}
    before_builders = {"products": before_product_autocomplete, "tags": before_tag_autocomplete}
    for kind, words in (("products", PRODUCT_PREFIX_WORDS), ("tags", TAG_PREFIX_WORDS)):
        typed = prefixes(words)
        api_urls = [f"{api}/api/{kind}/autocomplete/?q={quote(p)}" for p in typed]
        before_urls = [f"{baseline}/before/{kind}/autocomplete/?q={quote(p)}" for p in typed]
        bodies = [builders[kind](p, size) for p in typed]
        assert [before_builders[kind](p, size) for p in typed] == bodies  # the same query
        empty = [
            p for p, u in zip(typed, api_urls, strict=True) if not session.get(u).json()["results"]
        ]
        if empty:  # the warm-up doubles as a sanity check
            report.notes.append(f"Autocomplete {kind} found nothing for: {', '.join(empty)}.")
        samples: dict[str, list[float]] = {"api": [], "before": [], "direct": []}
        deadline = time.monotonic() + 40
        for _ in range(5):
            for api_url, before_url, body in zip(api_urls, before_urls, bodies, strict=True):
                if time.monotonic() > deadline:
                    break
                for name, url in (("api", api_url), ("before", before_url)):
                    elapsed = one_get(session, url)
                    if elapsed is not None:
                        samples[name].append(elapsed)
                started = time.perf_counter()
                client.search(index=prefixed(kind), filter_path=SOURCE_ANSWER, **body)
                samples["direct"].append(time.perf_counter() - started)
        p95 = percentile(samples["api"], 95)
        report.add(
            f"autocomplete {kind} (1-5 chars) over HTTP, p50 / p95",
            f"{p50_p95(samples['api'])} (n={len(samples['api'])})",
            baseline=f"before: {p50_p95(samples['before'])}; straight to Elasticsearch: "
            f"{p50_p95(samples['direct'])}",
            ratio=f"p95 {percentile(samples['before'], 95) / p95:.1f}x lower",
            target="p95 ≤ 6 ms",
            status=verdict(p95 <= 0.006),
        )
    report.notes.append(
        f"Autocomplete: {len(prefixes(PRODUCT_PREFIX_WORDS))} prefixes per kind, 5 rounds; the "
        "API answers a prefix from its per-process cache after the first request for it "
        f"(at most {settings.SEARCH_AUTOCOMPLETE_CACHE_SECONDS:g} s old), so its figures are "
        "mostly cache hits; 'before' runs the same query with no cache, 'straight to "
        "Elasticsearch' is that query alone."
    )


def slowest_query(report: Report, bodies: list[Bodies]) -> None:
    """The query with the highest API p50, and where Elasticsearch spends its time on it."""
    from search.client import get_client, prefixed

    if not report.per_query.get("api"):
        return
    q, p50 = max(report.per_query["api"].items(), key=lambda kv: kv[1])
    b = next(b for b in bodies if b.q == q)
    client = get_client()
    alias = prefixed("products")
    profiled = []
    for _ in range(3):
        spelling = client.search(index=alias, profile=True, **b.spelling).body
        search = client.search(index=alias, profile=True, **b.search).body
        profiled.append((spelling["took"] + search["took"], spelling, search))
    _, spelling, search = sorted(profiled, key=lambda p: p[0])[1]  # the median of three

    def shard(answer: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        first = answer["profile"]["shards"][0]
        return first["searches"][0], first.get("fetch", {})

    def nanos(value: float) -> str:
        return f"{value / 1e6:.2f} ms"

    lines = [
        f"Slowest query over HTTP (API p50 {ms(p50)}): `{q}`. Elasticsearch's profile "
        '(`"profile": true`, the median of three runs, 1 shard):',
        "",
    ]
    for label, answer in (("spelling request", spelling), ("search", search)):
        searched, fetch = shard(answer)
        query_time = sum(n["time_in_nanos"] for n in searched["query"])
        collect = sum(c["time_in_nanos"] for c in searched["collector"])
        phases = {c["type"]: c["time_in_nanos"] for c in fetch.get("children", [])}
        lines.append(
            f"- {label}: took {answer['took']} ms; rewrite {nanos(searched['rewrite_time'])}, "
            f"query {nanos(query_time)}, collect {nanos(collect)}, fetch "
            f"{nanos(fetch.get('time_in_nanos', 0))} (highlight "
            f"{nanos(phases.get('HighlightPhase', 0))}, source "
            f"{nanos(phases.get('FetchSourcePhase', 0))})"
        )
    searched, _ = shard(search)
    lines += [
        "",
        "Rewrite is where the fuzzy clauses are expanded into index terms (1 edit from 4 "
        "letters, 2 from 8, once per request); fetch is mostly the highlighter re-reading the "
        "20 hits' text for the plain terms. Query tree of the search (time per node, children "
        "of the top `bool`):",
        "",
    ]
    for node in searched["query"]:
        for child in [node, *node.get("children", [])]:
            lines.append(
                f"- `{child['type']}` {nanos(child['time_in_nanos'])}: "
                f"`{child['description'][:110]}`"
            )
    report.sections.append(("Slowest query", "\n".join(lines)))


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


def write_report(report: Report, args: argparse.Namespace, total_seconds: float) -> str:
    from django.conf import settings

    from catalog.models import Product
    from config import gunicorn as gunicorn_conf

    products = Product.objects.count()
    command = command_line()
    table = report.table()
    serving = (
        f"gunicorn `-c python:config.gunicorn` ({gunicorn_conf.workers} workers x "
        f"{gunicorn_conf.threads} threads, `{gunicorn_conf.worker_class}`, keep-alive), as "
        "`make run` serves it"
    )
    lines = [
        "## Search: `bench/search.py` (`make bench`)",
        "",
        '"Before" is the search API as it was before issue 10, frozen in `bench/before.py` '
        "(old query and highlighting, old views and middleware, gunicorn `-w 2` sync), served "
        "by the baseline server of the same run.",
        "",
        f"- Date: {harness.stamp(total_seconds)}.",
        f"- Machine: {harness.machine()}; possibly shared with other engineers' jobs (see "
        f'"How noisy it was"). Elasticsearch heap 768 MB. API: {serving}; Celery worker '
        "`--concurrency 2`.",
        f"- Catalog: N = {args.products:,} requested, {products:,} products in the database "
        "(seeded by `manage.py seed_catalog`).",
        f"- Command: `{command}` (with `DATABASE_URL`, `REDIS_URL`, "
        f"`ELASTICSEARCH_INDEX_PREFIX={os.environ['ELASTICSEARCH_INDEX_PREFIX']}`), as "
        '`make bench BENCH_ARGS="..."` runs it.',
        "",
        *table,
        "",
        "How: latencies are wall time with `time.perf_counter` after a warm-up; HTTP goes over "
        '127.0.0.1 (one keep-alive connection per client); "straight to Elasticsearch" '
        "sends the very requests the API sends (the spelling request, then the search built "
        "from its answer: `direct_search`). One-client figures interleave the API, the API "
        "before and Elasticsearch query by query, 6 rounds. Queries: "
        + ", ".join(f"`{q}`" for q in ALL_QUERIES)
        + ". Autocomplete: `SEARCH_AUTOCOMPLETE_CACHE_SECONDS` = "
        f"{settings.SEARCH_AUTOCOMPLETE_CACHE_SECONDS:g}. Reindex (run first) and the raw "
        "bulk (run second) both read the documents from PostgreSQL through `product_actions` "
        "and send 1,000-document bulk requests to an index with refresh off, then refresh; "
        "the ratio is reindex rate / raw rate. The lag is measured from sending the PATCH "
        "(so it includes the request) until a search on the alias finds the new word, "
        "polled every 10 ms.",
        "",
        *report.closing(),
    ]
    for title, text in report.sections:
        lines += [f"### {title}", "", text, ""]
    lines += [
        "### How noisy it was",
        "",
        "Other engineers' jobs (test suites, headless Chromium, their own services) may share "
        "the 2 cores with a run, so absolute figures move from run to run; the ratios "
        "compare figures taken in the same minutes. Per phase: machine CPU "
        "busy (from /proc/stat) and the part of it used by processes that are not this run's "
        "(not this process, its servers or this checkout's PostgreSQL, Redis and "
        "Elasticsearch, and their children):",
        "",
        *[f"- {p}" for p in report.phases],
        *[f"- {n}" for n in report.noise],
    ]
    write_section("search", lines)
    return "\n".join(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--products", type=int, default=100_000, help="catalog size N")
    parser.add_argument("--skip-seed", action="store_true", help="use the catalog as it is")
    parser.add_argument(
        "--skip-reindex", action="store_true", help="use the index as it is (while iterating)"
    )
    args = parser.parse_args()

    import django

    django.setup()
    run_started = time.perf_counter()
    report = Report()
    if not args.skip_seed:
        with report.phase("seed"):
            seed(report, args.products)
    if not args.skip_reindex:
        with report.phase("reindex vs raw bulk"):
            reindex_vs_bulk(report)

    with harness.running_servers("search", report) as servers:
        with report.phase("start API, worker, baseline server"):
            api = servers.api()  # first: api_cpu reads its process group
            # The API as served before issue 10 (two sync workers), and the DRF baseline.
            baseline = servers.gunicorn(
                "baseline", ["-w", "2"], DJANGO_SETTINGS_MODULE="bench.settings"
            )
            servers.worker()
            servers.wait()
        bodies: list[Bodies] = []
        with report.phase("search, one client"):
            bodies = search_latency(report, api, baseline)
        with report.phase("highlighting designs"):
            highlight_designs(report, bodies)
        with report.phase("API CPU per search"):
            api_cpu(report, servers, api, baseline, bodies)
        with report.phase(f"search, {CONCURRENT_CLIENTS} clients"):
            concurrency(report, api, baseline, bodies)
        with report.phase("baseline: plain DRF SearchFilter"):
            baseline_latency(report, baseline)
        with report.phase("autocomplete"):
            autocomplete_latency(report, api, baseline)
        with report.phase("slowest query"):
            slowest_query(report, bodies)
        with report.phase("commit-to-searchable lag"):
            commit_to_searchable(report, api)

    table = write_report(report, args, time.perf_counter() - run_started)
    print()
    print(table)
    for error in report.errors:
        print(f"FAILED: {error}")
    print(f"\nWritten to {harness.REPORT.relative_to(ROOT)}")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
