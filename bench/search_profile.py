"""The slowest query, with Elasticsearch's profile of it."""

from typing import Any

from bench.harness import ms
from bench.search_common import (
    Bodies,
    Report,
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
