"""Elasticsearch request bodies for the shoppers' reads. Pure functions of validated params,
so the API and the benchmark send exactly the same query."""

import base64
import json
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings

# Name boosted above tags; the description (weight 1) is searched by its own clause.
LABEL_FIELDS = ["name^3", "tags.name^2"]
PRICE_RANGES = [
    {"key": "0-10", "to": 10},
    {"key": "10-25", "from": 10, "to": 25},
    {"key": "25-50", "from": 25, "to": 50},
    {"key": "50-100", "from": 50, "to": 100},
    {"key": "100-250", "from": 100, "to": 250},
    {"key": "250+", "from": 250},
]
NEWEST_FIRST = [{"created": "desc"}, {"id": "desc"}]
RELEVANCE = [{"_score": "desc"}, *NEWEST_FIRST]


MAX_SCORE = 3.4e38  # scores are 32-bit floats


class BadCursor(ValueError):
    pass


def encode_cursor(sort_values: list[Any], *, relevance: bool) -> str:
    raw = json.dumps({"r": relevance, "v": sort_values}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_uuid(value: Any) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def decode_cursor(cursor: str, *, relevance: bool) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        values = data["v"]
        expected = len(RELEVANCE if relevance else NEWEST_FIRST)
        if data["r"] is not relevance or not isinstance(values, list) or len(values) != expected:
            raise BadCursor("This cursor belongs to another query.")
        # The values must be what Elasticsearch itself could have answered: a finite score
        # (a float; NaN and infinities fail the bound), a date in epoch millis (a long) and
        # an id (a UUID string). JSON's true and false are ints to Python, and Elasticsearch
        # refuses them: checked apart.
        if relevance and not (_is_number(values[0]) and abs(values[0]) <= MAX_SCORE):
            raise BadCursor("Malformed cursor.")
        created, last_id = values[-2], values[-1]
        if not (type(created) is int and abs(created) < 2**63 and _is_uuid(last_id)):
            raise BadCursor("Malformed cursor.")
        if relevance:
            values[0] = float(values[0])
        return list(values)
    except BadCursor:
        raise
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        raise BadCursor("Malformed cursor.") from exc


def _filters(params: dict[str, Any]) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = []
    for slug in params.get("tags") or []:
        filters.append({"term": {"tags.slug": slug}})
    if params.get("owner"):
        filters.append({"term": {"owner.id": str(params["owner"])}})
    if params.get("in_stock") is not None:
        filters.append({"term": {"in_stock": params["in_stock"]}})
    price: dict[str, float] = {}
    if params.get("min_price") is not None:
        price["gte"] = float(Decimal(params["min_price"]))
    if params.get("max_price") is not None:
        price["lte"] = float(Decimal(params["max_price"]))
    if price:
        filters.append({"range": {"price": price}})
    return filters


def product_search(params: dict[str, Any]) -> dict[str, Any]:
    """The body for GET /api/products/ (listing, or full-text search when `q` is given)."""
    q = (params.get("q") or "").strip()
    body: dict[str, Any] = {
        "size": params.get("page_size") or settings.SEARCH_PAGE_SIZE,
        "track_total_hits": False,
    }
    bool_query: dict[str, Any] = {"filter": _filters(params)}
    if q:
        # Every word must match, in one of three ways: in name/tags as typed so far (the
        # last word is a prefix: the shopper is still typing it); in name/tags as whole words
        # with typos tolerated (1 edit from 4 letters, 2 from 8); or in the description as
        # whole words. Documents matching several ways score higher, an exact phrase in the
        # name above all. Fuzziness stays off the long description and off the prefix
        # clause: that is what keeps p95 low (docs/PERFORMANCE.md).
        as_typed = {
            "multi_match": {
                "query": q,
                "type": "bool_prefix",
                "fields": LABEL_FIELDS,
                "operator": "and",
            }
        }
        whole_words = {
            "multi_match": {
                "query": q,
                "fields": LABEL_FIELDS,
                "operator": "and",
                "fuzziness": "AUTO:4,8",
                "prefix_length": 1,
            }
        }
        in_description = {"match": {"description": {"query": q, "operator": "and"}}}
        bool_query["must"] = [{"bool": {"should": [as_typed, whole_words, in_description]}}]
        bool_query["should"] = [{"match_phrase": {"name": {"query": q, "boost": 2}}}]
        body["sort"] = RELEVANCE
        body["highlight"] = {
            "pre_tags": ["<em>"],
            "post_tags": ["</em>"],
            "fields": {
                "name": {"number_of_fragments": 0},
                "description": {"fragment_size": 150, "number_of_fragments": 2},
                "tags.name": {"number_of_fragments": 0},
            },
        }
    else:
        body["sort"] = NEWEST_FIRST
    body["query"] = {"bool": bool_query}
    if params.get("search_after"):
        body["search_after"] = params["search_after"]
    if params.get("facets"):
        body["aggs"] = {
            "tags": {
                "terms": {"field": "tags.slug", "size": 20},
            },
            "price": {"range": {"field": "price", "ranges": PRICE_RANGES}},
            "in_stock": {"terms": {"field": "in_stock", "size": 2}},
        }
    return body


def product_autocomplete(q: str, size: int) -> dict[str, Any]:
    """Product name suggestions: words so far (typos tolerated), last word as a prefix."""
    return {
        "size": size,
        "_source": ["id", "name"],
        "query": {
            "match_bool_prefix": {
                "name": {"query": q, "operator": "and", "fuzziness": "AUTO", "prefix_length": 1}
            }
        },
        "collapse": {"field": "name.raw"},
        "sort": [{"_score": "desc"}, {"created": "desc"}],
    }


def tag_autocomplete(q: str, size: int) -> dict[str, Any]:
    """Tags whose words start with what was typed, most-used first."""
    return {
        "size": size,
        "_source": ["name", "slug", "product_count"],
        "query": {"match_bool_prefix": {"name": {"query": q, "operator": "and"}}},
        "sort": [{"product_count": "desc"}, {"name.raw": "asc"}],
    }
