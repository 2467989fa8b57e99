"""Orders move stock; the index follows through the outbox like any catalog change."""

import pytest

from tests.conftest import add, place
from tests.search.conftest import eager_celery, fresh_indices, refresh

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures(eager_celery.__name__, fresh_indices.__name__),
]


def in_stock_names(client) -> list[str]:
    refresh()
    response = client.get("/api/products/?in_stock=true")
    assert response.status_code == 200, response.content
    return [hit["name"] for hit in response.json()["results"]]


def test_a_sold_out_product_leaves_in_stock_searches_and_returns_on_cancel(
    buyer_client, make_product
):
    make_product(name="Plenty", stock=9)
    last_ones = make_product(name="Last ones", stock=2)
    assert sorted(in_stock_names(buyer_client)) == ["Last ones", "Plenty"]

    add(buyer_client, last_ones, 2)
    order = place(buyer_client).json()

    assert in_stock_names(buyer_client) == ["Plenty"]
    detail = buyer_client.get(f"/api/products/{last_ones.id}/").json()
    assert detail["stock"] == 0

    buyer_client.post(f"/api/orders/{order['id']}/cancel/")

    assert sorted(in_stock_names(buyer_client)) == ["Last ones", "Plenty"]
