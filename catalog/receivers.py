"""The catalog's reactions to other apps' changes, connected in CatalogConfig.ready().

Product documents show the owner's username and vanish with a deleted owner: when a seller
is renamed or deleted, each of their products gets a new revision (the catalog owns its
versions) and `catalog_changed` tells listeners (the search sync), in the same transaction.
"""

from typing import Any

from accounts.models import User
from catalog.models import Product
from catalog.services import bump_product_versions
from catalog.signals import catalog_changed


def remember_owner(sender: Any, instance: User, **kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if instance._state.adding or (
        update_fields is not None and not {"username", "deleted"} & set(update_fields)
    ):
        instance._catalog_before = None  # type: ignore[attr-defined]
        return
    instance._catalog_before = (  # type: ignore[attr-defined]
        User.all_objects.filter(pk=instance.pk).values_list("username", "deleted").first()
    )


def owner_saved(sender: Any, instance: User, **kwargs: Any) -> None:
    before = getattr(instance, "_catalog_before", None)
    if before is None or before == (instance.username, instance.deleted):
        return
    product_ids = list(Product.all_objects.filter(owner=instance).values_list("pk", flat=True))
    bump_product_versions(product_ids)
    catalog_changed.send(sender=Product, product_ids=[*map(str, product_ids)], tag_ids=[])
