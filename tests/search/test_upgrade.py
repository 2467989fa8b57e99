"""Upgrading an install whose indices were built with older mappings: /api/health/ says so,
and `search_reindex` brings the new mappings in through the alias swap (searches answer
throughout, as tests/search/test_reindex.py shows)."""

import copy
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from search.client import get_client
from search.indices import alias, code_mapping_version, drop_indices, index_body, indices_behind
from tests.search.conftest import refresh

pytestmark = pytest.mark.django_db(transaction=True)


def _as_before(node: Any) -> Any:
    """The mappings as they were before issue 19: standard analyzer, no subfields, no _meta."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "_meta":
                continue
            if key == "analyzer":
                value = "standard"
            if key == "fields":
                value = {k: v for k, v in value.items() if k != "stemmed"}
            out[key] = _as_before(value)
        return out
    return node


def install_old_products_index() -> None:
    body = index_body("products")
    settings = copy.deepcopy(body["settings"])
    settings["analysis"] = {"normalizer": {"folded": {"type": "custom", "filter": ["lowercase"]}}}
    drop_indices(indices_behind("products"))
    get_client().indices.create(
        index=f"{alias('products')}-old",
        settings=settings,
        mappings=_as_before(body["mappings"]),
        aliases={alias("products"): {}},
    )


def test_health_says_when_the_live_index_has_older_mappings(api_client, make_product):
    install_old_products_index()
    make_product(name="Running shoes")
    refresh()
    # the old mappings have no stems: no product holds both words, one is left out (relaxation)
    assert api_client.get("/api/products/", {"q": "run shoe"}).json()["dropped_words"] != []

    body = api_client.get("/api/health/").json()

    assert body["status"] == "ok"
    assert body["search_indices"]["products"] == {
        "live_mapping_version": 1,
        "code_mapping_version": code_mapping_version("products"),
        "current": False,
        "action": "built with older mappings: run `manage.py search_reindex`",
    }
    assert body["search_indices"]["tags"]["current"] is True

    call_command("search_reindex", stdout=StringIO())

    body = api_client.get("/api/health/").json()
    assert body["search_indices"]["products"]["current"] is True
    assert body["search_indices"]["products"]["live_mapping_version"] == 2
    answer = api_client.get("/api/products/", {"q": "run shoe"}).json()
    assert [p["name"] for p in answer["results"]] == ["Running shoes"]
    assert answer["dropped_words"] == []
