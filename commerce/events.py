"""The order events commerce records, in the transaction of the change they tell of.

Types are `store.order.<name>.v1`: `placed`, `line_fulfilled`, `partially_fulfilled`,
`completed`, `cancelled`. The schema is in docs/events.md; `data` is the order as it stands
after the change (and, for `line_fulfilled`, which line).
"""

from typing import Any

from django.conf import settings

from commerce.models import Order, OrderLine
from events.envelope import record_event


def order_data(order: Order, lines: list[OrderLine]) -> dict[str, Any]:
    return {
        "order_id": str(order.pk),
        "number": order.number,
        "buyer_id": str(order.buyer_id),
        "state": order.state,
        "placed_at": order.created.isoformat().replace("+00:00", "Z"),
        "lines": [
            {
                "line_id": str(line.pk),
                "product_id": str(line.product_id),
                "seller_id": str(line.seller_id),
                "product_name": line.product_name,
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "line_total": str(line.line_total),
                "fulfilled": line.fulfilled.isoformat().replace("+00:00", "Z")
                if line.fulfilled
                else None,
            }
            for line in lines
        ],
        "total": str(order.total),
        "currency": order.currency,
    }


def record_order_event(
    order: Order, name: str, *, lines: list[OrderLine] | None = None, line: OrderLine | None = None
) -> None:
    """Record `store.order.<name>.v1` for the order, keyed by its id."""
    if lines is None:
        lines = list(OrderLine.objects.filter(order=order))
    data = order_data(order, lines)
    if line is not None:
        data["line_id"] = str(line.pk)
    record_event(
        type=f"store.order.{name}.v1",
        source=settings.EVENTS_SOURCE,
        subject=str(order.pk),
        data=data,
    )
