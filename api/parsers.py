"""The JSON parser every DRF view uses (`DEFAULT_PARSER_CLASSES`): DRF's own, which also
refuses a body nested deeper than `MAX_JSON_DEPTH` with a 400 instead of letting Python's
recursion limit turn it into a 500. It runs once, when a view (or authentication, through
`request.POST`) first reads `request.data`; a body nobody reads is never parsed."""

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Deeper than any body this API documents (three levels at most); far below Python's
# recursion limit, so nothing downstream (serializers, renderers) can blow the stack.
MAX_JSON_DEPTH = 32
TOO_DEEP = f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Iteratively, so the check itself cannot recurse."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if nested_deeper_than(data, MAX_JSON_DEPTH):
            raise ParseError(TOO_DEEP)
        return data
