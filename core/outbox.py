"""Record outbox rows inside the caller's transaction and wake their consumer after commit."""

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from celery import current_app
from django.db import connection, transaction
from django.db.models import Count, Min
from kombu.exceptions import OperationalError

from core.models import OutboxEntry

logger = logging.getLogger(__name__)


def pending_by_topic() -> dict[str, tuple[int, datetime | None]]:
    """Pending rows per topic and when the oldest was recorded (the partial index on pending
    rows keeps it cheap)."""
    rows = (
        OutboxEntry.objects.filter(processed__isnull=True)
        .values_list("topic")
        .annotate(count=Count("id"), oldest=Min("created"))
    )
    return {topic: (count, oldest) for topic, count, oldest in rows}


def record(
    topic: str, keys: Iterable[Any], *, task: str, payload: dict[str, Any] | None = None
) -> None:
    """Write one pending row per key; after commit, enqueue `task` once per transaction."""
    rows = [OutboxEntry(topic=topic, key=str(key), payload=payload or {}) for key in keys]
    if not rows:
        return
    OutboxEntry.objects.bulk_create(rows)
    _wake_after_commit(task)


def _wake_after_commit(task: str) -> None:
    # One wake-up per transaction and task is enough: the consumer drains every pending row.
    if connection.in_atomic_block and any(
        getattr(callback, "outbox_task", None) == task
        for _, callback, *_ in connection.run_on_commit
    ):
        return

    def wake() -> None:
        try:
            # The project's Celery app (config.celery), current in every process it configured.
            current_app.signature(task).apply_async()
        # Broker down: the rows wait for the beat re-drive. Only that: a task that fails
        # when run eagerly (tests) must fail the caller, not pass as "could not enqueue".
        except OperationalError:
            logger.warning("Could not enqueue %s; beat will re-drive the outbox", task)

    wake.outbox_task = task  # type: ignore[attr-defined]
    transaction.on_commit(wake)
