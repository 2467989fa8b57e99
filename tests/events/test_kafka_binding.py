"""The Kafka protocol binding of CloudEvents: each record is the structured event (value) and
carries the binary mode's `ce_` headers too; the `partitionkey` extension equals the key."""

import json
import uuid

import pytest

from events.backends import ce_headers, get_consumer
from events.envelope import encode, envelope
from tests.conftest import add, place


def test_ce_headers_are_every_attribute_but_the_data():
    event = envelope(type="store.order.placed.v1", source="urn:test", subject="o-1", data={"a": 1})

    headers = dict(ce_headers(encode(event)))

    assert headers == {
        f"ce_{name}": str(value).encode()
        for name, value in event.items()
        if name not in {"data", "datacontenttype"}
    }
    assert headers["ce_partitionkey"] == b"o-1"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("eager_relay")
def test_kafka_records_carry_ce_headers_and_are_keyed_by_the_partition_key(
    settings, buyer_client, kettle
):
    """Needs the Kafka of `make test` (`WITH_KAFKA=1 scripts/services.sh start`)."""
    from confluent_kafka.admin import AdminClient

    settings.EVENTS_BACKEND = "kafka"
    settings.EVENTS_STREAM = f"{settings.EVENTS_STREAM}.{uuid.uuid4().hex[:8]}"
    try:
        AdminClient({"bootstrap.servers": settings.KAFKA_BOOTSTRAP_SERVERS}).list_topics(timeout=5)
    except Exception as exc:
        pytest.fail(f"Kafka is not running: `WITH_KAFKA=1 scripts/services.sh start` ({exc})")
    add(buyer_client, kettle)
    order = place(buyer_client).json()

    consumer = get_consumer(f"test-{uuid.uuid4().hex[:8]}", "test", from_start=True)
    try:
        records = []
        for _ in range(100):
            records += [m.handle for m in consumer.messages(wait_seconds=0.2)]
            if records:
                break
    finally:
        consumer.close()

    [record] = records
    event = json.loads(record.value())
    headers = dict(record.headers())
    assert record.key() == order["id"].encode() == event["partitionkey"].encode()
    assert headers["content-type"] == b"application/cloudevents+json"
    assert headers["ce_id"] == event["id"].encode()
    assert headers["ce_type"] == b"store.order.placed.v1"
    assert headers["ce_partitionkey"] == record.key()
    assert "ce_data" not in headers
