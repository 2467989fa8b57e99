"""The search API as it was before issue 10, frozen so that `make bench` measures "before"
and "after" in the same run on the same machine: the old query body (one multi_match
search, Elasticsearch's unified highlighter on fuzzy terms), the old DRF views, the old
query-parameter serializers, the old Elasticsearch client (no orjson, no `filter_path`) and
the old authentication (django-oauth-toolkit asked on every request). Served by the baseline
server (bench/settings.py restores the old middleware); never used by the API itself.

Frozen means copied: everything below is the code of main before issue 10, commit e262384
("Merge issue-12: the storefront at /"), the first parent of 847a500 ("Merge issue-10"):
`search/queries.py` (`product_search` without facets and `search_after`, the autocomplete
bodies, `_filters`, the cursor codec), `search/serializers.py`, `search/client.py` and
`search/views.py` (`search_index`, the list and autocomplete views). It imports nothing of
the project (no `search`, `catalog` or `api` module), only Django's settings for the values
the old code read from them, so the API changing can never change "before". Change it only
to keep it running, never to make it faster.
"""

import base64
import json
import math
import re
from decimal import Decimal
from functools import cache
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import path
from elasticsearch import Elasticsearch, NotFoundError
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

LABEL_FIELDS = ["name^3", "tags.name^2"]
NEWEST_FIRST = [{"created": "desc"}, {"id": "desc"}]
RELEVANCE = [{"_score": "desc"}, *NEWEST_FIRST]
MAX_SCORE = 3.4e38  # scores are 32-bit floats
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


# --- search/client.py and search/views.py: the client as django-elasticsearch-dsl built it ---


@cache
def client() -> Elasticsearch:
    """The client of then: the default JSON serializer, settings.ELASTICSEARCH_DSL of then."""
    return Elasticsearch(
        hosts=settings.ELASTICSEARCH_URL.split(","),
        request_timeout=settings.ELASTICSEARCH_TIMEOUT,
        max_retries=1,
        retry_on_timeout=False,
    )


def search_index(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """Run a search on `<prefix>-<kind>`; an index not created yet is an empty result."""
    try:
        alias = f"{settings.ELASTICSEARCH_INDEX_PREFIX}-{kind}"
        response: dict[str, Any] = client().search(index=alias, **body).body
        return response
    except NotFoundError:
        return {"hits": {"hits": []}, "aggregations": {}}


# --- search/queries.py ----------------------------------------------------------------------


class BadCursor(ValueError):
    pass


def encode_cursor(sort_values: list[Any], *, relevance: bool) -> str:
    raw = json.dumps({"r": relevance, "v": sort_values}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *, relevance: bool) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        values = data["v"]
        expected = len(RELEVANCE if relevance else NEWEST_FIRST)
        if data["r"] is not relevance or not isinstance(values, list) or len(values) != expected:
            raise BadCursor("This cursor belongs to another query.")
        if relevance and not (
            isinstance(values[0], int | float)
            and math.isfinite(values[0])
            and abs(values[0]) <= MAX_SCORE
        ):
            raise BadCursor("Malformed cursor.")
        created, last_id = values[-2], values[-1]
        if not (isinstance(created, int) and abs(created) < 2**63 and isinstance(last_id, str)):
            raise BadCursor("Malformed cursor.")
        return list(values)
    except BadCursor:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise BadCursor("Malformed cursor.") from exc


def before_filters(params: dict[str, Any]) -> list[dict[str, Any]]:
    """search.queries._filters as of e262384."""
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


def before_product_search(params: dict[str, Any]) -> dict[str, Any]:
    """search.queries.product_search as of e262384 (without facets and search_after, which
    the benchmark never asks for)."""
    q = (params.get("q") or "").strip()
    body: dict[str, Any] = {
        "size": params.get("page_size") or settings.SEARCH_PAGE_SIZE,
        "track_total_hits": False,
    }
    bool_query: dict[str, Any] = {"filter": before_filters(params)}
    if q:
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
    return body


def before_product_autocomplete(q: str, size: int) -> dict[str, Any]:
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


def before_tag_autocomplete(q: str, size: int) -> dict[str, Any]:
    return {
        "size": size,
        "_source": ["name", "slug", "product_count"],
        "query": {"match_bool_prefix": {"name": {"query": q, "operator": "and"}}},
        "sort": [{"product_count": "desc"}, {"name.raw": "asc"}],
    }


# --- search/serializers.py ------------------------------------------------------------------


class ProductSearchParams(serializers.Serializer[Any]):
    """Query parameters of GET /api/products/ as of e262384; unknown parameters refused."""

    q = serializers.CharField(required=False, max_length=200, allow_blank=True)
    tags = serializers.CharField(required=False, max_length=1000)
    owner = serializers.UUIDField(required=False)
    in_stock = serializers.ChoiceField(choices=["true", "false"], required=False)
    min_price = serializers.DecimalField(
        required=False, max_digits=12, decimal_places=2, min_value=0
    )
    max_price = serializers.DecimalField(
        required=False, max_digits=12, decimal_places=2, min_value=0
    )
    facets = serializers.ChoiceField(choices=["true", "false"], required=False)
    cursor = serializers.CharField(required=False, max_length=500)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)

    def validate_tags(self, value: str) -> list[str]:
        slugs = [s.strip() for s in value.split(",") if s.strip()]
        bad = [s for s in slugs if not SLUG.match(s)]
        if bad or not slugs:
            raise serializers.ValidationError("Comma-separated tag slugs, e.g. kitchen,steel.")
        if len(slugs) > 20:
            raise serializers.ValidationError("At most 20 tags.")
        return slugs

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(
                {name: ["Unknown parameter."] for name in sorted(unknown)}
            )
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"min_price": ["Must not exceed max_price."]})
        for flag in ("in_stock", "facets"):
            if flag in attrs:
                attrs[flag] = attrs[flag] == "true"
        attrs["q"] = (attrs.get("q") or "").strip()
        if "cursor" in attrs:
            try:
                attrs["search_after"] = decode_cursor(attrs["cursor"], relevance=bool(attrs["q"]))
            except BadCursor as exc:
                raise serializers.ValidationError({"cursor": [str(exc)]}) from exc
        return attrs


class AutocompleteParams(serializers.Serializer[Any]):
    q = serializers.CharField(max_length=100, trim_whitespace=True)


def before_params(q: str) -> dict[str, Any]:
    """What the old API handed to its query builder for `?q=...`."""
    params = ProductSearchParams(data={"q": q})
    params.is_valid(raise_exception=True)
    return dict(params.validated_data)


# --- search/views.py ------------------------------------------------------------------------


class BeforeProductSearch(APIView):
    """The old list(): validate, one search, hits from _source, the next-page link."""

    authentication_classes = [OAuth2Authentication]
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get(self, request: Request) -> Response:
        params = ProductSearchParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        validated = dict(params.validated_data)
        body = before_product_search(validated)
        hits = search_index("products", body)["hits"]["hits"]
        results = []
        for hit in hits:
            product = dict(hit["_source"])
            if "highlight" in hit:
                product["highlight"] = hit["highlight"]
            results.append(product)
        answer: dict[str, Any] = {"next": None, "results": results}
        if len(hits) == body["size"]:
            query = {k: v for k, v in request.query_params.items() if k != "cursor"}
            query["cursor"] = encode_cursor(hits[-1]["sort"], relevance=bool(validated["q"]))
            answer["next"] = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
        return Response(answer)


class BeforeAutocomplete(APIView):
    authentication_classes = [OAuth2Authentication]
    permission_classes = [permissions.AllowAny]
    kind = ""

    def get(self, request: Request) -> Response:
        params = AutocompleteParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        build = before_tag_autocomplete if self.kind == "tags" else before_product_autocomplete
        body = build(params.validated_data["q"], settings.SEARCH_AUTOCOMPLETE_SIZE)
        result = search_index(self.kind, body)
        return Response({"results": [h["_source"] for h in result["hits"]["hits"]]})


urlpatterns = [
    path("before/products/", BeforeProductSearch.as_view()),
    path("before/products/autocomplete/", BeforeAutocomplete.as_view(kind="products")),
    path("before/tags/autocomplete/", BeforeAutocomplete.as_view(kind="tags")),
]
