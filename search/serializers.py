import copy
import re
from typing import Any

from rest_framework import serializers

from search.queries import BadCursor, decode_cursor

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


class QueryParams(serializers.Serializer[Any]):
    """Query parameters of a read endpoint, validated once per request."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # DRF deep-copies (re-creates) every declared field per instance: half the cost of
        # validating a search's parameters. Shallow copies suffice: binding a field only sets
        # attributes of its own, and validating changes none.
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}


class ProductSearchParams(QueryParams):
    """Query parameters of GET /api/products/. Unknown parameters are refused (400) so a
    mistyped filter never silently returns everything."""

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


class AutocompleteParams(QueryParams):
    q = serializers.CharField(max_length=100, trim_whitespace=True)
