"""Logs are JSON lines, each request's lines carry its request id (django-guid), and the id
goes out in the answer's `X-Request-ID`. That the id reaches the Celery tasks a request
causes, in another process, is in test_stack.py."""

import io
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_output() -> Iterator[Callable[[], str]]:
    """What the configured console handler (formatter and filters of settings.LOGGING)
    writes, while the test runs."""
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    buffer = io.StringIO()
    assert isinstance(handler, logging.StreamHandler)
    previous = handler.setStream(buffer)
    yield buffer.getvalue
    handler.setStream(previous)


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def request_lines(text: str, path: str) -> list[dict]:
    return [
        line
        for line in json_lines(text)
        if line["logger"] == "api.requests" and line["path"] == path
    ]


def test_a_request_id_sent_by_the_client_is_logged_and_answered(api_client, log_output):
    request_id = str(uuid.uuid4())
    response = api_client.get("/api/tags/", HTTP_X_REQUEST_ID=request_id)

    assert response["X-Request-ID"] == request_id
    [line] = request_lines(log_output(), "/api/tags/")
    assert line["request_id"] == request_id
    assert line["level"] == "INFO"
    assert (line["method"], line["route"], line["status"]) == ("GET", "/api/tags/", 200)
    assert line["duration_ms"] >= 0
    assert line["timestamp"].endswith("+00:00")


def test_a_request_without_an_id_gets_one(api_client, log_output):
    response = api_client.get("/api/tags/")

    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    [line] = request_lines(log_output(), "/api/tags/")
    assert line["request_id"] == request_id


def test_a_forged_request_id_is_replaced_not_logged(api_client, log_output):
    forged = 'abc", "level": "CRITICAL'
    response = api_client.get("/api/tags/", HTTP_X_REQUEST_ID=forged)

    assert response["X-Request-ID"] != forged
    err = log_output()
    assert forged not in err
    [line] = request_lines(err, "/api/tags/")
    assert line["request_id"] == response["X-Request-ID"]


def test_every_line_of_a_request_carries_its_id(api_client, log_output):
    request_id = str(uuid.uuid4())
    api_client.get("/api/no-such-thing/", HTTP_X_REQUEST_ID=request_id)

    lines = [line for line in json_lines(log_output()) if line["request_id"]]
    # Django's own warning about the 404 and our request line, both with the id.
    assert {line["logger"] for line in lines} >= {"django.request", "api.requests"}
    assert {line["request_id"] for line in lines} == {request_id}


def test_an_error_is_one_json_line_with_its_traceback(log_output):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("store.test").exception("it broke")

    [line] = [x for x in json_lines(log_output()) if x["logger"] == "store.test"]
    assert line["level"] == "ERROR"
    assert "ValueError: boom" in line["exc_info"]
