"""The event contract: each type's JSON Schema served at the URL its events name in
`dataschema`, every event recorded valid against it, and a `v1` schema that only ever gains
optional fields (tests/events/event_schemas_v1.json holds the schemas as first published;
a breaking change is a new type, `v2`)."""

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator
from standardwebhooks.webhooks import Webhook

from core.models import OutboxEntry
from events import schemas
from events.envelope import EVENT_TOPIC, WEBHOOK_TOPIC
from tests.conftest import add, place

BASELINE = json.loads((Path(__file__).parent / "event_schemas_v1.json").read_text())
COMPARED = ("type", "format", "enum", "pattern", "minimum")


def breaking_changes(old: dict, new: dict, where: str = "data") -> list[str]:
    """What a consumer written against `old` would trip on in `new`: a field gone, a new
    required field, a type, format, enum or pattern changed."""
    problems = [f"{where}: {key} changed" for key in COMPARED if old.get(key) != new.get(key)]
    if set(new.get("required", [])) != set(old.get("required", [])):
        problems.append(f"{where}: required fields changed")
    for name, schema in old.get("properties", {}).items():
        if name not in new.get("properties", {}):
            problems.append(f"{where}.{name}: removed")
        else:
            problems += breaking_changes(schema, new["properties"][name], f"{where}.{name}")
    if "items" in old:
        problems += breaking_changes(old["items"], new.get("items", {}), f"{where}[]")
    return problems


def test_v1_schemas_only_gain_optional_fields():
    for type, old in BASELINE.items():
        new = schemas.schema(type)
        assert new is not None, f"{type} disappeared"
        assert breaking_changes(old, new) == [], type
    # A new type joins the baseline when it is published.
    assert set(schemas.event_types()) == set(BASELINE)


def test_the_compatibility_check_catches_breaking_changes():
    old = BASELINE["store.order.placed.v1"]
    gained = {**old, "properties": {**old["properties"], "note": {"type": "string"}}}
    required = {**gained, "required": [*old["required"], "note"]}
    removed = {**old, "properties": {k: v for k, v in old["properties"].items() if k != "total"}}
    retyped = json.loads(json.dumps(old))
    retyped["properties"]["lines"]["items"]["properties"]["quantity"]["type"] = "string"

    assert breaking_changes(old, gained) == []
    assert breaking_changes(old, required) == ["data: required fields changed"]
    assert breaking_changes(old, removed) == ["data.total: removed"]
    assert breaking_changes(old, retyped) == ["data.lines[].quantity: type changed"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("eager_relay")
def test_every_event_names_its_served_schema_and_is_valid_against_it(
    api_client, buyer_client, seller_client, kettle
):
    add(buyer_client, kettle)
    order = place(buyer_client).json()
    seller_client.post(f"/api/sales/{order['lines'][0]['id']}/fulfil/")
    add(buyer_client, kettle)
    cancelled = place(buyer_client).json()
    buyer_client.post(f"/api/orders/{cancelled['id']}/cancel/")

    events = [row.payload for row in OutboxEntry.objects.filter(topic=EVENT_TOPIC)]
    events += [row.payload["event"] for row in OutboxEntry.objects.filter(topic=WEBHOOK_TOPIC)]
    seen = set()
    for event in events:
        url = urlsplit(event["dataschema"])
        assert url.path == f"/api/events/schemas/{event['type']}.json"
        response = api_client.get(url.path)
        assert response.status_code == 200, event["type"]
        assert response.json()["$id"] == event["dataschema"]
        Draft202012Validator(response.json()).validate(event["data"])
        seen.add(event["type"])
    assert seen == {
        "store.order.placed.v1",
        "store.order.line_fulfilled.v1",
        "store.order.completed.v1",
        "store.order.cancelled.v1",
        "store.sale.ordered.v1",
        "store.sale.fulfilled.v1",
        "store.sale.cancelled.v1",
        "store.product.stock_changed.v1",
    }


@pytest.mark.django_db
def test_the_schema_list_and_an_unknown_type(api_client):
    listed = api_client.get("/api/events/schemas/").json()["results"]
    assert [item["type"] for item in listed] == schemas.event_types()
    response = api_client.get("/api/events/schemas/store.nothing.v1.json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_documented_verification_recipe_works():
    """docs/events.md's few lines, run as written against a signed request."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "events.md").read_text()
    recipe = docs.split("```python\n", 1)[1].split("```", 1)[0]
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"id":"msg_1","type":"store.sale.ordered.v1"}'
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign("msg_1", now, body),
    }
    scope: dict[str, Any] = {"SECRET": secret, "body": body, "headers": headers}
    exec(recipe, scope)  # noqa: S102  (our own documentation)
    assert scope["event"]["type"] == "store.sale.ordered.v1"
