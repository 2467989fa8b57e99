"""Reads of the catalog from PostgreSQL (one product by id, one's own products, tags)."""

from typing import Any, cast

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import User
from catalog.models import Product, ProductTag, Tag, for_sale


def _with_tags(products: QuerySet[Product]) -> QuerySet[Product]:
    alive_links = ProductTag.objects.select_related("tag").order_by("tag__name")
    return products.select_related("owner").prefetch_related(
        Prefetch("tag_links", queryset=alive_links, to_attr="alive_tag_links")
    )


def _of_live_sellers() -> QuerySet[Product]:
    """Products whose owner's account still exists: a deleted seller's products vanish with
    them everywhere (as they do from search), though the rows stay."""
    return Product.objects.filter(owner__deleted__isnull=True)


def products_visible_to(user: User | Any) -> QuerySet[Product]:
    """Active products for anyone; every state of one's own."""
    visible = for_sale()
    if user is not None and user.is_authenticated:
        visible |= Q(owner=user)
    return _with_tags(_of_live_sellers().filter(visible))


def active_products(*, owner: User | None = None) -> QuerySet[Product]:
    products = Product.objects.for_sale()
    if owner is not None:
        products = products.filter(owner=owner)
    return _with_tags(products).order_by("-created", "-id")


def products_of(owner: User, *, state: str | None = None) -> QuerySet[Product]:
    products = Product.objects.filter(owner=owner)
    if state:
        products = products.filter(state=state)
    return _with_tags(products).order_by("-created", "-id")


def tags_matching(q: str | None = None) -> QuerySet[Tag]:
    tags = Tag.objects.annotate(
        product_count=Count(
            "product_links",
            filter=Q(product_links__deleted__isnull=True) & for_sale("product_links__product__"),
        )
    )
    if q:
        tags = tags.filter(name__icontains=q.strip())
    return cast("QuerySet[Tag]", tags.order_by("name"))
