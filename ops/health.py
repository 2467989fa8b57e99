"""GET /api/health/: is each backing service answering? For load balancers and operators."""

import contextlib
import logging
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import OperationalError, connection
from django.utils import timezone
from django_guid import get_guid
from drf_spectacular.utils import extend_schema, inline_serializer
from elastic_transport import ConnectionError as ElasticsearchConnectionError
from elastic_transport import ConnectionTimeout as ElasticsearchConnectionTimeout
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.schema import error_responses
from api.throttling import HealthRateThrottle
from events.relay import backlog
from search.client import get_client
from search.indices import KINDS, mapping_versions

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 2.0


class Unhealthy(Exception):
    """The service answered, but says it cannot serve (Elasticsearch's status red)."""


def check_postgres() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis() -> None:
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=PROBE_TIMEOUT_SECONDS,
        socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()


def check_elasticsearch() -> None:
    # _cluster/health rather than ping(): the minimal local build has no `GET /` action.
    health = get_client().options(request_timeout=PROBE_TIMEOUT_SECONDS).cluster.health()
    if health["status"] == "red":
        raise Unhealthy("cluster status is red")


CHECKS: dict[str, Callable[[], None]] = {
    "postgres": check_postgres,
    "redis": check_redis,
    "elasticsearch": check_elasticsearch,
}

_service = inline_serializer(
    "ServiceHealth",
    {
        "status": serializers.ChoiceField(choices=["up", "down"]),
        "latency_ms": serializers.FloatField(),
        "error": serializers.ChoiceField(
            choices=["unreachable", "unhealthy", "error"],
            required=False,
            help_text="Why it is down, without detail (that goes to the log, with the request id).",
        ),
    },
)
_events = inline_serializer(
    "EventRelayHealth",
    {
        "backend": serializers.ChoiceField(choices=["redis", "kafka"]),
        "stream": serializers.CharField(),
        "pending": serializers.IntegerField(allow_null=True),
        "oldest_pending_seconds": serializers.FloatField(allow_null=True),
    },
)
_index = inline_serializer(
    "SearchIndexHealth",
    {
        "live_mapping_version": serializers.IntegerField(allow_null=True),
        "code_mapping_version": serializers.IntegerField(),
        "current": serializers.BooleanField(),
        "action": serializers.CharField(required=False),
    },
)
_health = inline_serializer(
    "Health",
    {
        "status": serializers.ChoiceField(choices=["ok", "unavailable"]),
        "services": serializers.DictField(child=_service),
        "events": _events,
        "search_indices": serializers.DictField(child=_index, required=False),
    },
)


# Refused connections and timeouts: the service is not there (or too slow to count as there).
_UNREACHABLE = (
    OSError,  # ConnectionRefusedError, TimeoutError, socket errors
    redis.ConnectionError,
    redis.TimeoutError,
    ElasticsearchConnectionError,
    ElasticsearchConnectionTimeout,
    OperationalError,  # PostgreSQL: could not connect, connection lost
)


def failure_code(exc: Exception) -> str:
    """What health answers about a failed check: a code, never the exception's text (it
    names hosts, ports and users)."""
    if isinstance(exc, Unhealthy):
        return "unhealthy"
    if isinstance(exc, _UNREACHABLE):
        return "unreachable"
    return "error"


def event_relay() -> dict[str, object]:
    """The event backend and the relay's backlog. Informative: a backlog never makes the API
    unhealthy (orders are still taken; the events wait in the outbox)."""
    report: dict[str, object] = {
        "backend": settings.EVENTS_BACKEND,
        "stream": settings.EVENTS_STREAM,
        "pending": None,
        "oldest_pending_seconds": None,
    }
    try:
        count, oldest = backlog()
    except Exception:  # PostgreSQL down: already reported above
        return report
    report["pending"] = count
    if oldest is not None:
        report["oldest_pending_seconds"] = round((timezone.now() - oldest).total_seconds(), 1)
    return report


def search_indices() -> dict[str, dict[str, object]]:
    """Each search index's mapping version, live and in the code. Informative: an index built
    with older mappings still answers (with the older analysis) until `search_reindex`."""
    report: dict[str, dict[str, object]] = {}
    for kind in KINDS:
        versions = mapping_versions(kind)
        entry: dict[str, object] = {
            "live_mapping_version": versions["live"],
            "code_mapping_version": versions["code"],
            "current": versions["current"],
        }
        if not versions["current"]:
            entry["action"] = "built with older mappings: run `manage.py search_reindex`"
        report[kind] = entry
    return report


class HealthView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [HealthRateThrottle]

    @extend_schema(responses={200: _health, 503: _health, **error_responses(429)}, tags=["health"])
    def get(self, request: Request) -> Response:
        services: dict[str, dict[str, object]] = {}
        for name, check in CHECKS.items():
            started = time.perf_counter()
            try:
                check()
            except Exception as exc:  # any failure means "down"; the reason goes to the log
                code = failure_code(exc)
                logger.warning(
                    "Health check of %s failed (%s)",
                    name,
                    code,
                    exc_info=exc,
                    extra={"service": name, "request_id": get_guid()},
                )
                services[name] = {"status": "down", "error": code}
            else:
                services[name] = {"status": "up"}
            services[name]["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
        down = [name for name, state in services.items() if state["status"] == "down"]
        if down:
            body = {
                "status": "unavailable",
                "services": services,
                "events": event_relay(),
                "error": {
                    "code": "service_unavailable",
                    "message": "Unavailable: " + ", ".join(down),
                    "details": {"down": down},
                },
            }
            return Response(body, status=503)
        body = {"status": "ok", "services": services, "events": event_relay()}
        # Elasticsearch just went away: its check says so next time; the body omits this
        with contextlib.suppress(Exception):
            body["search_indices"] = search_indices()
        return Response(body)
