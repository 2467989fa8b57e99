"""Fixtures shared by every test. Tests talk to the real services `make services` runs."""

import os
import uuid
from collections.abc import Iterator
from typing import Any

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


def bearer_client(user) -> APIClient:
    """An API client authenticated the way real clients are: an OAuth2 bearer token."""
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    token = AccessToken.objects.create(
        user=user,
        token=f"test-{uuid.uuid4().hex}",
        expires=timezone.now() + timedelta(hours=1),
        scope="read write",
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.token}")
    return client


@pytest.fixture
def make_user(db):
    from accounts.models import User

    def make(username: str | None = None):
        username = username or f"user-{uuid.uuid4().hex[:8]}"
        return User.objects.create_user(
            username=username, email=f"{username}@example.com", password="not-a-secret-1"
        )

    return make


@pytest.fixture
def owner(make_user):
    return make_user("owner")


@pytest.fixture
def other(make_user):
    return make_user("other")


@pytest.fixture
def owner_client(owner) -> APIClient:
    return bearer_client(owner)


@pytest.fixture
def other_client(other) -> APIClient:
    return bearer_client(other)


@pytest.fixture
def make_product(owner):
    from decimal import Decimal

    from catalog import services

    def make(*, owner=owner, publish=True, tags=(), **fields):
        defaults: dict[str, Any] = {
            "name": "Blue kettle",
            "description": "Boils water fast.",
            "price": Decimal("19.90"),
            "stock": 5,
        }
        defaults.update(fields)
        return services.create_product(owner=owner, tags=tags, publish=publish, **defaults)

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness buys nothing in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """Throttle counters live in the Redis cache, autocomplete answers in a per-process one:
    no test inherits another's."""
    from django.core.cache import caches

    for name in ("default", "suggestions"):
        caches[name].clear()
    yield
    for name in ("default", "suggestions"):
        caches[name].clear()
