"""Index lifecycle: concrete, timestamped indices behind the aliases reads and writes use.

`<prefix>-products` -> `<prefix>-products-20261124t031500123456`. The JSON files under
es/mappings/ are the one source of the indices' settings and mappings.
"""

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from elasticsearch import BadRequestError, NotFoundError

from search.client import get_client, prefixed

KINDS = ("products", "tags")
MAPPINGS_DIR = Path(settings.BASE_DIR) / "es" / "mappings"


@cache
def index_body(kind: str) -> dict[str, Any]:
    """Settings and mappings of an index kind, as written in es/mappings/<kind>.json."""
    body: dict[str, Any] = json.loads((MAPPINGS_DIR / f"{kind}.json").read_text())
    return body


def alias(kind: str) -> str:
    return prefixed(kind)


def create_index(kind: str, **setting_overrides: Any) -> str:
    """Create a new concrete index for `kind` and return its name (not yet behind the alias)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dt%H%M%S%f")
    name = f"{alias(kind)}-{stamp}"
    body = index_body(kind)
    index_settings = {**body["settings"], **setting_overrides}
    index_settings["number_of_replicas"] = settings.ELASTICSEARCH_REPLICAS
    get_client().indices.create(index=name, settings=index_settings, mappings=body["mappings"])
    return name


def indices_behind(kind: str) -> list[str]:
    try:
        return sorted(get_client().indices.get_alias(name=alias(kind)).keys())
    except NotFoundError:
        return []


def ensure_index(kind: str) -> None:
    """Make sure the alias exists (first start, fresh test prefix). Processes racing here
    all ask for the same index name, with the alias in the same request: one creates it,
    the others are told it exists, and the alias never spans two indices."""
    if indices_behind(kind):
        return
    body = index_body(kind)
    index_settings = {**body["settings"], "number_of_replicas": settings.ELASTICSEARCH_REPLICAS}
    try:
        get_client().indices.create(
            index=f"{alias(kind)}-initial",
            settings=index_settings,
            mappings=body["mappings"],
            aliases={alias(kind): {}},
        )
    except BadRequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise


def swap_alias(kind: str, new_index: str) -> list[str]:
    """Point the alias at `new_index` in one atomic request; return the indices it left."""
    old = indices_behind(kind)
    actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": alias(kind)}} for i in old]
    actions.append({"add": {"index": new_index, "alias": alias(kind)}})
    get_client().indices.update_aliases(actions=actions)
    return old


def drop_indices(names: list[str]) -> None:
    for name in names:
        get_client().indices.delete(index=name, ignore_unavailable=True)


def code_mapping_version(kind: str) -> int:
    """The mapping version es/mappings/<kind>.json declares (`_meta.mapping_version`)."""
    return int(index_body(kind)["mappings"].get("_meta", {}).get("mapping_version", 1))


def mapping_versions(kind: str) -> dict[str, Any]:
    """The live index's mapping version against the code's: an index built before the
    version was recorded counts as 1. `current` is false when `search_reindex` is due (the
    new mappings go live through its alias swap)."""
    code = code_mapping_version(kind)
    try:
        live = get_client().indices.get_mapping(index=alias(kind)).body
    except NotFoundError:
        return {"live": None, "code": code, "current": True}
    versions = [
        int(m["mappings"].get("_meta", {}).get("mapping_version", 1)) for m in live.values()
    ]
    oldest = min(versions, default=code)
    return {"live": oldest, "code": code, "current": oldest >= code}
