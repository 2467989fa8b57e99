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
