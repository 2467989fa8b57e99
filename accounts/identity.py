"""The one canonical form of a username: what "the same name" means for sign-up, renames,
sign-in, the sign-in limiters and the admin.

Rule: NFKC (compatibility forms: fullwidth v U+FF56, ligature fi U+FB01, Kelvin sign
U+212A become the plain letters), then upper-case, then case-fold, then NFKC again, then
drop the dot above that Turkish capital I with dot (U+0130) leaves on `i`. Case-folding
alone keeps dotless i (U+0131) and other letters whose other case is a plain Latin letter
apart from it (U+0131 upper-cases to `I`); upper-casing first folds every such letter onto
the base letter, so `victimi` with a dotless i, `VICTIMI` with dotted capitals and
`victimi` are one name. Why not a single-script rule: names in any one script stay
allowed (Django's own rule); what made two accounts answer to one sign-in was case mapping,
and this closes it without refusing anyone's alphabet.
"""

import unicodedata

# Turkish İ (U+0130) case-folds to `i` + COMBINING DOT ABOVE; on i and j the dot is the
# letter's own, so the pair is a lookalike of the plain letter.
_DOTTED = {"i\u0307": "i", "j\u0307": "j"}


def canonical_username(username: str) -> str:
    """The form two usernames share when they would read as one name (see the module doc)."""
    text = unicodedata.normalize("NFKC", username)
    text = unicodedata.normalize("NFKC", text.upper().casefold())
    for dotted, plain in _DOTTED.items():
        text = text.replace(dotted, plain)
    return text
