"""Synonyms operators manage (`manage.py search_synonyms`): stored in PostgreSQL, expanded by
the API at query time, in effect without a reindex within SEARCH_SYNONYMS_REFRESH_SECONDS."""

import re
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from search.models import SynonymRule
from tests.search.conftest import refresh

pytestmark = pytest.mark.django_db(transaction=True)

EM = re.compile(r"<em>(.*?)</em>")


def synonyms(*args: str) -> str:
    out = StringIO()
    call_command("search_synonyms", *args, stdout=out)
    return out.getvalue()


def names(client, q: str) -> list[str]:
    response = client.get("/api/products/", {"q": q})
    assert response.status_code == 200, response.content
    return [p["name"] for p in response.json()["results"]]


@pytest.fixture
def shop(make_product):
    for name in ["Television stand", "Notebook computer", "Laptop sleeve", "New York mug"]:
        make_product(name=name, description="Made to last.")
    refresh()


def test_add_list_remove(db):
    assert synonyms("add", "TV,  Télévision") == "added: tv, television\n"
    synonyms("add", "laptop => notebook")
    synonyms("add", "tv, television")  # twice: kept once

    assert synonyms("list") == "laptop => notebook\ntv, television\n"
    assert synonyms("remove", "tv, télévision") == "removed: tv, television\n"
    assert synonyms("list") == "laptop => notebook\n"


@pytest.mark.parametrize("rule", ["tv", "tv,", "a => b => c", "tv => tv", ", tv", "=> tv"])
def test_malformed_rules_are_refused(db, rule):
    with pytest.raises(CommandError):
        synonyms("add", rule)
    assert not SynonymRule.objects.exists()


def test_removing_an_unknown_rule_is_an_error(db):
    with pytest.raises(CommandError, match="No such synonym rule"):
        synonyms("remove", "tv, television")


def test_an_equivalence_works_both_ways_without_a_reindex(shop, api_client):
    before = api_client.get("/api/products/", {"q": "tv stand"}).json()
    # no product holds "tv": the answer leaves it out, and says so
    assert before["dropped_words"] == ["tv"]

    synonyms("add", "tv, television")

    after = api_client.get("/api/products/", {"q": "tv stand"}).json()
    assert [p["name"] for p in after["results"]] == ["Television stand"]
    assert after["dropped_words"] == []
    assert names(api_client, "televisions") == ["Television stand"]


def test_a_one_way_rule(shop, api_client):
    synonyms("add", "laptop => notebook")

    assert set(names(api_client, "laptop")) == {"Notebook computer", "Laptop sleeve"}
    assert names(api_client, "notebook") == ["Notebook computer"]


def test_a_phrase_for_a_word(shop, api_client):
    synonyms("add", "ny => new york")

    assert names(api_client, "ny mug") == ["New York mug"]


def test_synonyms_are_highlighted(shop, api_client):
    synonyms("add", "tv, television")

    response = api_client.get("/api/products/", {"q": "tv"})
    (hit,) = response.json()["results"]
    assert EM.findall(hit["highlight"]["name"][0]) == ["Television"]


def test_a_removed_rule_stops_matching(shop, api_client):
    synonyms("add", "tv, television")
    assert names(api_client, "tv") == ["Television stand"]

    synonyms("remove", "tv, television")

    assert names(api_client, "tv") == []


def test_a_rule_added_elsewhere_reaches_search_within_the_refresh_time(shop, api_client, settings):
    settings.SEARCH_SYNONYMS_REFRESH_SECONDS = 0.5
    assert names(api_client, "tv") == []  # this process now holds the (empty) rules
    SynonymRule.objects.create(rule="tv, television")  # another process's command

    time.sleep(0.6)

    assert names(api_client, "tv") == ["Television stand"]
