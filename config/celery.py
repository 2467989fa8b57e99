"""The Celery app: configured from Django settings (CELERY_*), tasks found in every app.

Also what every worker shares with the web: Django's logging (JSON lines with the request
id django-guid carries in the task headers), and task outcomes counted for Prometheus.
"""

import logging.config
import os
import time
from typing import Any

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("api")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def use_django_logging(**_: Any) -> None:
    """Workers and beat log like the web (settings.LOGGING), not in Celery's own format."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


# --- task outcomes for Prometheus ------------------------------------------------------------
_started: dict[str, float] = {}  # task id -> perf_counter at prerun, in the process running it


@signals.task_prerun.connect
def _task_started(task_id: str, **_: Any) -> None:
    _started[task_id] = time.perf_counter()


@signals.task_prerun.connect
def _fresh_enough_connections(sender: Any, **_: Any) -> None:
    """What Django does at each request's start, at each task's in a worker: drop a
    connection that is broken or older than CONN_MAX_AGE (workers keep them,
    CELERY_DB_REUSE_MAX). Not for a task run eagerly: it is inside its caller's work."""
    if getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


def _finished(task_id: str | None, name: str, outcome: str) -> None:
    from ops.metrics import CELERY_TASK_SECONDS, CELERY_TASKS

    CELERY_TASKS.labels(name, outcome).inc()
    started = _started.pop(task_id, None) if task_id else None
    if started is not None:
        CELERY_TASK_SECONDS.labels(name).observe(time.perf_counter() - started)


@signals.task_success.connect
def _task_succeeded(sender: Any, **_: Any) -> None:
    _finished(sender.request.id, sender.name, "succeeded")


@signals.task_failure.connect
def _task_failed(sender: Any, task_id: str, **_: Any) -> None:
    _finished(task_id, sender.name, "failed")


@signals.task_retry.connect
def _task_retried(sender: Any, request: Any, **_: Any) -> None:
    _finished(request.id, sender.name, "retried")


@signals.task_rejected.connect
def _task_rejected(message: Any, **_: Any) -> None:
    _finished(None, message.headers.get("task", "unknown"), "rejected")


@signals.task_revoked.connect
def _task_revoked(sender: Any, request: Any, **_: Any) -> None:
    _finished(request.id, sender.name, "revoked")


@signals.worker_ready.connect
def _serve_worker_metrics(**_: Any) -> None:
    """Where a worker shares no PROMETHEUS_MULTIPROC_DIR with the web (a container of its
    own), WORKER_METRICS_PORT makes it answer Prometheus itself."""
    from django.conf import settings

    if settings.WORKER_METRICS_PORT:
        from prometheus_client import start_http_server

        from ops.metrics import scrape_registry

        start_http_server(settings.WORKER_METRICS_PORT, registry=scrape_registry())


@signals.worker_process_shutdown.connect
def _forget_pool_process(pid: int, **_: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
