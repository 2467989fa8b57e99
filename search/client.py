"""The one Elasticsearch client of the process, configured by django-elasticsearch-dsl
from settings.ELASTICSEARCH_DSL, and index names under the configured prefix."""

from django.conf import settings
from elasticsearch import Elasticsearch
from elasticsearch.dsl import connections


def get_client() -> Elasticsearch:
    client: Elasticsearch = connections.get_connection("default")
    return client


def prefixed(name: str) -> str:
    """`products` -> `<prefix>-products`: the alias shoppers' reads and the sync go through."""
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-{name}"
