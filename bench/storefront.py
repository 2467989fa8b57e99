"""Storefront benchmark: the time from a keystroke in the search box at `/` to the redrawn
results, measured inside headless Chromium on the bench catalog, against the time the same
page spends waiting for `GET /api/products/?q=…` (the in-browser baseline of the same run).

The page itself marks `keystroke-to-results` and `keystroke-to-suggestions` with the User
Timing API: from the `input` event's timestamp to the frame after the redraw. Resource
Timing gives the API request's own duration for the same keystroke. Two ways of typing:

1. one key at a time: each key waits for its results (every keystroke measured);
2. typing at a steady 8 keys/s without waiting: from the last key to its results (what a
   person sees when they stop typing), and how often results were redrawn on the way.

It tops the catalog up to N products and reindexes when the index is behind, starts the API
(gunicorn as `make run` serves it, DEBUG off: static files from WhiteNoise) and writes its
section of docs/PERFORMANCE.md. Not a test.

    .venv/bin/python -m bench.storefront --products 100000   (make bench-storefront)
"""

import os
import sys
import tempfile
import time
from typing import Any

from bench.chromium import chromedriver, chromium_options
from bench.harness import (
    Report,
    arguments,
    configure,
    ms,
    parse_and_set_up,
    percentile,
    publish,
    running_servers,
)
from bench.search_common import QUERIES

configure(index_prefix="bench")

STEADY_KEYS_PER_SECOND = 8

# Resolves with the timings of the keystroke whose text (trimmed) is arguments[0], once the
# page has redrawn the results for it and shown its suggestions (or after 15 s, with null).
WAIT_FOR_KEYSTROKE = """
const [q, wantSuggestions, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
function found() {
  const results = performance.getEntriesByName("keystroke-to-results")
    .filter((m) => m.detail && m.detail.q === q);
  const suggestions = performance.getEntriesByName("keystroke-to-suggestions");
  if (!results.length || (wantSuggestions && !suggestions.length)) return false;
  const api = performance.getEntriesByType("resource").filter((r) => {
    const url = new URL(r.name);
    return url.pathname === "/api/products/" && url.searchParams.get("q") === q
      && url.searchParams.get("facets") === "true";
  }).pop();
  const mark = results[results.length - 1];
  done({
    results: mark.duration,
    before: api ? api.startTime - mark.startTime : null,
    after: api ? mark.startTime + mark.duration - api.responseEnd : null,
    redraws: performance.getEntriesByName("keystroke-to-results").length,
    suggestions: suggestions.length ? suggestions[suggestions.length - 1].duration : null,
    api: api ? api.duration : null,
    server: api ? api.responseStart - api.requestStart : null,
  });
  return true;
}
if (!found()) {
  const observer = new PerformanceObserver(() => { if (found()) observer.disconnect(); });
  observer.observe({ type: "measure" });
  setTimeout(() => { observer.disconnect(); done(null); }, 15000);
}
"""
FORGET = "performance.clearMeasures(); performance.clearResourceTimings();"


def ensure_catalog(report: Report, n_products: int) -> None:
    """At least N products in the database, and an index that holds every indexable one."""
    from django.core.management import call_command

    from catalog.models import Product
    from search.client import get_client
    from search.indexing import indexable_products
    from search.indices import alias

    existing = Product.objects.count()
    if existing < n_products:
        call_command("seed_catalog", products=n_products - existing, users=50, seed=42)
    wanted = indexable_products().count()
    try:
        indexed = int(get_client().count(index=alias("products"))["count"])
    except Exception:
        indexed = -1
    if indexed != wanted:
        call_command("search_reindex")
        indexed = int(get_client().count(index=alias("products"))["count"])
    report.notes.append(
        f"Catalog: {Product.objects.count():,} products in the database, {indexed:,} active "
        f"ones in the index (`{alias('products')}`)."
    )


def start_browser() -> Any:
    from selenium import webdriver

    options = chromium_options(tempfile.mkdtemp(prefix="bench-chromium-"))
    driver = webdriver.Chrome(service=chromedriver(), options=options)
    driver.set_script_timeout(20)
    return driver


def clear_box(driver: Any, box: Any) -> None:
    from selenium.webdriver.common.keys import Keys

    if not box.get_attribute("value"):
        return
    driver.execute_script(FORGET)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    driver.execute_async_script(WAIT_FOR_KEYSTROKE, "", False)  # the listing is back


def one_key_at_a_time(driver: Any, box: Any, queries: list[str]) -> list[dict[str, float]]:
    samples: list[dict[str, float]] = []
    for query in queries:
        clear_box(driver, box)
        for end in range(1, len(query) + 1):
            driver.execute_script(FORGET)
            box.send_keys(query[end - 1])
            timing = driver.execute_async_script(WAIT_FOR_KEYSTROKE, query[:end].strip(), True)
            if timing is None:
                raise RuntimeError(f"no results drawn for {query[:end]!r} within 15 s")
            samples.append(timing)
    return samples


def steady_typing(driver: Any, box: Any, queries: list[str]) -> list[dict[str, float]]:
    samples: list[dict[str, float]] = []
    gap = 1 / STEADY_KEYS_PER_SECOND
    for query in queries:
        clear_box(driver, box)
        driver.execute_script(FORGET)
        next_key = time.perf_counter()
        for character in query:
            time.sleep(max(0.0, next_key - time.perf_counter()))
            box.send_keys(character)
            next_key += gap
        timing = driver.execute_async_script(WAIT_FOR_KEYSTROKE, query.strip(), False)
        if timing is None:
            raise RuntimeError(f"no results drawn for {query!r} within 15 s")
        timing["keys"] = len(query)
        samples.append(timing)
    return samples


def p50_p95(values: list[float]) -> str:
    """Like harness.p50_p95, for the browser's timings, which are in milliseconds."""
    return f"{ms(percentile(values, 50) / 1000)} / {ms(percentile(values, 95) / 1000)}"


def measure(report: Report, api: str, rounds: int) -> None:
    from selenium.webdriver.common.by import By

    driver = start_browser()
    try:
        driver.get(f"{api}/")
        box = driver.find_element(By.ID, "search-input")
        box.click()
        one_key_at_a_time(driver, box, QUERIES[:4])  # warm-up: caches, JIT, connections
        careful: list[dict[str, float]] = []
        steady: list[dict[str, float]] = []
        for _ in range(rounds):
            careful += one_key_at_a_time(driver, box, QUERIES)
            steady += steady_typing(driver, box, QUERIES)
    finally:
        driver.quit()

    results = [s["results"] for s in careful]
    fetches = [s["api"] for s in careful if s["api"] is not None]
    servers = [s["server"] for s in careful if s["server"] is not None]
    ratio = percentile(results, 50) / percentile(fetches, 50)
    report.add(
        "keystroke → results redrawn, one key at a time, p50 / p95",
        f"{p50_p95(results)} (n={len(results)})",
        baseline=f"its `GET /api/products/?q=…&facets=true` in the browser: {p50_p95(fetches)}",
        ratio=f"p50 {ratio:.2f}x",
        target="p95 ≤ 300 ms",
        status="PASS" if percentile(results, 95) <= 300 else "MISS",
    )
    suggestions = [s["suggestions"] for s in careful if s["suggestions"] is not None]
    report.add(
        "keystroke → suggestions shown (products + tags), p50 / p95",
        f"{p50_p95(suggestions)} (n={len(suggestions)})",
        target="p95 ≤ 150 ms",
        status="PASS" if percentile(suggestions, 95) <= 150 else "MISS",
    )
    last = [s["results"] for s in steady]
    last_fetch = [s["api"] for s in steady if s["api"] is not None]
    redraws = sum(s["redraws"] for s in steady)
    keys = sum(s["keys"] for s in steady)
    report.add(
        f"typing at {STEADY_KEYS_PER_SECOND} keys/s: last key → its results, p50 / p95",
        f"{p50_p95(last)} (n={len(last)})",
        baseline=f"its request: {p50_p95(last_fetch)}",
        ratio=f"p50 {percentile(last, 50) / percentile(last_fetch, 50):.2f}x",
        target="p95 ≤ 300 ms",
        status="PASS" if percentile(last, 95) <= 300 else "MISS",
    )
    report.notes.append(
        f"At {STEADY_KEYS_PER_SECOND} keys/s the results were redrawn {redraws} times for "
        f"{keys} keys ({redraws / keys:.0%})"
        + (
            ": a key that comes before the previous answer aborts it, so only the latest text "
            "is drawn."
            if redraws < keys
            else "."
        )
    )
    before = [s["before"] for s in careful if s["before"] is not None]
    after = [s["after"] for s in careful if s["after"] is not None]
    report.notes.append(
        "Where a keystroke's time goes, one key at a time, p50 / p95: from the key to the "
        f"request leaving {p50_p95(before)}; the request {p50_p95(fetches)}, of which the "
        f"server's part (`responseStart - requestStart`) {p50_p95(servers)}; from the answer "
        f"to the redrawn frame (JSON, building the cards and facets, layout, the next frame) "
        f"{p50_p95(after)}."
    )


def write_report(report: Report) -> None:
    publish(
        "storefront",
        report,
        title="Storefront: keystroke to results in the browser (`make bench-storefront`)",
        machine_note=". API = gunicorn as `make run` serves it (`config/gunicorn.py`), `DEBUG` "
        "off; browser = Debian's Chromium, headless, driven by Selenium, on the same machine.",
        command_note=" (with `DATABASE_URL`, `REDIS_URL`, "
        f"`ELASTICSEARCH_INDEX_PREFIX={os.environ['ELASTICSEARCH_INDEX_PREFIX']}`).",
        how="How: the page marks each keystroke with the User Timing API: from the `input` "
        "event's own timestamp to the frame after the new results (or suggestions) are in "
        "the DOM (`requestAnimationFrame` + a task), so the figure is what a person waits "
        "for, Chromium's input handling, JSON parsing and layout included. The baseline is "
        "the page's own request for the same keystroke (Resource Timing `duration`, network "
        "and server); the ratio is the page's overhead on top of the API. Each keystroke "
        "asks three things at once: the results with facets and the two autocompletes. "
        "Queries: the search benchmark's "
        f"{len(QUERIES)} (`bench/search.py`), whole words, typos and unfinished words, "
        "typed from an empty box; one key at a time waits for each key's results before the "
        "next key; steady typing sends keys every "
        f"{1000 // STEADY_KEYS_PER_SECOND} ms without waiting.",
    )


def main() -> int:
    args = parse_and_set_up(
        arguments(
            __doc__, products=(100_000, "catalog size"), rounds=(1, "passes over the queries")
        )
    )
    report = Report()
    with report.phase("catalog"):
        ensure_catalog(report, args.products)
    with running_servers("storefront", report) as servers:
        with report.phase("start the API"):
            api = servers.api()
            servers.wait()
        with report.phase("type in the browser"):
            measure(report, api, args.rounds)

    write_report(report)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
