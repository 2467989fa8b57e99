"""Search over HTTP with one client: the API, the API before issue 10 and the same requests
straight to Elasticsearch, interleaved; typo + unfinished-word queries; highlights; and the
same searches on a plain DRF ListAPIView with SearchFilter (PostgreSQL icontains)."""

import time

import requests

from bench.harness import (
    http_latencies,
    ms,
    one_get,
    p50_p95,
    p50_p95_n,
    percentile,
    times,
    verdict,
)
from bench.search_common import (
    ALL_QUERIES,
    QUERIES,
    TYPO_AND_PREFIX,
    Bodies,
    Report,
    bodies_for,
    direct_search,
    finds_what_it_should,
    fuzzy_highlight,
    marks,
)


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
        p50_p95_n(flat["api"]),
        baseline=f"before issue 10: {p50_p95(flat['before'])}",
        ratio=f"p95 {before_p95 / api_p95:.1f}x lower",
        target="p50 ≤ 12 ms, p95 ≤ 25 ms",
        status=verdict(api_p50 <= 0.012 and api_p95 <= 0.025),
    )
    direct_p50 = percentile(flat["direct"], 50)
    ratio = api_p50 / direct_p50
    report.add(
        "API over Elasticsearch (the same requests), one client, p50",
        ms(api_p50),
        baseline=f"straight to Elasticsearch: {p50_p95(flat['direct'])}",
        ratio=times(ratio),
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
