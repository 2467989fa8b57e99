"""Autocomplete (products, tags): the API vs before issue 10 vs straight on Elasticsearch."""

import time

import requests

from bench.harness import one_get, p50_p95, p50_p95_n, percentile, verdict
from bench.search_common import (
    PRODUCT_PREFIX_WORDS,
    TAG_PREFIX_WORDS,
    Report,
    prefixes,
)


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
    changed: list[str] = []  # kinds whose query is no longer the one of before issue 10
    for kind, words in (("products", PRODUCT_PREFIX_WORDS), ("tags", TAG_PREFIX_WORDS)):
        typed = prefixes(words)
        api_urls = [f"{api}/api/{kind}/autocomplete/?q={quote(p)}" for p in typed]
        before_urls = [f"{baseline}/before/{kind}/autocomplete/?q={quote(p)}" for p in typed]
        bodies = [builders[kind](p, size) for p in typed]
        if [before_builders[kind](p, size) for p in typed] != bodies:
            changed.append(kind)
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
            p50_p95_n(samples["api"]),
            baseline=f"before: {p50_p95(samples['before'])}; straight to Elasticsearch: "
            f"{p50_p95(samples['direct'])}",
            ratio=f"p95 {percentile(samples['before'], 95) / p95:.1f}x lower",
            target="p95 ≤ 6 ms",
            status=verdict(p95 <= 0.006),
        )
    before = (
        f"'before' runs its own query of then ({' and '.join(changed)}: not the API's any more)"
        if changed
        else "'before' runs the same query"
    )
    report.notes.append(
        f"Autocomplete: {len(prefixes(PRODUCT_PREFIX_WORDS))} prefixes per kind, 5 rounds; the "
        "API answers a prefix from its per-process cache after the first request for it "
        f"(at most {settings.SEARCH_AUTOCOMPLETE_CACHE_SECONDS:g} s old), so its figures are "
        f"mostly cache hits; {before} with no cache, 'straight to Elasticsearch' is the API's "
        "query alone."
    )
