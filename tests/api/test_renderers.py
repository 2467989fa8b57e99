"""The orjson renderer of the read endpoints writes exactly what DRF's JSONRenderer writes."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer

from api.renderers import FastJSONRenderer


@pytest.mark.parametrize(
    "data",
    [
        {"next": None, "results": [{"name": "Kettle", "price": "19.90", "tags": []}]},
        {"error": {"code": "invalid", "message": ErrorDetail("Bad.", code="invalid")}},
        {"error": {"details": {"tags": {0: [ErrorDetail("Too long.", code="max_length")]}}}},
        {"price": Decimal("19.90"), "id": uuid.UUID(int=7), "label": gettext_lazy("Search")},
        {"when": datetime(2026, 11, 24, 3, 15, 0, 123456, tzinfo=UTC), "ok": True, "n": 1.5},
        {"unicode": "Café ü 東京 <em>x</em>", "nested": [[1, 2], {"a": [None]}]},
        None,
    ],
)
def test_fast_renderer_writes_what_drf_writes(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_an_indented_answer_when_the_client_asks_for_one():
    media_type = "application/json; indent=2"
    data = {"results": [{"name": "Kettle"}]}

    rendered = FastJSONRenderer().render(data, media_type, {})

    assert rendered == JSONRenderer().render(data, media_type, {})
    assert b"\n  " in rendered
