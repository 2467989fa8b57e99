import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_health_reports_every_service_up(api_client):
    response = api_client.get("/api/health/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["services"]) == {"postgres", "redis", "elasticsearch"}
    assert all(s["status"] == "up" for s in body["services"].values()), body


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_health_names_the_service_that_is_down(api_client):
    response = api_client.get("/api/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["services"]["redis"]["status"] == "down"
    assert body["services"]["postgres"]["status"] == "up"
    assert body["error"]["code"] == "service_unavailable"
    assert body["error"]["details"] == {"down": ["redis"]}


# --- no hosts, ports or users for anonymous callers (issue 17, finding 8b) ----------------


@override_settings(REDIS_URL="redis://health-user:hunter2@127.0.0.1:1/0")
def test_a_service_that_is_down_is_named_without_the_error_text(api_client, caplog):
    response = api_client.get("/api/health/")

    assert response.status_code == 503
    redis = response.json()["services"]["redis"]
    assert redis["status"] == "down"
    assert redis["error"] == "unreachable"
    text = response.content.decode()
    for secret in ("127.0.0.1", "redis://", "health-user", "hunter2", "Error", "refused"):
        assert secret not in text, secret
    # The detail is in the log, with the request's id.
    (record,) = [r for r in caplog.records if r.name == "ops.health"]
    assert record.service == "redis"
    assert record.request_id == response["X-Request-ID"]
    assert record.exc_info is not None
    assert "Connection" in type(record.exc_info[1]).__name__


def test_failures_are_answered_as_codes():
    from elastic_transport import ConnectionTimeout

    from ops.health import Unhealthy, failure_code

    assert failure_code(ConnectionRefusedError("127.0.0.1:1")) == "unreachable"
    assert failure_code(ConnectionTimeout("slow")) == "unreachable"
    assert failure_code(Unhealthy("red")) == "unhealthy"
    assert failure_code(ValueError("what")) == "error"
