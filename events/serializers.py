"""Webhook endpoints and deliveries at the edge."""

from typing import Any

from rest_framework import serializers

from events import schemas
from events.models import Delivery, WebhookEndpoint


class EventTypeField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=schemas.event_types(), **kwargs)


class WebhookEndpointSerializer(serializers.ModelSerializer[WebhookEndpoint]):
    """An endpoint as its owner sees it (never its secret: that is shown once)."""

    url = serializers.URLField(max_length=2000)
    event_types = serializers.ListField(
        child=EventTypeField(),
        required=False,
        max_length=50,
        help_text="The event types wanted; empty or omitted: every type the owner may receive.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "event_types",
            "active",
            "disabled_reason",
            "failing_since",
            "previous_secret_expires",
            "created",
            "updated",
        ]
        read_only_fields = [
            "id",
            "disabled_reason",
            "failing_since",
            "previous_secret_expires",
            "created",
            "updated",
        ]


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    """On create and on rotation only: the signing secret, `whsec_<base64>`."""

    secret = serializers.CharField(read_only=True)

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = [*WebhookEndpointSerializer.Meta.read_only_fields, "secret"]


class DeliverySerializer(serializers.ModelSerializer[Delivery]):
    """One event sent (or to send) to an endpoint, with its last attempt."""

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "subject",
            "status",
            "attempts",
            "last_attempt",
            "response_code",
            "duration_ms",
            "next_try",
            "error",
            "payload",
            "created",
        ]
        read_only_fields = fields
