"""Webhooks from outside: a real HTTP receiver on 127.0.0.1 verifies every delivery with the
`standardwebhooks` library; people manage their endpoints over the API and see, and only
see, what concerns them."""

import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from commerce import services as commerce
from events import webhooks
from events.models import Delivery
from tests.conftest import add, bearer_client, place
from tests.events import receiver as http_receiver

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("eager_relay")]


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0  # retries are due at once; tests drive them


@pytest.fixture
def receiver():
    receiver = http_receiver.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


# The sale events only (a seller's endpoint also hears of its products' stock otherwise).
SALES = ["store.sale.ordered.v1", "store.sale.cancelled.v1", "store.sale.fulfilled.v1"]


def register(client, url, **fields):
    response = client.post("/api/webhooks/", {"url": url, **fields})
    assert response.status_code == 201, response.content
    return response.json()


def drive(rounds: int = 20) -> None:
    """What beat does every few seconds: fan out what waits, try what is due; until nothing
    is due (a round stops at an endpoint's first failure worth retrying)."""
    for _ in range(rounds):
        if not webhooks.redrive():
            return


def verified(request, secret: str) -> dict:
    """The event, once `standardwebhooks` verified the signature (raises otherwise)."""
    return Webhook(secret).verify(request.body, request.headers)


def unique(requests) -> list:
    first: dict[str, http_receiver.Received] = {}
    for request in requests:
        first.setdefault(request.headers["webhook-id"], request)
    return list(first.values())


@pytest.fixture
def two_sellers(make_user, make_product):
    other_seller = make_user("second-seller")
    return (
        make_product(name="Kettle", price=Decimal("19.90"), stock=10),
        make_product(owner=other_seller, name="Vase", price=Decimal("7.50"), stock=10),
        other_seller,
    )


# --- the promise: signed, once each after de-duplication, nobody sees others' sales ------


def test_each_party_hears_of_its_own_part_once_signed_through_two_failures(
    receiver, buyer_client, seller_client, two_sellers, seller, buyer
):
    kettle, vase, vase_seller = two_sellers
    # Every webhook-id fails twice (a 503, then a dropped 500) before it is accepted.
    receiver.answer = lambda path, tries: (503, {}, b"busy") if tries < 2 else (204, {}, b"")
    hooks = {
        "/seller": register(seller_client, receiver.url("/seller")),
        "/vase": register(bearer_client(vase_seller), receiver.url("/vase")),
        "/buyer": register(buyer_client, receiver.url("/buyer")),
    }

    add(buyer_client, kettle, 2)
    add(buyer_client, vase)
    order = place(buyer_client).json()
    drive()
    kettle_line = next(line for line in order["lines"] if line["product_name"] == "Kettle")
    seller_client.post(f"/api/sales/{kettle_line['id']}/fulfil/")
    drive()

    for request in receiver.requests:  # every try of every delivery, signed
        verified(request, hooks[request.path]["secret"])
        assert request.headers["content-type"] == "application/cloudevents+json"
    seller_all, vase_all, buyer_events = (
        [verified(r, hooks[path]["secret"]) for r in unique(receiver.at(path))]
        for path in ("/seller", "/vase", "/buyer")
    )
    # One order's events in order; the products' stock events are about other subjects.
    seller_events = [e for e in seller_all if e["subject"] == order["id"]]
    vase_events = [e for e in vase_all if e["subject"] == order["id"]]
    assert [e["type"] for e in seller_events] == [
        "store.sale.ordered.v1",
        "store.sale.fulfilled.v1",
    ]
    assert [e["type"] for e in vase_events] == ["store.sale.ordered.v1"]
    stock = {
        path: [(e["data"]["name"], e["data"]["previous_stock"], e["data"]["stock"]) for e in found]
        for path, found in (("/seller", seller_all), ("/vase", vase_all))
        for found in [[e for e in found if e["type"] == "store.product.stock_changed.v1"]]
    }
    assert stock == {"/seller": [("Kettle", 10, 8)], "/vase": [("Vase", 10, 9)]}
    assert [e["type"] for e in buyer_events if e["subject"] != order["id"]] == []
    assert [e["type"] for e in buyer_events] == [
        "store.order.placed.v1",
        "store.order.line_fulfilled.v1",
        "store.order.partially_fulfilled.v1",
    ]
    # A seller's events hold that seller's lines only: not the other's, not the buyer's id.
    for events, name, total in ((seller_events, "Kettle", "39.80"), (vase_events, "Vase", "7.50")):
        for event in events:
            assert [line["product_name"] for line in event["data"]["lines"]] == [name]
            assert event["data"]["total"] == total
            assert "buyer_id" not in event["data"]
            assert event["subject"] == order["id"]
    assert str(vase_seller.pk) not in json.dumps(seller_all)
    assert str(seller.pk) not in json.dumps(vase_all)
    assert {line["product_name"] for line in buyer_events[0]["data"]["lines"]} == {"Kettle", "Vase"}
    assert buyer_events[0]["data"]["buyer_id"] == str(buyer.pk)
    # webhook-id is the CloudEvent id, the same on every try.
    assert {r.headers["webhook-id"] for r in receiver.at("/buyer")} == {
        e["id"] for e in buyer_events
    }


def test_strangers_and_staff(receiver, buyer_client, two_sellers, make_user, third_client):
    kettle, _, _ = two_sellers
    staff = make_user("staff")
    staff.is_staff = True
    staff.save()
    register(third_client, receiver.url("/stranger"))
    register(bearer_client(staff), receiver.url("/staff"), event_types=["store.order.placed.v1"])

    add(buyer_client, kettle)
    place(buyer_client)
    drive()

    assert receiver.at("/stranger") == []
    assert [json.loads(r.body)["type"] for r in receiver.at("/staff")] == ["store.order.placed.v1"]


def test_a_rolled_back_order_sends_nothing(receiver, buyer, buyer_client, seller_client, kettle):
    register(seller_client, receiver.url("/seller"), event_types=SALES)
    register(buyer_client, receiver.url("/buyer"))
    add(buyer_client, kettle)

    def place_then_fail() -> None:
        with transaction.atomic():
            commerce.place_order(buyer=buyer, idempotency_key="")
            raise RuntimeError("the caller's transaction fails after the order")

    with pytest.raises(RuntimeError):
        place_then_fail()
    drive()

    assert receiver.requests == []
    assert not Delivery.objects.exists()


def test_one_orders_events_arrive_in_order_though_the_first_is_retried(
    receiver, buyer_client, seller_client, kettle
):
    hook = register(seller_client, receiver.url("/seller"), event_types=SALES)
    placed_fails = {"left": 1}

    def answer(path, tries):
        if placed_fails["left"]:
            placed_fails["left"] -= 1
            return 500, {}, b""
        return 200, {}, b"ok"

    receiver.answer = answer
    add(buyer_client, kettle)
    order = place(buyer_client).json()
    buyer_client.post(f"/api/orders/{order['id']}/cancel/")  # recorded while `ordered` waits
    drive()

    arrived = [verified(r, hook["secret"])["type"] for r in receiver.requests]
    assert arrived == ["store.sale.ordered.v1", "store.sale.ordered.v1", "store.sale.cancelled.v1"]


# --- retries, failures, disabling ----------------------------------------------------------


def deliveries(client, hook) -> list[dict]:
    response = client.get(f"/api/webhooks/{hook['id']}/deliveries/")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_a_4xx_is_not_retried_and_the_delivery_is_kept_failed(
    receiver, buyer_client, seller_client, kettle
):
    hook = register(seller_client, receiver.url("/seller"), event_types=SALES)
    receiver.answer = lambda path, tries: (400, {}, b"no such thing")
    add(buyer_client, kettle)
    place(buyer_client)
    drive()

    [delivery] = deliveries(seller_client, hook)
    assert len(receiver.requests) == 1
    assert delivery["status"] == "failed"
    assert delivery["attempts"] == 1
    assert delivery["response_code"] == 400
    assert delivery["next_try"] is None
    assert "no such thing" in delivery["error"]


def test_retry_after_is_honoured(receiver, buyer_client, seller_client, kettle):
    hook = register(seller_client, receiver.url("/seller"), event_types=SALES)
    receiver.answer = lambda path, tries: (429, {"Retry-After": "120"}, b"")
    add(buyer_client, kettle)
    place(buyer_client)
    drive()

    [delivery] = deliveries(seller_client, hook)
    assert len(receiver.requests) == 1  # not due again for two minutes
    assert delivery["status"] == "pending"
    wait = datetime.fromisoformat(delivery["next_try"]) - timezone.now()
    assert timedelta(seconds=100) < wait <= timedelta(seconds=120)


def test_the_last_try_fails_the_delivery_and_a_day_of_failures_disables_the_endpoint(
    receiver, buyer_client, seller_client, kettle, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    hook = register(seller_client, receiver.url("/seller"), event_types=SALES)
    receiver.answer = lambda path, tries: (502, {}, b"down")
    add(buyer_client, kettle)
    place(buyer_client)
    drive()

    [delivery] = deliveries(seller_client, hook)
    assert len(receiver.requests) == 3
    assert (delivery["status"], delivery["attempts"]) == ("failed", 3)
    endpoint = seller_client.get(f"/api/webhooks/{hook['id']}/").json()
    assert endpoint["active"] is True  # failing for seconds, not a day
    assert endpoint["failing_since"] is not None

    settings.WEBHOOK_DISABLE_AFTER_SECONDS = 0
    add(buyer_client, kettle)
    place(buyer_client)
    drive()

    endpoint = seller_client.get(f"/api/webhooks/{hook['id']}/").json()
    assert endpoint["active"] is False
    assert "every delivery failed since" in endpoint["disabled_reason"]
    assert "HTTP 502" in endpoint["disabled_reason"]
    assert len(receiver.requests) == 4  # disabled after the new delivery's first failure

    receiver.answer = lambda path, tries: (204, {}, b"")
    response = seller_client.patch(f"/api/webhooks/{hook['id']}/", {"active": True})
    assert response.status_code == 200
    assert response.json()["disabled_reason"] == ""
    assert [d["status"] for d in deliveries(seller_client, hook)] == ["delivered", "failed"]


def test_redirects_are_not_followed(receiver, buyer_client, seller_client, kettle):
    hook = register(seller_client, receiver.url("/seller"), event_types=SALES)
    moved = (302, {"Location": receiver.url("/elsewhere")}, b"")
    receiver.answer = lambda path, tries: moved if path == "/seller" else (204, {}, b"")
    add(buyer_client, kettle)
    place(buyer_client)
    drive()

    assert receiver.at("/elsewhere") == []
    [delivery] = deliveries(seller_client, hook)
    assert (delivery["status"], delivery["response_code"]) == ("failed", 302)


def test_the_answer_is_read_only_up_to_the_limit(
    receiver, buyer_client, seller_client, kettle, settings
):
    settings.WEBHOOK_RESPONSE_MAX_BYTES = 100
    hook = register(seller_client, receiver.url("/seller"), event_types=SALES)
    receiver.answer = lambda path, tries: (410, {}, b"x" * 1_000_000)
    add(buyer_client, kettle)
    place(buyer_client)
    drive()

    [delivery] = deliveries(seller_client, hook)
    assert delivery["error"] == "HTTP 410: " + "x" * 100


# --- seeing, replaying, testing, rotating ---------------------------------------------------


def test_redeliver_and_test_event(receiver, buyer_client, seller_client, kettle):
    hook = register(seller_client, receiver.url("/seller"), event_types=SALES)
    receiver.answer = lambda path, tries: (404, {}, b"") if tries == 0 else (204, {}, b"")
    add(buyer_client, kettle)
    place(buyer_client)
    drive()
    [failed] = deliveries(seller_client, hook)
    assert failed["status"] == "failed"

    response = seller_client.post(
        f"/api/webhooks/{hook['id']}/deliveries/{failed['id']}/redeliver/"
    )
    assert response.status_code == 202, response.content

    [delivery] = deliveries(seller_client, hook)
    assert (delivery["status"], delivery["attempts"], delivery["response_code"]) == (
        "delivered",
        2,
        204,
    )
    first, again = receiver.requests
    assert first.headers["webhook-id"] == again.headers["webhook-id"] == str(delivery["event_id"])
    assert verified(again, hook["secret"])["type"] == "store.sale.ordered.v1"

    response = seller_client.post(f"/api/webhooks/{hook['id']}/test/")
    assert response.status_code == 202, response.content
    event = verified(receiver.requests[-1], hook["secret"])
    assert event["type"] == "store.webhook.test.v1"
    assert event["data"]["endpoint_id"] == hook["id"]


def test_after_a_rotation_old_and_new_secrets_both_verify(receiver, seller_client):
    hook = register(seller_client, receiver.url("/seller"), event_types=SALES)
    response = seller_client.post(f"/api/webhooks/{hook['id']}/rotate-secret/")
    assert response.status_code == 200
    rotated = response.json()
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != hook["secret"]
    assert rotated["previous_secret_expires"] is not None

    seller_client.post(f"/api/webhooks/{hook['id']}/test/")

    [request] = receiver.requests
    verified(request, hook["secret"])
    verified(request, rotated["secret"])
    with pytest.raises(WebhookVerificationError):
        verified(request, webhooks.new_secret())


def test_the_secret_is_shown_on_create_only(seller_client):
    hook = register(seller_client, "http://127.0.0.1:9/hook")
    assert hook["secret"].startswith("whsec_")
    assert hook["event_types"] == []
    assert "secret" not in seller_client.get(f"/api/webhooks/{hook['id']}/").json()
    assert "secret" not in seller_client.get("/api/webhooks/").json()["results"][0]


# --- other people's endpoints do not exist ---------------------------------------------------


def test_another_users_endpoint_and_deliveries_are_404(
    receiver, seller_client, other_client, buyer_client, kettle
):
    hook = register(seller_client, receiver.url("/seller"), event_types=SALES)
    add(buyer_client, kettle)
    place(buyer_client)
    drive()
    [delivery] = deliveries(seller_client, hook)
    base = f"/api/webhooks/{hook['id']}/"
    stranger = other_client

    assert stranger.get("/api/webhooks/").json()["results"] == []
    for method, path in [
        ("get", base),
        ("patch", base),
        ("delete", base),
        ("post", base + "rotate-secret/"),
        ("post", base + "test/"),
        ("get", base + "deliveries/"),
        ("post", base + f"deliveries/{delivery['id']}/redeliver/"),
    ]:
        response = getattr(stranger, method)(path, {} if method != "get" else None)
        assert response.status_code == 404, (method, path)
        assert response.json()["error"]["code"] == "not_found"
    assert seller_client.get(base).status_code == 200


def test_anonymous_callers_are_401(api_client):
    assert api_client.get("/api/webhooks/").status_code == 401
    assert api_client.post("/api/webhooks/", {"url": "https://example.com/"}).status_code == 401


# --- refused destinations --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",  # plain http outside loopback development
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data/",  # the cloud metadata address
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://user:pass@example.com/hook",
        "ftp://example.com/hook",
    ],
)
def test_private_and_plain_destinations_are_refused(seller_client, settings, url):
    settings.WEBHOOK_ALLOW_LOOPBACK = False

    response = seller_client.post("/api/webhooks/", {"url": url})

    assert response.status_code == 400, response.content
    assert "url" in response.json()["error"]["details"]


def test_unknown_event_types_are_refused(seller_client):
    response = seller_client.post(
        "/api/webhooks/", {"url": "http://127.0.0.1:9/", "event_types": ["store.nothing.v1"]}
    )
    assert response.status_code == 400
    assert "event_types" in response.json()["error"]["details"]


def test_the_destination_is_checked_again_when_delivering(
    receiver, buyer_client, seller_client, kettle, settings
):
    # Allowed when registered, refused when delivering.
    hook = register(seller_client, receiver.url("/seller"), event_types=SALES)
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    add(buyer_client, kettle)
    place(buyer_client)
    drive()

    assert receiver.requests == []
    [delivery] = deliveries(seller_client, hook)
    assert delivery["status"] == "failed"
    assert "https" in delivery["error"]


def test_an_inactive_endpoint_takes_no_test_event_nor_redelivery(seller_client):
    hook = register(seller_client, "http://127.0.0.1:9/hook", active=False)

    response = seller_client.post(f"/api/webhooks/{hook['id']}/test/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "endpoint_inactive"


# --- what operators see --------------------------------------------------------------------


def test_metrics_count_outcomes_and_age_the_oldest_pending(
    api_client, receiver, buyer_client, seller_client, kettle, settings
):
    from tests.ops.metrics import Scraper, value

    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    settings.METRICS_TOKEN = "scrape-webhooks"  # /metrics fails closed without one

    scraper = Scraper(
        lambda: api_client.get(
            "/metrics", HTTP_AUTHORIZATION="Bearer scrape-webhooks"
        ).content.decode()
    )
    scraper.scrape()
    register(seller_client, receiver.url("/seller"), event_types=SALES)
    receiver.answer = lambda path, tries: (500, {}, b"") if tries == 0 else (204, {}, b"")
    add(buyer_client, kettle)
    place(buyer_client)  # the first try fails: it waits
    Delivery.objects.update(created=timezone.now() - timedelta(seconds=60))
    samples = scraper.scrape()

    assert scraper.delta("store_webhook_delivery_attempts_total", outcome="retrying") == 1
    assert value(samples, "store_webhook_deliveries_pending") == 1
    assert value(samples, "store_webhook_oldest_pending_age_seconds") >= 60

    Delivery.objects.update(next_try=timezone.now())  # the back-off has passed
    drive()
    samples = scraper.scrape()
    assert scraper.delta("store_webhook_delivery_attempts_total", outcome="delivered") == 1
    assert value(samples, "store_webhook_deliveries_pending") == 0
    assert value(samples, "store_webhook_oldest_pending_age_seconds") == 0
