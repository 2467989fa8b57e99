"""Write use-cases of the catalog. Each is one transaction, so that everything the search
index must see is committed together with the change (the search app records it)."""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from catalog import events
from catalog.errors import CatalogErrorCode
from catalog.machines import ProductMachine
from catalog.models import Product, ProductState, ProductTag, Tag, tags_of
from catalog.signals import catalog_changed
from core.errors import Conflict, PreconditionFailed
from core.machines import send_event

MAX_TAGS_PER_PRODUCT = 20


def _changed(*, products: Iterable[Any] = (), tags: Iterable[Any] = ()) -> None:
    """Tell listeners (the search sync) what changed, inside the current transaction. The
    tags get a new version first (under their row locks): what they show, the count of
    products for sale carrying them, may have changed with those products."""
    tag_ids = [*map(str, tags)]
    if tag_ids:
        Tag.all_objects.filter(pk__in=tag_ids).update(
            version=F("version") + 1, updated=timezone.now()
        )
    catalog_changed.send(sender=Product, product_ids=[*map(str, products)], tag_ids=tag_ids)


EDITABLE_FIELDS = ("name", "description", "price", "stock")


class TooManyTags(Conflict):
    """The product would carry more than MAX_TAGS_PER_PRODUCT tags (a conflict with its
    state); `details` names the input field that asked for them."""

    default_code = CatalogErrorCode.TOO_MANY_TAGS

    def __init__(self, field: str) -> None:
        message = f"A product carries at most {MAX_TAGS_PER_PRODUCT} tags."
        super().__init__(message, {field: [message]})


def normalize_tag_name(name: str) -> str:
    return " ".join(name.split())


def _tag_named(name: str) -> Tag | None:
    # The rule of the constraint tag_name_ci_unique (PostgreSQL's LOWER on both sides), so
    # "exists" here means "the insert would clash", for every script.
    return Tag.objects.alias(lower_name=Lower("name")).filter(lower_name=Lower(Value(name))).first()


def _insert_tag(name: str, slug_for: Any) -> Tag | None:
    """Insert the tag with the slug `slug_for(tag)` gives; None when the insert clashed."""
    tag = Tag(name=name)
    tag.slug = slug_for(tag)
    try:
        with transaction.atomic():
            tag.save(force_insert=True)
            _changed(tags=[tag.pk])
    except IntegrityError:
        return None
    return tag


def get_or_create_tag(*, name: str) -> tuple[Tag, bool]:
    """The tag with this name in any case, created when new. Safe under concurrent calls.

    The slug is the slugified name when free; otherwise (or when the name slugifies to
    nothing, as Chinese or emoji do) it ends in the new tag's own id, which no other tag's
    slug can: at most two inserts, never a probe per existing `tag-N`.
    """
    name = normalize_tag_name(name)
    base = slugify(name)[:50]
    # A clash on the name means a concurrent insert of it committed: the next read sees it.
    for _ in range(3):
        existing = _tag_named(name)
        if existing is not None:
            return existing, False
        tag = _insert_tag(name, lambda new: base) if base else None
        if tag is None:
            tag = _insert_tag(name, lambda new: f"{base[:27] or 'tag'}-{new.pk.hex}")
        if tag is not None:
            return tag, True
    raise Conflict(
        "A tag with this name is being created; try again.", code=CatalogErrorCode.TAG_CONFLICT
    )


@transaction.atomic
def rename_tag(*, tag: Tag, name: str) -> Tag:
    """Rename a tag; every product carrying it gets a new revision (its document changes)."""
    tag = Tag.objects.select_for_update().get(pk=tag.pk)
    tag.name = normalize_tag_name(name)
    tag.save(update_fields=["name", "updated"])  # its new version: _changed below
    product_ids = list(ProductTag.objects.filter(tag=tag).values_list("product_id", flat=True))
    bump_product_versions(product_ids)
    _changed(products=product_ids, tags=[tag.pk])
    return tag


def bump_product_versions(product_ids: Iterable[Any]) -> None:
    """New revision for products whose document changed because something they show did."""
    Product.all_objects.filter(pk__in=list(product_ids)).update(
        version=F("version") + 1, updated=timezone.now()
    )


def _lock(product: Product, if_match: Collection[str] | None = None) -> Product:
    locked: Product = Product.objects.select_for_update().get(pk=product.pk)
    if if_match is not None and str(locked.version) not in if_match:
        raise PreconditionFailed()
    return locked


def _associate(product: Product, tags: Iterable[Tag], *, field: str) -> list[Tag]:
    """Link tags not yet linked; returns the tags that were newly linked."""
    linked = set(ProductTag.objects.filter(product=product).values_list("tag_id", flat=True))
    new = [tag for tag in tags if tag.pk not in linked]
    if len(linked) + len(new) > MAX_TAGS_PER_PRODUCT:
        raise TooManyTags(field)
    ProductTag.objects.bulk_create([ProductTag(product=product, tag=tag) for tag in new])
    return new


@transaction.atomic
def create_product(
    *,
    owner: User,
    name: str,
    description: str,
    price: Decimal,
    stock: int,
    tags: Iterable[str] = (),
    publish: bool = False,
) -> Product:
    """Create a product owned by `owner`: `draft`, or `active` when `publish` is true."""
    product = Product.objects.create(
        owner=owner, name=name, description=description, price=price, stock=stock
    )
    unique_names: dict[str, str] = {}
    for name in tags:  # the first spelling of a name wins
        unique_names.setdefault(normalize_tag_name(name).lower(), name)
    if len(unique_names) > MAX_TAGS_PER_PRODUCT:
        raise TooManyTags("tags")
    _associate(product, [get_or_create_tag(name=t)[0] for t in unique_names.values()], field="tags")
    if publish:
        send_event(ProductMachine, product, "publish")
        product.save(update_fields=["state", "updated"])
    _changed(products=[product.pk], tags=tags_of(product).values_list("pk", flat=True))
    return product


@transaction.atomic
def update_product(
    *, product: Product, if_match: Collection[str] | None = None, **changes: Any
) -> Product:
    """Change name, description, price or stock. With `if_match` (the versions the caller
    accepts, from its ETags), refuse (412) when the product's version is none of them: it
    moved on since the caller read it, and no update is lost silently."""
    product = _lock(product, if_match)
    previous_stock = product.stock
    fields = [f for f in EDITABLE_FIELDS if f in changes]
    for field in fields:
        setattr(product, field, changes[field])
    product.version += 1
    product.save(update_fields=[*fields, "version", "updated"])
    _changed(products=[product.pk])
    events.record_stock_changed(product, previous_stock, events.EDITED)
    return product


@transaction.atomic
def delete_product(*, product: Product) -> None:
    """Soft-delete: the row stays; nobody sees it any more and it leaves the index."""
    product = _lock(product)
    product.version += 1
    product.deleted = timezone.now()
    product.save(update_fields=["version", "deleted", "updated"])
    _changed(products=[product.pk], tags=tags_of(product).values_list("pk", flat=True))


@transaction.atomic
def transition_product(*, product: Product, event: str) -> Product:
    """publish / archive / restore through the product machine (409 when not allowed)."""
    product = _lock(product)
    send_event(ProductMachine, product, event)
    product.version += 1
    product.save(update_fields=["state", "version", "updated"])
    _changed(products=[product.pk], tags=tags_of(product).values_list("pk", flat=True))
    return product


@transaction.atomic
def associate_tag(*, product: Product, name: str) -> Tag:
    """Put a tag (created when new) on a product; associating twice is harmless."""
    product = _lock(product)
    tag, _ = get_or_create_tag(name=name)
    if _associate(product, [tag], field="name"):
        product.version += 1
        product.save(update_fields=["version", "updated"])
        _changed(products=[product.pk], tags=[tag.pk])
    return tag


@transaction.atomic
def dissociate_tag(*, product: Product, tag: Tag) -> None:
    """Take a tag off a product (the link is soft-deleted); harmless when not there."""
    product = _lock(product)
    if ProductTag.objects.filter(product=product, tag=tag).delete()[0]:
        product.version += 1
        product.save(update_fields=["version", "updated"])
        _changed(products=[product.pk], tags=[tag.pk])


@dataclass(frozen=True)
class Shortage:
    """A product that cannot give the quantity asked: `reason` is `insufficient_stock`,
    `not_active` (draft or archived) or `deleted` (the product or its seller)."""

    product_id: str
    requested: int
    available: int
    reason: str


class StockShortage(Exception):
    def __init__(self, shortages: list[Shortage]):
        super().__init__(f"{len(shortages)} products cannot be sold in the quantity asked")
        self.shortages = shortages


def _lock_for_stock(product_ids: Iterable[UUID]) -> list[Product]:
    # Always in id order, so two checkouts of the same products in any order never deadlock;
    # NO KEY UPDATE, so bags and order lines can still reference the rows meanwhile.
    return list(
        Product.all_objects.select_for_update(no_key=True, of=("self",))
        .select_related("owner")
        .filter(pk__in=list(product_ids))
        .order_by("pk")
    )


def _save_stock(products: list[Product], previous: Mapping[UUID, int], reason: str) -> None:
    now = timezone.now()
    for product in products:
        product.version += 1
        product.updated = now
    Product.all_objects.bulk_update(products, ["stock", "version", "updated"])
    _changed(products=[p.pk for p in products])
    for product in products:
        events.record_stock_changed(product, previous[product.pk], reason)


# No savepoint of its own inside a caller's transaction: a shortage raises before any write,
# and the caller's transaction ends with it (two round trips fewer per order).
@transaction.atomic(savepoint=False)
def take_stock(quantities: Mapping[UUID, int]) -> dict[UUID, Product]:
    """Take `quantities` (product id → units) out of stock, all or nothing: every product
    must be active, its seller alive, and hold enough. Otherwise StockShortage lists every
    product that falls short and nothing changes. Returns the locked products by id."""
    products = {p.pk: p for p in _lock_for_stock(quantities)}
    shortages = []
    for product_id, requested in sorted(quantities.items()):
        product = products.get(product_id)
        if product is None or not product.is_for_sale:
            # Why not: the product or its seller is gone, or it is a draft or archived.
            gone = product is None or product.deleted or product.owner.deleted
            reason, available = ("deleted" if gone else "not_active"), 0
        elif product.stock < requested:
            reason, available = "insufficient_stock", product.stock
        else:
            continue
        shortages.append(Shortage(str(product_id), requested, available, reason))
    if shortages:
        raise StockShortage(shortages)
    previous = {product_id: product.stock for product_id, product in products.items()}
    for product_id, requested in quantities.items():
        products[product_id].stock -= requested
    _save_stock(list(products.values()), previous, events.ORDERED)
    return products


@transaction.atomic
def return_stock(quantities: Mapping[UUID, int]) -> None:
    """Put units back into stock (a cancelled order), whatever the products' state now."""
    products = _lock_for_stock(quantities)
    previous = {product.pk: product.stock for product in products}
    for product in products:
        product.stock += quantities[product.pk]
    _save_stock(products, previous, events.ORDER_CANCELLED)


__all__ = [
    "MAX_TAGS_PER_PRODUCT",
    "ProductState",
    "Shortage",
    "StockShortage",
    "TooManyTags",
    "associate_tag",
    "create_product",
    "delete_product",
    "dissociate_tag",
    "get_or_create_tag",
    "rename_tag",
    "return_stock",
    "take_stock",
    "transition_product",
    "update_product",
]
