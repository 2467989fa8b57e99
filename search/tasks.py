from celery import shared_task

from core import outbox
from search import sync


@shared_task(name=sync.DRAIN_TASK, ignore_result=True)
def drain_search_outbox() -> int:
    """Enqueued after a commit that recorded search changes (one queued at a time)."""
    outbox.woken(sync.DRAIN_TASK)
    return sync.drain()


@shared_task(name="search.tasks.redrive_search_outbox", ignore_result=True)
def redrive_search_outbox() -> int:
    """Beat: drain rows left pending (broker or Elasticsearch down at commit time)."""
    return sync.drain()
