"""What the events app counts (prometheus-client); /metrics (ops) serves it."""

from prometheus_client import Counter

EVENTS_PUBLISHED = Counter(
    "store_events_published",
    "Order events the relay published and the backend confirmed.",
    ["backend"],
)
