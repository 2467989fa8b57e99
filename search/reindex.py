"""Rebuild an index from PostgreSQL behind its alias, and reconcile drift."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from elasticsearch import Elasticsearch, helpers

from catalog.models import Product, Tag
from search.client import get_client
from search.indexing import (
    indexable_products,
    product_actions,
    product_sync_actions,
    tag_actions,
    tag_sync_actions,
    tags_with_counts,
)
from search.indices import alias, create_index, drop_indices, ensure_index, swap_alias
from search.sync import write_actions

Progress = Callable[[int], object]


def _source(kind: str, index: str) -> tuple[int, Iterator[dict[str, Any]]]:
    if kind == "products":
        products = indexable_products()
        return products.count(), product_actions(products, index)
    tags = tags_with_counts()
    return tags.count(), tag_actions(tags, index)


def reindex(kind: str, *, progress: Progress | None = None, chunk_size: int = 1000) -> int:
    """Build a fresh concrete index from the database with bulk requests, swap the alias
    to it in one atomic step, then drop the old index. Searches keep answering from the old
    index until the swap; changes committed meanwhile are replayed on the new one."""
    started = timezone.now()
    new_index = create_index(kind, refresh_interval="-1")
    # Bulk loads and the final refresh of a large index outlast the API's request timeout.
    client = get_client().options(request_timeout=settings.ELASTICSEARCH_BULK_TIMEOUT)
    try:
        written = _load(client, kind, new_index, progress, chunk_size)
        client.indices.put_settings(index=new_index, settings={"refresh_interval": "1s"})
        client.indices.refresh(index=new_index)
    except BaseException:
        drop_indices([new_index])  # never leave a half-built index behind
        raise
    old = swap_alias(kind, new_index)
    drop_indices(old)
    _catch_up(kind, since=started)
    return written


def _load(
    client: Elasticsearch, kind: str, index: str, progress: Progress | None, chunk_size: int
) -> int:
    _, actions = _source(kind, index)
    written = 0
    for ok, item in helpers.streaming_bulk(
        client, actions, chunk_size=chunk_size, raise_on_error=False
    ):
        if not ok and next(iter(item.values())).get("status") != 409:
            raise RuntimeError(f"bulk error while reindexing {kind}: {item}")
        written += 1
        if progress:
            progress(1)
    return written


def _catch_up(kind: str, since: Any) -> None:
    """Re-send what changed while the new index was being built (external versions make
    this a no-op for documents that are already current)."""
    if kind == "products":
        ids = Product.all_objects.filter(updated__gte=since).values_list("pk", flat=True)
        write_actions(product_sync_actions(map(str, ids)))
    else:
        ids = Tag.all_objects.filter(updated__gte=since).values_list("pk", flat=True)
        write_actions(tag_sync_actions(map(str, ids)))


@dataclass
class Drift:
    missing: list[str] = field(default_factory=list)  # in the database, not in the index
    stale: list[str] = field(default_factory=list)  # the index has an older version
    extra: list[str] = field(default_factory=list)  # in the index, must not be

    @property
    def total(self) -> int:
        return len(self.missing) + len(self.stale) + len(self.extra)


def find_drift(kind: str, *, progress: Progress | None = None) -> Drift:
    """Compare ids and versions of the database with the index."""
    ensure_index(kind)
    if kind == "products":
        expected = dict(indexable_products().values_list("pk", "version"))
    else:
        expected = dict(Tag.objects.values_list("pk", "version"))
    wanted = {str(k): v for k, v in expected.items()}
    drift = Drift()
    seen: set[str] = set()
    client = get_client()
    client.indices.refresh(index=alias(kind))
    for hit in helpers.scan(
        client, index=alias(kind), query={"query": {"match_all": {}}}, _source=False, version=True
    ):
        doc_id = hit["_id"]
        seen.add(doc_id)
        if doc_id not in wanted:
            drift.extra.append(doc_id)
        elif hit["_version"] < wanted[doc_id]:
            drift.stale.append(doc_id)
        if progress:
            progress(1)
    drift.missing = sorted(set(wanted) - seen)
    return drift


def repair(kind: str, drift: Drift) -> None:
    """Rewrite missing and stale documents from the database; delete the extra ones (which
    may not even carry a valid id)."""
    ids = drift.missing + drift.stale
    sync = product_sync_actions if kind == "products" else tag_sync_actions
    for start in range(0, len(ids), 500):
        write_actions(sync(ids[start : start + 500]))
    write_actions(
        [{"_op_type": "delete", "_index": alias(kind), "_id": doc_id} for doc_id in drift.extra]
    )
    get_client().indices.refresh(index=alias(kind))
