"""Did the writes arrive? Read back from the stores themselves: the search index (at the
database's version), the event stream (`placed` events), and the outbox (rows pending).
Shared by the load test and the fault runs."""

import json
from datetime import datetime
from typing import Any


def products_in_index(product_ids: set[str] | dict[str, int]) -> int:
    """How many of these products the index shows exactly as the database has them: at the
    database's version when for sale, absent when not."""
    from catalog.models import Product
    from search.client import get_client, prefixed
    from search.indexing import indexable_products

    versions = {
        str(pk): version
        for pk, version in Product.all_objects.filter(id__in=list(product_ids)).values_list(
            "id", "version"
        )
    }
    for_sale = {
        str(pk)
        for pk in indexable_products().filter(id__in=list(product_ids)).values_list("id", flat=True)
    }
    right = 0
    ids = sorted(product_ids)
    for start in range(0, len(ids), 500):
        docs = get_client().mget(index=prefixed("products"), ids=ids[start : start + 500])["docs"]
        for doc in docs:
            if doc["_id"] in for_sale:
                right += bool(doc.get("found")) and doc["_version"] == versions[doc["_id"]]
            else:
                right += not doc.get("found")
    return right


def placed_events(since: datetime, order_ids: set[str] | None = None) -> set[str]:
    """The orders (of `order_ids`, or all) whose `placed` event is on the stream since
    `since`."""
    import redis as redis_lib
    from django.conf import settings

    stream = redis_lib.Redis.from_url(settings.EVENTS_REDIS_URL)
    found: set[str] = set()
    start = f"{int(since.timestamp() * 1000)}-0"
    try:
        while True:
            entries: Any = stream.xrange(settings.EVENTS_STREAM, min=start, max="+", count=1000)
            for _, fields in entries:
                event = json.loads(fields[b"event"])
                if event["type"] == "store.order.placed.v1" and (
                    order_ids is None or event["subject"] in order_ids
                ):
                    found.add(event["subject"])
            if len(entries) < 1000:
                break
            start = "(" + entries[-1][0].decode()
    finally:
        stream.close()
    return found


def pending_by_topic(before: datetime | None = None) -> dict[str, int]:
    """Outbox rows not processed yet, by topic (only those recorded before `before`)."""
    from django.db.models import Count

    from core.models import OutboxEntry

    rows = OutboxEntry.objects.filter(processed__isnull=True)
    if before is not None:
        rows = rows.filter(created__lt=before)
    return dict(rows.values_list("topic").annotate(n=Count("id")).values_list("topic", "n"))


def pending_search_rows() -> int:
    """Outbox rows the search sync has still to write to the index."""
    from search.sync import TOPICS

    return sum(n for topic, n in pending_by_topic().items() if topic in TOPICS)
