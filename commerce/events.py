"""The order events commerce records, in the transaction of the change they tell of.

Types are `store.order.<name>.v1`: `placed`, `line_fulfilled`, `partially_fulfilled`,
`completed`, `cancelled`. The schema is in docs/events.md; `data` is the order as it stands
after the change (and, for `line_fulfilled`, which line). The stream and the buyer's webhooks
receive them.

Each seller's webhooks receive `store.sale.<name>.v1` instead (`ordered`, `cancelled`,
`fulfilled`): the same order with that seller's own lines only, so no seller sees what
else the buyer bought from others. Schemas: `event_schemas/`.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings

from commerce.models import Order, OrderLine
from events.envelope import record_addressed_event, record_event


def _line_data(line: OrderLine) -> dict[str, Any]:
    return {
        "line_id": str(line.pk),
        "product_id": str(line.product_id),
        "seller_id": str(line.seller_id),
        "product_name": line.product_name,
        "quantity": line.quantity,
        "unit_price": str(line.unit_price),
        "line_total": str(line.line_total),
        "fulfilled": line.fulfilled.isoformat().replace("+00:00", "Z") if line.fulfilled else None,
    }


def order_data(order: Order, lines: list[OrderLine]) -> dict[str, Any]:
    return {
        "order_id": str(order.pk),
        "number": order.number,
        "buyer_id": str(order.buyer_id),
        "state": order.state,
        "placed_at": order.created.isoformat().replace("+00:00", "Z"),
        "lines": [_line_data(line) for line in lines],
        "total": str(order.total),
        "currency": order.currency,
    }


def record_order_event(
    order: Order, name: str, *, lines: list[OrderLine] | None = None, line: OrderLine | None = None
) -> None:
    """Record `store.order.<name>.v1` for the order, keyed by its id."""
    if lines is None:
        lines = list(OrderLine.objects.filter(order=order))
    _record(
        record_event,
        f"store.order.{name}.v1",
        order,
        order_data(order, lines),
        line,
        order.buyer_id,
    )
    sale = SALE_EVENTS.get(name)
    if sale is None:
        return
    for seller_id, own in _lines_by_seller([line] if line is not None else lines).items():
        _record(
            record_addressed_event,
            f"store.sale.{sale}.v1",
            order,
            sale_view(order, own),
            line,
            seller_id,
        )


def _record(
    record: Callable[..., Any],
    type_: str,
    order: Order,
    data: dict[str, Any],
    line: OrderLine | None,
    user_id: Any,
) -> None:
    """One event about the order for `user_id`, keyed by the order's id; a line's event names
    the line."""
    if line is not None:
        data["line_id"] = str(line.pk)
    record(
        type=type_,
        source=settings.EVENTS_SOURCE,
        subject=str(order.pk),
        data=data,
        audience=[user_id],
    )


# The order events a seller hears about, under the name they have for the seller.
SALE_EVENTS = {"placed": "ordered", "cancelled": "cancelled", "line_fulfilled": "fulfilled"}


def _lines_by_seller(lines: list[OrderLine]) -> dict[Any, list[OrderLine]]:
    by_seller: dict[Any, list[OrderLine]] = {}
    for line in lines:
        by_seller.setdefault(line.seller_id, []).append(line)
    return by_seller


def sale_view(order: Order, own_lines: list[OrderLine]) -> dict[str, Any]:
    """The order as one seller may see it: their lines, their total, no buyer id."""
    return {
        "order_id": str(order.pk),
        "number": order.number,
        "placed_at": order.created.isoformat().replace("+00:00", "Z"),
        "lines": [_line_data(line) for line in own_lines],
        "total": str(sum((line.line_total for line in own_lines), Decimal("0.00"))),
        "currency": order.currency,
    }
