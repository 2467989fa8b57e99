"""`RequestObservationMiddleware`: per-request observation, latency by route and status for
Prometheus, and one JSON log line per request (its `request_id` comes from django-guid, which
runs inside this). The logger keeps its name, `api.requests`: log pipelines filter on it."""

import logging
import re
import time
from collections.abc import Callable
from functools import cache

from django.http import HttpRequest, HttpResponse

from ops.metrics import HTTP_REQUEST_SECONDS

logger = logging.getLogger("api.requests")

_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>")
UNMATCHED = "(unmatched)"  # one label for every URL no route knows: no cardinality blow-up


@cache
def route_label(route: str) -> str:
    """`api/products/(?P<pk>[0-9a-f...]...)/$` -> `/api/products/{pk}/`."""
    readable = _GROUP.sub(lambda m: "{" + (m.group(1) or m.group(2)) + "}", route)
    return "/" + readable.replace("^", "").replace("$", "")


class RequestObservationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        match = request.resolver_match
        route = route_label(match.route) if match else UNMATCHED
        HTTP_REQUEST_SECONDS.labels(request.method, route, str(response.status_code)).observe(
            seconds
        )
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
            },
        )
        return response
