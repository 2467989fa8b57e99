"""Where events go: one small publisher interface, and a consumer for each backend.

`EVENTS_BACKEND` chooses: `redis` (default: XADD to the stream `EVENTS_STREAM` on the Redis
of `EVENTS_REDIS_URL`, trimmed to `EVENTS_RETENTION_SECONDS`) or `kafka` (an idempotent
producer with `acks=all` to the topic `EVENTS_STREAM` on `KAFKA_BOOTSTRAP_SERVERS`, keyed
by the event's subject, so the events of one order stay in one partition, in order).
"""

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import orjson
import redis
from cloudevents.core.bindings.common import CONTENT_TYPE_HEADER
from django.conf import settings

from events.envelope import CONTENT_TYPE

EVENT_FIELD = "event"  # the one field of a Redis stream entry: the structured CloudEvent


class PublishFailed(RuntimeError):
    """The backend did not confirm every event: the relay keeps them pending."""


@dataclass(frozen=True)
class OutgoingEvent:
    key: str  # the partition key: the event's subject
    body: bytes  # the CloudEvent, JSON structured mode, UTF-8


class Publisher(Protocol):
    """Publish events in the order given; return only once the backend confirmed them all,
    else raise PublishFailed (some may have arrived: they will come again, same ids)."""

    name: str

    def publish(self, events: Sequence[OutgoingEvent]) -> None: ...


@dataclass(frozen=True)
class Message:
    """An event read from the stream, with what acknowledges it."""

    raw: bytes
    handle: Any  # backend-specific: the stream entry id, or the Kafka message


class Consumer(Protocol):
    def messages(self, wait_seconds: float) -> Iterator[Message]: ...

    def ack(self, message: Message) -> None: ...

    def close(self) -> None: ...


# --- Redis Streams --------------------------------------------------------------------------


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(
        settings.EVENTS_REDIS_URL, socket_timeout=5, socket_connect_timeout=2
    )


class RedisStreamPublisher:
    name = "redis"

    def __init__(self, stream: str, retention_seconds: int) -> None:
        self.stream = stream
        self.retention_seconds = retention_seconds
        self.client = redis_client()

    def publish(self, events: Sequence[OutgoingEvent]) -> None:
        # Entries older than the retention go (MINID ~: trimmed in whole nodes, cheaply).
        oldest_kept = f"{int((time.time() - self.retention_seconds) * 1000)}-0"
        pipe = self.client.pipeline(transaction=False)
        for outgoing in events:
            pipe.xadd(
                self.stream,
                {EVENT_FIELD: outgoing.body},
                minid=oldest_kept,
                approximate=True,
            )
        try:
            pipe.execute()
        except redis.RedisError as exc:
            raise PublishFailed(f"Redis: {exc}") from exc


class RedisStreamConsumer:
    """A member of a consumer group: first its own unacknowledged entries (left by a crash),
    then new ones. `from_start` rewinds an existing group to the oldest entry."""

    def __init__(self, stream: str, group: str, name: str, from_start: bool) -> None:
        self.stream, self.group, self.name = stream, group, name
        self.client = redis_client()
        try:  # a new group starts at the oldest event the stream holds, as on Kafka
            self.client.xgroup_create(stream, group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
            if from_start:
                self.client.xgroup_setid(stream, group, id="0")
        self.pending_first = True

    def messages(self, wait_seconds: float) -> Iterator[Message]:
        cursor = "0" if self.pending_first else ">"
        answer: Any = self.client.xreadgroup(
            self.group,
            self.name,
            {self.stream: cursor},
            count=100,
            block=None if self.pending_first else int(wait_seconds * 1000),
        )
        entries = answer[0][1] if answer else []  # RESP2: [[stream, [(id, fields), ...]]]
        if self.pending_first and not entries:
            self.pending_first = False
        for entry_id, fields in entries:
            yield Message(raw=fields[EVENT_FIELD.encode()], handle=entry_id)

    def ack(self, message: Message) -> None:
        self.client.xack(self.stream, self.group, message.handle)

    def close(self) -> None:
        self.client.close()


# --- Kafka ----------------------------------------------------------------------------------


def kafka_config(**extra: Any) -> dict[str, Any]:
    return {
        "bootstrap.servers": settings.KAFKA_BOOTSTRAP_SERVERS,
        "logger": logging.getLogger("events.kafka"),
        **extra,
    }


def ensure_topic(topic: str, retention_seconds: int, partitions: int) -> None:
    """Create the topic with our retention when it does not exist yet."""
    from confluent_kafka import KafkaError, KafkaException
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient(kafka_config())
    wanted = NewTopic(
        topic,
        num_partitions=partitions,
        replication_factor=-1,  # the broker's default
        config={"retention.ms": str(retention_seconds * 1000)},
    )
    try:
        admin.create_topics([wanted], request_timeout=5)[topic].result(timeout=10)
    except KafkaException as exc:
        if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
            raise PublishFailed(f"Kafka: cannot create topic {topic}: {exc}") from exc


@cache
def kafka_producer(servers: str) -> Any:
    """One producer per process, whatever the topic: it is costly, and thread-safe."""
    from confluent_kafka import Producer

    # Idempotent with acks=all: retries never duplicate nor reorder within a partition.
    return Producer(
        {
            "bootstrap.servers": servers,
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 5,
            "message.timeout.ms": 10_000,
            "logger": logging.getLogger("events.kafka"),  # librdkafka's logs, not stderr
        }
    )


# Attributes that are not headers in the binary mode: the data itself, and its content type
# (the record's `content-type` stays the structured mode's).
NOT_HEADERS = {"data", "data_base64", "datacontenttype"}


def ce_headers(body: bytes) -> list[tuple[str, bytes]]:
    """The CloudEvents Kafka binding's binary-mode headers (`ce_<attribute>`) of a structured
    event, so consumers can route on them without parsing the value."""
    event = orjson.loads(body)
    return [
        (f"ce_{name}", str(value).encode())
        for name, value in event.items()
        if name not in NOT_HEADERS and value is not None
    ]


class KafkaPublisher:
    name = "kafka"
    FLUSH_SECONDS = 15

    def __init__(self, topic: str, retention_seconds: int, partitions: int) -> None:
        self.topic = topic
        self.retention_seconds = retention_seconds
        self.partitions = partitions
        self.topic_ready = False
        self.producer = kafka_producer(settings.KAFKA_BOOTSTRAP_SERVERS)

    def publish(self, events: Sequence[OutgoingEvent]) -> None:
        from confluent_kafka import KafkaException

        if not self.topic_ready:
            ensure_topic(self.topic, self.retention_seconds, self.partitions)
            self.topic_ready = True
        failures: list[str] = []

        def delivered(error: Any, message: Any) -> None:
            if error is not None:
                failures.append(str(error))

        try:
            for outgoing in events:
                while True:
                    try:
                        self.producer.produce(
                            self.topic,
                            key=outgoing.key.encode(),
                            value=outgoing.body,
                            headers=[
                                (CONTENT_TYPE_HEADER, CONTENT_TYPE.encode()),
                                *ce_headers(outgoing.body),
                            ],
                            on_delivery=delivered,
                        )
                        break
                    except BufferError:  # the local queue is full: let deliveries drain it
                        self.producer.poll(0.1)
            left = self.producer.flush(self.FLUSH_SECONDS)
        except KafkaException as exc:
            raise PublishFailed(f"Kafka: {exc}") from exc
        if left or failures:
            raise PublishFailed(
                f"Kafka: {left} events unconfirmed, {len(failures)} failed"
                + (f", first: {failures[0]}" if failures else "")
            )


class KafkaTopicConsumer:
    def __init__(self, topic: str, group: str, from_start: bool) -> None:
        from confluent_kafka import OFFSET_BEGINNING, Consumer

        self.consumer = Consumer(
            kafka_config(
                **{
                    "group.id": group,
                    "enable.auto.commit": False,
                    # A new group (or a partition it never read) starts at the oldest event
                    # kept: "latest" would skip events of partitions not yet committed.
                    "auto.offset.reset": "earliest",
                }
            )
        )

        def rewind(consumer: Any, partitions: list[Any]) -> None:
            for partition in partitions:
                partition.offset = OFFSET_BEGINNING
            consumer.assign(partitions)

        if from_start:
            self.consumer.subscribe([topic], on_assign=rewind)
        else:
            self.consumer.subscribe([topic])

    def messages(self, wait_seconds: float) -> Iterator[Message]:
        from confluent_kafka import KafkaError, KafkaException

        for message in self.consumer.consume(num_messages=100, timeout=wait_seconds):
            error = message.error()
            if error is not None:
                if error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART:
                    continue  # nothing was published yet: the relay creates the topic
                raise KafkaException(error)
            yield Message(raw=message.value() or b"", handle=message)

    def ack(self, message: Message) -> None:
        self.consumer.commit(message=message.handle, asynchronous=False)

    def close(self) -> None:
        self.consumer.close()


# --- choosing -------------------------------------------------------------------------------


@cache
def _publisher(backend: str, stream: str, retention: int, partitions: int) -> Publisher:
    if backend == "kafka":
        return KafkaPublisher(stream, retention, partitions)
    return RedisStreamPublisher(stream, retention)


def get_publisher() -> Publisher:
    """The configured publisher, one per process (a Kafka producer is costly to create)."""
    return _publisher(
        settings.EVENTS_BACKEND,
        settings.EVENTS_STREAM,
        settings.EVENTS_RETENTION_SECONDS,
        settings.EVENTS_KAFKA_PARTITIONS,
    )


def get_consumer(group: str, name: str, from_start: bool) -> Consumer:
    if settings.EVENTS_BACKEND == "kafka":
        return KafkaTopicConsumer(settings.EVENTS_STREAM, group, from_start)
    return RedisStreamConsumer(settings.EVENTS_STREAM, group, name, from_start)
