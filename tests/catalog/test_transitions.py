import pytest

from core.management.commands.draw_state_machines import machines, mermaid_of

pytestmark = pytest.mark.django_db

# (from state, event) -> to state, or None when refused.
MATRIX = {
    ("draft", "publish"): "active",
    ("draft", "archive"): None,
    ("draft", "restore"): None,
    ("active", "publish"): None,
    ("active", "archive"): "archived",
    ("active", "restore"): None,
    ("archived", "publish"): None,
    ("archived", "archive"): None,
    ("archived", "restore"): "active",
}
ALLOWED = {"draft": ["publish"], "active": ["archive"], "archived": ["restore"]}


def product_in(make_product, state):
    product = make_product(publish=state != "draft")
    if state == "archived":
        from catalog.services import transition_product

        product = transition_product(product=product, event="archive")
    return product


@pytest.mark.parametrize(("start", "event"), list(MATRIX))
def test_every_transition_is_allowed_or_refused_with_409(make_product, owner_client, start, event):
    product = product_in(make_product, start)

    response = owner_client.post(f"/api/products/{product.id}/{event}/")

    target = MATRIX[(start, event)]
    if target:
        assert response.status_code == 200, response.json()
        assert response.json()["state"] == target
    else:
        assert response.status_code == 409
        error = response.json()["error"]
        assert error["code"] == "invalid_transition"
        assert error["details"]["state"] == start
        assert error["details"]["allowed_events"] == ALLOWED[start]
        product.refresh_from_db()
        assert product.state == start


def test_archived_product_is_hidden_from_others(make_product, owner_client, other_client):
    product = make_product()
    owner_client.post(f"/api/products/{product.id}/archive/")

    assert other_client.get(f"/api/products/{product.id}/").status_code == 404
    assert owner_client.get(f"/api/products/{product.id}/").json()["state"] == "archived"


def test_every_machine_of_the_store_is_found():
    assert [path for path, _ in machines()] == [
        "catalog.machines.ProductMachine",
        "commerce.machines.BagMachine",
        "commerce.machines.OrderMachine",
    ]


@pytest.mark.parametrize(("path", "machine"), machines())
def test_committed_diagrams_match_the_machines(path, machine):
    from django.conf import settings

    committed = (settings.BASE_DIR / "docs" / "state-machines.md").read_text()

    assert f"## {machine.__name__} (`{path}`)" in committed
    assert mermaid_of(machine) in committed
