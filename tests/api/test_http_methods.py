"""HEAD behaves as GET without a body, everywhere (issue 9, finding 7)."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from catalog.models import Tag

pytestmark = pytest.mark.django_db

UNSAFE = ("post", "put", "patch", "delete")


def callbacks(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from callbacks(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_no_viewset_handler_serves_both_get_and_an_unsafe_method():
    # DRF sends HEAD to the GET handler; one handler for GET and POST would run for HEAD too.
    shared = []
    for route, callback in callbacks(get_resolver().url_patterns):
        actions = getattr(callback, "actions", None) or {}
        if "get" in actions and any(actions.get(m) == actions["get"] for m in UNSAFE):
            shared.append((route, actions))
    assert shared == []


def test_head_on_a_products_tags_changes_nothing_even_with_a_body(make_product, owner_client):
    product = make_product(tags=["Kitchen"])
    url = f"/api/products/{product.id}/tags/"

    head = owner_client.generic("HEAD", url, '{"name": "Sneaky"}', content_type="application/json")

    assert head.status_code == 200
    assert head.content == b""
    assert not Tag.objects.filter(name="Sneaky").exists()
    assert owner_client.get(url).json() == [{"name": "Kitchen", "slug": "kitchen"}]
