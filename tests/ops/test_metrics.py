"""GET /metrics after real requests, against the real PostgreSQL, Redis and Elasticsearch.

These run in the test process (one process: prometheus-client's own registry);
test_stack.py checks the multiprocess mode under gunicorn and a Celery worker.
"""

import uuid

import pytest

from config.celery import app as celery_app
from search.sync import drain
from search.tasks import drain_search_outbox
from tests.conftest import add, place
from tests.ops.metrics import Scraper, value
from tests.search.conftest import fresh_indices, refresh

HTTP = "store_http_request_duration_seconds"


@pytest.fixture
def metrics(api_client, settings) -> Scraper:
    settings.METRICS_TOKEN = "scrape-" + uuid.uuid4().hex
    scrape = f"Bearer {settings.METRICS_TOKEN}"

    def fetch() -> str:
        response = api_client.get("/metrics", HTTP_AUTHORIZATION=scrape)
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/plain")
        return response.content.decode()

    scraper = Scraper(fetch)
    scraper.scrape()
    return scraper


@pytest.fixture
def eager():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.mark.django_db
def test_requests_are_counted_by_route_and_status(metrics, api_client, make_product):
    product = make_product()
    for _ in range(3):
        assert api_client.get(f"/api/products/{product.id}/").status_code == 200
    assert api_client.get(f"/api/products/{uuid.uuid4()}/").status_code == 404
    assert api_client.get("/api/no-such-thing/").status_code == 404

    metrics.scrape()
    detail = {"method": "GET", "route": "/api/products/{pk}/"}
    assert metrics.delta(f"{HTTP}_count", **detail, status="200") == 3
    assert metrics.delta(f"{HTTP}_count", **detail, status="404") == 1
    # An unknown URL gets one label, whatever its path: no series per typo.
    assert metrics.delta(f"{HTTP}_count", method="GET", route="(unmatched)", status="404") == 1
    assert metrics.delta(f"{HTTP}_sum", **detail, status="200") > 0
    # Latency buckets: all three fall under the largest bucket.
    assert metrics.delta(f"{HTTP}_bucket", **detail, status="200", le="+Inf") == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures(eager.__name__, fresh_indices.__name__)
def test_elasticsearch_latency_is_measured_per_api(metrics, api_client, make_product):
    make_product(name="Copper kettle")  # indexed after commit: one bulk request
    refresh()
    assert len(api_client.get("/api/products/?q=kettle").json()["results"]) == 1
    assert api_client.get("/api/products/autocomplete/?q=ket").status_code == 200

    metrics.scrape()
    es = "store_elasticsearch_request_duration_seconds"
    # At least one per answer (a search with `q` asks twice: its spelling, then the search).
    assert metrics.delta(f"{es}_count", endpoint="search", outcome="ok") >= 2
    assert metrics.delta(f"{es}_sum", endpoint="search", outcome="ok") > 0
    assert metrics.delta(f"{es}_count", endpoint="bulk", outcome="ok") >= 1  # the sync


@pytest.mark.django_db
@pytest.mark.usefixtures(fresh_indices.__name__)
def test_the_outbox_backlog_and_its_age_per_topic(metrics, make_product):
    # Inside the test's transaction the wake-ups never fire: the rows stay pending.
    make_product(name="First", tags=["Lamps"])
    make_product(name="Second")

    samples = metrics.scrape()
    assert value(samples, "store_outbox_pending", topic="search.product") == 2
    assert value(samples, "store_outbox_pending", topic="search.tag") >= 1
    assert value(samples, "store_outbox_pending", topic="events") == 0  # reported while 0
    age = value(samples, "store_outbox_oldest_pending_age_seconds", topic="search.product")
    assert 0 < age < 60

    drain()

    samples = metrics.scrape()
    assert value(samples, "store_outbox_pending", topic="search.product") == 0
    assert value(samples, "store_outbox_oldest_pending_age_seconds", topic="search.product") == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures(eager.__name__, fresh_indices.__name__)
def test_orders_placed_and_events_published_count_what_committed(
    metrics, buyer_client, kettle, lamp
):
    assert place(buyer_client).status_code == 400  # empty bag: nothing placed
    add(buyer_client, kettle, 2)
    assert place(buyer_client).status_code == 201
    add(buyer_client, lamp, 99 if lamp.stock >= 99 else lamp.stock)
    lamp.refresh_from_db()
    lamp.stock = 0  # sold out meanwhile: the order is refused and rolls back
    lamp.save(update_fields=["stock"])
    assert place(buyer_client).status_code == 409

    metrics.scrape()
    assert metrics.delta("store_orders_placed_total") == 1
    # The relay ran after the commit (eagerly, as a worker would) and Redis confirmed.
    assert metrics.delta("store_events_published_total", backend="redis") == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures(eager.__name__, fresh_indices.__name__)
def test_celery_task_outcomes(metrics):
    drain_search_outbox.apply()
    # fails inside the task; throw=False: recorded as a worker would, not raised here
    drain_search_outbox.apply(args=("not", "an", "argument"), throw=False)

    metrics.scrape()
    task = "search.tasks.drain_search_outbox"
    assert metrics.delta("store_celery_tasks_total", task=task, outcome="succeeded") == 1
    assert metrics.delta("store_celery_tasks_total", task=task, outcome="failed") == 1
    assert metrics.delta("store_celery_task_duration_seconds_count", task=task) == 2


# --- who may read it ------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_token_metrics_fail_closed_even_from_loopback(api_client, settings):
    # Issue 17, finding 8: a reverse proxy on the same host that adds no X-Forwarded-For
    # makes every visitor a loopback peer.
    settings.DEBUG = False
    settings.METRICS_TOKEN = ""
    for peer in ("127.0.0.1", "::1"):
        response = api_client.get("/metrics", REMOTE_ADDR=peer)
        assert response.status_code == 403, peer
        assert response.json()["error"]["code"] == "permission_denied"
        assert b"store_" not in response.content


@pytest.mark.django_db
def test_with_debug_loopback_peers_read_metrics(api_client, settings):
    settings.DEBUG = True
    settings.METRICS_TOKEN = ""
    assert api_client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200


@pytest.mark.django_db
def test_metrics_are_refused_outside_the_allowed_networks(api_client, settings):
    settings.DEBUG = True
    response = api_client.get("/metrics", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert b"store_" not in response.content


@pytest.mark.django_db
def test_a_proxied_request_is_not_trusted_by_its_peer_address(api_client, settings):
    # A reverse proxy on the same host connects from 127.0.0.1 for everyone.
    settings.DEBUG = True
    response = api_client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert response.status_code == 403


@pytest.mark.django_db
def test_the_metrics_token_opens_metrics_from_anywhere(api_client, settings):
    settings.METRICS_TOKEN = "scrape-" + uuid.uuid4().hex
    far = {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}

    allowed = api_client.get(
        "/metrics", HTTP_AUTHORIZATION=f"Bearer {settings.METRICS_TOKEN}", **far
    )
    assert allowed.status_code == 200
    assert b"store_http_request_duration_seconds" in allowed.content

    wrong = api_client.get("/metrics", HTTP_AUTHORIZATION="Bearer guessed", **far)
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "not_authenticated"


@pytest.mark.django_db
def test_no_token_is_accepted_when_none_is_configured(api_client, settings):
    settings.METRICS_TOKEN = ""
    response = api_client.get("/metrics", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 401


@pytest.mark.django_db
def test_the_allowed_networks_come_from_settings(api_client, settings):
    settings.DEBUG = True
    settings.METRICS_ALLOWED_NETWORKS = ["203.0.113.0/24"]
    assert api_client.get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 200
    assert api_client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
