"""Search as shoppers type: a typo together with an unfinished last word, and highlights of
what matched (the word, its typo'd form in the index, the start of the last word)."""

import copy
import re
from io import StringIO

import pytest
from django.core.management import call_command

from search.client import get_client
from search.indices import alias
from search.queries import (
    FUZZINESS,
    LABEL_BOOSTS,
    PREFIX_LENGTH,
    TEXT_FIELDS,
    product_search,
    query_words,
    spelling_request,
)
from search.serializers import ProductSearchParams
from tests.ops.metrics import Scraper
from tests.search.conftest import refresh

pytestmark = pytest.mark.django_db(transaction=True)

EM = re.compile(r"<em>(.*?)</em>")


@pytest.fixture
def shop(make_product):
    made = {
        "backpack": make_product(
            name="Leather backpack",
            tags=["Travel"],
            description="A roomy backpack in full-grain leather.",
        ),
        "wallet": make_product(
            name="Leather wallet", tags=["Accessories"], description="Slim and soft."
        ),
        # "backp" is one edit from the tag "Back", and the description has "leather":
        # the backpack must still rank first for "lether backp".
        "bathrobe": make_product(
            name="Quilted bathrobe",
            tags=["Back to school"],
            description="Soft cotton with leather trim.",
        ),
        "lamp": make_product(name="Walnut desk lamp", tags=["Lighting"]),
        "chair": make_product(name="Walnut chair", tags=["Furniture"]),
    }
    refresh()
    return made


def search(client, q: str) -> list[dict]:
    response = client.get("/api/products/", {"q": q})
    assert response.status_code == 200, response.content
    results: list[dict] = response.json()["results"]
    return results


@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("wallnut lam", "Walnut desk lamp"),
        ("walnut de", "Walnut desk lamp"),
        ("lether backp", "Leather backpack"),
        ("lether wal", "Leather wallet"),
        ("leather backpakc", "Leather backpack"),  # a typo in the last, finished word
        ("wlanut", "Walnut chair"),  # two letters swapped: one edit
        ("alnut", None),  # the first letter is never the typo
    ],
)
def test_a_typo_and_an_unfinished_last_word_find_the_product(shop, api_client, q, first):
    names = [p["name"] for p in search(api_client, q)]

    assert (names[0] if names else None) == first


def test_every_word_must_match_but_each_in_any_field(shop, api_client):
    assert [p["name"] for p in search(api_client, "walnut chair")] == ["Walnut chair"]
    # "quilted" in the name, "leather" in the description, "back" in the tags
    assert [p["name"] for p in search(api_client, "quilted leather back")] == ["Quilted bathrobe"]


def test_highlights_mark_typod_and_unfinished_words(shop, api_client):
    first = search(api_client, "lether backp")[0]

    assert first["highlight"]["name"] == ["<em>Leather</em> <em>backpack</em>"]
    # the typo'd word is marked in the description too; the prefix only in name and tags
    assert first["highlight"]["description"] == ["A roomy backpack in full-grain <em>leather</em>."]

    by_tag = search(api_client, "walnut lig")[0]
    assert by_tag["highlight"]["tags.name"] == ["<em>Lighting</em>"]
    assert by_tag["highlight"]["name"] == ["<em>Walnut</em> desk lamp"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("!!!", []),
        ("walnut !!!", ["Walnut chair", "Walnut desk lamp"]),
        # Wildcards are not operators: "lam*" is the word "lam", "de?k" the words "de" and
        # "k"; every word must match, and no product has a word "k".
        ("lam* de?k", []),
        # The last word is read as unfinished: "lam" stands for "lamp" there.
        ("desk lam*", ["Walnut desk lamp"]),
        ("walnut walnut chai", ["Walnut chair"]),
    ],
)
def test_punctuation_and_repeated_words(shop, api_client, q, expected):
    names = [p["name"] for p in search(api_client, q)]

    assert sorted(names) == expected


def test_the_longest_query_is_answered(shop, api_client):
    q = " ".join(["scandinavian", "walnutty", "lamp", "x"] * 20)[:200]

    response = api_client.get("/api/products/", {"q": q})

    assert response.status_code == 200
    # no product holds all four words: the answer leaves some out (relaxation), and says so
    assert response.json()["dropped_words"]


def test_query_words_follow_the_index_analyzer(shop):
    spelling = get_client().search(index=alias("products"), **spelling_request("Lether-BACKP"))

    words = query_words(spelling.body)

    assert [w.text for w in words] == ["lether", "backp"]
    assert "leather" in words[0].spellings
    assert "back" in words[1].spellings


# --- the cheap highlight query against Elasticsearch's own fuzzy highlighting --------------

SAMPLE_QUERIES = [
    "walnut",
    "ceramic mug",
    "vintage",
    "handmade gift",
    "scandinavian",
    "stainless steel",
    "wallnut",  # typos
    "ceramc",
    "lether",
    "vintge oak",
    "scandinavain",
    "stainles",
    "wal",  # the last word still being typed
    "oak b",
    "leather ba",
    "lether ba",  # both
    "vintge l",
    "scandinavain wo",
]


def fuzzy_highlight_query(words) -> dict:
    """What the highlighter marks when given the fuzzy clauses themselves (slow: it rebuilds
    the fuzzy automata for every hit), plus the start of the last word in name and tags."""
    fuzzy = [
        {"match": {f: {"query": w.text, "fuzziness": FUZZINESS, "prefix_length": PREFIX_LENGTH}}}
        for w in words
        for f in TEXT_FIELDS
    ]
    prefix = [{"wildcard": {f: {"value": words[-1].text + "*"}}} for f in LABEL_BOOSTS]
    return {"bool": {"should": fuzzy + prefix}}


def marks(hit: dict) -> dict[str, set[str]]:
    found = hit.get("highlight", {})
    return {
        f: {m.lower() for part in parts for m in EM.findall(part)} for f, parts in found.items()
    }


def test_highlights_equal_elasticsearchs_fuzzy_highlighting_on_a_seeded_sample():
    quiet = {"stdout": StringIO()}
    call_command("seed_catalog", products=600, users=3, seed=11, no_progress=True, **quiet)
    call_command("search_reindex", index="products", **quiet)
    client = get_client()
    compared = 0
    for q in SAMPLE_QUERIES:
        params = ProductSearchParams(data={"q": q, "page_size": 100})
        params.is_valid(raise_exception=True)
        words = query_words(client.search(index=alias("products"), **spelling_request(q)).body)
        body = product_search(dict(params.validated_data), words)
        reference = copy.deepcopy(body)
        reference["highlight"]["highlight_query"] = fuzzy_highlight_query(words)

        ours = client.search(index=alias("products"), **body)["hits"]["hits"]
        theirs = client.search(index=alias("products"), **reference)["hits"]["hits"]

        assert [h["_id"] for h in ours] == [h["_id"] for h in theirs]
        for mine, reference_hit in zip(ours, theirs, strict=True):
            assert marks(mine) == marks(reference_hit), (q, mine["_source"]["name"])
            assert mine.get("highlight"), (q, mine["_source"]["name"])
            compared += 1
    assert compared > 120  # the sample found enough hits to mean something


def test_a_repeated_query_asks_for_its_spelling_once(shop, api_client, settings):
    """The first of a search's two Elasticsearch requests (the words and their typo'd forms)
    is kept per web process: the same query again sends only the search."""
    settings.METRICS_TOKEN = "scrape-spelling"
    metrics = Scraper(
        lambda: api_client.get(
            "/metrics", HTTP_AUTHORIZATION="Bearer scrape-spelling"
        ).content.decode()
    )
    searches = "store_elasticsearch_request_duration_seconds_count"
    metrics.scrape()
    first = search(api_client, "wallnut lam")
    metrics.scrape()
    assert metrics.delta(searches, endpoint="search", outcome="ok") == 2
    again = search(api_client, "Wallnut LAM")  # the analyzer lowercases: the same words
    metrics.scrape()
    assert metrics.delta(searches, endpoint="search", outcome="ok") == 1
    assert [hit["name"] for hit in again] == [hit["name"] for hit in first]
    assert again[0]["highlight"] == first[0]["highlight"]  # the typo'd form still marked


def test_without_the_spelling_cache_each_search_asks_twice(shop, api_client, settings):
    settings.SEARCH_SPELLING_CACHE_SECONDS = 0
    settings.METRICS_TOKEN = "scrape-spelling"
    metrics = Scraper(
        lambda: api_client.get(
            "/metrics", HTTP_AUTHORIZATION="Bearer scrape-spelling"
        ).content.decode()
    )
    searches = "store_elasticsearch_request_duration_seconds_count"
    search(api_client, "wallnut lam")
    metrics.scrape()
    search(api_client, "wallnut lam")
    metrics.scrape()
    assert metrics.delta(searches, endpoint="search", outcome="ok") == 2
