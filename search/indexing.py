"""What goes into the index: the documents and the bulk actions that write them.

Documents are built from PostgreSQL, the source of truth, at the moment they are written;
each carries the row's `version` as an external version, so an older write never
overwrites a newer one whatever order workers run in.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from catalog.models import Product, ProductTag, Tag
from catalog.selectors import tags_matching
from search.indices import alias


def indexable_products() -> QuerySet[Product]:
    """Products shoppers may find: those for sale."""
    return Product.objects.for_sale()


def _with_relations(products: QuerySet[Product]) -> QuerySet[Product]:
    return products.select_related("owner").prefetch_related(
        Prefetch(
            "tag_links",
            queryset=ProductTag.objects.select_related("tag").order_by("tag__name"),
            to_attr="alive_tag_links",
        )
    )


def product_document(product: Product) -> dict[str, Any]:
    tags = [link.tag for link in getattr(product, "alive_tag_links", [])]
    return {
        "id": str(product.id),
        "name": product.name,
        "description": product.description,
        "price": str(product.price),
        "currency": settings.STORE_CURRENCY,
        "stock": product.stock,
        "in_stock": product.stock > 0,
        "state": product.state,
        "tags": [{"name": t.name, "slug": t.slug} for t in tags],
        "owner": {"id": str(product.owner.id), "username": product.owner.username},
        "created": product.created.isoformat(),
        "updated": product.updated.isoformat(),
        "version": product.version,
    }


def _index_action(index: str, doc_id: str, version: int, source: dict[str, Any]) -> dict[str, Any]:
    return {
        "_op_type": "index",
        "_index": index,
        "_id": doc_id,
        "version": version,
        "version_type": "external_gte",
        "_source": source,
    }


def _delete_action(index: str, doc_id: str, version: int) -> dict[str, Any]:
    return {
        "_op_type": "delete",
        "_index": index,
        "_id": doc_id,
        "version": version,
        "version_type": "external_gte",
    }


def product_actions(
    products: QuerySet[Product], index: str | None = None, chunk_size: int = 2000
) -> Iterator[dict[str, Any]]:
    """Index actions for every product of the queryset (expected: indexable ones)."""
    index = index or alias("products")
    for product in _with_relations(products).iterator(chunk_size=chunk_size):
        yield _index_action(index, str(product.id), product.version, product_document(product))


def _sync_actions(
    index: str,
    ids: set[str],
    present: Iterator[dict[str, Any]],
    every_row: QuerySet[Any],
) -> list[dict[str, Any]]:
    """Index actions for the ids still present, delete actions (at the row's version) for
    the others: soft-deleted, no longer active, or gone."""
    actions = list(present)
    found = {a["_id"] for a in actions}
    gone = every_row.filter(pk__in=ids - found).values_list("pk", "version")
    actions.extend(_delete_action(index, str(pk), version) for pk, version in gone)
    return actions


def product_sync_actions(product_ids: Iterable[str]) -> list[dict[str, Any]]:
    """For each id: index it if shoppers may find it, else delete it from the index."""
    ids, index = set(product_ids), alias("products")
    present = product_actions(indexable_products().filter(pk__in=ids), index)
    return _sync_actions(index, ids, present, Product.all_objects.all())


def tags_with_counts() -> QuerySet[Tag]:
    """Live tags with `product_count`, the number of active products carrying them."""
    return tags_matching()


def tag_document(tag: Tag) -> dict[str, Any]:
    return {
        "id": str(tag.id),
        "name": tag.name,
        "slug": tag.slug,
        "product_count": tag.product_count,  # type: ignore[attr-defined]
        "version": tag.version,
    }


def tag_actions(tags: QuerySet[Tag], index: str | None = None) -> Iterator[dict[str, Any]]:
    index = index or alias("tags")
    for tag in tags.iterator(chunk_size=2000):
        yield _index_action(index, str(tag.id), tag.version, tag_document(tag))


def tag_sync_actions(tag_ids: Iterable[str]) -> list[dict[str, Any]]:
    ids, index = set(tag_ids), alias("tags")
    present = tag_actions(tags_with_counts().filter(pk__in=ids), index)
    return _sync_actions(index, ids, present, Tag.all_objects.all())
