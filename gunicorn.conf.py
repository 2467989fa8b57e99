"""gunicorn's settings for the API. gunicorn reads this file from the working directory on
every start (`make run`, the benchmarks, the Docker image), so all of them serve the same
way. Command-line options (`--bind`, `-w`) override it."""

import os
import shutil
import tempfile
from typing import Any

from api.settings import LOGGING

wsgi_app = "api.wsgi"
# Sync workers: measured faster than async serving on two cores (docs/architecture.md).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Django is imported once, in the master, then forked: a faster start, less memory. Nothing
# opens a connection at import (database, Redis, Elasticsearch and Kafka clients are lazy).
preload_app = True
timeout = 30
graceful_timeout = 10
# The access log is the JSON line api.middleware writes per request, with its request id.
accesslog = None
# The runtime control socket sits in one place per user ($HOME/.gunicorn): two servers on one
# machine would fight over it, and nothing here uses it.
control_socket_disable = True
# gunicorn's own lines in the project's format (JSON unless LOG_FORMAT=plain).
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": LOGGING["formatters"],
    "filters": LOGGING["filters"],
    "handlers": LOGGING["handlers"],
    "root": LOGGING["root"],
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
    },
}

# Prometheus multiprocess mode: each worker writes its samples to files here and /metrics
# merges them, whichever worker answers. `make run` sets the directory for web and Celery
# together; a gunicorn started alone gets one of its own, removed when it stops.
_own_metrics_dir = None
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _own_metrics_dir = tempfile.mkdtemp(prefix="store-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _own_metrics_dir


def on_starting(server: Any) -> None:
    """With MIGRATE_ON_START=1 (`make run`), apply migrations in the master before any worker
    starts: Django is loaded already (preload_app), so this costs no second start-up."""
    if os.environ.get("MIGRATE_ON_START") == "1":
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", interactive=False)
        connections.close_all()  # no connection may be shared with the forked workers


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    if _own_metrics_dir:
        shutil.rmtree(_own_metrics_dir, ignore_errors=True)
