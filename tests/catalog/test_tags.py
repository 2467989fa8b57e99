import pytest

from catalog.models import ProductTag, Tag
from catalog.services import rename_tag

pytestmark = pytest.mark.django_db


def test_post_tag_creates_once_in_any_case(owner_client, other_client):
    created = owner_client.post("/api/tags/", {"name": "  Garden  Tools "})
    again = other_client.post("/api/tags/", {"name": "garden tools"})

    assert created.status_code == 201
    assert created.json()["name"] == "Garden Tools"
    assert created.json()["slug"] == "garden-tools"
    assert again.status_code == 200
    assert again.json()["id"] == created.json()["id"]
    assert Tag.objects.count() == 1


@pytest.mark.parametrize("name", ["", "   ", "x" * 51])
def test_bad_tag_names_are_400(owner_client, name):
    response = owner_client.post("/api/tags/", {"name": name})

    assert response.status_code == 400
    assert "name" in response.json()["error"]["details"]


@pytest.mark.parametrize("q", ["x" * 51, "nul\x00byte"])
def test_bad_tag_queries_are_400(api_client, q):
    response = api_client.get("/api/tags/", {"q": q})

    assert response.status_code == 400
    assert "q" in response.json()["error"]["details"]


def test_anonymous_cannot_add_tags(api_client):
    assert api_client.post("/api/tags/", {"name": "x"}).status_code == 401


def test_tags_list_filters_by_q_and_counts_active_products(make_product, api_client):
    make_product(tags=["Kitchen", "Steel"])
    make_product(tags=["kitchen"], publish=False)

    response = api_client.get("/api/tags/?q=kit")

    assert response.status_code == 200
    assert [(t["name"], t["product_count"]) for t in response.json()["results"]] == [("Kitchen", 1)]
    assert api_client.get("/api/tags/steel/").json()["name"] == "Steel"
    assert api_client.get("/api/tags/nope/").status_code == 404


def test_nested_tags_associate_idempotently_and_dissociate(make_product, owner_client):
    product = make_product(tags=["kitchen"])
    url = f"/api/products/{product.id}/tags/"

    first = owner_client.post(url, {"name": "Copper"})
    second = owner_client.post(url, {"name": "copper"})
    assert first.status_code == second.status_code == 200
    assert [t["slug"] for t in owner_client.get(url).json()] == ["copper", "kitchen"]

    assert owner_client.delete(f"{url}copper/").status_code == 204
    assert owner_client.delete(f"{url}copper/").status_code == 204
    assert [t["slug"] for t in owner_client.get(url).json()] == ["kitchen"]
    assert ProductTag.all_objects.filter(product=product).count() == 2
    assert owner_client.delete(f"{url}unknown-tag/").status_code == 404

    # associating again after a dissociation links it anew
    assert owner_client.post(url, {"name": "copper"}).status_code == 200
    assert [t["slug"] for t in owner_client.get(url).json()] == ["copper", "kitchen"]


def test_twenty_tags_at_most_through_the_nested_endpoint(make_product, owner_client):
    product = make_product(tags=[f"t{i}" for i in range(20)])

    response = owner_client.post(f"/api/products/{product.id}/tags/", {"name": "one-more"})

    # A well-formed request the product's current state refuses: a conflict, not a 400.
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "too_many_tags"
    assert "name" in response.json()["error"]["details"]


def test_adding_a_tag_answers_it_with_its_product_count(make_product, owner_client):
    product = make_product(tags=["kitchen"])

    response = owner_client.post(f"/api/products/{product.id}/tags/", {"name": "Kitchen"})

    assert response.status_code == 200
    assert response.json()["product_count"] == 1


def test_rename_tag_gives_its_products_a_new_version(make_product):
    product = make_product(tags=["kitchen"])
    tag = Tag.objects.get(slug="kitchen")

    rename_tag(tag=tag, name="Cookware")

    before = product.version
    product.refresh_from_db()
    assert product.version == before + 1
    assert Tag.objects.get(pk=tag.pk).name == "Cookware"


# --- slugs of names that slugify to nothing (issue 17, finding 8a) --------------------------

# Each slugifies to nothing (Django's slugify keeps ASCII only).
SCRIPT_NAMES = ["茶", "茶具", "绿茶", "☕", "🍵", "🫖", "お茶", "чай"]


def _post_tag(url: str, token: str, name: str) -> int:
    import json
    import urllib.error
    import urllib.request

    request = urllib.request.Request(  # noqa: S310  (the test's own live server)
        url + "/api/tags/",
        data=json.dumps({"name": name}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  (same)
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.mark.django_db(transaction=True)
def test_tags_named_in_other_scripts_created_at_once_never_500(live_server, make_user):
    import threading

    from tests.conftest import bearer_token

    token = bearer_token(make_user("tagger"))
    names = SCRIPT_NAMES + SCRIPT_NAMES[:4]  # four of them twice: same name at the same moment
    start = threading.Barrier(len(names))
    statuses: list[int] = []

    def create(name: str) -> None:
        start.wait()
        statuses.append(_post_tag(live_server.url, token, name))

    threads = [threading.Thread(target=create, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(statuses) == len(names)
    assert set(statuses) <= {200, 201}, statuses  # 200: the same name, created by the other
    assert statuses.count(201) == len(SCRIPT_NAMES)
    tags = list(Tag.objects.all())
    assert sorted(t.name for t in tags) == sorted(SCRIPT_NAMES)
    assert len({t.slug for t in tags}) == len(tags)
    assert all(t.slug.startswith("tag-") for t in tags)


def test_a_slug_costs_the_same_queries_however_many_tag_slugs_exist(
    owner_client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        assert owner_client.post("/api/tags/", {"name": "茶"}).status_code == 201
    for i in range(30):
        Tag.objects.create(name=f"t{i}", slug=f"tag-{i + 2}")

    with django_assert_max_num_queries(len(first.captured_queries)):
        created = owner_client.post("/api/tags/", {"name": "绿茶"})

    assert created.status_code == 201
    assert created.json()["slug"].startswith("tag-")


def test_a_name_whose_slug_is_taken_gets_a_slug_of_its_own(owner_client):
    first = owner_client.post("/api/tags/", {"name": "Garden tools"}).json()
    second = owner_client.post("/api/tags/", {"name": "garden-tools"})

    assert second.status_code == 201
    assert first["slug"] == "garden-tools"
    assert second.json()["slug"].startswith("garden-tools-")
    assert owner_client.get(f"/api/tags/{second.json()['slug']}/").status_code == 200
