"""The people of a sale: a seller (the `owner` of products), a buyer and a third user."""

from decimal import Decimal

import pytest

from tests.conftest import bearer_client


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
