"""OAuth2 scopes are enforced on every endpoint (issue 17, finding 2): a token needs `read` to
read and `write` to change anything, and the schema says so per operation."""

import re
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import User
from tests.accounts.helpers import PASSWORD, make_user, post_form
from tests.conftest import add, bearer_client, place

pytestmark = pytest.mark.django_db

SAFE = {"get", "head", "options"}
# They read no bearer token at all: the OAuth endpoints (client credentials, RFC 6749 shaped
# answers) and the health check for load balancers.
NO_BEARER = {
    "/api/oauth/token/",
    "/api/oauth/revoke_token/",
    "/api/oauth/introspect/",
    "/api/health/",
}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def operations(schema, *, writing: bool) -> list[tuple[str, str]]:
    return [
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if (method not in SAFE) == writing and path not in NO_BEARER
    ]


def token_with(user: User, scope: str) -> APIClient:
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import AccessToken

    token = AccessToken.objects.create(
        user=user,
        token=f"test-{scope.replace(' ', '-')}-{user.pk}",
        expires=timezone.now() + timedelta(hours=1),
        scope=scope,
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.token}")
    return client


@pytest.fixture
def world(make_product, settings) -> dict[str, Any]:
    """A caller with something behind every path id: their product (tagged), a sale line of it,
    an order and a bag line of their own, a webhook endpoint with a delivery, and another
    user to follow."""
    from events import webhooks

    settings.WEBHOOK_ALLOW_LOOPBACK = True
    caller = make_user("scoped")
    seller = make_user("seller-of-q")
    product = make_product(owner=caller, name="Caller's kettle", tags=["Tea"])
    bought = make_product(owner=seller, name="Seller's lamp", price=Decimal("7.00"), stock=9)
    full = bearer_client(caller)
    add(full, bought)
    order = place(full).json()
    bag_line = add(full, bought)["items"][0]
    other_buyer = bearer_client(seller)
    add(other_buyer, product)
    sale_line = place(other_buyer).json()["lines"][0]
    endpoint = webhooks.create_endpoint(owner=caller, url="http://127.0.0.1:9/hook")
    delivery = webhooks.send_test_event(owner=caller, endpoint_id=endpoint.pk)
    return {
        "endpoint": endpoint.pk,
        "delivery": delivery.pk,
        "caller": caller,
        "other": seller,
        "product": product,
        "tag": product.tag_links.get().tag.slug,
        "order": order["id"],
        "bag_item": bag_line["id"],
        "sale": sale_line["id"],
    }


def fill(path: str, world: dict[str, Any]) -> str:
    """The path with each id an object of the caller, so the scope, not a 404, decides."""
    ids = {
        "/api/bag/items/": world["bag_item"],
        "/api/orders/": world["order"],
        "/api/products/": world["product"].id,
        "/api/sales/": world["sale"],
        "/api/webhooks/": world["endpoint"],
        "/api/webhooks/{endpoint_id}/deliveries/": world["delivery"],
    }

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "slug":
            return str(world["tag"])
        if name == "user_id":
            return str(world["other"].id)
        if name == "type":  # an event type's schema
            return "store.order.placed.v1"
        before = path[: match.start()]
        return str(next(v for prefix, v in ids.items() if before == prefix))

    return re.sub(r"{(\w+)}", value, path)


def assert_insufficient_scope(response: Any, scope: str) -> None:
    assert response.status_code == 403, response.content
    error = response.json()["error"]
    assert error["code"] == "insufficient_scope"
    assert f"`{scope}`" in error["message"]
    assert error["details"] == {"required_scope": scope}
    assert response["WWW-Authenticate"] == f'Bearer error="insufficient_scope", scope="{scope}"'


def test_a_read_token_from_the_token_endpoint_changes_nothing_anywhere(schema, world):
    token = post_form(
        APIClient(),
        "/api/oauth/token/",
        {
            "grant_type": "password",
            "username": "scoped",
            "password": PASSWORD,
            "client_id": settings.OAUTH_CLIENT_ID,
            "scope": "read",
        },
    ).json()
    assert token["scope"] == "read"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    writing = operations(schema, writing=True)
    assert len(writing) >= 20  # every writing operation of the schema, not a sample

    for method, path in writing:
        url = fill(path, world)
        response = getattr(client, method)(url, {}, format="json")
        assert_insufficient_scope(response, "write")

    # Nothing changed: the product kept its name and tag, the order is still placed.
    world["product"].refresh_from_db()
    assert world["product"].name == "Caller's kettle"
    assert world["product"].deleted is None
    assert client.get(f"/api/orders/{world['order']}/").json()["state"] == "placed"
    assert client.get("/api/users/me/").status_code == 200


def test_a_write_only_token_reads_nothing(schema, world):
    client = token_with(world["caller"], "write")

    for method, path in operations(schema, writing=False):
        response = getattr(client, method)(fill(path, world))
        assert_insufficient_scope(response, "read")


def test_a_read_write_token_reads_and_writes(world):
    client = token_with(world["caller"], "read write")

    assert client.get("/api/users/me/").status_code == 200
    assert client.patch("/api/users/me/", {"first_name": "Ada"}).status_code == 200
    changed = client.patch(f"/api/products/{world['product'].id}/", {"name": "Renamed"})
    assert changed.status_code == 200, changed.content


def test_anonymous_callers_are_not_asked_for_scopes(api_client, world):
    assert api_client.get(f"/api/products/{world['product'].id}/").status_code == 200
    assert api_client.post("/api/products/", {"name": "x"}).status_code == 401


def test_the_schema_names_the_scope_of_every_operation_and_its_403(schema):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            bearer = [r["oauth2"] for r in op.get("security", []) if "oauth2" in r]
            if path in NO_BEARER:
                assert bearer == [], (method, path)
                continue
            assert bearer == [["read" if method in SAFE else "write"]], (method, path)
            assert "403" in op["responses"], (method, path)


def test_every_view_that_reads_a_bearer_token_checks_its_scope():
    # A view added later with its own permission_classes must list TokenScopes too.
    from django.urls import get_resolver
    from rest_framework.views import APIView

    from api.permissions import TokenScopes

    def views(patterns: list[Any]) -> list[Any]:
        found = []
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                found += views(pattern.url_patterns)
            else:
                found.append(getattr(pattern.callback, "cls", None))
        return found

    checked = 0
    for view in views(get_resolver().url_patterns):
        if view is None or not issubclass(view, APIView) or not view.authentication_classes:
            continue
        assert TokenScopes in view.permission_classes, view
        checked += 1
    assert checked >= 10


def test_the_storefront_asks_for_the_scopes_it_uses():
    from pathlib import Path

    api_js = Path(settings.BASE_DIR, "storefront/static/storefront/api.js").read_text()

    assert 'grant_type: "password", username, password, scope: "read write"' in api_js
