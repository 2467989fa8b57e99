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
7. issue 20's search controls (sort, facets, typo correction and `typos=false`, relaxation,
   cursor page 2), each against plain `q` in the same interleaved rounds, with
   Elasticsearch's share and profile for a control that misses;
8. the slowest query, with Elasticsearch's profile of it;
9. commit-to-searchable lag through the real outbox + Celery path.

Each measurement is its own module (bench/search_<what>.py), sharing the queries and the
report of bench/search_common.py; this one seeds, reindexes, starts the servers, runs them
in order, writes docs/PERFORMANCE.md and prints the table. Not a test.

    .venv/bin/python -m bench.search --products 100000

Run it with the same DATABASE_URL / REDIS_URL / ELASTICSEARCH_INDEX_PREFIX as the services
it should use; the prefix defaults to `bench` so it never touches other prefixes' indices.
"""

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

from bench import harness
from bench.harness import (
    ROOT,
    arguments,
    configure,
    parse_and_set_up,
    timed,
    times,
    verdict,
)
from bench.search_autocomplete import autocomplete_latency
from bench.search_common import ALL_QUERIES, CONCURRENT_CLIENTS, Bodies, Report
from bench.search_concurrency import concurrency
from bench.search_controls import ROUNDS_NOTE, search_controls
from bench.search_cpu import api_cpu
from bench.search_highlights import highlight_designs
from bench.search_lag import commit_to_searchable
from bench.search_latency import baseline_latency, search_latency
from bench.search_profile import slowest_query

configure(index_prefix="bench")


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
        ratio=times(ratio),
        target="≥ 0.7x",
        status=verdict(ratio >= 0.7),
    )
    index_size(report, client)


def index_size(report: Report, client: Any) -> None:
    """The products index as served (the alias's index): documents and primary store size."""
    from search.indices import alias

    stats = client.indices.stats(index=alias("products"), metric="docs,store")
    primaries = stats["_all"]["primaries"]
    docs, size = primaries["docs"]["count"], primaries["store"]["size_in_bytes"]
    segments = client.indices.segments(index=alias("products"))["indices"]
    count = sum(
        len(copy["segments"])
        for index in segments.values()
        for shard in index["shards"].values()
        for copy in shard
        if copy["routing"]["primary"]
    )
    report.add(
        "products index size (primaries, as the reindex left it)",
        f"{size / 2**20:,.1f} MiB for {docs:,} docs = {size / max(docs, 1):,.0f} bytes/doc",
        baseline=f"{count} segments, not force-merged",
    )


def write_report(report: Report, args: argparse.Namespace) -> None:
    from django.conf import settings

    from catalog.models import Product
    from config import gunicorn as gunicorn_conf

    products = Product.objects.count()
    serving = (
        f"gunicorn `-c python:config.gunicorn` ({gunicorn_conf.workers} workers x "
        f"{gunicorn_conf.threads} threads, `{gunicorn_conf.worker_class}`, keep-alive), as "
        "`make run` serves it"
    )
    sections = [line for title, text in report.sections for line in (f"### {title}", "", text, "")]
    harness.publish(
        "search",
        report,
        title="Search: `bench/search.py` (`make bench`)",
        intro=(
            '"Before" is the search API as it was before issue 10, frozen in `bench/before.py` '
            "(old query and highlighting, old views and middleware, gunicorn `-w 2` sync), "
            "served by the baseline server of the same run.",
            "",
        ),
        machine_note="; possibly shared with other engineers' jobs (see "
        f'"How noisy it was"). Elasticsearch heap 768 MB. API: {serving}; Celery worker '
        "`--concurrency 2`.",
        facts=(
            f"- Catalog: N = {args.products:,} requested, {products:,} products in the database "
            "(seeded by `manage.py seed_catalog`).",
        ),
        command_note=" (with `DATABASE_URL`, `REDIS_URL`, "
        f"`ELASTICSEARCH_INDEX_PREFIX={os.environ['ELASTICSEARCH_INDEX_PREFIX']}`), as "
        '`make bench BENCH_ARGS="..."` runs it.',
        how="How: latencies are wall time with `time.perf_counter` after a warm-up; HTTP goes "
        'over 127.0.0.1 (one keep-alive connection per client); "straight to Elasticsearch" '
        "sends the very requests the API sends for the same URL, recorded from the API's own "
        "selector (the spelling request, the search built from its answer, and relaxation's "
        "when no product holds every word: `direct_search`). One-client figures interleave the "
        "API, the API before and Elasticsearch query by query, 6 rounds. Elasticsearch's shard "
        "request cache answers a repeated size-0 request (the spelling request, relaxation's "
        "counts) from memory, for the API and straight alike; the controls' why lines give "
        "the `took` of a first search with that cache off. Controls (issue 20): "
        f"{ROUNDS_NOTE}. Queries: "
        + ", ".join(f"`{q}`" for q in ALL_QUERIES)
        + ". Autocomplete: `SEARCH_AUTOCOMPLETE_CACHE_SECONDS` = "
        f"{settings.SEARCH_AUTOCOMPLETE_CACHE_SECONDS:g}. Reindex (run first) and the raw "
        "bulk (run second) both read the documents from PostgreSQL through `product_actions` "
        "and send 1,000-document bulk requests to an index with refresh off, then refresh; "
        "the ratio is reindex rate / raw rate. The lag is measured from sending the PATCH "
        "(so it includes the request) until a search on the alias finds the new word, "
        "polled every 10 ms.",
        after=(
            *sections,
            "### How noisy it was",
            "",
            "Other engineers' jobs (test suites, headless Chromium, their own services) may "
            "share the 2 cores with a run, so absolute figures move from run to run; the "
            "ratios compare figures taken in the same minutes. Per phase: machine CPU busy "
            "(psutil's system-wide CPU times) and the part of it used by processes that are "
            "not this run's (not this process, its servers or this checkout's PostgreSQL, "
            "Redis and Elasticsearch, and their children):",
            "",
            *[f"- {p}" for p in report.phases],
            *[f"- {n}" for n in report.noise],
        ),
    )


def main() -> int:
    options = arguments(
        __doc__,
        products=(100_000, "catalog size N"),
        skip_seed=(False, "use the catalog as it is"),
        skip_reindex=(False, "use the index as it is (while iterating)"),
    )
    args = parse_and_set_up(options)
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
        with report.phase("search controls (issue 20)"):
            search_controls(report, api)
        with report.phase("slowest query"):
            slowest_query(report, bodies)
        with report.phase("commit-to-searchable lag"):
            commit_to_searchable(report, api)

    write_report(report, args)
    status = report.finish()
    print(f"\nWritten to {harness.REPORT.relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
