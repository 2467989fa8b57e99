"""Search reads shoppers' words, not only the letters (issue 19): accents folded, plurals and
inflections, irregular plurals, possessives, stop words that never fail a query; exact words
above their stems; highlights on the words typed, as before."""

import re

import pytest

from tests.search.conftest import refresh

pytestmark = pytest.mark.django_db(transaction=True)

EM = re.compile(r"<em>(.*?)</em>")


@pytest.fixture
def shop(make_product):
    names = [
        "Crème brûlée torch",
        "Running shoes",
        "Children's bicycle",
        "Women's boots",
        "Television stand",
        "Copper kettles set",
        "Men's rain jacket",
        "Wool socks for feet",
        "Wireless mice",
        "Kitchen knives",
        "Walnut desk",
    ]
    made = {name: make_product(name=name, description="Made to last.") for name in names}
    refresh()
    return made


def search(client, q: str) -> list[dict]:
    response = client.get("/api/products/", {"q": q})
    assert response.status_code == 200, response.content
    results: list[dict] = response.json()["results"]
    return results


@pytest.mark.parametrize(
    ("q", "name"),
    [
        ("creme brulee", "Crème brûlée torch"),  # accents folded
        ("CRÈME", "Crème brûlée torch"),
        ("run shoe", "Running shoes"),  # inflections
        ("child bicycle", "Children's bicycle"),  # irregular plural and possessive
        ("childrens bicycles", "Children's bicycle"),
        ("children's bicycle", "Children's bicycle"),
        ("woman boot", "Women's boots"),
        ("kettle", "Copper kettles set"),
        ("jacket for men", "Men's rain jacket"),  # "for": a stop word never fails the query
        ("the rain jackets", "Men's rain jacket"),
        ("sock foot", "Wool socks for feet"),
        ("wireless mouse", "Wireless mice"),
        ("kitchen knife", "Kitchen knives"),
    ],
)
def test_shoppers_words_find_the_product(shop, api_client, q, name):
    names = [p["name"] for p in search(api_client, q)]

    assert names[:1] == [name]


def test_only_stop_words_still_search_them(shop, api_client):
    # nothing but stop words: they are required, as before (no product says "the to")
    assert search(api_client, "the to") == []


def test_exact_words_rank_above_their_stems(make_product, api_client):
    make_product(name="Runner rug", description="A long rug.")
    make_product(name="Run rug", description="A long rug.")
    refresh()

    names = [p["name"] for p in search(api_client, "runs rug")]

    # "runs" stems to "run" and "runner" does not: only the second, its stem matching
    assert names == ["Run rug"]
    names = [p["name"] for p in search(api_client, "run rug")]
    assert names[0] == "Run rug"


def test_highlights_mark_the_typed_words_as_before(shop, api_client):
    (hit,) = search(api_client, "running shoe")  # the last word also as a prefix

    assert EM.findall(hit["highlight"]["name"][0]) == ["Running", "shoes"]


def test_highlights_mark_accented_words_for_plain_letters(shop, api_client):
    (hit,) = search(api_client, "creme brulee")

    assert EM.findall(hit["highlight"]["name"][0]) == ["Crème", "brûlée"]


def test_autocomplete_folds_accents(shop, api_client):
    response = api_client.get("/api/products/autocomplete/", {"q": "creme"})

    assert response.status_code == 200
    assert [s["name"] for s in response.json()["results"]] == ["Crème brûlée torch"]
