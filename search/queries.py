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
SEARCH_ANSWER = [
    "hits.hits._source",
    "hits.hits.highlight",
    "hits.hits.sort",
    "hits.hits.matched_queries",
    "aggregations",
]
SPELLING_ANSWER = ["suggest.*.text", "suggest.*.options.text"]
SOURCE_ANSWER = ["hits.hits._source"]
NEWEST_FIRST = [{"created": "desc"}, {"id": "desc"}]
RELEVANCE = [{"_score": "desc"}, *NEWEST_FIRST]
# The shopper's orders (`sort`); every one ends newest first, then by id, so pages are stable.
SORTS: dict[str, list[dict[str, str]]] = {
    "relevance": RELEVANCE,
    "newest": NEWEST_FIRST,
    "price": [{"price": "asc"}, *NEWEST_FIRST],
    "-price": [{"price": "desc"}, *NEWEST_FIRST],
}
# Relaxation counts at most this many ways to leave words out per request, and sends at most
# this many requests (1, 2, 3, then 4 words left out) before answering nothing.
MAX_RELAXATIONS = 32
MAX_RELAXATION_ROUNDS = 4


MAX_SCORE = 3.4e38  # scores are 32-bit floats
MAX_PRICE = 1e15


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


def encode_cursor(sort_values: list[Any], *, sort: str, dropped: list[str] | None = None) -> str:
    """The `next` link's cursor: the sort it belongs to, the last hit's sort values and the
    words a relaxed search left out (so later pages leave out the same words)."""
    data: dict[str, Any] = {"s": sort, "v": sort_values}
    if dropped:
        data["d"] = dropped
    raw = json.dumps(data, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@dataclass(frozen=True)
class Cursor:
    search_after: list[Any]
    dropped: tuple[str, ...] = ()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_uuid(value: Any) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def decode_cursor(cursor: str, *, sort: str) -> Cursor:
    """The cursor of a `next` link, checked: it must belong to this sort, and hold values
    Elasticsearch itself could have answered (else a 400, never a 500)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        values = data["v"]
        if data["s"] != sort or not isinstance(values, list) or len(values) != len(SORTS[sort]):
            raise BadCursor("This cursor belongs to another query or sort.")
        # The values must be what Elasticsearch itself could have answered: a finite score
        # or price (a float; NaN and infinities fail the bound), a date in epoch millis (a
        # long) and an id (a UUID string). JSON's true and false are ints to Python, and
        # Elasticsearch refuses them: checked apart.
        if sort != "newest":
            bound = MAX_SCORE if sort == "relevance" else MAX_PRICE
            if not (_is_number(values[0]) and abs(values[0]) <= bound):
                raise BadCursor("Malformed cursor.")
            values[0] = float(values[0])
        created, last_id = values[-2], values[-1]
        if not (type(created) is int and abs(created) < 2**63 and _is_uuid(last_id)):
            raise BadCursor("Malformed cursor.")
        dropped = data.get("d", [])
        if not isinstance(dropped, list) or not all(isinstance(w, str) for w in dropped):
            raise BadCursor("Malformed cursor.")
        return Cursor(list(values), tuple(dropped))
    except BadCursor:
        raise
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        raise BadCursor("Malformed cursor.") from exc


def _price_filter(params: dict[str, Any]) -> list[dict[str, Any]]:
    price: dict[str, float] = {}
    if params.get("min_price") is not None:
        price["gte"] = float(Decimal(params["min_price"]))
    if params.get("max_price") is not None:
        price["lte"] = float(Decimal(params["max_price"]))
    return [{"range": {"price": price}}] if price else []


def _stock_filter(params: dict[str, Any]) -> list[dict[str, Any]]:
    if params.get("in_stock") is None:
        return []
    return [{"term": {"in_stock": params["in_stock"]}}]


def _base_filters(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The filters every facet counts under: tags (AND: a product carries them all) and the
    seller."""
    filters: list[dict[str, Any]] = [{"term": {"tags.slug": s}} for s in params.get("tags") or []]
    if params.get("owner"):
        filters.append({"term": {"owner.id": str(params["owner"])}})
    return filters


def _filters(params: dict[str, Any]) -> list[dict[str, Any]]:
    return [*_base_filters(params), *_stock_filter(params), *_price_filter(params)]


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


def exact_name(word: str) -> str:
    """The name of the clauses through which `word` matches without a typo (the hits'
    `matched_queries` tell whether a word was found only through a correction)."""
    return f"as-typed:{word}"


def _word_query(word: str, *, last: bool, typos: bool = True) -> dict[str, Any]:
    """One word must match: in name or tags (dis_max: the better of the two counts) as typed
    or with a typo, or in the description as typed. The last word may also be the start of
    a word (the shopper is still typing it)."""
    named = exact_name(word)
    fuzzy = {"query": word, "fuzziness": FUZZINESS if typos else 0, "prefix_length": PREFIX_LENGTH}
    ways: list[dict[str, Any]] = [
        {
            "dis_max": {
                "queries": [
                    {"match": {field: {**fuzzy, "boost": boost}}}
                    for field, boost in LABEL_BOOSTS.items()
                ]
            }
        },
        {"match": {"description": {"query": word, "_name": named}}},
        {
            "dis_max": {
                "queries": [
                    {"match": {field: {"query": word, "boost": boost}}}
                    for field, boost in STEMMED_BOOSTS.items()
                ],
                "_name": named,
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
                    ],
                    "_name": named,
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


def _required(
    words: list[QueryWord], synonyms: list[Synonym], *, typos: bool = True
) -> list[dict[str, Any]]:
    """One clause per word that must match (stop words aside, unless the query has nothing
    else); words a synonym rule covers may match as typed or as any of its alternatives."""
    last = len(words) - 1
    clauses = [_word_query(w.text, last=i == last, typos=typos) for i, w in enumerate(words)]
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


def typos(params: dict[str, Any]) -> bool:
    """Whether words may match with a typo (`typos=false`: only as typed, stemmed or as a
    prefix; the storefront's "Search instead for")."""
    return params.get("typos") is not False


def product_search(
    params: dict[str, Any],
    words: list[QueryWord] | None = None,
    synonyms: list[Synonym] | None = None,
) -> dict[str, Any]:
    """The body for GET /api/products/: the listing, or with `q` a full-text search whose
    `words` come from query_words(the answer to spelling_request(q)) and `synonyms` from
    search.synonyms.expand(words). `params["sort"]` is one of SORTS (validated).

    Facets are disjunctive: price and stock counts ignore their own filter (so every price
    range keeps its count while one is chosen); those two filters then go to `post_filter`,
    which narrows the hits after the aggregations ran. Without facets every filter stays in
    the query (cheaper)."""
    q = (params.get("q") or "").strip()
    body: dict[str, Any] = {
        "size": params.get("page_size") or settings.SEARCH_PAGE_SIZE,
        "track_total_hits": False,
        "sort": SORTS[params.get("sort") or ("relevance" if q else "newest")],
    }
    facets = bool(params.get("facets"))
    bool_query: dict[str, Any] = {"filter": _base_filters(params) if facets else _filters(params)}
    if q:
        if words:
            # Every word must match (see _required); an exact phrase in the name ranks first.
            bool_query["must"] = _required(words, synonyms or [], typos=typos(params))
            bool_query["should"] = [{"match_phrase": {"name": {"query": q, "boost": 2}}}]
            body["highlight"] = _highlight(words, synonyms or [])
        else:  # nothing searchable in q (punctuation only)
            bool_query["must"] = [{"match_none": {}}]
    body["query"] = {"bool": bool_query}
    if params.get("search_after"):
        body["search_after"] = params["search_after"]
    if facets:
        stock, price = _stock_filter(params), _price_filter(params)
        if stock or price:
            body["post_filter"] = {"bool": {"filter": [*stock, *price]}}

        def under(filters: list[dict[str, Any]], agg: dict[str, Any]) -> dict[str, Any]:
            return {"filter": {"bool": {"filter": filters}}, "aggs": {"counts": agg}}

        body["aggs"] = {
            # tags are AND within the facet: a tag's count is what choosing it would answer
            "tags": under([*stock, *price], {"terms": {"field": "tags.slug", "size": 20}}),
            "price": under(stock, {"range": {"field": "price", "ranges": PRICE_RANGES}}),
            "in_stock": under(price, {"terms": {"field": "in_stock", "size": 2}}),
        }
    return body


def content_words(words: list[QueryWord]) -> list[QueryWord]:
    """The words a hit must hold (stop words are optional unless the query is only those)."""
    content = [w for w in words if w.text not in STOP_WORDS]
    return content or words


def relaxation_request(
    params: dict[str, Any],
    words: list[QueryWord],
    expand: Any,
    dropped_sets: list[tuple[str, ...]],
) -> dict[str, Any]:
    """Counts (capped: only whether any product matches) for the query without each set of
    `dropped_sets`, under the same filters, plus how many products each word matches alone
    (its selectivity). `expand` is search.synonyms.expand."""
    last = words[-1].text

    def without(dropped: tuple[str, ...]) -> dict[str, Any]:
        kept = [w for w in words if w.text not in dropped]
        return {"bool": {"must": _required(kept, expand(kept), typos=typos(params))}}

    buckets = {f"drop:{i}": without(d) for i, d in enumerate(dropped_sets)}
    buckets |= {
        f"word:{w.text}": _word_query(w.text, last=w.text == last, typos=typos(params))
        for w in content_words(words)
    }
    # only products holding some word are counted (the others cannot match any way)
    some_word = {"bool": {"should": list(buckets.values())[len(dropped_sets) :]}}
    return {
        "size": 0,
        "track_total_hits": False,
        "query": {"bool": {"filter": [*_filters(params), some_word]}},
        "aggs": {"relax": {"filters": {"filters": buckets}}},
    }


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
