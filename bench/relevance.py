"""Relevance benchmark (issue 19): hand-judged queries over the demo catalog, scored for

(a) today's search, frozen: the query builder and mappings as they were before issue 19,
    copied below (nothing imported from the live search code);
(b) a plain BM25 `multi_match` (name^3, tags.name^2, description) on that same index;
(c) the new analysis: the live mappings (folded fields + `.stemmed` subfields, Porter) and
    the live query builder, with the benchmark's synonym rules;
(d) the same with `kstem` (light stemming) instead of Porter in the `.stemmed` analyzer: what
    chose the stemmer.

Each judged query has two hand-written rules over the product's (folded, lowercased) name and
tags: `relevant` (grade 2) and `partly` (grade 1); every other product is grade 0. The ideal
ranking for nDCG@10 comes from grading every product of the catalog. Reported: nDCG@10,
success@1 (the first hit is relevant), zero-result rate, per query class, and the queries
that got worse with (c) than with (a).

    .venv/bin/python -m bench.relevance [--products 5000]

Run with DATABASE_URL / ELASTICSEARCH_INDEX_PREFIX of its own (`make bench-relevance`); on an
empty database it seeds the demo catalog (seed 42). Writes docs/RELEVANCE.md.
"""

import argparse
import copy
import math
import re
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import ROOT, command_line, configure, write_section

configure(index_prefix="relevance")

REPORT = ROOT / "docs" / "RELEVANCE.md"
K = 10
SEED = 42
SYNONYM_RULES = [  # the demo's (catalog/seed_vocabulary.py DEMO_SYNONYMS), as of writing
    "tv, television",
    "couch, sofa",
    "pants, trousers",
    "jumper, sweater",
    "comforter cover, duvet cover",
    "earphones, earbuds",
    "trainers, sneakers",
    "bedside table, nightstand",
    "sweatshirt, hoodie",
    "carpet, rug",
    "pyjamas, pajamas",
    "laptop => notebook",
]


@dataclass(frozen=True)
class Judged:
    q: str
    kind: str
    relevant: str  # regex on the folded name: grade 2
    partly: str | None = None  # regex on the folded name and tags: grade 1


DESK = r"(walnut|oak|maple|cherry|teak|pine|birch|acacia|bamboo) (writing )?desk$"
J = Judged
JUDGED: list[Judged] = [
    # plurals
    J("kettles", "plural", r"\bkettles?\b"),
    J("desks", "plural", r"\bdesk( set)?$", r"\bdesk\b"),
    J("mugs", "plural", r"\bmugs?\b", r"\bcups?\b"),
    J("candle holders", "plural", r"candle holders?\b", r"candle"),
    J("lamps", "plural", r"\blamps?\b", r"light|lantern|sconce"),
    J("blankets", "plural", r"\bblankets?\b", r"\bthrow\b|quilt"),
    J("towels", "plural", r"\btowels?\b", r"towel"),
    J("bookshelves", "plural", r"bookshel(f|ves)", r"wall shel"),
    J("puzzles", "plural", r"\bpuzzles?\b", r"jigsaw"),
    J("skillets", "plural", r"\bskillets?\b", r"saucepan|crepe pan"),
    J("wall shelves", "plural", r"wall shel(f|ves)", r"bookshel"),
    J("picture frames", "plural", r"picture frames?", r"\bframe"),
    # stems and inflections
    J("run shoe", "stem", r"running shoes", r"sneakers|\bshoe"),
    J("running shoe", "stem", r"running shoes", r"sneakers|\bshoe"),
    J("fold floor lamp", "stem", r"folding .*floor lamp", r"floor lamp"),
    J("hammer copper", "stem", r"hammered copper", r"copper"),
    J("scratch post", "stem", r"scratching post", r"cat tree"),
    J("stack rings", "stem", r"stacking rings", r"\brings?\b"),
    J("quilt mittens", "stem", r"quilted .*mittens", r"mittens"),
    J("rocking chairs", "stem", r"rocking chair", r"\bchair\b"),
    J("measure cups", "stem", r"measuring cups?", r"\bcups?\b"),
    J("spinning tops", "stem", r"spinning tops?"),
    J("pruning shear", "stem", r"pruning shears"),
    J("padded raincoats", "stem", r"padded .*raincoat", r"raincoat"),
    # irregular plurals
    J("child bicycle", "irregular", r"children's .*bicycle$", r"bicycle|tricycle"),
    J("children bicycles", "irregular", r"children's .*bicycle$", r"bicycle|tricycle"),
    J("woman boot", "irregular", r"women's .*boots", r"\bboots\b"),
    J("women boots", "irregular", r"women's .*boots", r"\bboots\b"),
    J("man jacket", "irregular", r"\bmen's .*jacket", r"jacket"),
    J("wireless mice", "irregular", r"wireless mouse", r"\bmouse\b"),
    J("chef knives", "irregular", r"chef kni(fe|ves)", r"\bkni(fe|ves)\b"),
    J("wall shelf", "irregular", r"wall shel(f|ves)", r"bookshel"),
    J("children jackets", "irregular", r"children's .*jacket", r"jacket"),
    J("men slippers", "irregular", r"\bmen's .*slippers", r"slippers"),
    # possessives
    J("childrens bicycle", "possessive", r"children's .*bicycle$", r"bicycle|tricycle"),
    J("womens boots", "possessive", r"women's .*boots", r"\bboots\b"),
    J("mens jacket", "possessive", r"\bmen's .*jacket", r"jacket"),
    J("children's cardigan", "possessive", r"children's .*cardigan", r"cardigan"),
    J("women's parka", "possessive", r"women's .*parka", r"parka"),
    J("kids cardigan", "possessive", r"(kids'|children's) .*cardigan", r"cardigan"),
    J("mens running shoes", "possessive", r"\bmen's .*running shoes", r"running shoes"),
    # accents
    J("creme brulee torch", "accent", r"creme brulee torch", r"\btorch\b"),
    J("creme brulee", "accent", r"creme brulee"),
    J("crepe pan", "accent", r"crepe pan", r"\bpan\b|skillet"),
    J("souffle dish", "accent", r"souffle dish", r"\bdish\b"),
    J("cafe table", "accent", r"cafe table", r"\btable\b"),
    J("etagere", "accent", r"etagere", r"bookshelf|wall shelf"),
    J("papier mache bowl", "accent", r"papier-mache bowl", r"\bbowl\b"),
    J("matelasse coverlet", "accent", r"matelasse coverlet", r"bedspread|quilt"),
    J("pinata", "accent", r"pinata"),
    J("provencal desk lamp", "accent", r"provencal .*desk lamp", r"desk lamp"),
    J("negligee", "accent", r"negligee", r"pajamas|bathrobe"),
    J("café mug", "accent", r"cafe mug", r"\bmug\b"),
    # stop words
    J("jacket for men", "stop word", r"\bmen's .*jacket", r"jacket"),
    J("shoes for running", "stop word", r"running shoes", r"sneakers"),
    J("bed for a dog", "stop word", r"dog bed", r"\bdog\b"),
    J("torch for creme brulee", "stop word", r"creme brulee torch", r"\btorch\b"),
    J("a walnut desk", "stop word", r"walnut (writing )?desk$", r"walnut|\bdesk$"),
    J("the oak bookshelf", "stop word", r"oak bookshelf", r"bookshelf"),
    J("lamp for the desk", "stop word", r"desk lamp", r"\blamp\b"),
    J("boots for women", "stop word", r"women's .*boots", r"\bboots\b"),
    J("bicycle for children", "stop word", r"children's .*bicycle$", r"bicycle|tricycle"),
    J("stand for the tv", "stop word", r"television stand", r"\bstand\b|television"),
    # synonyms (SYNONYM_RULES, for the new search only)
    J("tv stand", "synonym", r"television stand", r"\bstand\b|television"),
    J("couch", "synonym", r"\bsofa\b", r"daybed|chaise longue|armchair"),
    J("pants", "synonym", r"trousers", r"overalls|jeans"),
    J("jumper", "synonym", r"sweater", r"cardigan|hoodie"),
    J("comforter cover", "synonym", r"duvet cover", r"bedspread|quilt"),
    J("earphones", "synonym", r"earbuds", r"headphones"),
    J("trainers", "synonym", r"sneakers", r"running shoes"),
    J("bedside table", "synonym", r"nightstand", r"side table|bedside"),
    J("sweatshirt", "synonym", r"hoodie", r"sweater"),
    J("carpet", "synonym", r"\brug\b", r"doormat|bath mat"),
    J("pyjamas", "synonym", r"pajamas", r"bathrobe"),
    # typos
    J(
        "wallnut desk",
        "typo",
        DESK.replace("(walnut|oak|maple|cherry|teak|pine|birch|acacia|bamboo)", "walnut"),
        r"walnut|\bdesk$",
    ),
    J("ketle", "typo", r"\bkettles?\b"),
    J("lether wallet", "typo", r"leather wallet", r"wallet"),
    J("bookshlef", "typo", r"bookshel(f|ves)"),
    J("blankt", "typo", r"\bblankets?\b"),
    J("cermic vase", "typo", r"ceramic .*vase", r"\bvase\b"),
    J("sweter", "typo", r"sweaters?\b"),
    J("skilet", "typo", r"skillets?\b"),
    # unfinished last word
    J("walnut de", "prefix", r"walnut (writing )?desk$", r"walnut.*\bdesk\b"),
    J("copper ket", "prefix", r"copper kettles?\b", r"kettle"),
    J("leather wal", "prefix", r"leather wallet", r"wallet"),
    J("ceramic mu", "prefix", r"ceramic .*mugs?\b", r"\bmug"),
    J("yoga m", "prefix", r"yoga mat", r"yoga"),
    J("cast iron fon", "prefix", r"cast iron fondue set", r"fondue"),
    J("crème br", "prefix", r"creme brulee torch"),
    # several words
    J("oak dining table", "multi-word", r"oak dining table", r"dining table"),
    J("walnut cutting board", "multi-word", r"walnut cutting boards?", r"cutting board"),
    J("cashmere scarf", "multi-word", r"cashmere scarf", r"\bscarf\b"),
    J("copper desk lamp", "multi-word", r"copper desk lamp", r"desk lamp"),
    J("silk tablecloth", "multi-word", r"silk tablecloths?", r"tablecloth"),
    J("canvas backpack", "multi-word", r"canvas backpack", r"backpack"),
    J("cotton bath towel", "multi-word", r"cotton bath towels?", r"bath towel"),
    J("aluminium water bottle", "multi-word", r"aluminium water bottle", r"water bottle"),
    J("velvet armchair", "multi-word", r"velvet armchair", r"armchair"),
]


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def grade(judged: Judged, doc: dict[str, Any]) -> int:
    name = fold(doc["name"])
    if re.search(judged.relevant, name):
        return 2
    tags = " ".join(fold(t["name"]) for t in doc.get("tags", []))
    if judged.partly and re.search(judged.partly, f"{name} | {tags}"):
        return 1
    return 0


def dcg(grades: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:K]))


# --- (a) today's search, frozen (search/queries.py and es/mappings/products.json before
# issue 19, only what ranks: no filters, highlights or pagination) -------------------------

FROZEN_FUZZINESS = "AUTO:4,8"
FROZEN_LABEL_BOOSTS = {"name": 3, "tags.name": 2}
FROZEN_TEXT_FIELDS = ("name", "tags.name", "description")
FROZEN_MAPPINGS: dict[str, Any] = {
    "settings": {
        "number_of_shards": 1,
        "number_of_replicas": 0,
        "analysis": {"normalizer": {"folded": {"type": "custom", "filter": ["lowercase"]}}},
    },
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "id": {"type": "keyword"},
            "name": {
                "type": "text",
                "analyzer": "standard",
                "index_prefixes": {"min_chars": 1, "max_chars": 10},
                "fields": {"raw": {"type": "keyword", "normalizer": "folded", "ignore_above": 256}},
            },
            "description": {"type": "text", "analyzer": "standard"},
            "price": {"type": "double"},
            "currency": {"type": "keyword"},
            "stock": {"type": "integer"},
            "in_stock": {"type": "boolean"},
            "state": {"type": "keyword"},
            "tags": {
                "properties": {
                    "name": {
                        "type": "text",
                        "analyzer": "standard",
                        "index_prefixes": {"min_chars": 1, "max_chars": 10},
                    },
                    "slug": {"type": "keyword"},
                }
            },
            "owner": {"properties": {"id": {"type": "keyword"}, "username": {"type": "keyword"}}},
            "created": {"type": "date"},
            "updated": {"type": "date"},
            "version": {"type": "long"},
        },
    },
}


def frozen_words(client: Any, index: str, q: str) -> list[str]:
    """The words of `q` as the frozen index's analyzer cuts them (the spelling request's
    `text`; the typo'd forms only fed highlights)."""
    answer = client.indices.analyze(index=index, field="name", text=q)
    words: dict[str, None] = {}
    for token in answer["tokens"]:
        words.pop(token["token"], None)
        words[token["token"]] = None
    return list(words)


def frozen_word_query(word: str, *, last: bool) -> dict[str, Any]:
    fuzzy = {"query": word, "fuzziness": FROZEN_FUZZINESS, "prefix_length": 1}
    ways: list[dict[str, Any]] = [
        {
            "dis_max": {
                "queries": [
                    {"match": {field: {**fuzzy, "boost": boost}}}
                    for field, boost in FROZEN_LABEL_BOOSTS.items()
                ]
            }
        },
        {"match": {"description": {"query": word}}},
    ]
    if last:
        ways.append(
            {
                "dis_max": {
                    "queries": [
                        {"match_phrase_prefix": {field: {"query": word, "boost": boost}}}
                        for field, boost in FROZEN_LABEL_BOOSTS.items()
                    ]
                }
            }
        )
    return {"bool": {"should": ways}}


def frozen_search(q: str, words: list[str]) -> dict[str, Any]:
    if not words:
        return {"size": K, "query": {"match_none": {}}}
    last = len(words) - 1
    return {
        "size": K,
        "_source": ["name", "tags"],
        "sort": [{"_score": "desc"}, {"created": "desc"}, {"id": "desc"}],
        "query": {
            "bool": {
                "must": [frozen_word_query(w, last=i == last) for i, w in enumerate(words)],
                "should": [{"match_phrase": {"name": {"query": q, "boost": 2}}}],
            }
        },
    }


def bm25_search(q: str) -> dict[str, Any]:
    return {
        "size": K,
        "_source": ["name", "tags"],
        "query": {"multi_match": {"query": q, "fields": ["name^3", "tags.name^2", "description"]}},
    }


# --- running ----------------------------------------------------------------------------


@dataclass
class Outcome:
    ndcg: float
    success: bool
    zero: bool
    top: str


def score(judged: Judged, hits: list[dict[str, Any]], ideal: float) -> Outcome:
    grades = [grade(judged, h["_source"]) for h in hits[:K]]
    return Outcome(
        ndcg=dcg(grades) / ideal if ideal else 0.0,
        success=bool(grades) and grades[0] == 2,
        zero=not hits,
        top=hits[0]["_source"]["name"] if hits else "-",
    )


def setup(n_products: int) -> tuple[list[dict[str, Any]], str, str, str]:
    """Seed (on an empty database), reindex with the live mappings, copy the documents into a
    frozen-mappings index and a kstem index; add the synonym rules."""
    from django.core.management import call_command
    from elasticsearch import helpers

    from catalog.models import Product
    from search import synonyms
    from search.client import get_client
    from search.indices import alias, index_body

    call_command("migrate", "--noinput", verbosity=0)
    if not Product.all_objects.exists():
        call_command("seed_catalog", products=n_products, seed=SEED, users=20)
    call_command("search_reindex", verbosity=0)
    for rule in SYNONYM_RULES:
        synonyms.add_rule(rule)
    client = get_client().options(request_timeout=600)  # bulk loads and force-merges
    live = alias("products")
    client.indices.refresh(index=live)
    docs = [
        {"_id": h["_id"], **h["_source"]}
        for h in helpers.scan(client, index=live, query={"query": {"match_all": {}}})
    ]

    def copy_into(name: str, body: dict[str, Any]) -> str:
        """The same documents under other mappings; records bulk rate and merged size."""
        client.indices.delete(index=name, ignore_unavailable=True)
        client.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])
        actions = (
            {"_index": name, "_id": d["_id"], "_source": {k: v for k, v in d.items() if k != "_id"}}
            for d in docs
        )
        started = time.perf_counter()
        helpers.bulk(client, actions, chunk_size=1000)
        client.indices.refresh(index=name)
        seconds = time.perf_counter() - started
        client.indices.forcemerge(index=name, max_num_segments=1)
        # Sizes read straight after the merge were sometimes of a half-swapped store (one
        # run read 0.3 MiB for 4,222 documents): flush and refresh before reading them.
        client.indices.flush(index=name)
        client.indices.refresh(index=name)
        stats = client.indices.stats(index=name, metric="store")
        size = stats["indices"][name]["primaries"]["store"]["size_in_bytes"]
        INDEXING[name.rsplit("-", 1)[-1]] = (len(docs) / seconds, size)
        return name

    frozen = copy_into(f"{live}-frozen", FROZEN_MAPPINGS)
    copy_into(f"{live}-porter", index_body("products"))
    kstem_body = copy.deepcopy(index_body("products"))
    kstem_body["settings"]["analysis"]["filter"]["english_stemmer"]["language"] = "light_english"
    kstem = copy_into(f"{live}-kstem", kstem_body)
    client.indices.delete(index=f"{live}-porter")
    return docs, live, frozen, kstem


def new_search(
    client: Any, index: str, q: str, *, highlight: bool = False
) -> tuple[list[dict[str, Any]], int]:
    """The hits of the live search and Elasticsearch's time for its two requests (ms)."""
    from search import synonyms
    from search.queries import product_search, query_words, spelling_request

    spelling = client.search(index=index, **spelling_request(q)).body
    words = query_words(spelling)
    body = product_search({"q": q, "page_size": K}, words, synonyms.expand(words))
    if not highlight:
        body.pop("highlight", None)
    answer = client.search(index=index, **body)
    return list(answer["hits"]["hits"]), spelling["took"] + answer["took"]


def latencies(client: Any, live: str, frozen: str, rounds: int) -> dict[str, list[float]]:
    """Elasticsearch's own time (`took`) per judged query, today's request vs the new two
    (highlights included, as the API asks), interleaved so that load hits both alike."""
    from search.queries import spelling_request  # unchanged by issue 19: today's too

    took: dict[str, list[float]] = {"today": [], "new": []}
    for _ in range(rounds):
        for judged in JUDGED:
            spelling = client.search(index=frozen, **spelling_request(judged.q))["took"]
            body = frozen_search(judged.q, frozen_words(client, frozen, judged.q))
            took["today"].append(spelling + client.search(index=frozen, **body)["took"])
            took["new"].append(new_search(client, live, judged.q, highlight=True)[1])
    return took


SYSTEMS = ("today", "bm25", "new", "new-kstem")
LATENCY: dict[str, list[float]] = {}  # filled by run()
# mappings -> (bulk docs/s, force-merged primary size in bytes), filled by setup()
INDEXING: dict[str, tuple[float, int]] = {}


def run(n_products: int) -> tuple[dict[str, dict[str, Outcome]], list[Judged], int]:
    from search.client import get_client

    docs, live, frozen, kstem = setup(n_products)
    client = get_client()
    results: dict[str, dict[str, Outcome]] = {s: {} for s in SYSTEMS}
    judged_set: list[Judged] = []
    for judged in JUDGED:
        ideal = dcg(sorted((grade(judged, d) for d in docs), reverse=True))
        if not ideal:
            print(f"skipped (nothing relevant in the catalog): {judged.q}", file=sys.stderr)
            continue
        judged_set.append(judged)
        today = frozen_search(judged.q, frozen_words(client, frozen, judged.q))
        hits = {
            "today": client.search(index=frozen, **today)["hits"]["hits"],
            "bm25": client.search(index=frozen, **bm25_search(judged.q))["hits"]["hits"],
            "new": new_search(client, live, judged.q)[0],
            "new-kstem": new_search(client, kstem, judged.q)[0],
        }
        for system, found in hits.items():
            results[system][judged.q] = score(judged, found, ideal)
    LATENCY.update(latencies(client, live, frozen, rounds=3))
    return results, judged_set, len(docs)


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def summary(outcomes: list[Outcome]) -> tuple[float, float, float]:
    return (
        mean([o.ndcg for o in outcomes]),
        mean([float(o.success) for o in outcomes]),
        mean([float(o.zero) for o in outcomes]),
    )


def report(
    results: dict[str, dict[str, Outcome]], judged: list[Judged], n_docs: int, seconds: float
) -> list[str]:
    lines = [
        "# Relevance",
        "",
        "Written by `bench/relevance.py` (`make bench-relevance`); numbers from one run on this",
        f"machine. Catalog: the demo catalog (`seed_catalog`, seed {SEED}), {n_docs:,} indexed",
        f"products; {len(judged)} hand-judged queries ({len(JUDGED) - len(judged)} skipped: no",
        "relevant product in this catalog). Grades are hand-written rules per query over the",
        "product's name (relevant, 2) and name + tags (partly, 1). Command: "
        f"`{command_line()}`; {seconds:.0f} s.",
        "",
        "Systems: **today** = the search before issue 19 (query builder and mappings frozen in",
        "the bench); **bm25** = a plain `multi_match` (name^3, tags.name^2, description) on the",
        "same index; **new** = folded fields + `.stemmed` subfields (Porter), stop words optional,",
        "synonyms expanded by the API; **new-kstem** = the same with `kstem` instead of Porter.",
        "Today's and the new search require every word (stop words aside, for the new one):",
        "products that match only part of a query (graded partly) are left out, where BM25's OR",
        "finds them. That caps nDCG for queries whose relevant product is unique (0.46 when the",
        "one relevant product comes first and nothing else): precision first, by design.",
        "",
        "| system | nDCG@10 | success@1 | zero results |",
        "|---|---|---|---|",
    ]
    totals = {}
    for system in SYSTEMS:
        n, s, z = summary(list(results[system].values()))
        totals[system] = n
        lines.append(f"| {system} | {n:.3f} | {s:.1%} | {z:.1%} |")
    lines += [
        "",
        f"new / today nDCG@10: **{totals['new'] / totals['today']:.2f}x** (target ≥ 1.15x); "
        f"new / bm25: **{totals['new'] / totals['bm25']:.2f}x** (target ≥ 1.25x).",
        "",
        "## By query class (nDCG@10)",
        "",
        "| class | queries | " + " | ".join(SYSTEMS) + " |",
        "|---|---|" + "---|" * len(SYSTEMS),
    ]
    kinds = list(dict.fromkeys(j.kind for j in judged))
    for kind in kinds:
        qs = [j.q for j in judged if j.kind == kind]
        cells = [f"{mean([results[s][q].ndcg for q in qs]):.3f}" for s in SYSTEMS]
        lines.append(f"| {kind} | {len(qs)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Index size and bulk rate, the same documents",
        "",
        "Bulk-loaded with `helpers.bulk` (1,000 per request) then refreshed; size after a",
        "force-merge to one segment. The `.stemmed` subfields cost the difference.",
        "",
        "| mappings | docs/s | size |",
        "|---|---|---|",
    ]
    for mappings, label in (("frozen", "today's"), ("porter", "new (Porter)"), ("kstem", "kstem")):
        rate, size = INDEXING[mappings]
        lines.append(f"| {label} | {rate:,.0f} | {size / 2**20:.1f} MiB |")

    def pct(samples: list[float], q: float) -> float:
        ordered = sorted(samples)
        return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]

    today, new = LATENCY["today"], LATENCY["new"]
    lines += [
        "",
        "Elasticsearch's own time (`took`, ms) per judged query, 3 rounds interleaved: today's",
        "two requests (spelling + search; its highlights not copied) vs the new two (with",
        "highlights, as the API sends them). `make bench` gives the HTTP figures.",
        "",
        "| request | p50 | p95 |",
        "|---|---|---|",
        f"| today | {pct(today, 50):.0f} | {pct(today, 95):.0f} |",
        f"| new | {pct(new, 50):.0f} | {pct(new, 95):.0f} |",
    ]
    worse = [j for j in judged if results["new"][j.q].ndcg < results["today"][j.q].ndcg - 1e-6]
    lines += ["", f"## Queries worse with new than today ({len(worse)})", ""]
    if worse:
        lines += ["| query | class | today | new | today's top hit | new top hit |"]
        lines += ["|---|---|---|---|---|---|"]
        for j in worse:
            a, c = results["today"][j.q], results["new"][j.q]
            lines.append(
                f"| `{j.q}` | {j.kind} | {a.ndcg:.3f} | {c.ndcg:.3f} | {a.top} | {c.top} |"
            )
    else:
        lines.append("None.")
    kworse = [j for j in judged if results["new-kstem"][j.q].ndcg < results["new"][j.q].ndcg - 1e-6]
    kbetter = [
        j for j in judged if results["new-kstem"][j.q].ndcg > results["new"][j.q].ndcg + 1e-6
    ]
    lines += [
        "",
        "## Porter or kstem",
        "",
        f"kstem instead of Porter: {len(kbetter)} queries better, {len(kworse)} worse.",
        "",
        "Better with kstem: " + (", ".join(f"`{j.q}`" for j in kbetter) or "none") + ".",
        "",
        "Worse with kstem: " + (", ".join(f"`{j.q}`" for j in kworse) or "none") + ".",
        "",
        "## Every query",
        "",
        "| query | class | " + " | ".join(SYSTEMS) + " | new top hit |",
        "|---|---|" + "---|" * len(SYSTEMS) + "---|",
    ]
    for j in judged:
        cells = [f"{results[s][j.q].ndcg:.2f}" for s in SYSTEMS]
        lines.append(
            f"| `{j.q}` | {j.kind} | " + " | ".join(cells) + f" | {results['new'][j.q].top} |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=5000, help="demo catalog size if empty")
    args = parser.parse_args()
    import django

    django.setup()
    started = time.perf_counter()
    results, judged, n_docs = run(args.products)
    lines = report(results, judged, n_docs, time.perf_counter() - started)
    Path(REPORT).write_text("\n".join(lines) + "\n")
    table = lines[lines.index("| system | nDCG@10 | success@1 | zero results |") :][:6]
    write_section(
        "relevance",
        [
            "## Relevance (`make bench-relevance`)",
            "",
            "Hand-judged queries over the demo catalog; the full report, per query class and",
            "per query, with the queries that got worse, is [RELEVANCE.md](RELEVANCE.md).",
            "",
            *table,
        ],
    )
    print("\n".join(lines[:25]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
