"""What the commerce app counts (prometheus-client); /metrics (ops) serves it."""

from prometheus_client import Counter

ORDERS_PLACED = Counter("store_orders_placed", "Orders placed (committed).")
