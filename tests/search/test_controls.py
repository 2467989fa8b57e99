"""The shopper's controls over HTTP (issue 20): sort, disjunctive facets, corrected_query and
relaxation (dropped_words)."""

from decimal import Decimal

import pytest

from search.queries import SORTS, encode_cursor
from tests.search.conftest import refresh
from tests.search.test_endpoints import aged

pytestmark = pytest.mark.django_db(transaction=True)

ID = "00000000-0000-4000-8000-000000000000"


def get(api_client, **params) -> dict:
    response = api_client.get("/api/products/", params)
    assert response.status_code == 200, response.content
    return response.json()


def names(answer: dict) -> list[str]:
    return [p["name"] for p in answer["results"]]


@pytest.fixture
def shop(make_product):
    """Oldest first: lamp (120, in stock), vase (12, none), mug (30, in stock), rug (45, in
    stock), kettle (30, none)."""
    spec = [
        ("Walnut desk lamp", "120", 1, ["Lighting", "Walnut"]),
        ("Glass vase", "12", 0, ["Decor"]),
        ("Walnut mug", "30", 3, ["Kitchen", "Walnut"]),
        ("Wool rug", "45", 2, ["Decor"]),
        ("Copper kettle", "30", 0, ["Kitchen"]),
    ]
    for age, (name, price, stock, tags) in enumerate(spec):
        aged(make_product(name=name, price=Decimal(price), stock=stock, tags=tags), 10 - age)
    refresh()


BY_SORT = {
    "newest": ["Copper kettle", "Wool rug", "Walnut mug", "Glass vase", "Walnut desk lamp"],
    # equal prices: newest first
    "price": ["Glass vase", "Copper kettle", "Walnut mug", "Wool rug", "Walnut desk lamp"],
    "-price": ["Walnut desk lamp", "Wool rug", "Copper kettle", "Walnut mug", "Glass vase"],
}


@pytest.mark.parametrize("sort", sorted(BY_SORT))
def test_each_sort_orders_the_listing_and_its_cursor_walks_it(shop, api_client, sort):
    assert names(get(api_client, sort=sort)) == BY_SORT[sort]

    walked, page = [], get(api_client, sort=sort, page_size=2)
    while True:
        walked += names(page)
        if page["next"] is None:
            break
        page = api_client.get(page["next"]).json()
    assert walked == BY_SORT[sort]


def test_newest_is_the_default_without_q_and_relevance_with_q(shop, api_client):
    assert names(get(api_client)) == BY_SORT["newest"]
    # without words, relevance is newest (its cursors too)
    first = get(api_client, sort="relevance", page_size=3)
    assert names(first) == BY_SORT["newest"][:3]
    assert names(api_client.get(first["next"]).json()) == BY_SORT["newest"][3:]
    assert names(get(api_client, q="walnut")) == names(
        get(api_client, q="walnut", sort="relevance")
    )


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price", ["Walnut mug", "Walnut desk lamp"]),
        ("-price", ["Walnut desk lamp", "Walnut mug"]),
        ("newest", ["Walnut mug", "Walnut desk lamp"]),
    ],
)
def test_a_search_sorts_its_hits_and_pages_them(shop, api_client, sort, expected):
    assert names(get(api_client, q="walnut", sort=sort)) == expected

    first = get(api_client, q="walnut", sort=sort, page_size=1)
    second = api_client.get(first["next"]).json()
    assert names(first) + names(second) == expected
    assert "<em>" in second["results"][0]["highlight"]["name"][0]


def test_a_search_cursor_walks_the_relevance_order(shop, api_client):
    expected = names(get(api_client, q="walnut"))
    first = get(api_client, q="walnut", page_size=1)

    assert names(first) + names(api_client.get(first["next"]).json()) == expected


@pytest.mark.parametrize(("made_for", "used_with"), [("price", "-price"), ("newest", "price")])
def test_a_cursor_of_another_sort_is_refused(shop, api_client, made_for, used_with):
    cursor = get(api_client, sort=made_for, page_size=1)["next"].split("cursor=")[1]

    response = api_client.get(f"/api/products/?sort={used_with}&cursor={cursor}")

    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["details"]


@pytest.mark.parametrize(
    "query",
    [
        "sort=cheapest",
        "sort=price&cursor=" + encode_cursor([True, 1, ID], sort="price"),
        "sort=price&cursor=" + encode_cursor(["12", 1, ID], sort="price"),
        "sort=-price&cursor=" + encode_cursor([1e300, 1, ID], sort="-price"),
        "q=walnut&cursor=" + encode_cursor([1.0, 1, ID], sort="relevance", dropped=["nope"]),
    ],
)
def test_bad_sorts_and_cursors_are_400(shop, api_client, query):
    response = api_client.get(f"/api/products/?{query}")

    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) <= {"sort", "cursor"}


def test_the_schema_lists_the_sorts(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    params = {p["name"]: p for p in schema["paths"]["/api/products/"]["get"]["parameters"]}

    assert params["sort"]["schema"]["enum"] == list(SORTS)


# --- disjunctive facets ----------------------------------------------------------------------


def facet(answer: dict, name: str) -> dict:
    return {f["value"]: f["count"] for f in answer["facets"][name]}


def test_price_buckets_keep_their_counts_while_one_is_chosen(shop, api_client):
    answer = get(api_client, facets="true", min_price="25", max_price="50")

    assert names(answer) == ["Copper kettle", "Wool rug", "Walnut mug"]
    prices = facet(answer, "price")
    assert (prices["10-25"], prices["25-50"], prices["100-250"]) == (1, 3, 1)
    # stock counts do apply the price filter
    assert facet(answer, "in_stock") == {True: 2, False: 1}
    assert facet(answer, "tags") == {"kitchen": 2, "walnut": 1, "decor": 1}


def test_stock_counts_keep_both_answers_while_one_is_chosen(shop, api_client):
    answer = get(api_client, facets="true", in_stock="false")

    assert names(answer) == ["Copper kettle", "Glass vase"]
    assert facet(answer, "in_stock") == {True: 3, False: 2}
    prices = facet(answer, "price")  # under the stock filter
    assert (prices["10-25"], prices["25-50"], prices["100-250"]) == (1, 1, 0)
    assert facet(answer, "tags") == {"kitchen": 1, "decor": 1}


def test_tags_are_and_within_the_facet(shop, api_client):
    answer = get(api_client, facets="true", tags="kitchen")

    assert names(answer) == ["Copper kettle", "Walnut mug"]
    # a tag's count is what adding it would answer
    assert facet(answer, "tags") == {"kitchen": 2, "walnut": 1}
    assert facet(answer, "in_stock") == {True: 1, False: 1}
    assert facet(answer, "price")["25-50"] == 2


def test_all_facet_filters_together_under_a_search(shop, api_client):
    answer = get(api_client, q="walnut", facets="true", in_stock="true", min_price="100")

    assert names(answer) == ["Walnut desk lamp"]
    assert facet(answer, "price")["25-50"] == 1  # the mug, in stock, outside the chosen price
    assert facet(answer, "in_stock") == {True: 1}  # the lamp is the only walnut >= 100


def test_price_buckets_carry_numeric_bounds(shop, api_client):
    buckets = get(api_client, facets="true")["facets"]["price"]

    bounds = [(b["value"], b["from"], b["to"]) for b in buckets]
    assert bounds[0] == ("0-10", None, 10)
    assert bounds[1] == ("10-25", 10, 25)
    assert bounds[-1] == ("250+", 250, None)


# --- corrected_query and relaxation ----------------------------------------------------------


def test_corrected_query_names_the_correction_the_hits_used(shop, api_client):
    answer = get(api_client, q="Wallnut desk")

    assert names(answer) == ["Walnut desk lamp"]
    assert answer["corrected_query"] == "walnut desk"
    assert answer["dropped_words"] == []


@pytest.mark.parametrize("q", ["walnut desk", "walnut de", "lighting"])
def test_corrected_query_is_null_when_the_words_matched_as_typed(shop, api_client, q):
    answer = get(api_client, q=q)

    assert answer["results"]
    assert answer["corrected_query"] is None


def test_no_correction_when_some_hit_holds_the_word_as_typed(make_product, api_client):
    make_product(name="Lamp shade")
    make_product(name="Lamb stew")
    refresh()

    answer = get(api_client, q="lamb")

    assert "Lamb stew" in names(answer)
    assert answer["corrected_query"] is None


@pytest.fixture
def lanterns(make_product):
    for _ in range(3):
        make_product(name="Brass lantern")
    make_product(name="Red lamp")
    for _ in range(3):
        make_product(name="Brass vase")
    make_product(name="Red brass mug")
    refresh()


def test_a_word_no_product_holds_with_the_others_is_dropped(lanterns, api_client):
    answer = get(api_client, q="vintage brass lantern")

    assert names(answer) == ["Brass lantern"] * 3
    assert answer["dropped_words"] == ["vintage"]


def test_the_least_selective_word_is_dropped_first(lanterns, api_client):
    # "red lamp" and "red brass" both match; "brass" is held by 4 products, "lamp" by 1
    answer = get(api_client, q="red brass lamp")

    assert names(answer) == ["Red lamp"]
    assert answer["dropped_words"] == ["brass"]


def test_never_relaxed_when_a_full_match_exists(lanterns, api_client):
    answer = get(api_client, q="brass lantern")

    assert names(answer) == ["Brass lantern"] * 3
    assert answer["dropped_words"] == []


def test_a_relaxed_search_pages_with_the_same_words_left_out(lanterns, api_client):
    first = get(api_client, q="vintage brass lantern", page_size=2)
    second = api_client.get(first["next"]).json()

    assert len(first["results"]) + len(second["results"]) == 3
    assert second["dropped_words"] == ["vintage"]


def test_nothing_to_relax_to_is_an_empty_answer(lanterns, api_client):
    answer = get(api_client, q="zebra giraffe")

    assert answer == {"next": None, "results": [], "corrected_query": None, "dropped_words": []}


def test_typos_false_searches_the_words_as_typed(shop, api_client):
    # the storefront's "Search instead for": no correction, so no product holds "wallnut"
    answer = get(api_client, q="Wallnut desk", typos="false")

    assert answer["corrected_query"] is None
    assert answer["dropped_words"] == ["wallnut"]
    assert names(get(api_client, q="walnut desk", typos="false")) == ["Walnut desk lamp"]


def test_two_words_are_dropped_when_one_is_not_enough(lanterns, api_client):
    answer = get(api_client, q="vintage antique brass lantern")

    assert names(answer) == ["Brass lantern"] * 3
    assert sorted(answer["dropped_words"]) == ["antique", "vintage"]


def test_a_long_query_of_unknown_words_is_relaxed_within_bounds_to_nothing(lanterns, api_client):
    q = " ".join(f"zz{n:02d}w" for n in range(40))[:200]

    answer = get(api_client, q=q)

    assert answer["results"] == []
    assert answer["dropped_words"] == []
