"""Fixtures shared by every test. Tests talk to the real services `make services` runs."""

import os
import uuid
from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

# Each test session gets its own index prefix, so runs never see each other's indices.
os.environ.setdefault("ELASTICSEARCH_INDEX_PREFIX", f"test-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def es_scratch_index() -> Iterator[str]:
    """A throwaway index name under this run's prefix, deleted afterwards."""
    from search.client import get_client, prefixed

    name = prefixed(f"scratch-{uuid.uuid4().hex[:8]}")
    yield name
    get_client().indices.delete(index=name, ignore_unavailable=True)
