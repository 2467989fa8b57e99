"""Drain the search outbox into Elasticsearch with bulk requests.

Safe with several workers at once: each takes a batch of pending rows with
`SELECT ... FOR UPDATE SKIP LOCKED`, so no two workers hold the same row; documents are
rebuilt from PostgreSQL and written with external versions, so the order in which workers
finish does not matter. If Elasticsearch refuses or is down, the transaction rolls back and
the rows stay pending for the next drain or the beat re-drive.
"""

import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from elasticsearch import helpers

from core.models import OutboxEntry
from search.client import get_client
from search.indexing import product_sync_actions, tag_sync_actions
from search.indices import ensure_index

logger = logging.getLogger(__name__)

PRODUCT_TOPIC = "search.product"
TAG_TOPIC = "search.tag"
TOPICS = (PRODUCT_TOPIC, TAG_TOPIC)
DRAIN_TASK = "search.tasks.drain_search_outbox"


class IndexingFailed(RuntimeError):
    pass


def write_actions(actions: list[dict[str, Any]]) -> None:
    """Bulk-write; a version conflict means a newer write is already there (fine), and a
    missing document on delete means there was nothing to remove (fine)."""
    if not actions:
        return
    _, errors = helpers.bulk(get_client(), actions, raise_on_error=False, refresh=False)
    assert isinstance(errors, list)  # noqa: S101  (stats_only=False returns the error list)
    real = [e for e in errors if next(iter(e.values())).get("status") not in (409, 404)]
    if real:
        raise IndexingFailed(f"{len(real)} bulk errors, first: {real[0]}")


def drain(batch_size: int = 500, max_batches: int | None = None) -> int:
    """Write pending search changes to the index; returns how many rows were processed."""
    ensure_index("products")
    ensure_index("tags")
    processed = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            rows = list(
                OutboxEntry.objects.select_for_update(skip_locked=True)
                .filter(topic__in=TOPICS, processed__isnull=True)
                .order_by("position")[:batch_size]
            )
            if not rows:
                break
            products = {r.key for r in rows if r.topic == PRODUCT_TOPIC}
            tags = {r.key for r in rows if r.topic == TAG_TOPIC}
            write_actions(product_sync_actions(products) + tag_sync_actions(tags))
            OutboxEntry.objects.filter(pk__in=[r.pk for r in rows]).update(
                processed=timezone.now(), attempts=F("attempts") + 1
            )
        processed += len(rows)
        batches += 1
    return processed
