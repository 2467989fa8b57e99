"""Write use-cases of the store's buying half. Each is one transaction.

Locks are always taken in the same order, so concurrent checkouts never deadlock: the
buyer's bag (or the order) first, then products in id order (`catalog.services.take_stock`).
"""

import secrets
from dataclasses import asdict
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from catalog import services as catalog
from catalog.models import Product
from commerce.errors import CommerceErrorCode
from commerce.events import record_order_event
from commerce.machines import BagMachine, OrderMachine
from commerce.metrics import ORDERS_PLACED
from commerce.models import (
    MAX_QUANTITY,
    Bag,
    BagItem,
    BagState,
    Order,
    OrderLine,
    OrderState,
    line_total,
)
from commerce.selectors import bag_etag
from core import outbox
from core.db import violated_constraint
from core.errors import (
    Conflict,
    Invalid,
    InvalidTransition,
    NotFound,
    PreconditionFailed,
    Unprocessable,
)
from core.machines import send_event

MAX_BAG_LINES = 100
# Crockford's base32: no I, L, O or U to misread on a phone.
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class IdempotencyKeyReused(Unprocessable):
    default_code = CommerceErrorCode.IDEMPOTENCY_KEY_REUSED
    default_message = (
        "This Idempotency-Key was used for an order of a different bag; use a new key."
    )


# --- the bag --------------------------------------------------------------------------------


def _open_bag(buyer: User, *, create: bool) -> Bag | None:
    """The buyer's open bag, locked for this transaction; created on first use."""
    bag = Bag.objects.select_for_update().filter(owner=buyer, state=BagState.OPEN).first()
    if bag is not None or not create:
        return bag
    try:
        with transaction.atomic():
            return Bag.objects.create(owner=buyer)
    except IntegrityError:  # a concurrent request of the same buyer created it first
        return Bag.objects.select_for_update().get(owner=buyer, state=BagState.OPEN)


@transaction.atomic
def open_bag(*, buyer: User) -> Bag:
    """The buyer's open bag, created when they have none."""
    bag = _open_bag(buyer, create=True)
    assert bag is not None  # noqa: S101  (create=True always returns one)
    return bag


def _buyable(buyer: User, product_id: UUID) -> Product:
    product = Product.objects.select_related("owner").filter(pk=product_id).first()
    if product is not None and product.owner_id == buyer.pk:
        raise Invalid(details={"product_id": ["You cannot buy your own product."]})
    if product is None or not product.is_for_sale:
        raise Invalid(details={"product_id": ["This product is not for sale."]})
    return product


def _check_quantity(product: Product, quantity: int) -> None:
    if quantity > MAX_QUANTITY:
        raise Invalid(details={"quantity": [f"At most {MAX_QUANTITY} of a product per bag."]})
    if quantity > product.stock:
        message = f"Only {product.stock} in stock." if product.stock else "Out of stock."
        raise Invalid(details={"quantity": [message]})


def _touch(bag: Bag) -> None:
    # `updated` tells the idle-bag sweep when the buyer last used the bag.
    bag.save(update_fields=["updated"])


def _item_of(bag: Bag | None, item_id: UUID) -> BagItem:
    item = BagItem.objects.filter(bag=bag, pk=item_id).first() if bag else None
    if item is None:
        raise NotFound()
    return item


@transaction.atomic
def add_to_bag(*, buyer: User, product_id: UUID, quantity: int) -> Bag:
    """Put `quantity` units of a product in the buyer's bag, added to its line if it has one.
    Refused (400) for one's own product, a product not for sale, or more than its stock."""
    bag = _open_bag(buyer, create=True)
    assert bag is not None  # noqa: S101  (create=True always returns one)
    product = _buyable(buyer, product_id)
    # One read of the bag's lines (at most MAX_BAG_LINES) answers both questions.
    lines = list(BagItem.objects.filter(bag=bag))
    item = next((line for line in lines if line.product_id == product.pk), None)
    if item is None and len(lines) >= MAX_BAG_LINES:
        raise Invalid(
            details={"product_id": [f"A bag holds at most {MAX_BAG_LINES} different products."]}
        )
    total = quantity + (item.quantity if item else 0)
    _check_quantity(product, total)
    if item is None:
        BagItem.objects.create(bag=bag, product=product, quantity=total, seen_price=product.price)
    else:
        item.quantity = total
        item.seen_price = product.price  # the buyer sees the price it has now
        item.save(update_fields=["quantity", "seen_price", "updated"])
    _touch(bag)
    return bag


@transaction.atomic
def change_quantity(*, buyer: User, item_id: UUID, quantity: int) -> Bag:
    """Set how many units of a line the buyer wants (1-999, at most the stock)."""
    bag = _open_bag(buyer, create=False)
    item = _item_of(bag, item_id)
    assert bag is not None  # noqa: S101  (_item_of found the item in it)
    product = _buyable(buyer, item.product_id)
    _check_quantity(product, quantity)
    item.quantity = quantity
    item.seen_price = product.price
    item.save(update_fields=["quantity", "seen_price", "updated"])
    _touch(bag)
    return bag


@transaction.atomic
def remove_from_bag(*, buyer: User, item_id: UUID) -> None:
    """Take a line out of the buyer's open bag (it is soft-deleted)."""
    bag = _open_bag(buyer, create=False)
    _item_of(bag, item_id).delete()
    assert bag is not None  # noqa: S101
    _touch(bag)


@transaction.atomic
def empty_bag(*, buyer: User) -> None:
    """The buyer empties the bag: it is abandoned (kept, as history); the next use opens a
    new one. Harmless when there is no open bag."""
    bag = _open_bag(buyer, create=False)
    if bag is not None:
        send_event(BagMachine, bag, "abandon")
        bag.save(update_fields=["state", "updated"])


def abandon_idle_bags(*, idle_days: int, batch_size: int = 500) -> int:
    """Abandon open bags untouched for `idle_days`; returns how many. Safe with several
    workers (SKIP LOCKED) and against buyers using their bag meanwhile (the row lock)."""
    cutoff = timezone.now() - timedelta(days=idle_days)
    abandoned = 0
    while True:
        with transaction.atomic():
            bags = list(
                Bag.objects.select_for_update(skip_locked=True).filter(
                    state=BagState.OPEN, updated__lt=cutoff
                )[:batch_size]
            )
            if not bags:
                return abandoned
            now = timezone.now()
            for bag in bags:
                send_event(BagMachine, bag, "abandon")
                bag.updated = now
            Bag.objects.bulk_update(bags, ["state", "updated"])
        abandoned += len(bags)


# --- orders ---------------------------------------------------------------------------------


def _new_number() -> str:
    code = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
    return f"ORD-{code[:4]}-{code[4:]}"


def _same_lines(items: list[BagItem], order: Order) -> bool:
    return {(i.product_id, i.quantity) for i in items} == {
        (line.product_id, line.quantity) for line in order.lines.all()
    }


def _create_order(**fields: object) -> Order:
    for _ in range(5):  # 32^8 numbers: a clash is rare, and retried
        try:
            with transaction.atomic():
                return Order.objects.create(number=_new_number(), **fields)
        except IntegrityError as exc:
            if violated_constraint(exc) != "order_number_unique":
                raise
    raise RuntimeError("Could not find a free order number")


# Orders whose lines still hold stock for the buyer: placed, not yet fulfilled or cancelled.
OPEN_ORDER_STATES = (OrderState.PLACED, OrderState.PARTIALLY_FULFILLED)


def _check_open_units(buyer: User, items: list[BagItem], products: dict[UUID, Product]) -> None:
    """Refuse (409 `open_units_limit`) an order that would leave the buyer holding more than
    ORDER_MAX_OPEN_UNITS_PER_PRODUCT units of a product in open orders. Called with the
    products locked, so two orders of the same buyer cannot both slip under the cap."""
    limit = settings.ORDER_MAX_OPEN_UNITS_PER_PRODUCT
    held = dict(
        OrderLine.objects.filter(
            order__buyer=buyer,
            order__state__in=OPEN_ORDER_STATES,
            fulfilled__isnull=True,
            product_id__in=[item.product_id for item in items],
        )
        .values("product_id")
        .annotate(units=Sum("quantity"))
        .values_list("product_id", "units")
    )
    over = [
        {
            "product_id": str(item.product_id),
            "name": products[item.product_id].name,
            "held": held.get(item.product_id, 0),
            "requested": item.quantity,
        }
        for item in items
        if held.get(item.product_id, 0) + item.quantity > limit
    ]
    if over:
        raise Conflict(
            f"At most {limit} units of a product may wait in your open orders.",
            {"limit": limit, "lines": over},
            code=CommerceErrorCode.OPEN_UNITS_LIMIT,
        )


def _check_prices(
    bag: Bag,
    items: list[BagItem],
    products: dict[UUID, Product],
    accepted_etags: list[str] | None,
) -> None:
    """The buyer pays no price they did not see: with `accepted_etags` (If-Match), the bag
    must still be the one they read (else 412); without, no line's price may have risen
    above the price it had when the buyer added or changed it (else 409 `price_changed`)."""
    if accepted_etags is not None:
        current = bag_etag(
            bag.pk,
            ((i.pk, i.quantity, i.product_id, products[i.product_id].price) for i in items),
        )
        if current not in accepted_etags:
            raise PreconditionFailed(
                "Your bag changed since you read it (a quantity or a price); read it again."
            )
        return
    raised = [
        {
            "product_id": str(item.product_id),
            "name": products[item.product_id].name,
            "old_price": f"{item.seen_price:.2f}",
            "new_price": f"{products[item.product_id].price:.2f}",
        }
        for item in items
        if products[item.product_id].price > item.seen_price
    ]
    if raised:
        raise Conflict(
            "Some prices rose since you put the products in your bag; confirm the new prices.",
            {"lines": raised},
            code=CommerceErrorCode.PRICE_CHANGED,
        )


@transaction.atomic
def place_order(
    *, buyer: User, idempotency_key: str = "", accepted_etags: list[str] | None = None
) -> tuple[Order, bool]:
    """Turn the buyer's open bag into an order: stock taken, names and prices copied into
    lines at this moment's prices, the bag checked out, all in one transaction.

    Returns (order, created). With an `idempotency_key` already used by this buyer, the
    order placed with it comes back (created=False) when the bag is empty (the first try
    checked it out) or holds the same lines; another bag is refused (422). An empty bag is
    400; a product short of stock, no longer active or deleted is 409 listing every such
    line; so is a product the buyer would hold more than ORDER_MAX_OPEN_UNITS_PER_PRODUCT
    units of in open orders (`open_units_limit`).

    Prices: a line is charged its product's current price when that is no more than the
    price the buyer saw (`BagItem.seen_price`); a price that rose is 409 `price_changed`
    unless `accepted_etags` (the bag ETags of If-Match) names the bag as it is now, and 412
    when it names an older bag. On any refusal nothing changes.
    """
    bag = _open_bag(buyer, create=False)
    items = list(BagItem.objects.filter(bag=bag).order_by("created", "id")) if bag else []
    if idempotency_key:
        previous = Order.objects.filter(buyer=buyer, idempotency_key=idempotency_key).first()
        if previous is not None:
            if items and not _same_lines(items, previous):
                raise IdempotencyKeyReused()
            return previous, False
    if bag is None or not items:
        raise Invalid(details={"bag": ["Your bag is empty."]})
    with outbox.batch():
        return _place(buyer, bag, items, idempotency_key, accepted_etags), True


def _place(
    buyer: User,
    bag: Bag,
    items: list[BagItem],
    idempotency_key: str,
    accepted_etags: list[str] | None,
) -> Order:
    try:
        products = catalog.take_stock({item.product_id: item.quantity for item in items})
    except catalog.StockShortage as exc:
        raise Conflict(
            "Some products of the bag are not available in the quantity asked.",
            {"lines": [asdict(shortage) for shortage in exc.shortages]},
            code=CommerceErrorCode.INSUFFICIENT_STOCK,
        ) from exc
    # The products are locked now: their prices cannot change until this commits.
    _check_open_units(buyer, items, products)
    _check_prices(bag, items, products, accepted_etags)
    lines = [
        OrderLine(
            position=position,
            product_id=item.product_id,
            seller_id=products[item.product_id].owner_id,
            product_name=products[item.product_id].name,
            unit_price=products[item.product_id].price,
            quantity=item.quantity,
            line_total=line_total(products[item.product_id].price, item.quantity),
        )
        for position, item in enumerate(items, start=1)
    ]
    order = _create_order(
        buyer=buyer,
        bag=bag,
        total=sum((line.line_total for line in lines), Decimal("0.00")),
        currency=settings.STORE_CURRENCY,
        idempotency_key=idempotency_key,
    )
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)
    send_event(BagMachine, bag, "check_out")
    bag.save(update_fields=["state", "updated"])
    record_order_event(order, "placed", lines=lines)
    transaction.on_commit(ORDERS_PLACED.inc)  # counted once it is really placed
    return order


def _locked_order(order_id: UUID, **owned_by: User) -> Order:
    order = Order.objects.select_for_update().filter(pk=order_id, **owned_by).first()
    if order is None:
        raise NotFound()
    return order


@transaction.atomic
def cancel_order(*, buyer: User, order_id: UUID) -> Order:
    """The buyer cancels an order no seller has fulfilled a line of; the stock returns."""
    order = _locked_order(order_id, buyer=buyer)
    send_event(OrderMachine, order, "cancel")
    catalog.return_stock(
        {line.product_id: line.quantity for line in OrderLine.objects.filter(order=order)}
    )
    order.save(update_fields=["state", "updated"])
    record_order_event(order, "cancelled")
    return order


@transaction.atomic
def fulfil_line(*, seller: User, line_id: UUID) -> OrderLine:
    """A seller marks a line of their product as sent; the last line completes the order.
    A line already fulfilled, or of a cancelled order, is 409."""
    line = OrderLine.objects.filter(pk=line_id, seller=seller).first()
    if line is None:
        raise NotFound()
    order = _locked_order(line.order_id)  # the order first: two sellers complete it once
    line.refresh_from_db()
    if line.fulfilled is not None:
        raise InvalidTransition(state="fulfilled", event="fulfil", allowed_events=[])
    line.fulfilled = timezone.now()
    line.save(update_fields=["fulfilled", "updated"])
    before = order.state
    send_event(OrderMachine, order, "fulfil_line")  # refused when cancelled: rolls back
    order.save(update_fields=["state", "updated"])
    lines = list(OrderLine.objects.filter(order=order))
    record_order_event(order, "line_fulfilled", lines=lines, line=line)
    if order.state != before:
        record_order_event(order, order.state, lines=lines)  # partially_fulfilled, completed
    line.order = order
    return line


__all__ = [
    "MAX_BAG_LINES",
    "IdempotencyKeyReused",
    "abandon_idle_bags",
    "add_to_bag",
    "cancel_order",
    "change_quantity",
    "empty_bag",
    "fulfil_line",
    "open_bag",
    "place_order",
    "remove_from_bag",
]
