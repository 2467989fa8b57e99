from decimal import Decimal
from typing import ClassVar

from django.core.validators import MaxLengthValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from core.models import (
    AliveManager,
    BaseModel,
    SoftDeleteQuerySet,
    owned_by_user,
    unique_among_alive,
)


class ProductState(models.TextChoices):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


def for_sale(prefix: str = "") -> models.Q:
    """The one rule of "is this product for sale?": active, not deleted, and its seller's
    account alive. `prefix` reaches products through a relation ("tag_links__product__")."""
    return models.Q(
        **{
            f"{prefix}state": ProductState.ACTIVE,
            f"{prefix}deleted__isnull": True,
            f"{prefix}owner__deleted__isnull": True,
        }
    )


class ProductQuerySet(SoftDeleteQuerySet["Product"]):
    def for_sale(self) -> "ProductQuerySet":
        """Products shoppers may see and buy (`for_sale()`)."""
        return self.filter(for_sale())


class ProductManager(AliveManager["Product"]):
    def get_queryset(self) -> ProductQuerySet:
        return ProductQuerySet(self.model, using=self._db).filter(deleted__isnull=True)

    def for_sale(self) -> ProductQuerySet:
        return self.get_queryset().for_sale()


class Tag(BaseModel):
    """A label shoppers filter by. Names are unique whatever their case."""

    name = models.CharField(max_length=50, validators=[MinLengthValidator(1)])
    slug = models.SlugField(max_length=60)
    # Bumped on every change a search document of the tag depends on (external versioning).
    version = models.PositiveBigIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        constraints = [
            unique_among_alive(Lower("name"), name="tag_name_ci_unique"),
            unique_among_alive("slug", name="tag_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Product(BaseModel):
    """Something a user sells. Only `active` products are visible to others and buyable."""

    owner = owned_by_user("products")
    name = models.CharField(max_length=200, validators=[MinLengthValidator(1)])
    description = models.TextField(blank=True, validators=[MaxLengthValidator(10_000)])
    price = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    stock = models.IntegerField(validators=[MinValueValidator(0)])
    state = models.CharField(
        max_length=16, choices=ProductState.choices, default=ProductState.DRAFT, db_index=True
    )
    # The product's revision: +1 on every change of the product or its tags, under the row
    # lock. It is the ETag for optimistic concurrency and the external version in the index.
    version = models.PositiveBigIntegerField(default=1)

    objects: ClassVar[ProductManager] = ProductManager()

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="product_price_gte_0"),
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="product_stock_gte_0"),
        ]
        indexes = [models.Index(fields=["owner", "state"], name="product_owner_state")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_for_sale(self) -> bool:
        """`for_sale()` for one product in memory (reads its owner: select_related it)."""
        return (
            self.state == ProductState.ACTIVE
            and self.deleted is None
            and self.owner.deleted is None
        )


class ProductTag(BaseModel):
    """A product carries a tag. Dissociating soft-deletes the link; associating again adds one."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="product_links")

    class Meta:
        constraints = [unique_among_alive("product", "tag", name="product_tag_unique_alive")]

    def __str__(self) -> str:
        return f"{self.product_id} ~ {self.tag_id}"


def tags_of(product: Product) -> models.QuerySet[Tag]:
    """The tags a product carries now (links that were dissociated do not count)."""
    return Tag.objects.filter(
        product_links__product=product, product_links__deleted__isnull=True
    ).order_by("name")
