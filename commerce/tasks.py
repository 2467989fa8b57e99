from celery import shared_task
from django.conf import settings

from commerce import services


@shared_task(name="commerce.tasks.abandon_idle_bags", ignore_result=True)
def abandon_idle_bags() -> int:
    """Beat: open bags untouched for BAG_IDLE_DAYS are abandoned."""
    return services.abandon_idle_bags(idle_days=settings.BAG_IDLE_DAYS)
