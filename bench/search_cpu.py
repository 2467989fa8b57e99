"""CPU per search of the API's and the old API's server processes, and where the API's goes
(a cProfile of the same view in the bench process)."""

import time
from collections.abc import Callable
from typing import Any

import requests

from bench import harness
from bench.cpu import inclusive_seconds, process_cpu_seconds
from bench.harness import median, ms
from bench.search_common import Bodies, Report


def es_cpu_seconds() -> float | None:
    """CPU time of the local Elasticsearch node (its pid from the nodes API), if readable."""
    from search.client import get_client

    try:
        nodes = get_client().nodes.info(node_id="_local", metric="process")["nodes"]
        pid = next(iter(nodes.values()))["process"]["id"]
    except Exception:
        return None
    return process_cpu_seconds(pid) or None


def api_cpu_parts() -> list[tuple[str, list[Callable[..., Any] | property]]]:
    """Parts of a search's CPU in the API, (label, functions summed, inclusive), named by the
    functions themselves: a renamed or moved function fails here (and in mypy), never
    zeroes a row."""
    from rest_framework.response import Response
    from rest_framework.serializers import BaseSerializer
    from rest_framework.views import APIView

    from search.queries import product_search, query_words, spelling_request
    from search.selectors import search_index

    return [
        ("Elasticsearch client (2 requests: HTTP, JSON)", [search_index]),
        ("query parameters (serializer)", [BaseSerializer.is_valid]),
        ("rendering the answer (JSON)", [vars(Response)["rendered_content"]]),
        (
            "building the requests, reading the spelling answer",
            [spelling_request, query_words, product_search],
        ),
        ("authentication, permissions, negotiation", [APIView.initial]),
        ("the whole DRF view", [APIView.dispatch]),
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

    from django.core.handlers.base import BaseHandler
    from django.test import Client, override_settings

    parts = api_cpu_parts()  # first: a part that no longer exists fails before measuring
    session = requests.Session()
    paths = {
        "api": (servers.named["api"].pid, [f"{api}/api/products/?q={quote(b.q)}" for b in bodies]),
        "before": (
            servers.named["baseline"].pid,
            [f"{baseline}/before/products/?q={quote(b.q)}" for b in bodies],
        ),
    }
    per_search: dict[str, list[float]] = {"api": [], "before": [], "es_api": [], "es_before": []}
    for _ in range(3):  # interleaved rounds
        for name, (server, urls) in paths.items():
            for url in urls:
                session.get(url, timeout=30)
            own, es = process_cpu_seconds(server, children=True), es_cpu_seconds()
            for url in urls * 2:
                session.get(url, timeout=30)
            count = len(urls) * 2
            used = process_cpu_seconds(server, children=True) - own
            per_search[name].append(used / count)
            es_after = es_cpu_seconds()
            if es is not None and es_after is not None:
                per_search[f"es_{name}"].append((es_after - es) / count)

    api_cpu, before_cpu = median(per_search["api"]), median(per_search["before"])
    es_api, es_before = median(per_search["es_api"]), median(per_search["es_before"])
    report.add(
        "CPU per search, one client: API processes (Elasticsearch's)",
        f"{ms(api_cpu)} ({ms(es_api)})",
        baseline=f"before: {ms(before_cpu)} ({ms(es_before)})",
        ratio=f"API {before_cpu / api_cpu:.1f}x less, Elasticsearch {es_before / es_api:.1f}x less",
    )

    # Where the API's CPU goes: the same requests through Django in this process, with the
    # spelling cache off so that every part of a search runs (repeated URLs would hit it).
    client = Client()
    urls = [f"/api/products/?q={quote(b.q)}" for b in bodies]
    with override_settings(SEARCH_SPELLING_CACHE_SECONDS=0):
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

    whole = inclusive_seconds(stats, BaseHandler.get_response)  # the whole request
    rows = [
        f"| {label} | {sum(inclusive_seconds(stats, f) for f in functions) / whole:.0%} |"
        for label, functions in parts
    ]
    report.sections.append(
        (
            "Where the API's CPU goes",
            f"cProfile (CPU clock) of {len(urls) * 5} searches through Django's test client in "
            f"the bench process ({ms(in_process)} of CPU each, profiling included), the "
            "spelling cache off (`SEARCH_SPELLING_CACHE_SECONDS=0`) so every part runs; the "
            "CPU per search above is the API as served, the cache on, each URL asked 3 times; "
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
