"""The one Elasticsearch client of the process, configured by django-elasticsearch-dsl
from settings.ELASTICSEARCH_DSL, and index names under the configured prefix."""

import time
from typing import Any

from django.conf import settings
from elastic_transport import ApiError, ApiResponse, TransportError
from elasticsearch import Elasticsearch
from elasticsearch.dsl.connections import connections

from search.metrics import ELASTICSEARCH_REQUEST_SECONDS


class TimedElasticsearch(Elasticsearch):
    """The client, timing every API call for Prometheus by its endpoint id (`search`,
    `bulk`, `cluster.health`, ...), retries included, as the caller waits for it."""

    def perform_request(self, method: str, path: str, **kwargs: Any) -> ApiResponse[Any]:
        started = time.perf_counter()
        outcome = "ok"
        try:
            return super().perform_request(method, path, **kwargs)
        except ApiError:  # Elasticsearch answered with an error status
            outcome = "error"
            raise
        except TransportError:  # no answer: connection refused, timeout
            outcome = "unreachable"
            raise
        finally:
            ELASTICSEARCH_REQUEST_SECONDS.labels(
                kwargs.get("endpoint_id") or "other", outcome
            ).observe(time.perf_counter() - started)


# django-elasticsearch-dsl creates the connection lazily from this class.
connections.elasticsearch_class = TimedElasticsearch


def get_client() -> Elasticsearch:
    client: Elasticsearch = connections.get_connection("default")
    return client


def prefixed(name: str) -> str:
    """`products` -> `<prefix>-products`: the alias shoppers' reads and the sync go through."""
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-{name}"
