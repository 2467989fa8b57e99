"""Publish pending events now (what the relay task and its beat re-drive do)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from events.relay import backlog, relay


class Command(BaseCommand):
    help = "Publish the outbox's pending events to the stream, in the order recorded."

    def handle(self, *args: Any, **options: Any) -> None:
        published = relay()
        pending, _ = backlog()
        self.stdout.write(
            f"published {published} events to {settings.EVENTS_BACKEND} "
            f"{settings.EVENTS_STREAM}; {pending} pending"
        )
