"""Synonyms, expanded by the API at query time (see docs/architecture.md for why): rules live
in PostgreSQL (search.models.SynonymRule), each web process reads them at most every
SEARCH_SYNONYMS_REFRESH_SECONDS, and a query word (or words) a rule covers may also match the
rule's other words. The same on the local node, the official image and any cluster: nothing
of it lives in Elasticsearch."""

import re
import threading
import time
import unicodedata

from django.conf import settings
from django.db import IntegrityError, transaction

from core.errors import Invalid, NotFound
from search.models import SynonymRule
from search.queries import QueryWord, Synonym

Phrase = tuple[str, ...]
# What the `folded` analyzer keeps of a rule's words, near enough: letters, digits, apostrophes.
_WORD = re.compile(r"[\w']+")
_lock = threading.Lock()
_cache: dict[str, tuple[float, dict[Phrase, tuple[str, ...]]]] = {}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _phrases(side: str) -> list[Phrase]:
    phrases = [tuple(_WORD.findall(_fold(part))) for part in side.split(",")]
    if any(not phrase for phrase in phrases):
        raise Invalid("Each side of a rule is words separated by commas.", {"rule": side})
    return list(dict.fromkeys(phrases))  # repeated phrases count once


def parse(text: str) -> tuple[list[Phrase], list[Phrase] | None]:
    """A rule's phrases: `(equivalents, None)` for "a, b, c", `(inputs, outputs)` for
    "a, b => c". Invalid when malformed or when it says nothing (fewer than two phrases)."""
    sides = text.split("=>")
    if len(sides) > 2:
        raise Invalid("A rule has at most one `=>`.", {"rule": text})
    if len(sides) == 2:
        inputs, outputs = _phrases(sides[0]), _phrases(sides[1])
        if set(inputs) == set(outputs):
            raise Invalid("A one-way rule maps words to other words.", {"rule": text})
        return inputs, outputs
    equivalents = _phrases(text)
    if len(equivalents) < 2:
        raise Invalid("A rule names at least two words or phrases.", {"rule": text})
    return equivalents, None


def normalise(text: str) -> str:
    """The stored form of a rule: folded, lowercased, single spaces ("TV,Télévision" is
    "tv, television")."""
    inputs, outputs = parse(text)
    left = ", ".join(" ".join(p) for p in inputs)
    return left if outputs is None else f"{left} => {', '.join(' '.join(p) for p in outputs)}"


def add_rule(text: str) -> SynonymRule:
    """Store a rule (Invalid if malformed, Conflict-free: adding it twice keeps one)."""
    rule = normalise(text)
    try:
        with transaction.atomic():
            stored, _ = SynonymRule.objects.get_or_create(rule=rule)
    except IntegrityError:  # a concurrent add of the same rule won
        stored = SynonymRule.objects.get(rule=rule)
    forget()
    return stored


def remove_rule(text: str) -> None:
    """Delete a rule, written as it was added or in its stored form (NotFound otherwise)."""
    deleted, _ = SynonymRule.objects.filter(rule=normalise(text)).delete()
    if not deleted:
        raise NotFound("No such synonym rule.", {"rule": text})
    forget()


def list_rules() -> list[str]:
    return list(SynonymRule.objects.values_list("rule", flat=True))


def _table(rules: list[str]) -> dict[Phrase, tuple[str, ...]]:
    """Each phrase a query may contain -> the other phrases it may be read as."""
    table: dict[Phrase, dict[str, None]] = {}
    for rule in rules:
        inputs, outputs = parse(rule)
        targets = inputs if outputs is None else outputs
        for phrase in inputs:
            others = table.setdefault(phrase, {})
            for target in targets:
                if target != phrase:
                    others[" ".join(target)] = None
    return {phrase: tuple(others) for phrase, others in table.items() if others}


def current() -> dict[Phrase, tuple[str, ...]]:
    """The rules as this process knows them: read again once they are
    SEARCH_SYNONYMS_REFRESH_SECONDS old (one small query; a new rule reaches every process
    within that time)."""
    now = time.monotonic()
    cached = _cache.get("rules")
    if cached and now - cached[0] < settings.SEARCH_SYNONYMS_REFRESH_SECONDS:
        return cached[1]
    with _lock:
        table = _table(list_rules())
        _cache["rules"] = (now, table)
    return table


def forget() -> None:
    """Drop this process's copy (after a change made here, and between tests)."""
    _cache.pop("rules", None)


def expand(words: list[QueryWord]) -> list[Synonym]:
    """The synonym rules the query's words meet, longest phrase first, never overlapping."""
    table = current()
    if not table:
        return []
    longest = max(len(phrase) for phrase in table)
    texts = [_fold(w.text) for w in words]
    found: list[Synonym] = []
    position = 0
    while position < len(texts):
        for size in range(min(longest, len(texts) - position), 0, -1):
            alternatives = table.get(tuple(texts[position : position + size]))
            if alternatives:
                found.append(Synonym(position, position + size, alternatives))
                position += size
                break
        else:
            position += 1
    return found
