"""Events as CloudEvents 1.0 in JSON structured mode, recorded in the outbox.

The envelope is built (and validated, by the CloudEvents SDK) when the event is recorded, in
the transaction of the change it tells of: its `id` is fixed then, so every redelivery of the
event carries the same id and consumers de-duplicate by it.
"""

import json
from collections.abc import Iterable
from typing import Any
from uuid import uuid4

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from django.conf import settings
from django.utils import timezone

from core import outbox

EVENT_TOPIC = "events"  # the outbox topic of every event, whatever its type
RELAY_TASK = "events.tasks.relay_events"
# The webhooks' own outbox topic: each event with the ids of the users it concerns, fanned out
# to their endpoints (and staff's) by its own consumer, so a stream outage delays no webhook.
WEBHOOK_TOPIC = "webhooks"
FANOUT_TASK = "events.tasks.fan_out_webhooks"
CONTENT_TYPE = JSONFormat.CONTENT_TYPE  # application/cloudevents+json

FORMAT = JSONFormat()


def envelope(*, type: str, source: str, subject: str, data: dict[str, Any]) -> dict[str, Any]:
    """The CloudEvent as the JSON object consumers receive."""
    event = CloudEvent(
        {
            "id": str(uuid4()),
            "source": source,
            "type": type,
            "subject": subject,
            "time": timezone.now(),
            "datacontenttype": "application/json",
            "dataschema": schema_url(type),
            # The CloudEvents partitioning extension: the key that keeps a subject in order.
            "partitionkey": subject,
        },
        data,
    )
    envelope: dict[str, Any] = json.loads(FORMAT.write(event))
    return envelope


def schema_url(type: str) -> str:
    """Where the JSON Schema of an event type's `data` is served (the `dataschema`)."""
    return f"{settings.EVENTS_SCHEMA_BASE_URL.rstrip('/')}/{type}.json"


def record_event(
    *,
    type: str,
    source: str,
    subject: str,
    data: dict[str, Any],
    audience: Iterable[Any] = (),
) -> dict[str, Any]:
    """Record an event in the caller's transaction; the relay publishes it after commit,
    keyed by `subject` (events of one subject stay in order), and the webhooks of the users
    in `audience` (ids) and of staff receive it. Returns the envelope."""
    event = envelope(type=type, source=source, subject=subject, data=data)
    outbox.record(EVENT_TOPIC, [subject], task=RELAY_TASK, payload=event)
    _record_for_webhooks(event, audience)
    return event


def record_addressed_event(
    *, type: str, source: str, subject: str, data: dict[str, Any], audience: Iterable[Any]
) -> dict[str, Any]:
    """Record an event for the webhooks of `audience` (and staff) only, not the stream: the
    view of a change one user may see (a seller's own lines of an order)."""
    event = envelope(type=type, source=source, subject=subject, data=data)
    _record_for_webhooks(event, audience)
    return event


def _record_for_webhooks(event: dict[str, Any], audience: Iterable[Any]) -> None:
    payload = {"event": event, "audience": sorted({str(user_id) for user_id in audience})}
    outbox.record(WEBHOOK_TOPIC, [event["subject"]], task=FANOUT_TASK, payload=payload)


def encode(event: dict[str, Any]) -> bytes:
    """The bytes on the wire: compact JSON, UTF-8 (a webhook's body)."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


def decode(raw: bytes | str) -> CloudEvent:
    """Parse (and validate) an event read from the stream."""
    event = FORMAT.read(None, raw)
    assert isinstance(event, CloudEvent)  # noqa: S101  (specversion 1.0 is all we write)
    return event
