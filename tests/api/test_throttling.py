"""Abuse limits of api.throttling over HTTP (issue 17, finding 7): each rate set low, the next
request is a 429 with `Retry-After` in the one error body; reads, other callers and other
addresses are not held back. The order rate is tested in tests/commerce/test_abuse_limits.py."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def rate(settings):
    def set_rate(scope: str, value: str) -> None:
        rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**rates, scope: value},
        }

    return set_rate


def assert_throttled(response) -> None:
    assert response.status_code == 429, response.content
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def new_product(client, name: str):
    body = {"name": name, "description": "A thing.", "price": "1.00", "stock": 1}
    return client.post("/api/products/", body)


def test_creating_products_is_throttled_per_user(rate, owner_client, other_client):
    rate("products", "2/min")
    for n in range(2):
        assert new_product(owner_client, f"Thing {n}").status_code == 201

    assert_throttled(new_product(owner_client, "One too many"))
    # Reading and changing one's products still works; another seller may still list.
    product = owner_client.get("/api/users/me/products/").json()["results"][0]
    assert owner_client.get(f"/api/products/{product['id']}/").status_code == 200
    assert owner_client.patch(f"/api/products/{product['id']}/", {"stock": 3}).status_code == 200
    assert new_product(other_client, "Elsewhere").status_code == 201


def test_creating_tags_is_throttled_per_user(rate, owner_client, other_client, make_product):
    rate("tags", "2/min")
    assert owner_client.post("/api/tags/", {"name": "first"}).status_code == 201
    product = make_product()
    assert (
        owner_client.post(f"/api/products/{product.id}/tags/", {"name": "second"}).status_code
        == 200
    )

    # Both ways of creating a tag share one counter.
    assert_throttled(owner_client.post("/api/tags/", {"name": "third"}))
    assert_throttled(owner_client.post(f"/api/products/{product.id}/tags/", {"name": "fourth"}))
    assert owner_client.get("/api/tags/").status_code == 200
    assert other_client.post("/api/tags/", {"name": "third"}).status_code == 201


def test_following_is_throttled_per_user(rate, make_user, owner_client):
    rate("follows", "2/min")
    people = [make_user(f"person-{n}") for n in range(3)]
    for person in people[:2]:
        assert owner_client.post(f"/api/users/{person.pk}/follow/").status_code == 204

    assert_throttled(owner_client.post(f"/api/users/{people[2].pk}/follow/"))
    assert owner_client.delete(f"/api/users/{people[0].pk}/follow/").status_code == 204


@pytest.mark.parametrize(
    "path", ["/api/products/", "/api/products/autocomplete/?q=ke", "/api/tags/autocomplete/?q=ke"]
)
def test_anonymous_search_is_throttled_per_address(rate, api_client, owner_client, path):
    rate("search", "2/min")
    for _ in range(2):
        assert api_client.get(path).status_code == 200

    assert_throttled(api_client.get(path))
    assert api_client.get(path, REMOTE_ADDR="10.9.8.7").status_code == 200
    assert owner_client.get(path).status_code == 200  # signed-in callers are not counted here


def test_anonymous_search_shares_one_counter_across_its_endpoints(rate, api_client):
    rate("search", "2/min")
    assert api_client.get("/api/products/").status_code == 200
    assert api_client.get("/api/products/autocomplete/?q=ke").status_code == 200

    assert_throttled(api_client.get("/api/tags/autocomplete/?q=ke"))


def test_health_is_throttled_per_address(rate, api_client):
    rate("health", "2/min")
    for _ in range(2):
        assert api_client.get("/api/health/").status_code == 200

    assert_throttled(api_client.get("/api/health/"))
    assert api_client.get("/api/health/", REMOTE_ADDR="10.9.8.7").status_code == 200
