from celery import shared_task

from events import relay
from events.envelope import RELAY_TASK


@shared_task(name=RELAY_TASK, ignore_result=True)
def relay_events() -> int:
    """Enqueued after each commit that recorded events."""
    return relay.relay()


@shared_task(name="events.tasks.redrive_events", ignore_result=True)
def redrive_events() -> int:
    """Beat: publish events left pending (broker or backend down at commit time)."""
    return relay.relay()
