"""Signals the catalog sends after a change, inside the change's transaction.

The catalog does not know who listens: the search app records what its index must see.
"""

from django.dispatch import Signal

# Sent with `product_ids` and `tag_ids`: whose public representation may have changed.
catalog_changed = Signal()
