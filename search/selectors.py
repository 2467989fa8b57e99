"""Shoppers' reads of the search index: what GET /api/products/ and the autocomplete paths
answer, as plain data (the views only validate parameters and render)."""

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from itertools import combinations, islice
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from elasticsearch import ApiError, NotFoundError, TransportError

from core.errors import Invalid, Unavailable
from search import synonyms
from search.client import get_client
from search.indices import alias
from search.queries import (
    MAX_RELAXATION_ROUNDS,
    MAX_RELAXATIONS,
    SEARCH_ANSWER,
    SOURCE_ANSWER,
    SPELLING_ANSWER,
    STOP_WORDS,
    QueryWord,
    Synonym,
    content_words,
    encode_cursor,
    exact_name,
    product_autocomplete,
    product_search,
    query_words,
    relaxation_request,
    spelling_request,
    tag_autocomplete,
    typos,
)

SEARCH_UNAVAILABLE = "Search is unavailable right now; try again shortly."
_EM = re.compile(r"<em>(.*?)</em>")
_WORD = re.compile(r"\w+")


def search_index(
    kind: str, body: dict[str, Any], answer: list[str] | None = None
) -> dict[str, Any]:
    """Run a search whose response keeps only the `answer` paths (less JSON to read); an
    index not created yet is an empty result, an outage is `Unavailable` (503).

    Partial results are refused: if some shard has no copy that answers (a node lost and
    its shards' other copies not there), Elasticsearch errors and shoppers get a 503, never
    a 200 that silently misses products."""
    try:
        response: dict[str, Any] = (
            get_client()
            .search(
                index=alias(kind),
                filter_path=answer,
                allow_partial_search_results=False,
                **body,
            )
            .body
        )
        return response
    except NotFoundError:
        return {}
    except TransportError as exc:  # unreachable, timed out
        raise Unavailable(SEARCH_UNAVAILABLE) from exc
    except ApiError as exc:
        if exc.meta.status >= 500 or exc.meta.status == 429:  # the node is down or overloaded
            raise Unavailable(SEARCH_UNAVAILABLE) from exc
        raise  # a request we built wrong: a bug, logged and answered 500, never hidden as 503


def hits_of(response: dict[str, Any]) -> list[dict[str, Any]]:
    """The hits of a filtered response (which leaves `hits` out when there are none)."""
    hits: list[dict[str, Any]] = response.get("hits", {}).get("hits", [])
    return hits


def _hit(hit: dict[str, Any]) -> dict[str, Any]:
    product = dict(hit["_source"])
    if "highlight" in hit:
        product["highlight"] = hit["highlight"]
    return product


def _number(value: float | None) -> int | float | None:
    return None if value is None else int(value) if value == int(value) else value


def _facets(aggregations: dict[str, Any]) -> dict[str, Any]:
    def buckets(name: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (
            aggregations.get(name, {}).get("counts", {}).get("buckets", [])
        )
        return found

    return {
        "tags": [{"value": b["key"], "count": b["doc_count"]} for b in buckets("tags")],
        "price": [
            {
                "value": b["key"],
                "from": _number(b.get("from")),
                "to": _number(b.get("to")),
                "count": b["doc_count"],
            }
            for b in buckets("price")
        ],
        "in_stock": [
            {"value": b["key_as_string"] == "true", "count": b["doc_count"]}
            for b in buckets("in_stock")
        ],
    }


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def corrected_query(
    q: str, words: list[QueryWord], found: list[Synonym], hits: list[dict[str, Any]]
) -> str | None:
    """`q` with each word that no hit holds as typed (nor by its stem, nor as a prefix)
    replaced by the spelling the hits hold most; None when no word needed a correction."""
    if not hits:
        return None
    covered = {words[i].text for s in found for i in range(s.start, s.end)}
    corrections: dict[str, str] = {}
    for word in content_words(words):
        if word.text in covered or not word.spellings:
            continue
        named = exact_name(word.text)
        if any(named in hit.get("matched_queries", ()) for hit in hits):
            continue  # some hit holds the word as the shopper typed it
        used: Counter[str] = Counter()
        for hit in hits:
            marked = {
                _fold(term)
                for field in ("name", "tags.name")
                for fragment in hit.get("highlight", {}).get(field, [])
                for term in _EM.findall(fragment)
            }
            used.update(marked & set(word.spellings))
        if used:
            corrections[word.text] = used.most_common(1)[0][0]
    if not corrections:
        return None
    return _WORD.sub(lambda m: corrections.get(_fold(m[0]), m[0]), q)


def _relax(params: dict[str, Any], words: list[QueryWord]) -> tuple[str, ...]:
    """The words to leave out when no product holds them all: as few as possible, and of
    those the least selective (held by most products), keeping the rarer, telling words.
    Empty when leaving words out finds nothing either (or after MAX_RELAXATION_ROUNDS)."""
    # stop words are optional already; a query of stop words only is not relaxed
    content = [w.text for w in words if w.text not in STOP_WORDS]
    if len(content) < 2:
        return ()
    held: dict[str, int] = {}
    must_go: tuple[str, ...] = ()  # words no product holds: in every set once counted
    for size in range(1, len(content)):
        if size > MAX_RELAXATION_ROUNDS:
            return ()
        if held:
            # least selective first; lazily, so a long query never lists every combination
            rest = sorted((w for w in content if w not in must_go), key=lambda w: -held[w])
            if size < len(must_go) or size - len(must_go) >= len(rest):
                continue
            ways = combinations(rest, size - len(must_go))
            candidates = [must_go + extra for extra in islice(ways, MAX_RELAXATIONS)]
        else:
            candidates = list(islice(combinations(content, size), MAX_RELAXATIONS))
        body = relaxation_request(params, words, synonyms.expand, candidates)
        counts = search_index("products", body).get("aggregations", {}).get("relax", {})
        buckets = counts.get("buckets", {})
        if not buckets:
            return ()
        held = {w: buckets[f"word:{w}"]["doc_count"] for w in content}
        if not any(held.values()):
            return ()
        must_go = tuple(w for w in content if not held[w])
        matching = [d for i, d in enumerate(candidates) if buckets[f"drop:{i}"]["doc_count"]]
        if matching:
            return max(matching, key=lambda dropped: sum(held[w] for w in dropped))
    return ()


def search_products(params: dict[str, Any]) -> dict[str, Any]:
    """GET /api/products/ as data: `results`, `corrected_query`, `dropped_words`, `facets`
    (when asked) and `cursor` (of the next page, None at the end). `params` are
    ProductSearchParams' validated data (`sort` resolved, the cursor decoded)."""
    q, sort = params["q"], params["sort"]
    cursor = params.get("cursor_data")
    words: list[QueryWord] | None = None
    dropped: tuple[str, ...] = ()
    if q:
        words = _spelled(q)
        if not typos(params):  # no typo'd forms: nothing to highlight or report as corrected
            words = [QueryWord(w.text) for w in words]
    if words and cursor is not None and cursor.dropped:
        known = {w.text for w in words}
        if not set(cursor.dropped) <= known or len(cursor.dropped) >= len(known):
            raise Invalid(details={"cursor": ["This cursor belongs to another query."]})
        dropped = cursor.dropped
    if cursor is not None:
        params = {**params, "search_after": cursor.search_after}
    kept = [w for w in words or [] if w.text not in dropped]
    found = synonyms.expand(kept) if kept else []
    body = product_search(params, kept or words, found)
    result = search_index("products", body, SEARCH_ANSWER)
    hits = hits_of(result)
    if not hits and words and cursor is None:
        # no dead ends: no product holds every word, so answer those that hold most of them
        dropped = _relax(params, words)
        if dropped:
            kept = [w for w in words if w.text not in dropped]
            found = synonyms.expand(kept)
            body = product_search(params, kept, found)
            result = search_index("products", body, SEARCH_ANSWER)
            hits = hits_of(result)
    answer: dict[str, Any] = {
        "results": [_hit(h) for h in hits],
        "corrected_query": corrected_query(q, kept, found, hits) if kept else None,
        "dropped_words": list(dropped),
        "cursor": None,
    }
    if len(hits) == body["size"]:
        answer["cursor"] = encode_cursor(hits[-1]["sort"], sort=sort, dropped=list(dropped))
    if params.get("facets"):
        answer["facets"] = _facets(result.get("aggregations", {}))
    return answer


def suggestions_cache() -> BaseCache:
    return caches["suggestions"]


def _spelled(q: str) -> list[QueryWord]:
    """The words of `q` and their typo'd forms in the index: the first of a search's two
    requests, measured at 7.1 of the 16.2 ms of Elasticsearch's CPU per search on the 100k
    catalog (the node's CPU over 300 searches). Shoppers repeat queries, and the index's
    words change slowly, so each web process keeps the answer SEARCH_SPELLING_CACHE_SECONDS."""
    typed = hashlib.blake2b(q.lower().encode(), digest_size=16).hexdigest()
    key = f"spelling:{typed}"
    words: list[QueryWord] | None = suggestions_cache().get(key)
    if words is None:
        words = query_words(search_index("products", spelling_request(q), SPELLING_ANSWER))
        suggestions_cache().set(key, words, settings.SEARCH_SPELLING_CACHE_SECONDS)
    return list(words)


def _suggest(kind: str, q: str, body: Callable[[str, int], dict[str, Any]]) -> list[Any]:
    size = settings.SEARCH_AUTOCOMPLETE_SIZE
    if not q:
        return []  # nothing typed, nothing to suggest
    # The analyzer lowercases, so "Gar" and "gar" are one answer; hashed: any text is a key.
    typed = hashlib.blake2b(q.lower().encode(), digest_size=16).hexdigest()
    key = f"autocomplete:{kind}:{size}:{typed}"
    suggestions = suggestions_cache().get(key)
    if suggestions is None:
        result = search_index(kind, body(q, size), SOURCE_ANSWER)
        suggestions = [h["_source"] for h in hits_of(result)]
        suggestions_cache().set(key, suggestions, settings.SEARCH_AUTOCOMPLETE_CACHE_SECONDS)
    return list(suggestions)


def suggest_products(q: str) -> list[dict[str, Any]]:
    """Product names starting with what was typed (each web process caches them briefly)."""
    return _suggest("products", q, product_autocomplete)


def suggest_tags(q: str) -> list[dict[str, Any]]:
    """Tags starting with what was typed, with their product counts."""
    return _suggest("tags", q, tag_autocomplete)
