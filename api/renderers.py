"""JSON rendering with orjson for the hot read endpoints (search, autocomplete)."""

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_drf_default = JSONEncoder().default
# Dates and dataclasses as DRF's encoder writes them (e.g. "...Z", milliseconds); keys that
# are not strings (list indexes in validation errors) as json does: "0".
_AS_DRF_DOES = (
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
)


class FastJSONRenderer(JSONRenderer):
    """DRF's JSONRenderer output (compact UTF-8 JSON), encoded by orjson: the answers are
    Elasticsearch documents, and encoding them was a tenth of a search's CPU. Anything orjson
    does not know (Decimal, lazy strings) goes through DRF's own encoder."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)  # pretty: rare
        return orjson.dumps(data, default=_drf_default, option=_AS_DRF_DOES)
