from typing import Any

from django.conf import settings
from rest_framework import serializers

from api.serializers import BodySerializer, MoneyField, NameField, QueryParamsSerializer
from catalog.models import Product, ProductState, Tag
from catalog.services import MAX_TAGS_PER_PRODUCT, normalize_tag_name


class TagNameField(NameField):
    """A tag name: surrounding and repeated whitespace removed, 1 to 50 characters."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=50, min_length=1, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        return normalize_tag_name(super().to_internal_value(data))


class TagSerializer(serializers.ModelSerializer[Tag]):
    """A tag as answered everywhere: always with its count of active products (the queryset
    of `selectors.tags_matching` annotates it)."""

    product_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Tag
        fields = ["id", "name", "slug", "product_count", "created", "updated"]
        read_only_fields = fields


class TagInputSerializer(BodySerializer):
    name = TagNameField()


class OwnerSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    username = serializers.CharField()


class ProductTagSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    slug = serializers.CharField()


class ProductSerializer(serializers.ModelSerializer[Product]):
    owner = OwnerSerializer(read_only=True)
    tags = serializers.SerializerMethodField()
    currency = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = [
            "id",
            "owner",
            "name",
            "description",
            "price",
            "currency",
            "stock",
            "state",
            "tags",
            "version",
            "created",
            "updated",
        ]
        read_only_fields = fields

    def get_tags(self, product: Product) -> list[dict[str, str]]:
        links = getattr(product, "alive_tag_links", None)
        tags = [link.tag for link in links] if links is not None else []
        return [{"name": t.name, "slug": t.slug} for t in tags]

    def get_currency(self, product: Product) -> str:
        return str(settings.STORE_CURRENCY)


class ProductWriteSerializer(BodySerializer):
    """What an owner may set: PUT needs all four fields, PATCH any of them."""

    name = NameField(min_length=1, max_length=200)
    description = serializers.CharField(max_length=10_000, allow_blank=True)
    price = MoneyField()
    stock = serializers.IntegerField(min_value=0, max_value=2_147_483_647)


class ProductCreateSerializer(ProductWriteSerializer):
    description = serializers.CharField(max_length=10_000, allow_blank=True, default="")
    tags = serializers.ListField(
        child=TagNameField(), required=False, default=list, max_length=MAX_TAGS_PER_PRODUCT
    )
    publish = serializers.BooleanField(required=False, default=False)


class TagQuerySerializer(QueryParamsSerializer):
    q = serializers.CharField(required=False, max_length=50, allow_blank=True)


class StateFilterSerializer(QueryParamsSerializer):
    state = serializers.ChoiceField(choices=ProductState.choices, required=False)
