"""Events as CloudEvents 1.0 in JSON structured mode, recorded in the outbox.

The envelope is built (and validated, by the CloudEvents SDK) when the event is recorded, in
the transaction of the change it tells of: its `id` is fixed then, so every redelivery of the
event carries the same id and consumers de-duplicate by it.
"""

import json
from typing import Any
from uuid import uuid4

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from django.utils import timezone

from core import outbox

EVENT_TOPIC = "events"  # the outbox topic of every event, whatever its type
RELAY_TASK = "events.tasks.relay_events"
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
        },
        data,
    )
    envelope: dict[str, Any] = json.loads(FORMAT.write(event))
    return envelope


def record_event(*, type: str, source: str, subject: str, data: dict[str, Any]) -> dict[str, Any]:
    """Record an event in the caller's transaction; the relay publishes it after commit,
    keyed by `subject` (events of one subject stay in order). Returns the envelope."""
    event = envelope(type=type, source=source, subject=subject, data=data)
    outbox.record(EVENT_TOPIC, [subject], task=RELAY_TASK, payload=event)
    return event


def decode(raw: bytes | str) -> CloudEvent:
    """Parse (and validate) an event read from the stream."""
    event = FORMAT.read(None, raw)
    assert isinstance(event, CloudEvent)  # noqa: S101  (specversion 1.0 is all we write)
    return event
