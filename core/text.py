"""What text the store accepts from people, as regular expressions that mean the same in
Python and in the OpenAPI schema (ECMA-262): the schema documents exactly what is enforced.

The expressions are written so that they never backtrack: each runs in linear time on any
input, however long.
"""

# C0 and C1 controls and DEL, except tab, line feed and carriage return (text in a description).
_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BREAKS_AND_TABS = r"\t\n\r\u2028\u2029"
# Bidi embeddings, overrides and isolates reorder what a reader sees ("Trojan Source"); the
# plain direction marks (LRM, RLM, ALM) stay allowed.
_BIDI_CONTROLS = r"\u202a-\u202e\u2066-\u2069"
_SPACES = r" \xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
# Characters that render as nothing although Unicode calls some of them letters
# (Default_Ignorable_Code_Point in the Basic Multilingual Plane, and the blank Braille cell).
# Bidi controls (2066-2069 among them) are left out: they are refused everywhere in a name.
_INVISIBLE = (
    r"\xad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2060-\u2065"
    r"\u206a-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
)
_NOT_IN_A_NAME = _CONTROLS + _BREAKS_AND_TABS + _BIDI_CONTROLS

# Free text (a description, a bio): anything but control characters. Not empty: a field that
# may be blank says so on its own (the schema adds the empty alternative).
TEXT_PATTERN = rf"^[^{_CONTROLS}]+$"
TEXT_MESSAGE = "Control characters are not allowed (tab and line breaks are)."

# A name (of a product, a tag, a person): one line, no control or direction-override
# characters, and at least one character one can see (the first one after any blanks).
NAME_PATTERN = (
    rf"^[{_SPACES}{_INVISIBLE}]*[^{_NOT_IN_A_NAME}{_SPACES}{_INVISIBLE}][^{_NOT_IN_A_NAME}]*$"
)
NAME_MESSAGE = (
    "A name is one line with at least one visible character, without control or "
    "direction-override characters."
)

# An amount of money in the store's currency: digits, optionally two decimals; never a sign,
# an exponent or a JSON number (binary floating point cannot hold 19.90).
MONEY_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
MONEY_MESSAGE = 'An amount like "19.90": up to 10 digits, optionally 1 or 2 decimals.'

# An e-mail address as a browser's <input type=email> takes it (WHATWG HTML), with a top-level
# domain of two or more characters that starts with a letter. Django's EmailValidator was not
# used: its rule (quoted local parts, IP literals, IDN conversion) cannot be stated as a
# pattern in the schema.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TOP_LEVEL = r"[A-Za-z][A-Za-z0-9-]{0,61}[A-Za-z0-9]"
EMAIL_PATTERN = rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]{{1,64}}@(?:{_LABEL}\.)+{_TOP_LEVEL}$"
EMAIL_MESSAGE = "Enter a valid e-mail address, e.g. ada@example.com."
