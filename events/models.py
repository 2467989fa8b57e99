"""Webhooks: endpoints people register to hear about their own data, and the deliveries of
events to them (each one kept, with its attempts, so its owner can see and replay it)."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from core.models import BaseModel


class WebhookEndpoint(BaseModel):
    """A URL of its owner's that receives, signed, the events its owner may see.

    `secret` signs every delivery (Standard Webhooks, `whsec_<base64>`); after a rotation the
    `previous_secret` signs too until `previous_secret_expires`, so receivers can switch over.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=2000)
    # Empty: every event type its owner may receive.
    event_types = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    active = models.BooleanField(default=True)
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires = models.DateTimeField(null=True, blank=True)
    # Since when every attempt failed (None: the last one succeeded); a day of it disables.
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class Delivery(BaseModel):
    """One event for one endpoint: delivered in order of `position` among the endpoint's
    deliveries with the same `subject` (one order's events arrive in the order they happened)."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField()  # the CloudEvent id, sent as `webhook-id`
    event_type = models.CharField(max_length=100)
    subject = models.CharField(max_length=64)
    position = models.BigIntegerField()  # the outbox row's: the order events happened in
    payload = models.JSONField()  # the CloudEvent, as the body
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    # `attempts` when the last (re)delivery was asked: the retry budget counts from there.
    attempts_before = models.PositiveIntegerField(default=0)
    next_try = models.DateTimeField(null=True, blank=True)
    last_attempt = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-position"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="one_delivery_per_event")
        ]
        indexes = [
            models.Index(
                fields=["endpoint", "subject", "position"],
                condition=models.Q(status="pending"),
                name="delivery_pending_by_subject",
            ),
            models.Index(
                fields=["next_try"],
                condition=models.Q(status="pending"),
                name="delivery_pending_by_next_try",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id}"
