"""Highlighting designs, straight on Elasticsearch: what chose the design."""

import copy
import time
from collections.abc import Callable
from typing import Any

from bench.harness import (
    ms,
    p50_p95,
    percentile,
    times,
    verdict,
)
from bench.search_common import (
    Bodies,
    Report,
    direct_search,
    fuzzy_highlight,
)


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
        ratio=times(new / old),
        target="≤ 1.25x (no measurable cost)",
        status=verdict(new / old <= 1.25),
    )
