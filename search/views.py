"""Shoppers' reads, answered from Elasticsearch: `_source` is the answer, no database query
per hit. While Elasticsearch is unreachable these endpoints answer 503."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import TokenScopes
from api.renderers import FastJSONRenderer
from api.schema import error_responses
from api.serializers import validated
from api.throttling import SearchRateThrottle
from catalog.serializers import ProductSerializer
from catalog.views import ProductCollectionViewSet as CatalogProductCollection
from search import selectors
from search.serializers import AutocompleteParams, ProductSearchParams


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


class ProductCollectionViewSet(CatalogProductCollection):
    """/api/products/, owned here: GET from Elasticsearch (the listing and search), POST
    creates through the catalog's view (catalog's own routes are the products' details)."""

    # The listing pages with its own cursor (`next`), not with ?page=.
    pagination_class = None
    schema = _OnePageSchema()
    throttle_classes = [*CatalogProductCollection.throttle_classes, SearchRateThrottle]
    renderer_classes = [FastJSONRenderer]

    @extend_schema(
        operation_id="products_list",
        parameters=[ProductSearchParams],
        responses={200: _search_response, **error_responses(400, 429, 503)},
        description="Active products, newest first; with `q`, full-text search by relevance "
        "(typos tolerated, last word as a prefix), highlighted; `sort` orders otherwise. "
        "Cursor pagination: follow `next` (a cursor of another sort is refused).",
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        answer = selectors.search_products(validated(ProductSearchParams, request.query_params))
        cursor = answer.pop("cursor")
        page: dict[str, Any] = {"next": None, **answer}
        if cursor is not None:
            query = {k: v for k, v in request.query_params.items() if k != "cursor"}
            query["cursor"] = cursor
            page["next"] = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
        return Response(page)


class _AutocompleteView(APIView):
    permission_classes = [TokenScopes, permissions.AllowAny]
    throttle_classes = [SearchRateThrottle]
    renderer_classes = [FastJSONRenderer]
    suggest: Callable[[str], list[dict[str, Any]]]

    def get(self, request: Request) -> Response:
        q = validated(AutocompleteParams, request.query_params)["q"]
        return Response({"results": type(self).suggest(q)})


def _suggestions_schema(name: str, item: dict[str, serializers.Field[Any, Any, Any, Any]]) -> Any:
    """The schema of an autocomplete GET: `{"results": [item, ...]}` or an error."""
    results = inline_serializer(f"{name}Suggestion", item, many=True)
    return extend_schema(
        parameters=[AutocompleteParams],
        responses={
            200: inline_serializer(f"{name}Suggestions", {"results": results}),
            **error_responses(400, 429, 503),
        },
    )


class TagAutocompleteView(_AutocompleteView):
    suggest = staticmethod(selectors.suggest_tags)

    @_suggestions_schema(
        "Tag",
        {
            "name": serializers.CharField(),
            "slug": serializers.CharField(),
            "product_count": serializers.IntegerField(),
        },
    )
    def get(self, request: Request) -> Response:
        return super().get(request)


class ProductAutocompleteView(_AutocompleteView):
    suggest = staticmethod(selectors.suggest_products)

    @_suggestions_schema(
        "Product", {"id": serializers.UUIDField(), "name": serializers.CharField()}
    )
    def get(self, request: Request) -> Response:
        return super().get(request)
