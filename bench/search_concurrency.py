"""Search with 16 concurrent clients: the API vs raw Elasticsearch (the same requests) vs the
API before issue 10."""

from collections.abc import Callable
from typing import Any

from bench.harness import concurrent_loop, p50_p95, percentile, times, verdict
from bench.search_common import (
    CONCURRENT_CLIENTS,
    Bodies,
    Report,
)


def concurrency(report: Report, api: str, baseline: str, bodies: list[Bodies]) -> None:
    """16 clients at once: the API, raw Elasticsearch (the same requests), the old API. The
    clients are plain urllib3 connections with the requests prepared beforehand, so that the
    load generator, which shares the 2 cores, costs as little as it can and the same per
    HTTP request on both sides."""
    from urllib.parse import quote, urlsplit

    import orjson
    import urllib3
    from django.conf import settings

    from search.indices import alias

    es = urlsplit(settings.ELASTICSEARCH_URL.split(",")[0])
    # every request the API sends for the query (relaxation's too), as the API sends it
    prepared = [
        [
            (
                f"/{alias(r.kind)}/_search?allow_partial_search_results=false"
                + (f"&filter_path={','.join(r.answer)}" if r.answer else ""),
                orjson.dumps(r.body),
            )
            for r in b.requests
        ]
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
        for path, body in prepared[i % len(prepared)]:
            reply = connection.request(
                "POST",
                path,
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
        results.setdefault(name, []).append(concurrent_loop(CONCURRENT_CLIENTS, run, make, 12))

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
        ratio=times(api_rate / raw_rate),
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
        "with its requests prepared beforehand; raw Elasticsearch sends the requests the API "
        "sends for the same query (recorded from the API's own selector: the spelling "
        "request, the search, relaxation's when it relaxes) and decodes the answers."
    )
