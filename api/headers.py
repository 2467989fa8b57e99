"""Request headers every app's views read the same way: `If-Match` (RFC 9110 §13.1.1)."""

import re

from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

# `*`, or a comma-separated list of entity tags, each maybe weak (W/).
_ETAG = r'(W/)?"([!#-~\x80-\xff]*)"'
IF_MATCH_PATTERN = rf"^[ \t]*(\*|{_ETAG}([ \t]*,[ \t]*{_ETAG})*)?[ \t]*$"


def if_match_parameter(description: str) -> OpenApiParameter:
    """The schema of an operation's optional `If-Match` header."""
    return OpenApiParameter(
        "If-Match",
        {"type": "string", "pattern": IF_MATCH_PATTERN},
        OpenApiParameter.HEADER,
        required=False,
        description=description,
    )


def if_match(request: Request, *, expected: str) -> list[str] | None:
    """The opaque tags an `If-Match` header accepts, or None when it sets no precondition
    (absent, empty, or `*`). Weak tags never match (RFC 9110's strong comparison). A
    malformed header is a 400 on the field `If-Match`, saying what was `expected`."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() in {"", "*"}:
        return None
    if not re.search(IF_MATCH_PATTERN, raw):
        raise ValidationError({"If-Match": [expected]})
    return [opaque for weak, opaque in re.findall(_ETAG, raw) if not weak]
