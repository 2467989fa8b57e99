"""The base every entity of the store stands on: UUID ids, UTC timestamps, soft delete."""

import uuid
from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.utils import timezone

_M = TypeVar("_M", bound="BaseModel")


class SoftDeleteQuerySet(models.QuerySet[_M]):
    def delete(self) -> tuple[int, dict[str, int]]:
        """Soft-delete every row of the queryset in one UPDATE; nothing leaves the table."""
        now = timezone.now()
        count = self.filter(deleted__isnull=True).update(deleted=now, updated=now)
        return count, {self.model._meta.label: count}

    def alive(self) -> "SoftDeleteQuerySet[_M]":
        return self.filter(deleted__isnull=True)


class AliveManager(models.Manager[_M]):
    """The default manager: rows that were soft-deleted are invisible."""

    def get_queryset(self) -> SoftDeleteQuerySet[_M]:
        return SoftDeleteQuerySet(self.model, using=self._db).filter(deleted__isnull=True)


class EveryRowManager(models.Manager[_M]):
    """Sees every row, soft-deleted ones included (admin, reconciliation, audits)."""

    def get_queryset(self) -> SoftDeleteQuerySet[_M]:
        return SoftDeleteQuerySet(self.model, using=self._db)


class BaseModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated = models.DateTimeField(auto_now=True)
    deleted = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)

    objects: ClassVar[models.Manager[Any]] = AliveManager()
    all_objects: ClassVar[models.Manager[Any]] = EveryRowManager()

    class Meta:
        abstract = True
        # Related lookups (product.owner, ...) still reach soft-deleted rows.
        base_manager_name = "all_objects"

    @property
    def is_deleted(self) -> bool:
        return self.deleted is not None

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        """Soft delete: stamp `deleted`; the row stays in the table."""
        if self.deleted is None:
            self.deleted = timezone.now()
            self.save(update_fields=["deleted", "updated"])
        return 1, {self._meta.label: 1}


def owned_by_user(related_name: str) -> "models.ForeignKey[Any, Any]":
    """The user a row belongs to (seller, owner, buyer). PROTECT: users are soft-deleted, so
    their products, bags, orders and sales stay history rather than vanish with them."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name=related_name
    )


def unique_among_alive(
    *expressions: Any, name: str, fields: Sequence[str] = (), **when: Any
) -> models.UniqueConstraint:
    """A unique constraint over the rows not soft-deleted (and matching `when`): a deleted
    row never blocks its successor (follow again, tag again, a new line for a product)."""
    return models.UniqueConstraint(
        *expressions, fields=fields, condition=models.Q(deleted__isnull=True, **when), name=name
    )


class NextValue(models.Func):
    """`nextval('<sequence>')`: a number from a PostgreSQL sequence, as a column default."""

    function = "nextval"
    output_field = models.BigIntegerField()


OUTBOX_POSITION_SEQUENCE = "api_outboxentry_position_seq"


class OutboxEntry(BaseModel):
    """A change that another system must see, written in the same transaction as the change.

    Consumers (the search sync, the event relay) take pending rows with
    `SELECT ... FOR UPDATE SKIP LOCKED`, act, and stamp `processed`; nothing is lost when the
    broker or the consumer's backend is down at commit time: the rows wait.
    """

    # Insertion order, from a sequence: rows written in one transaction (an order's
    # `line_fulfilled` then `completed`) keep their order even within one microsecond.
    position = models.BigIntegerField(
        db_default=NextValue(models.Value(OUTBOX_POSITION_SEQUENCE)), editable=False
    )
    topic = models.CharField(max_length=64)
    key = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, blank=True)
    processed = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]
        indexes = [
            models.Index(
                fields=["topic", "position"],
                condition=models.Q(processed__isnull=True),
                name="outbox_pending_by_position",
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic}:{self.key}"
