"""Shoppers' reads from Elasticsearch: the round trips, the cursor, the facets and the
suggestion cache. Views parse and answer; these functions know nothing of HTTP."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from elasticsearch import ApiError, NotFoundError, TransportError

from core.errors import Unavailable
from search.client import get_client
from search.indices import alias
from search.queries import (
    SEARCH_ANSWER,
    SOURCE_ANSWER,
    SPELLING_ANSWER,
    encode_cursor,
    product_autocomplete,
    product_search,
    query_words,
    spelling_request,
    tag_autocomplete,
)

SEARCH_UNAVAILABLE = "Search is unavailable right now; try again shortly."


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


def _facets(aggregations: dict[str, Any]) -> dict[str, Any]:
    def buckets(name: str, key: Callable[[dict[str, Any]], Any]) -> list[dict[str, Any]]:
        found = aggregations.get(name, {}).get("buckets", [])
        return [{"value": key(b), "count": b["doc_count"]} for b in found]

    return {
        "tags": buckets("tags", lambda b: b["key"]),
        "price": buckets("price", lambda b: b["key"]),
        "in_stock": buckets("in_stock", lambda b: b["key_as_string"] == "true"),
    }


@dataclass(frozen=True)
class ProductPage:
    """One page of the listing or of a search: hits as indexed (`_source`, with `highlight`
    when searching), the cursor of the next page (None at the end), facets when asked."""

    results: list[dict[str, Any]]
    next_cursor: str | None
    facets: dict[str, Any] | None


def search_products(params: dict[str, Any]) -> ProductPage:
    """The listing (newest first) or, with `q`, a search by relevance: first the spelling
    round trip (which index terms each typed word may stand for), then the search itself."""
    words = None
    if params["q"]:
        words = query_words(
            search_index("products", spelling_request(params["q"]), SPELLING_ANSWER)
        )
    body = product_search(params, words)
    result = search_index("products", body, SEARCH_ANSWER)
    hits = hits_of(result)
    next_cursor = None
    if len(hits) == body["size"]:
        next_cursor = encode_cursor(hits[-1]["sort"], relevance=bool(params["q"]))
    facets = _facets(result.get("aggregations", {})) if params.get("facets") else None
    return ProductPage([_hit(h) for h in hits], next_cursor, facets)


def suggestions_cache() -> BaseCache:
    return caches["suggestions"]


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
