"""What the events app counts (prometheus-client); /metrics (ops) serves it."""

import logging
from collections.abc import Iterable, Iterator

from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

EVENTS_PUBLISHED = Counter(
    "store_events_published",
    "Order events the relay published and the backend confirmed.",
    ["backend"],
)

WEBHOOK_DELIVERIES = Counter(
    "store_webhook_delivery_attempts",
    "Webhook delivery attempts by outcome: delivered, retrying (tried again later) or failed "
    "(no more tries).",
    ["outcome"],
)


class WebhookBacklogCollector(Collector):
    """Pending webhook deliveries and the age of the oldest, read at scrape time (the partial
    index on pending deliveries keeps it cheap). /metrics (ops) registers it."""

    def collect(self) -> Iterator[Metric]:
        from django.db.models import Count, Min
        from django.utils import timezone

        from events.models import Delivery, DeliveryStatus

        try:
            # Of endpoints that are to receive them: a disabled endpoint's wait is its owner's.
            stats = Delivery.objects.filter(
                status=DeliveryStatus.PENDING, endpoint__active=True, endpoint__deleted__isnull=True
            ).aggregate(count=Count("id"), oldest=Min("created"))
        except Exception:  # PostgreSQL down: the rest of the scrape still answers
            logger.warning("Webhook backlog unavailable for /metrics", exc_info=True)
            return
        oldest = stats["oldest"]
        yield GaugeMetricFamily(
            "store_webhook_deliveries_pending",
            "Webhook deliveries not delivered nor failed yet (of active endpoints).",
            value=stats["count"],
        )
        yield GaugeMetricFamily(
            "store_webhook_oldest_pending_age_seconds",
            "Age of the oldest pending webhook delivery (0 when none waits).",
            value=(timezone.now() - oldest).total_seconds() if oldest else 0.0,
        )

    def describe(self) -> Iterable[Metric]:
        return []  # collected live
