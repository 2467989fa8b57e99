"""Record outbox rows inside the caller's transaction and wake their consumer after commit."""

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any

from celery import current_app
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Min
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

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


_batches = threading.local()


@contextmanager
def batch() -> Iterator[None]:
    """Rows recorded inside are written together, in order, by one INSERT when the block
    ends (an order records several: its products' changes for search, their stock events and
    its own event for the stream and for webhooks). Must end inside the caller's
    transaction."""
    if getattr(_batches, "rows", None) is not None:  # nested: the outer block writes
        yield
        return
    _batches.rows = []
    try:
        yield
        rows: list[OutboxEntry] = _batches.rows
    finally:
        _batches.rows = None
    if rows:
        OutboxEntry.objects.bulk_create(rows)


def record(
    topic: str, keys: Iterable[Any], *, task: str, payload: dict[str, Any] | None = None
) -> None:
    """Write one pending row per key (now, or at the end of the enclosing `batch()`); after
    commit, enqueue `task` once per transaction."""
    rows = [OutboxEntry(topic=topic, key=str(key), payload=payload or {}) for key in keys]
    if not rows:
        return
    pending = getattr(_batches, "rows", None)
    if pending is not None:
        pending.extend(rows)
    else:
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
        if _already_queued(task):
            return
        try:
            # The project's Celery app (config.celery), current in every process it configured.
            current_app.signature(task).apply_async()
        # Broker down: the rows wait for the beat re-drive. Only that: a task that fails
        # when run eagerly (tests) must fail the caller, not pass as "could not enqueue".
        except OperationalError:
            woken(task)
            logger.warning("Could not enqueue %s; beat will re-drive the outbox", task)

    wake.outbox_task = task  # type: ignore[attr-defined]
    transaction.on_commit(wake)


# A queued wake-up not started within this long is sent again (its worker may have died).
WAKE_PENDING_SECONDS = 30


def _wake_key(task: str) -> str:
    return f"outbox:wake-queued:{task}"


def _already_queued(task: str) -> bool:
    """Whether a wake-up of `task` is queued and not started yet; marks one as queued if not.

    Coalescing: the queued task drains every row committed before it starts, this commit's
    included, so a second message would find nothing. Under load this turns one Celery
    message and one task per commit into one per drain (docs/PERFORMANCE.md, checkout).
    Redis unreachable: no mark, the wake-up is sent as before."""
    try:
        return not cache.add(_wake_key(task), 1, timeout=WAKE_PENDING_SECONDS)
    except RedisError:
        return False


def woken(task: str) -> None:
    """Called by a woken task before it reads the outbox: from now on a commit must send a
    new wake-up, since this drain may already have passed its rows."""
    with suppress(RedisError):
        cache.delete(_wake_key(task))
