"""What the search benchmark's measurements share (bench/search.py runs them): the queries,
what the API sends Elasticsearch for each, and the report with per-query figures, markdown
sections and how busy the machine was during each phase."""

import copy
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench import harness
from bench.cpu import machine_cpu_seconds
from bench.harness import ROOT

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
        before = machine_cpu()
        started = time.perf_counter()
        with super().phase(name):
            yield
        seconds = time.perf_counter() - started
        busy, total, ours = (a - b for a, b in zip(machine_cpu(), before, strict=True))
        others = max(0, busy - ours) / max(total, 1e-9)
        self.phases.append(
            f"{name}: {seconds:.0f} s, machine CPU {busy / max(total, 1e-9):.0%} busy, of "
            f"which {others:.0%} (of both cores) other people's processes"
        )


def machine_cpu() -> tuple[float, float, float]:
    """The machine's CPU so far and this run's share of it: this process, its servers and
    this checkout's services (any process naming the checkout or its ports)."""
    ports = [os.environ.get(v) for v in ("ES_PORT", "PG_PORT", "REDIS_PORT")]
    return machine_cpu_seconds([str(ROOT), *(port for port in ports if port)])


@dataclass(frozen=True)
class EsRequest:
    """One request the API sent Elasticsearch: the index kind, the body and the paths of the
    answer it read (`filter_path`; None: all of it)."""

    kind: str
    body: dict[str, Any]
    answer: list[str] | None


@contextmanager
def recording_requests() -> Iterator[list[EsRequest]]:
    """Every request `search.selectors` sends Elasticsearch while inside, in order (they are
    still sent: the answers drive the next requests, as in the API)."""
    from search import selectors

    sent: list[EsRequest] = []
    real = selectors.search_index

    def recorded(kind: str, body: dict[str, Any], answer: list[str] | None = None) -> Any:
        sent.append(EsRequest(kind, copy.deepcopy(body), answer))
        return real(kind, body, answer)

    selectors.search_index = recorded
    try:
        yield sent
    finally:
        selectors.search_index = real


def api_requests(query: dict[str, str]) -> tuple[list[EsRequest], dict[str, Any]]:
    """What GET /api/products/?<query> sends Elasticsearch (the view's own validation and
    selector, run here), and what it answers (as data, before rendering)."""
    from api.serializers import validated
    from search.selectors import search_products
    from search.serializers import ProductSearchParams

    with recording_requests() as sent:
        answer = search_products(validated(ProductSearchParams, query))
    return list(sent), answer


def replay(client: Any, requests: list[EsRequest], *, took: bool = False) -> int:
    """Send the API's requests straight to Elasticsearch, as the API sends them; the sum of
    their `took` (ms) when asked (one more path in the answer)."""
    from search.indices import alias

    total = 0
    for r in requests:
        paths = r.answer if r.answer is None or not took else [*r.answer, "took"]
        reply = client.search(
            index=alias(r.kind), filter_path=paths, allow_partial_search_results=False, **r.body
        )
        total += reply.get("took", 0) if took else 0
    return total


@dataclass
class Bodies:
    """What the API sends Elasticsearch for one query: every request in order (`requests`:
    the spelling request, the search, and relaxation's when no product holds every word),
    the first two apart, and the one request the API sent before issue 10."""

    q: str
    spelling: dict[str, Any]
    search: dict[str, Any]
    before: dict[str, Any]
    requests: list[EsRequest] = field(default_factory=list)


def bodies_for(client: Any, alias: str, q: str) -> Bodies:
    from bench.before import before_params, before_product_search
    from search.queries import SEARCH_ANSWER, SPELLING_ANSWER

    sent, _ = api_requests({"q": q})
    spelling = next(r.body for r in sent if r.answer == SPELLING_ANSWER)
    search = [r.body for r in sent if r.answer == SEARCH_ANSWER][-1]  # relaxed, if it was
    return Bodies(q, spelling, search, before_product_search(before_params(q)), sent)


def direct_search(client: Any, alias: str, bodies: Bodies) -> Any:
    """The API's requests, sent straight to Elasticsearch."""
    return replay(client, bodies.requests)


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


def prefixes(words: list[str]) -> list[str]:
    return [word[:n] for word in words for n in range(1, 6)]
