"""Shoppers' reads, answered from Elasticsearch: `_source` is the answer, no database query
per hit. While Elasticsearch is unreachable these endpoints answer 503."""

import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import BaseCache, caches
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema, inline_serializer
from elasticsearch import ApiError, NotFoundError, TransportError
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ServiceUnavailable
from api.renderers import FastJSONRenderer
from api.schema import error_responses
from catalog.serializers import ProductSerializer
from catalog.views import ProductViewSet
from search import synonyms
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
from search.serializers import AutocompleteParams, ProductSearchParams


def search_index(
    kind: str, body: dict[str, Any], answer: list[str] | None = None
) -> dict[str, Any]:
    """Run a search whose response keeps only the `answer` paths (less JSON to read); an
    index not created yet is an empty result, an outage is a 503.

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
        raise ServiceUnavailable("Search is unavailable right now; try again shortly.") from exc
    except ApiError as exc:
        if exc.meta.status >= 500 or exc.meta.status == 429:  # the node is down or overloaded
            raise ServiceUnavailable("Search is unavailable right now; try again shortly.") from exc
        raise  # a request we built wrong: a bug, logged and answered 500, never hidden as 503


def suggestions_cache() -> BaseCache:
    return caches["suggestions"]


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


class ProductHitSerializer(ProductSerializer):
    """One hit: the product as indexed (`_source`), with `highlight` when searching."""

    in_stock = serializers.BooleanField()
    highlight = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Per field (`name`, `description`, `tags.name`), the matching fragments "
        "with the words found in `<em>`.",
    )

    class Meta(ProductSerializer.Meta):
        fields = [*ProductSerializer.Meta.fields, "in_stock", "highlight"]
        read_only_fields = fields


def _facet(name: str, value: serializers.Field[Any, Any, Any, Any]) -> Any:
    return inline_serializer(name, {"value": value, "count": serializers.IntegerField()}, many=True)


_search_response = inline_serializer(
    "ProductSearchPage",
    {
        "next": serializers.URLField(
            allow_null=True, help_text="The next page (same query, a cursor); null at the end."
        ),
        "results": ProductHitSerializer(many=True),
        "facets": inline_serializer(
            "ProductFacets",
            {
                "tags": _facet("TagFacet", serializers.CharField(help_text="A tag slug")),
                "price": _facet("PriceFacet", serializers.CharField(help_text='e.g. "10-25"')),
                "in_stock": _facet("StockFacet", serializers.BooleanField()),
            },
            required=False,
            help_text="With `facets=true`: counts for the whole query, not just this page.",
        ),
    },
)


class _OnePageSchema(AutoSchema):
    def _is_list_view(self, serializer: Any = None) -> bool:
        return False  # `list` answers one page object ({next, results}), not an array


class ProductCollectionViewSet(ProductViewSet):
    """GET /api/products/ from Elasticsearch; POST still creates through the catalog."""

    # The listing pages with its own cursor (`next`), not with ?page=.
    pagination_class = None
    schema = _OnePageSchema()
    renderer_classes = [FastJSONRenderer]

    @extend_schema(
        operation_id="products_list",
        parameters=[ProductSearchParams],
        responses={200: _search_response, **error_responses(400, 503)},
        description="Active products, newest first; with `q`, full-text search by relevance "
        "(typos tolerated, last word as a prefix), highlighted. Cursor pagination: follow "
        "`next`.",
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = ProductSearchParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        validated = dict(params.validated_data)
        words = None
        if validated["q"]:
            spelling = spelling_request(validated["q"])
            words = query_words(search_index("products", spelling, SPELLING_ANSWER))
        body = product_search(validated, words, synonyms.expand(words) if words else None)
        result = search_index("products", body, SEARCH_ANSWER)
        hits = hits_of(result)
        answer: dict[str, Any] = {"next": None, "results": [_hit(h) for h in hits]}
        if len(hits) == body["size"]:
            query = {k: v for k, v in request.query_params.items() if k != "cursor"}
            query["cursor"] = encode_cursor(hits[-1]["sort"], relevance=bool(validated["q"]))
            answer["next"] = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
        if validated.get("facets"):
            answer["facets"] = _facets(result.get("aggregations", {}))
        return Response(answer)


class _AutocompleteView(APIView):
    permission_classes = [permissions.AllowAny]
    renderer_classes = [FastJSONRenderer]
    kind = ""

    def body(self, q: str, size: int) -> dict[str, Any]:
        raise NotImplementedError

    def get(self, request: Request) -> Response:
        params = AutocompleteParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        q, size = params.validated_data["q"], settings.SEARCH_AUTOCOMPLETE_SIZE
        if not q:
            return Response({"results": []})  # nothing typed, nothing to suggest
        # The analyzer lowercases, so "Gar" and "gar" are one answer; hashed: any text is a key.
        typed = hashlib.blake2b(q.lower().encode(), digest_size=16).hexdigest()
        key = f"autocomplete:{self.kind}:{size}:{typed}"
        suggestions = suggestions_cache().get(key)
        if suggestions is None:
            result = search_index(self.kind, self.body(q, size), SOURCE_ANSWER)
            suggestions = [h["_source"] for h in hits_of(result)]
            suggestions_cache().set(key, suggestions, settings.SEARCH_AUTOCOMPLETE_CACHE_SECONDS)
        return Response({"results": suggestions})


class TagAutocompleteView(_AutocompleteView):
    kind = "tags"

    @extend_schema(
        parameters=[AutocompleteParams],
        responses={
            200: inline_serializer(
                "TagSuggestions",
                {
                    "results": inline_serializer(
                        "TagSuggestion",
                        {
                            "name": serializers.CharField(),
                            "slug": serializers.CharField(),
                            "product_count": serializers.IntegerField(),
                        },
                        many=True,
                    )
                },
            ),
            **error_responses(400, 503),
        },
    )
    def get(self, request: Request) -> Response:
        return super().get(request)

    def body(self, q: str, size: int) -> dict[str, Any]:
        return tag_autocomplete(q, size)


class ProductAutocompleteView(_AutocompleteView):
    kind = "products"

    @extend_schema(
        parameters=[AutocompleteParams],
        responses={
            200: inline_serializer(
                "ProductSuggestions",
                {
                    "results": inline_serializer(
                        "ProductSuggestion",
                        {"id": serializers.UUIDField(), "name": serializers.CharField()},
                        many=True,
                    )
                },
            ),
            **error_responses(400, 503),
        },
    )
    def get(self, request: Request) -> Response:
        return super().get(request)

    def body(self, q: str, size: int) -> dict[str, Any]:
        return product_autocomplete(q, size)
