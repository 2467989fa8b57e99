"""Event tests run against both real backends: Redis Streams and the Kafka broker that
`make test` starts (`WITH_KAFKA=1 scripts/services.sh start`)."""

import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app as celery_app
from events.backends import get_consumer
from events.envelope import decode

SERVICES = Path(__file__).resolve().parents[2] / "scripts" / "services.sh"


def services(command: str) -> None:
    # Output to a file, not a pipe: a server the script starts may keep an inherited pipe
    # open, and reading it to its end would then wait forever.
    with tempfile.TemporaryFile() as output:
        done = subprocess.run(  # noqa: S603  (our own script, fixed arguments)
            ["/bin/bash", str(SERVICES), command], stdout=output, stderr=output, timeout=300
        )
        output.seek(0)
        assert done.returncode == 0, output.read().decode(errors="replace")[-3000:]


@pytest.fixture(params=["redis", "kafka"])
def backend(request, settings):
    """Each test once per backend, on a stream (topic) of its own."""
    settings.EVENTS_BACKEND = request.param
    settings.EVENTS_STREAM = f"{settings.EVENTS_STREAM}.{uuid.uuid4().hex[:8]}"
    if request.param == "kafka":
        from confluent_kafka.admin import AdminClient

        try:
            AdminClient({"bootstrap.servers": settings.KAFKA_BOOTSTRAP_SERVERS}).list_topics(
                timeout=5
            )
        except Exception as exc:
            pytest.fail(f"Kafka is not running: `WITH_KAFKA=1 scripts/services.sh start` ({exc})")
    return request.param


@pytest.fixture
def eager_relay():
    """The relay runs in-process right after each commit, as a worker would."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def read_events(count: int, *, linger: float = 0, timeout: float = 30) -> list[dict]:
    """Read the stream from its start with a fresh consumer group until `count` events
    arrived (or `timeout`), then `linger` seconds more for any extra one; every message,
    duplicates included, as parsed JSON."""
    import json

    consumer = get_consumer(f"test-{uuid.uuid4().hex[:8]}", "test", from_start=True)
    events: list[dict] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if len(events) >= count:
                deadline = min(deadline, time.monotonic() + linger)
            for message in consumer.messages(wait_seconds=0.2):
                decode(message.raw)  # a valid CloudEvent, or this raises
                events.append(json.loads(message.raw))
                consumer.ack(message)
            if len(events) >= count and not linger:
                break
    finally:
        consumer.close()
    return events


def stream_name() -> str:
    return str(settings.EVENTS_STREAM)
