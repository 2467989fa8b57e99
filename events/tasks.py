from celery import shared_task

from core import outbox
from events import relay, webhooks
from events.envelope import FANOUT_TASK, RELAY_TASK


@shared_task(name=RELAY_TASK, ignore_result=True)
def relay_events() -> int:
    """Enqueued after a commit that recorded events (one queued at a time)."""
    outbox.woken(RELAY_TASK)
    return relay.relay()


@shared_task(name="events.tasks.redrive_events", ignore_result=True)
def redrive_events() -> int:
    """Beat: publish events left pending (broker or backend down at commit time)."""
    return relay.relay()


@shared_task(name=FANOUT_TASK, ignore_result=True)
def fan_out_webhooks() -> int:
    """Enqueued after a commit that recorded events (one queued at a time): make their
    webhook deliveries."""
    outbox.woken(FANOUT_TASK)
    return webhooks.fan_out()


@shared_task(name=webhooks.DELIVER_TASK, ignore_result=True)
def deliver_webhooks(endpoint_id: str) -> int:
    """Send one endpoint's due deliveries, in order (enqueued after fan-out, redelivery,
    a test event, and by the re-drive for retries)."""
    return webhooks.deliver(endpoint_id)


@shared_task(name="events.tasks.redrive_webhooks", ignore_result=True)
def redrive_webhooks() -> int:
    """Beat, every WEBHOOK_POLL_SECONDS: fan out rows left pending and try due retries."""
    return webhooks.redrive()
