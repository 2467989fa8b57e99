"""Bags, orders and their lines. Orders and lines are history: never deleted, never edited
but for their state and the `fulfilled` stamp of a line."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from catalog.models import Product
from core.models import BaseModel, owned_by_user, unique_among_alive

MAX_QUANTITY = 999
# Totals can exceed a product price's 12 digits: up to MAX_BAG_LINES lines of 999 units.
MONEY_DIGITS = 18


class BagState(models.TextChoices):
    OPEN = "open"
    CHECKED_OUT = "checked_out"
    ABANDONED = "abandoned"


class Bag(BaseModel):
    """What a user is about to buy. One open bag per user, created on first use."""

    owner = owned_by_user("bags")
    state = models.CharField(max_length=16, choices=BagState.choices, default=BagState.OPEN)

    class Meta:
        ordering = ["-created"]
        constraints = [
            unique_among_alive("owner", state=BagState.OPEN, name="bag_one_open_per_owner")
        ]

    def __str__(self) -> str:
        return f"bag {self.pk} of {self.owner_id} ({self.state})"

    # Both read the items through the prefetch cache when the selector filled it.
    @property
    def total(self) -> Decimal:
        """What the bag costs at current prices."""
        return sum((item.line_total for item in self.items.all()), Decimal("0.00"))

    @property
    def item_count(self) -> int:
        return sum(item.quantity for item in self.items.all())


class BagItem(BaseModel):
    """A line of a bag: a product and how many. One live line per product."""

    bag = models.ForeignKey(Bag, on_delete=models.PROTECT, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )
    # The product's price when the buyer last added or changed the line: what they agreed to
    # pay. An order never charges more without their confirmation (If-Match).
    seen_price = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["created"]
        constraints = [
            unique_among_alive("bag", "product", name="bag_item_one_line_per_product"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="bag_item_quantity_1_999",
            ),
            models.CheckConstraint(
                condition=models.Q(seen_price__gte=0), name="bag_item_seen_price_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"

    @property
    def line_total(self) -> Decimal:
        return line_total(self.product.price, self.quantity)


class OrderState(models.TextChoices):
    PLACED = "placed"
    PARTIALLY_FULFILLED = "partially_fulfilled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Order(BaseModel):
    """A purchase from a bag, at the prices of the moment it was placed."""

    buyer = owned_by_user("orders")
    # Short and human-readable, for e-mails and the phone: ORD-XXXX-XXXX.
    number = models.CharField(max_length=16)
    state = models.CharField(
        max_length=24, choices=OrderState.choices, default=OrderState.PLACED, db_index=True
    )
    bag = models.OneToOneField(Bag, on_delete=models.PROTECT, related_name="order")
    total = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=2)
    currency = models.CharField(max_length=3)
    # The Idempotency-Key header it was placed with ("" without one): a retry with the same
    # key returns this order instead of placing a second one.
    idempotency_key = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                "buyer",
                "idempotency_key",
                condition=~models.Q(idempotency_key=""),
                name="order_idempotency_key_unique_per_buyer",
            ),
            # Named: place_order recognises a clash of random numbers by this name.
            models.UniqueConstraint(fields=["number"], name="order_number_unique"),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="order_total_gte_0"),
        ]
        indexes = [models.Index(fields=["buyer", "-created"], name="order_buyer_created")]

    def __str__(self) -> str:
        return self.number

    def every_line_fulfilled(self) -> bool:
        """Condition of the order machine: the last line was fulfilled, the order completes."""
        return not self.lines.filter(fulfilled__isnull=True).exists()


class OrderLine(BaseModel):
    """One product of an order, with its name and price copied at purchase."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    # 1, 2, ...: the lines in the order the buyer put the products in the bag.
    position = models.PositiveSmallIntegerField()
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    seller = owned_by_user("sales")
    product_name = models.CharField(max_length=200)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )
    line_total = models.DecimalField(max_digits=MONEY_DIGITS, decimal_places=2)
    fulfilled = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint("order", "position", name="order_line_position_unique"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="order_line_quantity_1_999",
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="order_line_unit_price_gte_0"
            ),
        ]
        indexes = [models.Index(fields=["seller", "-created"], name="order_line_seller_created")]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_name}"


def line_total(unit_price: Decimal, quantity: int) -> Decimal:
    """Price x quantity in the store's two decimal places."""
    return (unit_price * quantity).quantize(Decimal("0.01"))
