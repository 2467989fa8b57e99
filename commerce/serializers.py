"""Shapes of bags, orders and sales at the edge of the API, and the input they accept."""

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import BodySerializer, CanonicalUUIDField, QueryParamsSerializer
from catalog.models import Product
from catalog.serializers import OwnerSerializer
from commerce.models import MAX_QUANTITY, Bag, BagItem, Order, OrderLine, OrderState


def money(**kwargs: Any) -> serializers.DecimalField:
    """Money in JSON: a string with two decimal places, like product prices."""
    return serializers.DecimalField(
        max_digits=18, decimal_places=2, coerce_to_string=True, read_only=True, **kwargs
    )


# --- input ----------------------------------------------------------------------------------


class BagItemCreateSerializer(BodySerializer):
    product_id = CanonicalUUIDField()
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, default=1)


class BagItemUpdateSerializer(BodySerializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class OrderFilterSerializer(QueryParamsSerializer):
    state = serializers.ChoiceField(choices=OrderState.choices, required=False)


class SaleFilterSerializer(QueryParamsSerializer):
    fulfilled = serializers.ChoiceField(
        choices=["true", "false"], required=False, help_text="Only lines (not) yet fulfilled."
    )
    order_state = serializers.ChoiceField(
        choices=OrderState.choices, required=False, help_text="Only lines of orders in this state."
    )

    def validate_fulfilled(self, value: str) -> bool:
        return value == "true"


# --- the bag --------------------------------------------------------------------------------


class BagProductSerializer(serializers.ModelSerializer[Product]):
    """The product as it is now: the bag always shows current names and prices."""

    owner = OwnerSerializer(read_only=True)

    class Meta:
        model = Product
        fields = ["id", "name", "price", "stock", "state", "owner"]
        read_only_fields = fields


class AvailabilitySerializer(serializers.Serializer[Any]):
    active = serializers.BooleanField(help_text="The product is for sale.")
    in_stock = serializers.BooleanField(help_text="At least one unit is left.")
    enough_stock = serializers.BooleanField(help_text="The quantity asked is in stock.")


def availability(item: BagItem) -> dict[str, bool]:
    product = item.product
    active = product.is_for_sale
    return {
        "active": active,
        "in_stock": active and product.stock > 0,
        "enough_stock": active and product.stock >= item.quantity,
    }


class BagItemSerializer(serializers.ModelSerializer[BagItem]):
    product = BagProductSerializer(read_only=True)
    line_total = money(help_text="At the product's current price.")
    seen_price = money(
        help_text="The product's price when the line was added or last changed. An order "
        "charges the current price when it is not higher; a higher one needs confirming."
    )
    availability = serializers.SerializerMethodField()

    class Meta:
        model = BagItem
        fields = [
            "id",
            "product",
            "quantity",
            "seen_price",
            "line_total",
            "availability",
            "created",
            "updated",
        ]
        read_only_fields = fields

    @extend_schema_field(AvailabilitySerializer)
    def get_availability(self, item: BagItem) -> dict[str, bool]:
        return availability(item)


class BagSerializer(serializers.ModelSerializer[Bag]):
    items = BagItemSerializer(many=True, read_only=True)
    item_count = serializers.IntegerField(read_only=True, help_text="Units in the bag.")
    total = money(help_text="At current prices.")
    currency = serializers.SerializerMethodField()
    orderable = serializers.SerializerMethodField(
        help_text="Not empty, and every line available in the quantity asked."
    )

    class Meta:
        model = Bag
        fields = [
            "id",
            "state",
            "items",
            "item_count",
            "total",
            "currency",
            "orderable",
            "created",
            "updated",
        ]
        read_only_fields = fields

    def get_currency(self, bag: Bag) -> str:
        return str(settings.STORE_CURRENCY)

    def get_orderable(self, bag: Bag) -> bool:
        items = bag.items.all()
        return bool(items) and all(availability(item)["enough_stock"] for item in items)


# --- orders and sales -----------------------------------------------------------------------


class OrderLineSerializer(serializers.ModelSerializer[OrderLine]):
    seller = OwnerSerializer(read_only=True)
    unit_price = money()
    line_total = money()

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "product_id",
            "product_name",
            "seller",
            "unit_price",
            "quantity",
            "line_total",
            "fulfilled",
        ]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer[Order]):
    lines = OrderLineSerializer(many=True, read_only=True)
    total = money()

    class Meta:
        model = Order
        fields = ["id", "number", "state", "lines", "total", "currency", "created", "updated"]
        read_only_fields = fields


class SaleOrderSerializer(serializers.ModelSerializer[Order]):
    buyer = OwnerSerializer(read_only=True)

    class Meta:
        model = Order
        fields = ["id", "number", "state", "buyer", "created"]
        read_only_fields = fields


class SaleSerializer(OrderLineSerializer):
    """A line of someone's order for one of my products: the order (and its buyer) instead of
    the seller, who is me."""

    order = SaleOrderSerializer(read_only=True)

    class Meta(OrderLineSerializer.Meta):
        fields = [
            "id",
            "order",
            *(f for f in OrderLineSerializer.Meta.fields if f not in {"id", "seller"}),
            "created",
        ]
        read_only_fields = fields
