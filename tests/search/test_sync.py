"""The outbox sync: what commits reaches the index, what rolls back never does."""

import pytest
from django.db import transaction

from catalog import services
from catalog.models import Product, Tag
from core.models import OutboxEntry
from search.client import get_client
from search.indexing import product_sync_actions
from search.indices import alias
from search.sync import drain, write_actions
from tests.search.conftest import indexed_ids, pending_count, refresh

pytestmark = pytest.mark.django_db(transaction=True)


def source(product) -> dict:
    refresh()
    return get_client().get(index=alias("products"), id=str(product.id))["_source"]


def test_create_update_tag_and_state_changes_reach_the_index(make_product, owner_client):
    product = make_product(tags=["Kitchen"])
    assert indexed_ids() == {str(product.id)}
    assert source(product)["tags"] == [{"name": "Kitchen", "slug": "kitchen"}]

    owner_client.patch(f"/api/products/{product.id}/", {"name": "Copper kettle", "stock": 0})
    doc = source(product)
    assert (doc["name"], doc["stock"], doc["in_stock"]) == ("Copper kettle", 0, False)

    owner_client.post(f"/api/products/{product.id}/tags/", {"name": "Copper"})
    owner_client.delete(f"/api/products/{product.id}/tags/kitchen/")
    assert [t["slug"] for t in source(product)["tags"]] == ["copper"]

    owner_client.post(f"/api/products/{product.id}/archive/")
    assert indexed_ids() == set()
    owner_client.post(f"/api/products/{product.id}/restore/")
    assert indexed_ids() == {str(product.id)}
    owner_client.delete(f"/api/products/{product.id}/")
    assert indexed_ids() == set()
    assert pending_count() == 0


def test_drafts_are_not_indexed(make_product):
    make_product(publish=False)

    assert indexed_ids() == set()


def test_tag_rename_and_owner_username_change_rewrite_product_documents(make_product, owner):
    product = make_product(tags=["Kitchen"])

    services.rename_tag(tag=Tag.objects.get(slug="kitchen"), name="Cookware")
    owner.username = "renamed-owner"
    owner.save()

    doc = source(product)
    assert doc["tags"][0]["name"] == "Cookware"
    assert doc["owner"]["username"] == "renamed-owner"


def test_a_rolled_back_transaction_never_reaches_the_index(make_product, owner):
    def create_then_fail() -> None:
        with transaction.atomic():
            make_product(name="Ghost")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        create_then_fail()

    assert not Product.all_objects.filter(name="Ghost").exists()
    assert OutboxEntry.objects.count() == 0
    assert indexed_ids() == set()


def test_an_older_write_never_overwrites_a_newer_one(make_product, owner_client):
    product = make_product(name="Old name")
    stale_actions = product_sync_actions([str(product.id)])  # built at version 1
    owner_client.patch(f"/api/products/{product.id}/", {"name": "New name"})

    write_actions(stale_actions)  # a slow worker finishing late

    assert source(product)["name"] == "New name"


def test_a_deleted_product_is_not_resurrected_by_a_late_index(make_product, owner_client):
    product = make_product()
    stale_actions = product_sync_actions([str(product.id)])
    owner_client.delete(f"/api/products/{product.id}/")

    write_actions(stale_actions)

    assert indexed_ids() == set()


def test_drain_is_safe_with_concurrent_workers(make_product):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from config.celery import app as celery_app

    celery_app.conf.task_always_eager = False  # the wake-ups just queue; we drain by hand
    products = [make_product(name=f"p{i}") for i in range(30)]

    def worker() -> int:
        try:
            return drain(batch_size=5)
        finally:
            connection.close()

    with ThreadPoolExecutor(4) as pool:
        done = sum(pool.map(lambda _: worker(), range(4)))

    assert done == OutboxEntry.objects.count()
    assert pending_count() == 0
    assert indexed_ids() == {str(p.id) for p in products}
