"""Shoppers' reads, answered from Elasticsearch: `_source` is the answer, no database query
per hit. While Elasticsearch is unreachable these endpoints answer 503."""

import hashlib
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import BaseCache, caches
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.renderers import FastJSONRenderer
from api.schema import error_responses
from catalog.serializers import ProductSerializer
from catalog.views import ProductViewSet
from search.queries import SOURCE_ANSWER, product_autocomplete, tag_autocomplete
from search.selectors import hits_of, search_index, search_products
from search.serializers import AutocompleteParams, ProductSearchParams


def suggestions_cache() -> BaseCache:
    return caches["suggestions"]


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


def _facet(name: str, value: serializers.Field[Any, Any, Any, Any], **more: Any) -> Any:
    return inline_serializer(
        name, {"value": value, **more, "count": serializers.IntegerField()}, many=True
    )


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
                "price": _facet(
                    "PriceFacet",
                    serializers.CharField(help_text='A key, e.g. "10-25"'),
                    **{
                        "from": serializers.FloatField(
                            allow_null=True, help_text="Lowest price in the range; null: none"
                        ),
                        "to": serializers.FloatField(
                            allow_null=True,
                            help_text="Prices below this (excluded) are in the range; null: no "
                            "upper bound",
                        ),
                    },
                ),
                "in_stock": _facet("StockFacet", serializers.BooleanField()),
            },
            required=False,
            help_text="With `facets=true`: counts for the whole query, not just this page. "
            "Disjunctive: the price counts ignore min_price/max_price and the stock counts "
            "in_stock, so other choices keep their counts; tags are AND (a tag's count is what "
            "adding it answers).",
        ),
        "corrected_query": serializers.CharField(
            allow_null=True,
            help_text="`q` as the hits read it, when some word was found only through a "
            "correction (each such word replaced by the spelling the hits hold); else null.",
        ),
        "dropped_words": serializers.ListField(
            child=serializers.CharField(),
            help_text="Words left out because no product holds them all (the fewest, least "
            "selective first); empty when every word matched.",
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
        "(typos tolerated, last word as a prefix), highlighted; `sort` orders otherwise. "
        "Cursor pagination: follow `next` (a cursor of another sort is refused).",
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = ProductSearchParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        answer = search_products(dict(params.validated_data))
        cursor = answer.pop("cursor")
        page: dict[str, Any] = {"next": None, **answer}
        if cursor is not None:
            query = {k: v for k, v in request.query_params.items() if k != "cursor"}
            query["cursor"] = cursor
            page["next"] = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
        return Response(page)


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
