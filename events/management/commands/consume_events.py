"""Read the order events as a downstream team would: a consumer group on the stream (Redis)
or the topic (Kafka), one line per event, acknowledged after it was handled, and an event id
already handled skipped: delivery is at least once, so every consumer de-duplicates.

    manage.py consume_events --group shipping [--from-start] [--json]

A new group starts at the oldest event the stream still holds (EVENTS_RETENTION_SECONDS);
an existing one goes on where it stopped; `--from-start` rewinds it.

Copy it: replace `handle` with your work, and keep the "handled" mark in the same
transaction as that work (here it is a Redis key, since printing has no transaction).
"""

import signal
import socket
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from events.backends import Message, get_consumer, redis_client
from events.envelope import decode


class Command(BaseCommand):
    help = "Read order events with a consumer group; print one line per event."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--group", default="store-cli", help="consumer group (default %(default)s)"
        )
        parser.add_argument(
            "--from-start", action="store_true", help="read the stream from its start"
        )
        parser.add_argument(
            "--json", action="store_true", help="print each whole CloudEvent as JSON"
        )
        parser.add_argument("--max-events", type=int, default=0, help="stop after N new events")
        parser.add_argument(
            "--idle-exit", type=float, default=0, help="stop after S seconds without events"
        )
        parser.add_argument("--name", default=socket.gethostname(), help="consumer name (Redis)")

    def handle(self, *args: Any, **options: Any) -> None:
        group = options["group"]
        consumer = get_consumer(group, options["name"], options["from_start"])
        handled = redis_client()
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        self.stderr.write(
            f"reading {settings.EVENTS_BACKEND} {settings.EVENTS_STREAM} as group {group}"
        )
        new, idle_since = 0, time.monotonic()
        try:
            while not stopping:
                got_any = False
                for message in consumer.messages(wait_seconds=1.0):
                    got_any = True
                    if self.handle_message(message, group, handled, options["json"]):
                        new += 1
                    consumer.ack(message)
                    if options["max_events"] and new >= options["max_events"]:
                        return
                if got_any:
                    idle_since = time.monotonic()
                elif options["idle_exit"] and time.monotonic() - idle_since > options["idle_exit"]:
                    return
        except KeyboardInterrupt:
            pass
        finally:
            consumer.close()

    def handle_message(self, message: Message, group: str, handled: Any, as_json: bool) -> bool:
        """Print the event unless this group handled its id before; True when it was new."""
        event = decode(message.raw)
        mark = f"events:handled:{group}:{event.get_id()}"
        if handled.exists(mark):
            self.stderr.write(f"skipped {event.get_id()}: handled before")
            return False
        if as_json:
            self.stdout.write(message.raw.decode())
        else:
            time_ = event.get_time()
            self.stdout.write(
                f"{time_.isoformat() if time_ else '-'} {event.get_type()} "
                f"subject={event.get_subject()} id={event.get_id()}"
            )
        handled.set(mark, 1, ex=settings.EVENTS_RETENTION_SECONDS)
        return True
