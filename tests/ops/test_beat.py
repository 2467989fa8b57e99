"""Beat for real: a Celery worker and Celery beat, started as `make run` starts them but with
one-second intervals, on this run's test database, Redis database and indices. Nobody calls a
task here: the outbox re-drive, the token cleanup and the idle-bag sweep must happen on their
own, and the worker's log must show that beat's tasks did them."""

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import suppress
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from core.models import OutboxEntry
from tests.ops.test_stack import wait_until
from tests.search.conftest import fresh_indices

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures(fresh_indices.__name__),
]
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def start(argv: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603  (our own processes)
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def task_names_run(log: Path) -> set[str]:
    """The tasks the worker reports as succeeded, from its JSON log."""
    names = set()
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("logger") == "celery.app.trace" and "succeeded" in record["message"]:
                names.add(record.get("data", {}).get("name", ""))
    return names


@pytest.fixture
def scheduled_work(make_user, make_product):
    """What each periodic task has to do, left undone: a pending search row nobody enqueued,
    an expired token, a bag idle for longer than BAG_IDLE_DAYS."""
    from oauth2_provider.models import AccessToken

    from commerce.models import Bag
    from search.sync import PRODUCT_TOPIC

    product = make_product(name="Walnut desk lamp")
    # The product's own wake-up went to the broker: drop it, so only a re-drive can help.
    celery_app.control.purge()
    OutboxEntry.objects.filter(topic=PRODUCT_TOPIC, key=str(product.id)).update(processed=None)
    buyer = make_user()
    expired = AccessToken.objects.create(
        user=buyer, token="beat-expired", expires=timezone.now() - timedelta(hours=1), scope="read"
    )
    bag = Bag.objects.create(owner=buyer)
    long_ago = timezone.now() - timedelta(days=settings.BAG_IDLE_DAYS + 1)
    Bag.objects.filter(pk=bag.pk).update(updated=long_ago)
    return {"product": product, "token": expired, "bag": bag, "topic": PRODUCT_TOPIC}


@pytest.fixture
def worker_and_beat(scheduled_work, tmp_path) -> Iterator[Path]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "ELASTICSEARCH_INDEX_PREFIX": settings.ELASTICSEARCH_INDEX_PREFIX,
        "EVENTS_BACKEND": "redis",
        "EVENTS_STREAM": settings.EVENTS_STREAM,
        "SEARCH_REDRIVE_SECONDS": "1",
        "EVENTS_REDRIVE_SECONDS": "1",
        "TOKEN_CLEANUP_INTERVAL_SECONDS": "1",
        "BAG_SWEEP_INTERVAL_SECONDS": "1",
        "LOG_FORMAT": "json",
        "PYTHONUNBUFFERED": "1",
    }
    celery = str(BIN / "celery")
    worker_log = tmp_path / "worker.log"
    processes = [
        start([celery, "-A", "config", "worker", "--concurrency", "1"], worker_log, env),
        start(
            [celery, "-A", "config", "beat", "--schedule", str(tmp_path / "beat-schedule")],
            tmp_path / "beat.log",
            env,
        ),
    ]
    try:
        yield worker_log
    finally:
        stop(processes)


def test_beat_redrives_the_outbox_clears_tokens_and_abandons_idle_bags(
    scheduled_work, worker_and_beat
):
    from oauth2_provider.models import AccessToken

    from commerce.models import Bag, BagState
    from search.client import get_client
    from search.indices import alias

    row = OutboxEntry.objects.filter(topic=scheduled_work["topic"]).filter(
        key=str(scheduled_work["product"].id)
    )
    assert row.filter(processed__isnull=True).exists()  # nothing drained it before beat

    wait_until(lambda: not row.filter(processed__isnull=True).exists(), 60, "outbox re-drive")
    document = (
        get_client()
        .options(ignore_status=404)
        .get(index=alias("products"), id=str(scheduled_work["product"].id))
    )
    assert document["found"], document
    wait_until(
        lambda: not AccessToken.objects.filter(pk=scheduled_work["token"].pk).exists(),
        60,
        "expired token cleared",
    )
    wait_until(
        lambda: Bag.objects.get(pk=scheduled_work["bag"].pk).state == BagState.ABANDONED,
        60,
        "idle bag abandoned",
    )
    # The worker logs a task's success after its last commit: wait for the lines too.
    ran = {
        "search.tasks.redrive_search_outbox",
        "accounts.tasks.clear_expired_tokens",
        "commerce.tasks.abandon_idle_bags",
    }
    wait_until(lambda: ran <= task_names_run(worker_and_beat), 30, "the tasks' success logged")
    assert ran <= task_names_run(worker_and_beat)
