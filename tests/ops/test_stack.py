"""The production processes for real: gunicorn with two workers and a Celery worker with two
pool processes, sharing one PROMETHEUS_MULTIPROC_DIR as under `make run`, on this run's test
database, Redis database, indices and stream. /metrics must add up every process's samples,
and the request id of a request must reach the task it caused, in the worker's log."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from tests.conftest import bearer_token
from tests.ops.metrics import Scraper
from tests.search.conftest import fresh_indices

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures(fresh_indices.__name__),
]
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass
class Stack:
    url: str
    metrics_dir: Path
    logs: Path

    def log_lines(self, name: str) -> list[dict]:
        text = (self.logs / f"{name}.log").read_text(errors="replace")
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


METRICS_TOKEN = "stack-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def stack(django_db_setup, tmp_path_factory) -> Iterator[Stack]:
    base = tmp_path_factory.mktemp("stack")
    metrics_dir, logs = base / "metrics", base / "logs"
    metrics_dir.mkdir()
    logs.mkdir()
    db = connection.settings_dict
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "ELASTICSEARCH_INDEX_PREFIX": settings.ELASTICSEARCH_INDEX_PREFIX,
        "EVENTS_BACKEND": "redis",
        "EVENTS_STREAM": settings.EVENTS_STREAM,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": "2",
        "LOG_FORMAT": "json",
        "DEBUG": "false",
        # /metrics fails closed without a token when DEBUG is off.
        "METRICS_TOKEN": METRICS_TOKEN,
        "PYTHONUNBUFFERED": "1",
    }
    commands = {
        "web": [str(BIN / "gunicorn"), "-c", "python:config.gunicorn", "config.wsgi"],
        "worker": [str(BIN / "celery"), "-A", "config", "worker", "--concurrency", "2"],
    }
    processes = []
    for name, argv in commands.items():
        with (logs / f"{name}.log").open("wb") as log:
            processes.append(
                subprocess.Popen(  # noqa: S603  (our own servers)
                    argv,
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        assert all(p.poll() is None for p in processes), (logs / "web.log").read_text()[-3000:]
        with suppress(requests.RequestException):
            return requests.get(f"{url}/api/health/", timeout=2).status_code == 200
        return False

    try:
        wait_until(ready, 120, "the API answers health")
        wait_until(
            lambda: any(
                "ready." in line.get("message", "")
                for line in Stack(url, metrics_dir, logs).log_lines("worker")
            ),
            120,
            "the Celery worker is ready",
        )
        yield Stack(url, metrics_dir, logs)
    finally:
        for process in processes:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def metrics(stack) -> Scraper:
    scrape = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    scraper = Scraper(lambda: requests.get(f"{stack.url}/metrics", headers=scrape, timeout=10).text)
    scraper.scrape()
    return scraper


def test_metrics_add_up_every_gunicorn_worker(stack, metrics, make_product):
    product = make_product()
    url = f"{stack.url}/api/products/{product.id}/"

    # Concurrent clients, so both sync workers serve some; each keeps its own samples file.
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: requests.get(url, timeout=30).status_code, range(40)))
    assert statuses == [200] * 40

    metrics.scrape()
    count = "store_http_request_duration_seconds_count"
    labels = {"method": "GET", "route": "/api/products/{pk}/", "status": "200"}
    assert metrics.delta(count, **labels) == 40
    # Whichever worker answers the scrape, the sum is the same.
    for _ in range(5):
        metrics.scrape()
        assert metrics.delta(count, **labels) == 0
    # Each process writes its own samples file, named by its pid; the Celery worker's pool
    # writes some too, so only the gunicorn workers' files count here.
    pids = {p.stem.rsplit("_", 1)[1] for p in stack.metrics_dir.glob("histogram_*.db")}
    served_by = {pid for pid in pids if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes()}
    assert len(served_by) == 2  # WEB_WORKERS=2, both served


def test_the_worker_counts_appear_in_the_web_metrics(stack, metrics, make_user, make_product):
    start = metrics.after
    seller_token, buyer_token = bearer_token(make_user()), bearer_token(make_user())
    created = requests.post(
        f"{stack.url}/api/products/",
        json={"name": "Walnut desk lamp", "price": "49.00", "stock": 3, "publish": True},
        headers={"Authorization": f"Bearer {seller_token}"},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    buyer = {"Authorization": f"Bearer {buyer_token}"}
    added = requests.post(
        f"{stack.url}/api/bag/items/",
        json={"product_id": created.json()["id"], "quantity": 1},
        headers=buyer,
        timeout=30,
    )
    assert added.status_code == 201, added.text
    assert requests.post(f"{stack.url}/api/orders/", headers=buyer, timeout=30).status_code == 201

    def relayed() -> bool:
        metrics.scrape()
        return metrics.after.get(("store_outbox_pending", frozenset({("topic", "events")}))) == 0

    wait_until(relayed, 60, "the worker relays the order's event")
    metrics.before = start  # deltas from the start of this test
    totals = metrics.after
    tasks = "store_celery_tasks_total"
    assert metrics.delta("store_orders_placed_total") == 1
    assert metrics.delta("store_events_published_total", backend="redis") == 1
    succeeded = [
        dict(labels)["task"]
        for (name, labels), value in totals.items()
        if name == tasks and dict(labels)["outcome"] == "succeeded" and value > 0
    ]
    assert {"search.tasks.drain_search_outbox", "events.tasks.relay_events"} <= set(succeeded)
    pending = [v for (n, _), v in totals.items() if n == "store_outbox_pending"]
    assert pending
    assert all(v == 0 for v in pending)  # the index caught up too


def test_a_request_id_reaches_the_task_the_request_caused(stack, make_user):
    request_id = str(uuid.uuid4())
    created = requests.post(
        f"{stack.url}/api/products/",
        json={"name": "Copper kettle", "price": "30.00", "stock": 1, "publish": True},
        headers={
            "Authorization": f"Bearer {bearer_token(make_user())}",
            "X-Request-ID": request_id,
        },
        timeout=30,
    )
    assert created.status_code == 201, created.text
    assert created.headers["X-Request-ID"] == request_id

    def task_logged() -> bool:
        return any(
            line.get("request_id") == request_id
            and "search.tasks.drain_search_outbox" in line.get("message", "")
            and "succeeded" in line.get("message", "")
            for line in stack.log_lines("worker")
        )

    wait_until(task_logged, 60, "the worker logs the drain with the request's id")
    [web_line] = [
        line
        for line in stack.log_lines("web")
        if line.get("logger") == "api.requests" and line.get("request_id") == request_id
    ]
    assert (web_line["method"], web_line["route"], web_line["status"]) == (
        "POST",
        "/api/products/",
        201,
    )
