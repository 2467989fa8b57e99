"""django-elasticsearch-dsl's signal processor, pointed at the outbox
(`ELASTICSEARCH_DSL_SIGNAL_PROCESSOR = "search.signals.OutboxSignalProcessor"`).

Instead of writing to Elasticsearch inside the request, the handlers record outbox rows in
the same transaction as the change; after commit a Celery task drains them in bulk.
"""

from typing import Any

from django_elasticsearch_dsl.signals import BaseSignalProcessor

from catalog.signals import catalog_changed
from core import outbox
from search.sync import DRAIN_TASK, PRODUCT_TOPIC, TAG_TOPIC


def record_search_changes(*, product_ids: Any = (), tag_ids: Any = ()) -> None:
    """Queue documents to rewrite, in the caller's transaction (the catalog has already given
    the products and tags their new versions)."""
    outbox.record(PRODUCT_TOPIC, product_ids, task=DRAIN_TASK)
    outbox.record(TAG_TOPIC, tag_ids, task=DRAIN_TASK)


class OutboxSignalProcessor(BaseSignalProcessor):
    """django-elasticsearch-dsl's documented hook (ELASTICSEARCH_DSL_SIGNAL_PROCESSOR):
    instead of writing to Elasticsearch in the request, record outbox rows."""

    def setup(self) -> None:
        catalog_changed.connect(self.handle_catalog_changed, dispatch_uid="search-catalog")

    def teardown(self) -> None:
        catalog_changed.disconnect(dispatch_uid="search-catalog")

    def handle_catalog_changed(
        self, sender: Any, product_ids: Any = (), tag_ids: Any = (), **kwargs: Any
    ) -> None:
        record_search_changes(product_ids=product_ids, tag_ids=tag_ids)
