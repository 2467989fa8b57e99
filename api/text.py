"""What text the store accepts from people. Pure functions; the serializer fields in
`api.serializers` apply them at the edge."""

import re
import unicodedata

# C0 and C1 controls, DEL. Tab, line feed and carriage return are text in a description.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAKS_AND_TABS = re.compile(r"[\t\n\r\x85\u2028\u2029]")
# Bidi embeddings, overrides and isolates reorder what a reader sees (the "Trojan Source"
# trick); the plain direction marks (LRM, RLM, ALM) stay allowed.
BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Characters that render as nothing although Unicode calls some of them letters
# (Default_Ignorable_Code_Point, plus the blank Braille pattern).
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


def text_problem(value: str) -> str | None:
    """Why free text (a description, a bio) is refused, or None."""
    if CONTROL.search(value):
        return "Control characters are not allowed."
    return None


def name_problem(value: str) -> str | None:
    """Why a name (of a product, a tag, a person) is refused, or None: one line, no control
    or direction-override characters, and at least one character one can see."""
    if CONTROL.search(value) or LINE_BREAKS_AND_TABS.search(value):
        return "A name is one line without control characters."
    if BIDI_CONTROLS.search(value):
        return "Direction override characters are not allowed in a name."
    visible = INVISIBLE.sub("", value)
    if not any(unicodedata.category(char)[0] in "LNPS" for char in visible):
        return "A name needs at least one visible character."
    return None
