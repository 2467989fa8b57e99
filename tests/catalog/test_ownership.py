"""The ownership matrix: owner, another user and anonymous, times every write endpoint."""

import pytest
from rest_framework.test import APIClient

from tests.conftest import bearer_client

pytestmark = pytest.mark.django_db

WRITES = [
    ("patch", "/api/products/{id}/", {"stock": 1}, 200),
    ("put", "/api/products/{id}/", {"name": "n", "description": "", "price": "1", "stock": 1}, 200),
    ("post", "/api/products/{id}/archive/", None, 200),
    ("post", "/api/products/{id}/tags/", {"name": "new"}, 200),
    ("delete", "/api/products/{id}/tags/kitchen/", None, 204),
    ("delete", "/api/products/{id}/", None, 204),
]


@pytest.mark.parametrize(("method", "url", "body", "owner_status"), WRITES)
@pytest.mark.parametrize("who", ["owner", "other", "anonymous"])
def test_only_the_owner_writes(make_product, owner, other, who, method, url, body, owner_status):
    product = make_product(tags=["kitchen"])
    user = {"owner": owner, "other": other}.get(who)
    client = bearer_client(user) if user else APIClient()
    before = product.version

    response = getattr(client, method)(url.format(id=product.id), body)

    expected = {"owner": owner_status, "other": 403, "anonymous": 401}[who]
    assert response.status_code == expected, response.content
    if who != "owner":
        assert set(response.json()) == {"error"}
        product.refresh_from_db()
        assert product.version == before
        assert product.deleted is None


def test_another_users_draft_is_404_not_403(make_product, other_client):
    product = make_product(publish=False)

    assert other_client.patch(f"/api/products/{product.id}/", {"stock": 1}).status_code == 404
    assert other_client.post(f"/api/products/{product.id}/publish/").status_code == 404


@pytest.mark.parametrize("event", ["publish", "archive", "restore"])
def test_transitions_need_a_token(make_product, api_client, event):
    product = make_product()

    response = api_client.post(f"/api/products/{product.id}/{event}/")

    assert response.status_code == 401
