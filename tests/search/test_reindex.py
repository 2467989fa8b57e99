import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F

from catalog.models import Product
from search.client import get_client
from search.indices import alias, indices_behind
from search.reindex import find_drift
from tests.search.conftest import indexed_ids, refresh

pytestmark = pytest.mark.django_db(transaction=True)


def test_reindex_swaps_to_a_new_index_and_searches_keep_answering(make_product, api_client):
    products = [make_product(name=f"Lamp {i}") for i in range(40)]
    refresh()
    before = indices_behind("products")
    answers: list[tuple[int, int]] = []
    done = threading.Event()

    def shopper() -> None:
        while not done.is_set():
            response = api_client.get("/api/products/?q=lamp&page_size=100")
            answers.append((response.status_code, len(response.json().get("results", []))))

    thread = threading.Thread(target=shopper)
    thread.start()
    try:
        out = StringIO()
        call_command("search_reindex", "--index", "products", "--chunk-size", "7", stdout=out)
    finally:
        done.set()
        thread.join()

    after = indices_behind("products")
    assert len(after) == 1
    assert after != before
    assert not get_client().indices.exists(index=before[0])
    assert "products: 40 documents" in out.getvalue()
    assert answers
    assert all(status == 200 and count == 40 for status, count in answers), answers[:5]
    assert indexed_ids() == {str(p.id) for p in products}


def test_reconcile_repairs_drift_and_then_finds_nothing(make_product):
    kept, stale, missing = (make_product(name=n) for n in ("kept", "stale", "missing"))
    client = get_client()
    # A lost document (e.g. an index restored from an older snapshot).
    client.delete(
        index=alias("products"),
        id=str(missing.id),
        version=missing.version,
        version_type="external_gte",
        refresh=True,
    )
    # Changed behind the outbox's back: the index keeps the older version.
    Product.objects.filter(pk=stale.pk).update(name="newer", version=F("version") + 1)
    doc = client.get(index=alias("products"), id=str(kept.id))["_source"]
    client.index(
        index=alias("products"),
        id="not-in-the-database",
        document={**doc, "id": "x"},
        version=1,
        version_type="external",
        refresh=True,
    )

    out = StringIO()
    call_command("search_reconcile", "--index", "products", stdout=out)

    report = out.getvalue()
    assert "products: repaired" in report
    assert f"missing {missing.id}" in report
    assert f"stale {stale.id}" in report
    assert "extra not-in-the-database" in report
    assert indexed_ids() == {str(kept.id), str(stale.id), str(missing.id)}
    assert find_drift("products").total == 0
    assert client.get(index=alias("products"), id=str(stale.id))["_source"]["name"] == "newer"
    again = StringIO()
    call_command("search_reconcile", stdout=again)
    assert "products: repaired 0" in again.getvalue()
    assert "tags: repaired 0" in again.getvalue()
