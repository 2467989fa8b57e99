"""The catalog events a seller's systems need, recorded in the transaction of the change.

`store.product.stock_changed.v1`, keyed by the product id: its stock moved (an order took
units, a cancelled order returned them, or the seller edited it). For the seller's webhooks
(and staff's), not the orders stream. Schema: `event_schemas/`.
"""

from django.conf import settings

from catalog.models import Product
from events.envelope import record_addressed_event

# Why the stock moved.
ORDERED, ORDER_CANCELLED, EDITED = "ordered", "order_cancelled", "edited"


def record_stock_changed(product: Product, previous_stock: int, reason: str) -> None:
    """Record `store.product.stock_changed.v1` for the product's seller, when it changed."""
    if product.stock == previous_stock:
        return
    record_addressed_event(
        type="store.product.stock_changed.v1",
        source=settings.EVENTS_SOURCE,
        subject=str(product.pk),
        data={
            "product_id": str(product.pk),
            "seller_id": str(product.owner_id),
            "name": product.name,
            "stock": product.stock,
            "previous_stock": previous_stock,
            "reason": reason,
        },
        audience=[product.owner_id],
    )
