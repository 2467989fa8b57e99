"""The error codes commerce's services answer with (the `code` of the one error body)."""

from enum import StrEnum


class CommerceErrorCode(StrEnum):
    # 409: the bag cannot become an order as it is
    INSUFFICIENT_STOCK = "insufficient_stock"  # lines short of stock, not for sale or deleted
    OPEN_UNITS_LIMIT = "open_units_limit"  # the buyer would hold too many units
    PRICE_CHANGED = "price_changed"  # a price rose since the line entered the bag
    # 422: an Idempotency-Key reused for another bag
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
