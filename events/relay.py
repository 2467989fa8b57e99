"""The relay: publish pending event rows of the outbox, in the order they were recorded,
and mark them published. At least once: a row is marked only after the backend confirmed
it, so a relay that dies mid-batch publishes that batch again (same event ids).

One relay publishes at a time (a PostgreSQL advisory lock), however many workers run the
task: two relays racing could reorder one order's events. A relay that finds the lock taken
returns at once; the one holding it looks again after letting go, so a wake-up that arrived
meanwhile is never lost.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial

from django.db import transaction
from django.db.models import Count, F, Min, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from core.db import advisory_lock
from core.models import OutboxEntry
from events.backends import OutgoingEvent, PublishFailed, get_publisher
from events.envelope import EVENT_TOPIC
from events.metrics import EVENTS_PUBLISHED

logger = logging.getLogger(__name__)

RELAY_LOCK_ID = 0x5354_4F52_4556  # any fixed number: "STOREV"
BATCH_SIZE = 500


@contextmanager
def relay_lock(lock_id: int = RELAY_LOCK_ID) -> Iterator[bool]:
    """Session-level advisory lock: held across the batches' own transactions."""
    with advisory_lock(lock_id) as held:
        yield held


def pending() -> QuerySet[OutboxEntry]:
    return OutboxEntry.objects.filter(topic=EVENT_TOPIC, processed__isnull=True)


def publish_batch(batch_size: int = BATCH_SIZE) -> int:
    """Publish the oldest pending events and mark them; returns how many (0: none left).
    Raises PublishFailed, after counting the attempt on the rows, when the backend refused."""
    failure = None
    with transaction.atomic():
        # The payload as PostgreSQL's JSON text, sent as it is: no decode and re-encode per
        # event, and no model instances (the profile's largest costs after the round trips).
        rows = list(
            pending()
            .select_for_update(skip_locked=True)
            .order_by("position")
            .values_list("position", "key", Cast("payload", TextField()))[:batch_size]
        )
        if not rows:
            return 0
        batch = pending().filter(position__in=[position for position, _, _ in rows])  # its index
        publisher = get_publisher()
        try:
            publisher.publish([OutgoingEvent(key, body.encode()) for _, key, body in rows])
        except PublishFailed as exc:
            failure = exc
            batch.update(attempts=F("attempts") + 1, last_error=str(exc)[:2000])
        else:
            batch.update(processed=timezone.now(), attempts=F("attempts") + 1, last_error="")
            transaction.on_commit(partial(EVENTS_PUBLISHED.labels(publisher.name).inc, len(rows)))
    if failure is not None:
        raise failure
    return len(rows)


def relay(batch_size: int = BATCH_SIZE) -> int:
    """Publish every pending event; returns how many. Safe to call from many workers."""
    published = 0
    while True:
        with relay_lock() as held:
            if not held:
                return published  # another relay is at it, and looks again when done
            try:
                while count := publish_batch(batch_size):
                    published += count
            except PublishFailed as exc:
                logger.warning("Event relay: %s; the events wait for the next try", exc)
                return published
        if not pending().exists():
            return published


def backlog() -> tuple[int, datetime | None]:
    """Pending events and when the oldest was recorded."""
    stats = pending().aggregate(count=Count("id"), oldest=Min("created"))
    return stats["count"], stats["oldest"]
