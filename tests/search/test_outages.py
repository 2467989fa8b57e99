"""Real outages: the broker or Elasticsearch is stopped and started again, nothing is lost."""

import subprocess
import tempfile
from pathlib import Path

import pytest

from catalog.models import Product
from config.celery import app as celery_app
from search.reindex import find_drift
from search.tasks import redrive_search_outbox
from tests.search.conftest import indexed_ids, pending_count

pytestmark = pytest.mark.django_db(transaction=True)

SERVICES = Path(__file__).resolve().parents[2] / "scripts" / "services.sh"


def services(command: str) -> None:
    # Output to a file, not a pipe: a server the script starts may keep an inherited pipe
    # open, and reading it to its end would then wait forever.
    with tempfile.TemporaryFile() as output:
        done = subprocess.run(  # noqa: S603  (our own script, fixed arguments)
            ["/bin/bash", str(SERVICES), command], stdout=output, stderr=output, timeout=180
        )
        output.seek(0)
        assert done.returncode == 0, output.read().decode(errors="replace")[-3000:]


def test_broker_down_at_commit_leaves_rows_pending_and_the_redrive_catches_up(make_product):
    celery_app.conf.task_always_eager = False  # publish for real, to the stopped broker
    services("stop-redis")
    try:
        product = make_product()  # must still commit, and quickly give up enqueuing
    finally:
        services("start-redis")

    assert Product.objects.filter(pk=product.pk).exists()
    assert pending_count() > 0
    assert indexed_ids() == set()

    redrive_search_outbox.apply()

    assert pending_count() == 0
    assert indexed_ids() == {str(product.id)}


def test_elasticsearch_down_then_back(make_product, owner_client, api_client):
    kept = make_product(name="Kept kettle")
    # The drain runs eagerly here, after each commit: its failure is a worker's, which the
    # request never sees (tasks/eager propagation would turn it into the request's 500).
    celery_app.conf.task_eager_propagates = False
    services("stop-elasticsearch")
    try:
        for url in (
            "/api/products/",
            "/api/products/?q=kettle",
            "/api/tags/autocomplete/?q=k",
            "/api/products/autocomplete/?q=k",
        ):
            response = api_client.get(url)
            assert response.status_code == 503, url
            assert response.json()["error"]["code"] == "service_unavailable"

        created = owner_client.post(
            "/api/products/",
            {"name": "Written while down", "price": "5", "stock": 1, "publish": True},
        )
        assert created.status_code == 201
        changed = owner_client.patch(f"/api/products/{kept.id}/", {"name": "Renamed kettle"})
        assert changed.status_code == 200
        assert pending_count() > 0
    finally:
        services("start-elasticsearch")
        celery_app.conf.task_eager_propagates = True

    redrive_search_outbox.apply()

    assert pending_count() == 0
    assert indexed_ids() == {str(kept.id), created.json()["id"]}
    assert find_drift("products").total == 0
    assert find_drift("tags").total == 0
    assert [p["name"] for p in api_client.get("/api/products/?q=renamed").json()["results"]] == [
        "Renamed kettle"
    ]
