"""The event contract: one JSON Schema per event type and version, for the event's `data`.

Each app that records events keeps their schemas in its own `event_schemas/` folder, one
file per type (`store.order.placed.v1.json`); this module finds them in every installed app,
so the events app serves them (GET /api/events/schemas/<type>.json, named in each event's
`dataschema`) without knowing what they describe.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.apps import apps

from events.envelope import schema_url


@cache
def _files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for config in apps.get_app_configs():
        folder = Path(config.path) / "event_schemas"
        if folder.is_dir():
            found.update({path.name.removesuffix(".json"): path for path in folder.glob("*.json")})
    return dict(sorted(found.items()))


def event_types() -> list[str]:
    """Every event type (with its version) the store emits."""
    return list(_files())


def schema(type: str) -> dict[str, Any] | None:
    """The JSON Schema of `type`'s `data`, with its `$id` (the URL it is served at)."""
    path = _files().get(type)
    if path is None:
        return None
    document: dict[str, Any] = json.loads(path.read_text())
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_url(type),
        **document,
    }
