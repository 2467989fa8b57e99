"""Elasticsearch request bodies for the shoppers' reads. Pure functions of validated params,
so the API and the benchmark send exactly the same query."""

import base64
import json
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

# Name boosted above tags; the description (weight 1) is searched by its own clause.
LABEL_BOOSTS = {"name": 3, "tags.name": 2}
TEXT_FIELDS = ("name", "tags.name", "description")
# The `.stemmed` subfields (es/mappings/): plurals, inflections, possessives, irregular plurals.
# Weighted below the folded fields, which a word as typed matches too: exact words rank first.
STEMMED_BOOSTS = {"name.stemmed": 2, "tags.name.stemmed": 1.5, "description.stemmed": 0.5}
# Lucene's English stop words (the `_english_` list of the `.stemmed` analyzer): such a word of
# the query is optional, so "jacket for men" never fails because no product says "for".
STOP_WORDS = frozenset(
    """a an and are as at be but by for if in into is it no not of on or such that the their
    then there these they this to was will with""".split()  # noqa: SIM905 (a word list)
)
# Typos: none below 4 letters, 1 edit from 4, 2 from 8; the first letter is never a typo.
FUZZINESS = "AUTO:4,8"
ONE_EDIT_FROM, TWO_EDITS_FROM = 4, 8
PREFIX_LENGTH = 1
MAX_EXPANSIONS = 50  # Elasticsearch's default for a fuzzy match
_WILDCARD_SPECIALS = re.compile(r"[\\*?]")
PRICE_RANGES = [
    {"key": "0-10", "to": 10},
    {"key": "10-25", "from": 10, "to": 25},
    {"key": "25-50", "from": 25, "to": 50},
    {"key": "50-100", "from": 50, "to": 100},
    {"key": "100-250", "from": 100, "to": 250},
    {"key": "250+", "from": 250},
]
# What the API reads of each response (`filter_path`): less JSON to decode per search.
SEARCH_ANSWER = ["hits.hits._source", "hits.hits.highlight", "hits.hits.sort", "aggregations"]
SPELLING_ANSWER = ["suggest.*.text", "suggest.*.options.text"]
SOURCE_ANSWER = ["hits.hits._source"]
NEWEST_FIRST = [{"created": "desc"}, {"id": "desc"}]
RELEVANCE = [{"_score": "desc"}, *NEWEST_FIRST]


MAX_SCORE = 3.4e38  # scores are 32-bit floats


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Synonym:
    """A synonym rule met in the query: the words `start`..`end` (excluded) may also be read
    as any of `alternatives` (each one or more words)."""

    start: int
    end: int
    alternatives: tuple[str, ...]


@dataclass(frozen=True)
class QueryWord:
    """A word of the search as the index analyzer cut it (lowercased), and the index terms a
    typo of it may stand for (within the fuzzy distance), highlighted like the word itself."""

    text: str
    spellings: tuple[str, ...] = ()


def encode_cursor(sort_values: list[Any], *, relevance: bool) -> str:
    raw = json.dumps({"r": relevance, "v": sort_values}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_uuid(value: Any) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def decode_cursor(cursor: str, *, relevance: bool) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        values = data["v"]
        expected = len(RELEVANCE if relevance else NEWEST_FIRST)
        if data["r"] is not relevance or not isinstance(values, list) or len(values) != expected:
            raise BadCursor("This cursor belongs to another query.")
        # The values must be what Elasticsearch itself could have answered: a finite score
        # (a float; NaN and infinities fail the bound), a date in epoch millis (a long) and
        # an id (a UUID string). JSON's true and false are ints to Python, and Elasticsearch
        # refuses them: checked apart.
        if relevance and not (_is_number(values[0]) and abs(values[0]) <= MAX_SCORE):
            raise BadCursor("Malformed cursor.")
        created, last_id = values[-2], values[-1]
        if not (type(created) is int and abs(created) < 2**63 and _is_uuid(last_id)):
            raise BadCursor("Malformed cursor.")
        if relevance:
            values[0] = float(values[0])
        return list(values)
    except BadCursor:
        raise
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        raise BadCursor("Malformed cursor.") from exc


def _filters(params: dict[str, Any]) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = []
    for slug in params.get("tags") or []:
        filters.append({"term": {"tags.slug": slug}})
    if params.get("owner"):
        filters.append({"term": {"owner.id": str(params["owner"])}})
    if params.get("in_stock") is not None:
        filters.append({"term": {"in_stock": params["in_stock"]}})
    price: dict[str, float] = {}
    if params.get("min_price") is not None:
        price["gte"] = float(Decimal(params["min_price"]))
    if params.get("max_price") is not None:
        price["lte"] = float(Decimal(params["max_price"]))
    if price:
        filters.append({"range": {"price": price}})
    return filters


def spelling_request(q: str) -> dict[str, Any]:
    """The first request of a search: the words of `q` as the index analyzer cuts them, and
    for each word the index terms its fuzzy clauses can match (its typo'd forms), so that the
    highlighter gets plain terms instead of rebuilding fuzzy automata for every hit."""
    longest = max((len(chunk) for chunk in q.split()), default=0)
    suggest: dict[str, Any] = {"text": q}
    for field in TEXT_FIELDS:
        for edits in (1, 2) if longest >= TWO_EDITS_FROM else (1,):
            suggest[_suggester(field, edits)] = {
                "term": {
                    "field": field,
                    "max_edits": edits,
                    "prefix_length": PREFIX_LENGTH,
                    "min_word_length": ONE_EDIT_FROM,
                    "suggest_mode": "always",
                    # every term within the distance, frequent words included: what the
                    # fuzzy query expands to (up to its max_expansions)
                    "accuracy": 0.0,
                    "max_term_freq": 2**31 - 1,
                    "size": MAX_EXPANSIONS,
                }
            }
    return {"size": 0, "track_total_hits": False, "query": {"match_none": {}}, "suggest": suggest}


def _suggester(field: str, edits: int) -> str:
    return f"{field}~{edits}"


def _edits(word: str) -> int:
    """The edits `fuzziness: AUTO:4,8` allows for a word of this length."""
    return 0 if len(word) < ONE_EDIT_FROM else 1 if len(word) < TWO_EDITS_FROM else 2


def query_words(spelling: dict[str, Any]) -> list[QueryWord]:
    """The words of the query, with their typo'd forms, from the answer to spelling_request."""
    suggest = spelling.get("suggest") or {}
    first = suggest.get(_suggester(TEXT_FIELDS[0], 1), [])
    words: dict[str, QueryWord] = {}
    for position, entry in enumerate(first):
        word = entry["text"]
        spellings: set[str] = set()
        edits = _edits(word)
        for field in TEXT_FIELDS if edits else ():
            for option in suggest[_suggester(field, edits)][position].get("options", []):
                spellings.add(option["text"])
        spellings.discard(word)
        words.pop(word, None)  # a repeated word counts once, where it was typed last
        words[word] = QueryWord(word, tuple(sorted(spellings)))
    return list(words.values())


def _word_query(word: str, *, last: bool) -> dict[str, Any]:
    """One word must match: in name or tags (dis_max: the better of the two counts) as typed
    or with a typo, or in the description as typed. The last word may also be the start of
    a word (the shopper is still typing it)."""
    fuzzy = {"query": word, "fuzziness": FUZZINESS, "prefix_length": PREFIX_LENGTH}
    ways: list[dict[str, Any]] = [
        {
            "dis_max": {
                "queries": [
                    {"match": {field: {**fuzzy, "boost": boost}}}
                    for field, boost in LABEL_BOOSTS.items()
                ]
            }
        },
        {"match": {"description": {"query": word}}},
        {
            "dis_max": {
                "queries": [
                    {"match": {field: {"query": word, "boost": boost}}}
                    for field, boost in STEMMED_BOOSTS.items()
                ]
            }
        },
    ]
    if last:
        # index_prefixes make this a term query on the field's prefix index (fast, scored)
        ways.append(
            {
                "dis_max": {
                    "queries": [
                        {"match_phrase_prefix": {field: {"query": word, "boost": boost}}}
                        for field, boost in LABEL_BOOSTS.items()
                    ]
                }
            }
        )
    return {"bool": {"should": ways}}


def _synonym_query(alternative: str) -> dict[str, Any]:
    """Another way to say some words of the query: all its words, in order, in one field."""
    # weighed like the words themselves: as written (folded) and by their stems
    weights = {**LABEL_BOOSTS, "description": 1, **STEMMED_BOOSTS}
    return {
        "multi_match": {
            "query": alternative,
            "type": "phrase",
            "fields": [f"{field}^{boost}" for field, boost in weights.items()],
        }
    }


def _highlight(words: list[QueryWord], synonyms: list[Synonym]) -> dict[str, Any]:
    """Elasticsearch's highlighter, asked for plain terms (each word and its typo'd forms)
    and a prefix of the last word: the fuzzy clauses would cost it an automaton per hit.
    Synonyms found are marked too. Words matched only through their stems are not:
    `matched_fields` with the `.stemmed` subfields would mark them, but tripled
    Elasticsearch's time per search (docs/architecture.md)."""
    terms = sorted({term for word in words for term in (word.text, *word.spellings)})
    marks: list[dict[str, Any]] = [{"terms": {field: terms}} for field in TEXT_FIELDS]
    for synonym in synonyms:
        marks += [
            {"match_phrase": {field: alternative}}
            for alternative in synonym.alternatives
            for field in TEXT_FIELDS
        ]
    # a wildcard, not a prefix query: with index_prefixes that would target another field
    prefix = _WILDCARD_SPECIALS.sub(lambda special: "\\" + special[0], words[-1].text) + "*"
    marks += [{"wildcard": {field: {"value": prefix}}} for field in LABEL_BOOSTS]
    return {
        "pre_tags": ["<em>"],
        "post_tags": ["</em>"],
        "highlight_query": {"bool": {"should": marks}},
        "fields": {
            "name": {"number_of_fragments": 0},
            "description": {"fragment_size": 150, "number_of_fragments": 2},
            "tags.name": {"number_of_fragments": 0},
        },
    }


def _required(words: list[QueryWord], synonyms: list[Synonym]) -> list[dict[str, Any]]:
    """One clause per word that must match (stop words aside, unless the query has nothing
    else); words a synonym rule covers may match as typed or as any of its alternatives."""
    last = len(words) - 1
    clauses = [_word_query(w.text, last=i == last) for i, w in enumerate(words)]
    content = [i for i, w in enumerate(words) if w.text not in STOP_WORDS]
    content = content or list(range(len(words)))
    must: list[dict[str, Any]] = []
    position = 0
    by_start = {synonym.start: synonym for synonym in synonyms}
    while position < len(words):
        synonym = by_start.get(position)
        if synonym is not None:
            as_typed = [clauses[i] for i in range(synonym.start, synonym.end) if i in content]
            ways = [{"bool": {"must": as_typed}}] if as_typed else []
            ways += [_synonym_query(alternative) for alternative in synonym.alternatives]
            must.append({"bool": {"should": ways}})
            position = synonym.end
            continue
        if position in content:
            must.append(clauses[position])
        position += 1
    return must


def product_search(
    params: dict[str, Any],
    words: list[QueryWord] | None = None,
    synonyms: list[Synonym] | None = None,
) -> dict[str, Any]:
    """The body for GET /api/products/: the listing, or with `q` a full-text search whose
    `words` come from query_words(the answer to spelling_request(q)) and `synonyms` from
    search.synonyms.expand(words)."""
    q = (params.get("q") or "").strip()
    body: dict[str, Any] = {
        "size": params.get("page_size") or settings.SEARCH_PAGE_SIZE,
        "track_total_hits": False,
    }
    bool_query: dict[str, Any] = {"filter": _filters(params)}
    if q:
        body["sort"] = RELEVANCE
        if words:
            # Every word must match (see _required); an exact phrase in the name ranks first.
            bool_query["must"] = _required(words, synonyms or [])
            bool_query["should"] = [{"match_phrase": {"name": {"query": q, "boost": 2}}}]
            body["highlight"] = _highlight(words, synonyms or [])
        else:  # nothing searchable in q (punctuation only)
            bool_query["must"] = [{"match_none": {}}]
    else:
        body["sort"] = NEWEST_FIRST
    body["query"] = {"bool": bool_query}
    if params.get("search_after"):
        body["search_after"] = params["search_after"]
    if params.get("facets"):
        body["aggs"] = {
            "tags": {
                "terms": {"field": "tags.slug", "size": 20},
            },
            "price": {"range": {"field": "price", "ranges": PRICE_RANGES}},
            "in_stock": {"terms": {"field": "in_stock", "size": 2}},
        }
    return body


def product_autocomplete(q: str, size: int) -> dict[str, Any]:
    """Product name suggestions: words so far (typos tolerated), last word as a prefix."""
    return {
        "size": size,
        "_source": ["id", "name"],
        "query": {
            "match_bool_prefix": {
                "name": {"query": q, "operator": "and", "fuzziness": "AUTO", "prefix_length": 1}
            }
        },
        "collapse": {"field": "name.raw"},
        "sort": [{"_score": "desc"}, {"created": "desc"}],
    }


def tag_autocomplete(q: str, size: int) -> dict[str, Any]:
    """Tags whose words start with what was typed, most-used first."""
    return {
        "size": size,
        "_source": ["name", "slug", "product_count"],
        "query": {"match_bool_prefix": {"name": {"query": q, "operator": "and"}}},
        "sort": [{"product_count": "desc"}, {"name.raw": "asc"}],
    }
