"""How the API is served, by `make run`, the benchmarks and the Docker image alike:
`gunicorn -c python:config.gunicorn config.wsgi`. Settings come from the environment."""

import os
import shutil
import subprocess
import sys
import tempfile
from typing import Any

from config.settings import LOGGING

bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
# One process per core; threads so that a worker waiting on Elasticsearch serves another
# request, and keep-alive connections (sync workers close every connection after one
# answer, then wait for the client to close its side). Measured: docs/PERFORMANCE.md.
workers = int(os.environ.get("WEB_WORKERS", os.cpu_count() or 2))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
keepalive = 5
timeout = 30
graceful_timeout = 10
# Django is imported once, in the master, then forked: a faster start, less memory. Nothing
# opens a connection at import (database, Redis, Elasticsearch and Kafka clients are lazy).
preload_app = True
# No control socket in $HOME/.gunicorn: several servers (the bench's) run side by side.
control_socket_disable = True
loglevel = os.environ.get("WEB_LOG_LEVEL", "warning")
# Off by default: api.middleware writes one JSON line per request, with its request id.
accesslog = os.environ.get("WEB_ACCESS_LOG") or None
# gunicorn's own lines in the project's format (JSON unless LOG_FORMAT=plain).
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": LOGGING["formatters"],
    "filters": LOGGING["filters"],
    "handlers": LOGGING["handlers"],
    "root": LOGGING["root"],
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": [], "propagate": True},
        "gunicorn.access": {
            "level": "INFO" if accesslog else "WARNING",
            "handlers": ["console"] if accesslog else [],
            "propagate": False,
        },
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
    starts, and with SEED_DEMO_PRODUCTS=N offer the demo catalog when there is no product:
    Django is loaded already (preload_app), so a start on a database that has products costs
    no second start-up (as separate commands before gunicorn they took two, most of
    `make run`'s time to a healthy API)."""
    if os.environ.get("MIGRATE_ON_START") != "1":
        return
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", interactive=False)
    demo_products = int(os.environ.get("SEED_DEMO_PRODUCTS") or 0)
    if demo_products > 0:
        from catalog.models import Product

        if not Product.all_objects.exists():
            # In a process of its own: the reindex opens Elasticsearch connections that the
            # forked workers must not inherit. Only on an empty database, so rarely.
            seed = ["--if-empty", "--reindex", "--demo-synonyms", "--products", str(demo_products)]
            subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
                [sys.executable, str(settings.BASE_DIR / "manage.py"), "seed_catalog", *seed],
                check=False,
            )
    connections.close_all()  # no connection may be shared with the forked workers


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    if _own_metrics_dir:
        shutil.rmtree(_own_metrics_dir, ignore_errors=True)
