"""Fixtures shared by every test. Tests talk to the real services `make services` runs."""

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient


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


def bearer_token(user) -> str:
    """A valid OAuth2 access token of `user`, as the token endpoint would have issued it."""
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    token = AccessToken.objects.create(
        user=user,
        token=f"test-{uuid.uuid4().hex}",
        expires=timezone.now() + timedelta(hours=1),
        scope="read write",
    )
    return str(token.token)


def bearer_client(user) -> APIClient:
    """An API client authenticated the way real clients are: an OAuth2 bearer token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {bearer_token(user)}")
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


# --- the people of a sale: a seller (the `owner` of products), a buyer and a third user ----


@pytest.fixture
def seller(owner):
    return owner


@pytest.fixture
def buyer(other):
    return other


@pytest.fixture
def seller_client(owner_client):
    return owner_client


@pytest.fixture
def buyer_client(other_client):
    return other_client


@pytest.fixture
def third_client(make_user):
    return bearer_client(make_user("third"))


@pytest.fixture
def kettle(make_product):
    return make_product(name="Blue kettle", price=Decimal("19.90"), stock=5)


@pytest.fixture
def lamp(make_product):
    return make_product(name="Desk lamp", price=Decimal("45.00"), stock=3)


def add(client, product, quantity=1):
    response = client.post("/api/bag/items/", {"product_id": str(product.id), "quantity": quantity})
    assert response.status_code == 201, response.content
    return response.json()


def place(client, key=None):
    return client.post("/api/orders/", headers={"Idempotency-Key": key} if key else None)


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
