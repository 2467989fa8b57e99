"""Reads of bags, orders and sales from PostgreSQL: one's own, never anyone else's."""

import hashlib
from collections.abc import Iterable
from copy import copy
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from accounts.models import User
from commerce.models import Bag, BagItem, BagState, Order, OrderLine


def _items() -> Prefetch:
    items = BagItem.objects.select_related("product__owner").order_by("created", "id")
    return Prefetch("items", queryset=items)


def bag_with_items(bag: Bag) -> Bag:
    """The bag with its live items and their products (current name, price, stock), read
    now (the bag's own fields as the caller holds them: it has just written or locked it)."""
    bag = copy(bag)  # a fresh prefetch, whatever the caller's instance held
    bag._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    prefetch_related_objects([bag], _items())
    return bag


def open_bag_of(buyer: User) -> Bag | None:
    """The buyer's open bag with its items, read without a lock (None if there is none)."""
    return Bag.objects.filter(owner=buyer, state=BagState.OPEN).prefetch_related(_items()).first()


def bag_etag(bag_id: UUID, lines: Iterable[tuple[UUID, int, UUID, Decimal]]) -> str:
    """The bag's entity tag: a hash of its lines (item id, quantity, product id, the
    product's current price). It changes when a line's quantity or a product's price
    changes, not when others buy (stock), so an `If-Match` stays valid in a busy sale."""
    described = sorted(f"{item}:{qty}:{product}:{price:.2f}" for item, qty, product, price in lines)
    text = "|".join([str(bag_id), str(settings.STORE_CURRENCY), *described])
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def etag_of(bag: Bag) -> str:
    """`bag_etag` of a bag read by `bag_with_items` (the lines come from its prefetch)."""
    return bag_etag(
        bag.pk,
        ((item.pk, item.quantity, item.product_id, item.product.price) for item in bag.items.all()),
    )


def orders_of(buyer: User, *, state: str | None = None) -> QuerySet[Order]:
    """The buyer's orders, newest first, with their lines."""
    orders = Order.objects.filter(buyer=buyer)
    if state:
        orders = orders.filter(state=state)
    lines = OrderLine.objects.select_related("seller").order_by("position")
    return orders.prefetch_related(Prefetch("lines", queryset=lines)).order_by("-created", "-id")


def sales_of(
    seller: User, *, fulfilled: bool | None = None, order_state: str | None = None
) -> QuerySet[OrderLine]:
    """Order lines of the seller's products, newest first."""
    lines = OrderLine.objects.filter(seller=seller).select_related("order__buyer")
    if fulfilled is not None:
        lines = lines.filter(fulfilled__isnull=not fulfilled)
    if order_state:
        lines = lines.filter(order__state=order_state)
    return lines.order_by("-created", "-id")
