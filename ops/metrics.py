"""Prometheus metrics of the store (prometheus-client), served at `/metrics`.

Every process that counts something (gunicorn workers, Celery workers and their pool
children) writes its samples to files in `PROMETHEUS_MULTIPROC_DIR` when that is set
(prometheus-client's multiprocess mode); the scrape merges all files of the host, so the
answer is the same whichever gunicorn worker serves it. Without the variable (tests,
`manage.py` commands) the process's own registry answers.

The outbox backlog is not counted but read from PostgreSQL at scrape time.
"""

import ipaddress
import logging
import os
from collections.abc import Iterable, Iterator
from functools import cache
from hmac import compare_digest

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import REGISTRY, Collector

# Each app's own instruments, imported so that their series exist before the first count.
import commerce.metrics  # noqa: F401
import events.metrics
import search.metrics  # noqa: F401
from api.errors import error_body
from core import outbox
from events.envelope import EVENT_TOPIC
from search.sync import TOPICS as SEARCH_TOPICS

logger = logging.getLogger(__name__)
# `_created` series say when a process first counted: noise here (and absent in
# multiprocess mode anyway).
disable_created_metrics()

# --- what is counted ------------------------------------------------------------------------

HTTP_REQUEST_SECONDS = Histogram(
    "store_http_request_duration_seconds",
    "HTTP requests by route and status: latency, and (its _count) the request rate.",
    ["method", "route", "status"],
)
CELERY_TASKS = Counter(
    "store_celery_tasks",
    "Celery tasks by name and outcome (succeeded, failed, retried, rejected, revoked).",
    ["task", "outcome"],
)
CELERY_TASK_SECONDS = Histogram(
    "store_celery_task_duration_seconds",
    "Run time of Celery tasks that finished (succeeded or failed).",
    ["task"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)

# Topics always reported, 0 when nothing waits (a series that vanishes cannot be alerted on).
OUTBOX_TOPICS = {*SEARCH_TOPICS, EVENT_TOPIC}


class OutboxBacklogCollector(Collector):
    """Pending outbox rows and the age of the oldest, per topic, read at scrape time (the
    partial index on pending rows keeps the query cheap)."""

    def collect(self) -> Iterator[Metric]:
        pending = GaugeMetricFamily(
            "store_outbox_pending", "Outbox rows not processed yet, per topic.", labels=["topic"]
        )
        oldest = GaugeMetricFamily(
            "store_outbox_oldest_pending_age_seconds",
            "Age of the oldest pending outbox row, per topic (0 when none waits).",
            labels=["topic"],
        )
        try:
            rows = outbox.pending_by_topic()
        except Exception:  # PostgreSQL down: the rest of the scrape still answers
            logger.warning("Outbox backlog unavailable for /metrics", exc_info=True)
            return
        now = timezone.now()
        for topic in sorted(OUTBOX_TOPICS | rows.keys()):
            count, first = rows.get(topic, (0, None))
            pending.add_metric([topic], count)
            oldest.add_metric([topic], (now - first).total_seconds() if first else 0.0)
        yield pending
        yield oldest

    def describe(self) -> Iterable[Metric]:
        return []  # collected live; nothing to check at registration


@cache
def scrape_registry() -> CollectorRegistry:
    """What /metrics answers: every process's samples of this host (multiprocess mode) or
    this process's, plus the outbox and webhook backlogs."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    registry.register(OutboxBacklogCollector())
    registry.register(events.metrics.WebhookBacklogCollector())
    return registry


# --- who may read it ------------------------------------------------------------------------

PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(network) for network in settings.METRICS_ALLOWED_NETWORKS]


def from_allowed_network(request: HttpRequest) -> bool:
    # A request relayed by a proxy carries the proxy's address: the peer says nothing then.
    if any(header in request.META for header in PROXY_HEADERS):
        return False
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(peer in network for network in allowed_networks())


def metrics_view(request: HttpRequest) -> HttpResponse:
    """GET /metrics: for a bearer of METRICS_TOKEN; with DEBUG on, also for a direct peer in
    METRICS_ALLOWED_NETWORKS (loopback by default); anyone else gets 401/403.

    Without DEBUG the peer's address opens nothing: a reverse proxy on the same host that
    adds no X-Forwarded-For makes every visitor a loopback peer, so it fails closed."""
    if request.method not in ("GET", "HEAD"):
        return JsonResponse(error_body("method_not_allowed", "Use GET."), status=405)
    token = settings.METRICS_TOKEN
    authorization = request.headers.get("Authorization", "")
    if authorization:
        scheme, _, credentials = authorization.partition(" ")
        if not (token and scheme.lower() == "bearer" and compare_digest(credentials, token)):
            return JsonResponse(
                error_body("not_authenticated", "The metrics token is not valid."), status=401
            )
    elif not (settings.DEBUG and from_allowed_network(request)):
        return JsonResponse(
            error_body(
                "permission_denied",
                "Metrics are for the metrics token only (or the allowed networks with DEBUG).",
            ),
            status=403,
        )
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return HttpResponse(encode(scrape_registry()), content_type=content_type)
