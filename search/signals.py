"""django-elasticsearch-dsl's signal processor, pointed at the outbox
(`ELASTICSEARCH_DSL_SIGNAL_PROCESSOR = "search.signals.OutboxSignalProcessor"`).

Instead of writing to Elasticsearch inside the request, the handlers record outbox rows in
the same transaction as the change; after commit a Celery task drains them in bulk.
"""

from typing import Any

from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django_elasticsearch_dsl.signals import BaseSignalProcessor

from accounts.models import User
from catalog.models import Product, Tag
from catalog.services import bump_product_versions
from catalog.signals import catalog_changed
from core import outbox
from search.sync import DRAIN_TASK, PRODUCT_TOPIC, TAG_TOPIC


def record_search_changes(*, product_ids: Any = (), tag_ids: Any = ()) -> None:
    """Queue documents to rewrite. Tag documents carry counts that products change, so the
    tags get a new version here, under their row locks, in the caller's transaction."""
    tag_ids = list(tag_ids)
    if tag_ids:
        Tag.all_objects.filter(pk__in=tag_ids).update(
            version=F("version") + 1, updated=timezone.now()
        )
    outbox.record(PRODUCT_TOPIC, product_ids, task=DRAIN_TASK)
    outbox.record(TAG_TOPIC, tag_ids, task=DRAIN_TASK)


class OutboxSignalProcessor(BaseSignalProcessor):
    def setup(self) -> None:
        catalog_changed.connect(self.handle_catalog_changed, dispatch_uid="search-catalog")
        pre_save.connect(self.remember_user, sender=User, dispatch_uid="search-user-pre")
        post_save.connect(self.handle_user_saved, sender=User, dispatch_uid="search-user")

    def teardown(self) -> None:
        catalog_changed.disconnect(dispatch_uid="search-catalog")
        pre_save.disconnect(sender=User, dispatch_uid="search-user-pre")
        post_save.disconnect(sender=User, dispatch_uid="search-user")

    def handle_catalog_changed(
        self, sender: Any, product_ids: Any = (), tag_ids: Any = (), **kwargs: Any
    ) -> None:
        record_search_changes(product_ids=product_ids, tag_ids=tag_ids)

    # Product documents show the owner's username, and vanish with a deleted owner.
    def remember_user(self, sender: Any, instance: User, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if instance._state.adding or (
            update_fields is not None and not {"username", "deleted"} & set(update_fields)
        ):
            instance._search_before = None  # type: ignore[attr-defined]
            return
        instance._search_before = (  # type: ignore[attr-defined]
            User.all_objects.filter(pk=instance.pk).values_list("username", "deleted").first()
        )

    def handle_user_saved(self, sender: Any, instance: User, **kwargs: Any) -> None:
        before = getattr(instance, "_search_before", None)
        if before is None or before == (instance.username, instance.deleted):
            return
        product_ids = list(Product.all_objects.filter(owner=instance).values_list("pk", flat=True))
        bump_product_versions(product_ids)
        record_search_changes(product_ids=product_ids)
