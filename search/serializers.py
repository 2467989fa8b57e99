from typing import Any

from django.core.validators import RegexValidator
from rest_framework import serializers

from api.serializers import CanonicalUUIDField, MoneyField, QueryParamsSerializer
from search.queries import SORTS, BadCursor, decode_cursor

MAX_TAG_FILTERS = 20
SLUG = r"[-a-zA-Z0-9_]+"
TAG_SLUGS = RegexValidator(
    rf"^{SLUG}(,{SLUG}){{0,{MAX_TAG_FILTERS - 1}}}$",
    f"Up to {MAX_TAG_FILTERS} comma-separated tag slugs, e.g. kitchen,steel.",
)
# Base64url, as `next` links carry it.
CURSOR = RegexValidator(r"^[-_A-Za-z0-9]+$", "Pass on the cursor of a `next` link as it is.")


class ProductSearchParams(QueryParamsSerializer):
    """Query parameters of GET /api/products/. Unknown parameters are refused (400) so a
    mistyped filter never silently returns everything."""

    q = serializers.CharField(
        required=False, max_length=200, allow_blank=True, help_text="What the shopper searches"
    )
    tags = serializers.CharField(
        required=False, validators=[TAG_SLUGS], help_text="Products carrying all these tags"
    )
    owner = CanonicalUUIDField(required=False, help_text="Products of this seller")
    in_stock = serializers.ChoiceField(choices=["true", "false"], required=False)
    min_price = MoneyField(required=False)
    max_price = MoneyField(required=False)
    facets = serializers.ChoiceField(
        choices=["true", "false"], required=False, help_text="Add counts per tag, price, stock"
    )
    typos = serializers.ChoiceField(
        choices=["true", "false"],
        required=False,
        help_text="`false`: words match only as typed (or by their stem, or as a prefix), "
        "no typo tolerance; for a shopper who meant what they typed (default true)",
    )
    sort = serializers.ChoiceField(
        choices=list(SORTS),
        required=False,
        help_text="`relevance` (the default; without `q` it is `newest`), `newest`, `price` "
        "(lowest first) or `-price` (highest first); ties newest first",
    )
    cursor = serializers.CharField(
        required=False, max_length=500, validators=[CURSOR], help_text="From a `next` link"
    )
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=100, help_text="Hits per page (20)"
    )

    def validate_tags(self, value: str) -> list[str]:
        return value.split(",")  # the pattern has checked every slug

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = set(self.initial_data) - set(self.fields)
        if unknown:
            raise serializers.ValidationError(
                {name: ["Unknown parameter."] for name in sorted(unknown)}
            )
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"min_price": ["Must not exceed max_price."]})
        for flag in ("in_stock", "facets", "typos"):
            if flag in attrs:
                attrs[flag] = attrs[flag] == "true"
        attrs["q"] = (attrs.get("q") or "").strip()
        sort = attrs.get("sort") or "relevance"
        # without words every product is as relevant as any other: the newest come first
        attrs["sort"] = sort = "newest" if sort == "relevance" and not attrs["q"] else sort
        if "cursor" in attrs:
            try:
                attrs["cursor_data"] = decode_cursor(attrs["cursor"], sort=sort)
            except BadCursor as exc:
                raise serializers.ValidationError({"cursor": [str(exc)]}) from exc
        return attrs


class AutocompleteParams(QueryParamsSerializer):
    # Empty (the shopper cleared the box) is allowed: it suggests nothing.
    q = serializers.CharField(
        max_length=100, allow_blank=True, help_text="What the shopper typed so far"
    )
