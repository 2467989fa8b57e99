"""The search API as it was before issue 10, frozen so that `make bench` measures "before"
and "after" in the same run on the same machine: the old query body (one multi_match
search, Elasticsearch's unified highlighter on fuzzy terms), the old DRF views and the old
authentication (django-oauth-toolkit asked on every request). Served by the baseline server
(bench/settings.py restores the old middleware); never used by the API itself."""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import path
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from search.queries import NEWEST_FIRST, RELEVANCE, _filters, encode_cursor
from search.serializers import AutocompleteParams, ProductSearchParams
from search.views import hits_of, search_index

LABEL_FIELDS = ["name^3", "tags.name^2"]


def before_product_search(params: dict[str, Any]) -> dict[str, Any]:
    """search.queries.product_search as of main before issue 10."""
    q = (params.get("q") or "").strip()
    body: dict[str, Any] = {
        "size": params.get("page_size") or settings.SEARCH_PAGE_SIZE,
        "track_total_hits": False,
    }
    bool_query: dict[str, Any] = {"filter": _filters(params)}
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


class BeforeProductSearch(APIView):
    """The old list(): validate, one search, hits from _source, the next-page link."""

    authentication_classes = [OAuth2Authentication]
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get(self, request: Request) -> Response:
        params = ProductSearchParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        validated = dict(params.validated_data)
        body = before_product_search(validated)
        hits = hits_of(search_index("products", body))
        results = []
        for hit in hits:
            product = dict(hit["_source"])
            if "highlight" in hit:
                product["highlight"] = hit["highlight"]
            results.append(product)
        answer: dict[str, Any] = {"next": None, "results": results}
        if len(hits) == body["size"]:
            query = {k: v for k, v in request.query_params.items() if k != "cursor"}
            query["cursor"] = encode_cursor(
                hits[-1]["sort"], sort="relevance" if validated["q"] else "newest"
            )
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
        return Response({"results": [h["_source"] for h in hits_of(result)]})


urlpatterns = [
    path("before/products/", BeforeProductSearch.as_view()),
    path("before/products/autocomplete/", BeforeAutocomplete.as_view(kind="products")),
    path("before/tags/autocomplete/", BeforeAutocomplete.as_view(kind="tags")),
]
