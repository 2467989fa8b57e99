"""Listing, search and autocomplete over HTTP against the real node."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Product
from search.queries import encode_cursor
from tests.search.conftest import refresh

pytestmark = pytest.mark.django_db(transaction=True)


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["name"] for p in response.json()["results"]]


def aged(product, days: int):
    """Pretend the product was created `days` ago (and re-index it)."""
    from search.indexing import product_sync_actions
    from search.sync import write_actions

    Product.objects.filter(pk=product.pk).update(
        created=timezone.now() - timedelta(days=days), version=product.version + 1
    )
    write_actions(product_sync_actions([str(product.id)]))
    return product


@pytest.fixture
def catalog(make_product, make_user):
    seller = make_user("seller")
    products = {
        "kettle": aged(
            make_product(
                name="Copper kettle", tags=["Kitchen", "Copper"], price=Decimal("30"), stock=2
            ),
            5,
        ),
        "pan": aged(
            make_product(
                name="Cast iron pan",
                tags=["Kitchen"],
                price=Decimal("45"),
                stock=0,
                description="Heavy pan for searing",
            ),
            4,
        ),
        "lamp": aged(
            make_product(name="Walnut desk lamp", tags=["Lighting"], price=Decimal("120"), stock=1),
            3,
        ),
        "chair": aged(
            make_product(
                owner=seller, name="Walnut chair", tags=["Furniture"], price=Decimal("250"), stock=4
            ),
            2,
        ),
        "draft": make_product(name="Secret walnut draft", publish=False),
    }
    refresh()
    return products


def test_listing_is_active_products_newest_first(catalog, api_client):
    assert names(api_client.get("/api/products/")) == [
        "Walnut chair",
        "Walnut desk lamp",
        "Cast iron pan",
        "Copper kettle",
    ]


def test_listing_hits_carry_the_document_fields(catalog, api_client):
    first = api_client.get("/api/products/").json()["results"][0]

    assert first["id"] == str(catalog["chair"].id)
    assert first["owner"]["username"] == "seller"
    assert first["tags"] == [{"name": "Furniture", "slug": "furniture"}]
    assert (first["price"], first["in_stock"], first["state"]) == ("250.00", True, "active")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tags=kitchen", ["Cast iron pan", "Copper kettle"]),
        ("tags=kitchen,copper", ["Copper kettle"]),
        ("in_stock=false", ["Cast iron pan"]),
        ("in_stock=true&max_price=100", ["Copper kettle"]),
        ("min_price=100", ["Walnut chair", "Walnut desk lamp"]),
        ("min_price=40&max_price=120", ["Walnut desk lamp", "Cast iron pan"]),
    ],
)
def test_filters(catalog, api_client, query, expected):
    assert names(api_client.get(f"/api/products/?{query}")) == expected


def test_owner_filter(catalog, api_client):
    seller_id = catalog["chair"].owner_id

    assert names(api_client.get(f"/api/products/?owner={seller_id}")) == ["Walnut chair"]


def test_search_ranks_name_matches_first_and_tolerates_typos(catalog, api_client):
    assert names(api_client.get("/api/products/?q=walnut")) == ["Walnut chair", "Walnut desk lamp"]
    assert names(api_client.get("/api/products/?q=wallnut lamp")) == ["Walnut desk lamp"]
    assert names(api_client.get("/api/products/?q=kettel")) == ["Copper kettle"]


def test_the_last_word_matches_as_a_prefix(catalog, api_client):
    assert names(api_client.get("/api/products/?q=wal")) == ["Walnut chair", "Walnut desk lamp"]
    assert names(api_client.get("/api/products/?q=walnut de")) == ["Walnut desk lamp"]


def test_search_covers_tags_and_description_and_highlights(catalog, api_client):
    response = api_client.get("/api/products/?q=searing")
    assert names(response) == ["Cast iron pan"]
    assert "<em>searing</em>" in response.json()["results"][0]["highlight"]["description"][0]

    by_tag = api_client.get("/api/products/?q=lighting")
    assert names(by_tag) == ["Walnut desk lamp"]
    assert by_tag.json()["results"][0]["highlight"]["tags.name"] == ["<em>Lighting</em>"]


def test_equal_relevance_breaks_ties_newest_first(make_product, api_client):
    old = aged(make_product(name="Red mug"), 10)
    new = aged(make_product(name="Red mug"), 1)
    refresh()

    ids = [p["id"] for p in api_client.get("/api/products/?q=red mug").json()["results"]]

    assert ids == [str(new.id), str(old.id)]


def test_facets_count_the_current_query(catalog, api_client):
    facets = api_client.get("/api/products/?q=walnut&facets=true").json()["facets"]

    assert {f["value"]: f["count"] for f in facets["tags"]} == {"furniture": 1, "lighting": 1}
    prices = {f["value"]: f["count"] for f in facets["price"]}
    assert prices["100-250"] == 1
    assert prices["250+"] == 1
    assert prices["0-10"] == 0
    assert {f["value"]: f["count"] for f in facets["in_stock"]} == {True: 2}


def test_cursor_pages_are_stable_while_products_are_added(catalog, make_product, api_client):
    first = api_client.get("/api/products/?page_size=2").json()
    assert [p["name"] for p in first["results"]] == ["Walnut chair", "Walnut desk lamp"]

    make_product(name="Brand new thing")
    refresh()
    second = api_client.get(first["next"]).json()

    assert [p["name"] for p in second["results"]] == ["Cast iron pan", "Copper kettle"]
    assert api_client.get(second["next"]).json() == {
        "next": None,
        "results": [],
        "corrected_query": None,
        "dropped_words": [],
    }


def test_search_cursor_walks_the_relevance_order(catalog, api_client):
    first = api_client.get("/api/products/?q=walnut&page_size=1").json()
    second = api_client.get(first["next"]).json()

    assert [p["name"] for p in first["results"] + second["results"]] == [
        "Walnut chair",
        "Walnut desk lamp",
    ]


ID = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=garbage", "cursor"),
        # JSON true/false are Python ints; Elasticsearch refuses them (issue 9, finding 6).
        ("cursor=" + encode_cursor([True, ID], sort="newest"), "cursor"),
        ("q=walnut&cursor=" + encode_cursor([True, 1, ID], sort="relevance"), "cursor"),
        ("q=walnut&cursor=" + encode_cursor([10**400, 1, ID], sort="relevance"), "cursor"),
        ("q=walnut&cursor=" + encode_cursor(["1.5", 1, ID], sort="relevance"), "cursor"),
        ("cursor=" + encode_cursor([1, "not-a-uuid"], sort="newest"), "cursor"),
        ("cursor=" + encode_cursor([1.5, ID], sort="newest"), "cursor"),
        ("cursor=" + encode_cursor([10**30, "a"], sort="newest"), "cursor"),
        ("q=walnut&cursor=" + encode_cursor([1e300, 1, "a"], sort="relevance"), "cursor"),
        ("min_price=10&max_price=5", "min_price"),
        ("q=" + "x" * 201, "q"),
        ("in_stock=maybe", "in_stock"),
        ("owner=not-a-uuid", "owner"),
        ("tags=bad%20slug!", "tags"),
        ("min_price=-1", "min_price"),
        ("colour=red", "colour"),
    ],
)
def test_bad_parameters_are_400_with_the_error_body(api_client, query, field):
    response = api_client.get(f"/api/products/?{query}")

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]


def test_an_integer_score_in_a_cursor_is_taken_as_a_float(catalog, api_client):
    cursor = encode_cursor([10**30, 1, ID], sort="relevance")

    assert api_client.get(f"/api/products/?q=walnut&cursor={cursor}").status_code == 200


def test_a_listing_cursor_is_refused_for_a_search(catalog, api_client):
    cursor = api_client.get("/api/products/?page_size=1").json()["next"].split("cursor=")[1]

    response = api_client.get(f"/api/products/?q=walnut&cursor={cursor}")

    assert response.status_code == 400


def test_tag_autocomplete_ranks_most_used_first(make_product, api_client):
    for _ in range(3):
        make_product(tags=["Garden tools"])
    make_product(tags=["Gardening"])
    make_product(tags=["Garlic"], publish=False)
    refresh()

    response = api_client.get("/api/tags/autocomplete/?q=gar")

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"name": "Garden tools", "slug": "garden-tools", "product_count": 3},
        {"name": "Gardening", "slug": "gardening", "product_count": 1},
        {"name": "Garlic", "slug": "garlic", "product_count": 0},
    ]
    second_word = api_client.get("/api/tags/autocomplete/?q=too").json()["results"]
    assert [t["slug"] for t in second_word] == ["garden-tools"]


def test_tag_autocomplete_returns_at_most_the_configured_number(make_product, api_client, settings):
    settings.SEARCH_AUTOCOMPLETE_SIZE = 3
    make_product(tags=[f"tag{i}" for i in range(5)])
    refresh()

    assert len(api_client.get("/api/tags/autocomplete/?q=tag").json()["results"]) == 3


def test_product_autocomplete_suggests_names(catalog, api_client):
    response = api_client.get("/api/products/autocomplete/?q=walnut d")

    assert [s["name"] for s in response.json()["results"]] == ["Walnut desk lamp"]
    # Nothing typed (the box was cleared): nothing suggested, as the schema allows.
    assert api_client.get("/api/products/autocomplete/?q=").json() == {"results": []}
    assert api_client.get("/api/tags/autocomplete/?q=%20%20").json() == {"results": []}
    assert api_client.get("/api/products/autocomplete/").status_code == 400
    assert api_client.get("/api/products/autocomplete/").status_code == 400


def test_autocomplete_answers_are_at_most_the_cache_lifetime_old(
    make_product, api_client, settings
):
    settings.SEARCH_AUTOCOMPLETE_CACHE_SECONDS = 1
    make_product(tags=["Garden tools"])
    refresh()
    assert [
        t["slug"] for t in api_client.get("/api/tags/autocomplete/?q=gar").json()["results"]
    ] == ["garden-tools"]

    make_product(tags=["Garlic"])
    refresh()
    cached = api_client.get("/api/tags/autocomplete/?q=GAR").json()["results"]
    time.sleep(1.1)
    fresh = api_client.get("/api/tags/autocomplete/?q=gar").json()["results"]

    assert [t["slug"] for t in cached] == ["garden-tools"]  # same answer: the analyzer lowercases
    assert [t["slug"] for t in fresh] == ["garden-tools", "garlic"]


def test_autocomplete_cache_can_be_turned_off(make_product, api_client, settings):
    settings.SEARCH_AUTOCOMPLETE_CACHE_SECONDS = 0
    make_product(name="Walnut desk lamp")
    refresh()
    assert len(api_client.get("/api/products/autocomplete/?q=wal").json()["results"]) == 1

    make_product(name="Walnut chair")
    refresh()

    assert len(api_client.get("/api/products/autocomplete/?q=wal").json()["results"]) == 2
