"""The analysis plugin (es/plugin/) on the real node: each component through _analyze, as
the mappings use them. The official image answers the same (its analysis-common module)."""

import io
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import BadRequestError

from search.client import get_client


def tokens(text: str, **chain: Any) -> list[str]:
    answer = get_client().indices.analyze(text=text, **chain)
    return [t["token"] for t in answer["tokens"]]


def test_asciifolding_folds_accents() -> None:
    got = tokens(
        "Crème Brûlée à Zürich", tokenizer="standard", filter=["lowercase", "asciifolding"]
    )
    assert got == ["creme", "brulee", "a", "zurich"]


def test_asciifolding_can_keep_the_original() -> None:
    folding = {"type": "asciifolding", "preserve_original": True}
    assert tokens("crème", tokenizer="standard", filter=[folding]) == ["creme", "crème"]


def test_asciifolding_works_in_a_normalizer() -> None:
    client = get_client()
    index = "store-test-analysis-normalizer"
    client.indices.delete(index=index, ignore_unavailable=True)
    client.indices.create(
        index=index,
        settings={
            "analysis": {
                "normalizer": {
                    "folded": {"type": "custom", "filter": ["lowercase", "asciifolding"]}
                }
            }
        },
        mappings={"properties": {"k": {"type": "keyword", "normalizer": "folded"}}},
    )
    try:
        answer = client.indices.analyze(index=index, field="k", text="Crème Brûlée")
        assert [t["token"] for t in answer["tokens"]] == ["creme brulee"]
    finally:
        client.indices.delete(index=index)


@pytest.mark.parametrize(
    ("stemmer", "expected"),
    [
        ({"type": "stemmer", "language": "english"}, ["run", "fox", "connect", "kettl"]),
        ({"type": "stemmer", "language": "porter"}, ["run", "fox", "connect", "kettl"]),
        ("porter_stem", ["run", "fox", "connect", "kettl"]),
        (
            {"type": "stemmer", "language": "light_english"},
            ["running", "fox", "connection", "kettle"],
        ),
        ("kstem", ["running", "fox", "connection", "kettle"]),
        (
            {"type": "stemmer", "language": "minimal_english"},
            ["running", "foxe", "connection", "kettle"],
        ),
    ],
)
def test_stemmers(stemmer: Any, expected: list[str]) -> None:
    got = tokens(
        "running foxes connections kettles", tokenizer="standard", filter=["lowercase", stemmer]
    )
    assert got == expected


def test_possessive_stemmer() -> None:
    possessive = {"type": "stemmer", "language": "possessive_english"}
    assert tokens("children's boots", tokenizer="standard", filter=[possessive]) == [
        "children",
        "boots",
    ]


def test_an_unknown_stemmer_language_is_refused() -> None:
    with pytest.raises(BadRequestError):
        tokens("x", tokenizer="standard", filter=[{"type": "stemmer", "language": "klingon"}])


def test_stemmer_override_maps_irregular_plurals_before_the_stemmer() -> None:
    override = {
        "type": "stemmer_override",
        "rules": ["children, childrens => child", "feet => foot"],
    }
    got = tokens(
        "Children feet boots", tokenizer="standard", filter=["lowercase", override, "porter_stem"]
    )
    assert got == ["child", "foot", "boot"]


def test_synonym_graph_from_a_list() -> None:
    synonyms = {"type": "synonym_graph", "synonyms": ["tv, television", "ny => new york"]}
    got = tokens("NY tv", tokenizer="standard", filter=["lowercase", synonyms])
    assert sorted(got) == ["new", "television", "tv", "york"]


def test_synonym_rules_go_through_the_filters_before_them() -> None:
    synonyms = {"type": "synonym_graph", "synonyms": ["Crème, custard"]}
    got = tokens("creme", tokenizer="standard", filter=["lowercase", "asciifolding", synonyms])
    assert sorted(got) == ["creme", "custard"]


def test_malformed_synonyms_are_refused() -> None:
    with pytest.raises(BadRequestError):
        tokens("x", tokenizer="standard", filter=[{"type": "synonym_graph", "synonyms": ["a => "]}])


def test_edge_ngram_filter_and_tokenizer() -> None:
    grams = {"type": "edge_ngram", "min_gram": 1, "max_gram": 4}
    assert tokens("Kettle", tokenizer="standard", filter=["lowercase", grams]) == [
        "k",
        "ke",
        "ket",
        "kett",
    ]
    tokenizer = {"type": "edge_ngram", "min_gram": 2, "max_gram": 3, "token_chars": ["letter"]}
    assert tokens("tv-stand", tokenizer=tokenizer) == ["tv", "st", "sta"]


def test_english_analyzer() -> None:
    assert tokens("The children's running shoes", analyzer="english") == ["children", "run", "shoe"]


def test_the_plugin_zip_holds_our_classes_only():
    """Built from es/plugin/ by scripts/services.sh (javac -Xlint:all -Werror), cached by the
    hash of its sources: Lucene and Elasticsearch come from the node, never from the zip."""
    services = Path(__file__).resolve().parents[2] / "scripts" / "services.sh"
    built = subprocess.run(  # noqa: S603
        [str(services), "analysis-plugin"], capture_output=True, text=True, timeout=300, check=True
    )
    with zipfile.ZipFile(built.stdout.strip()) as plugin:
        assert sorted(plugin.namelist()) == ["plugin-descriptor.properties", "store-analysis.jar"]
        descriptor = plugin.read("plugin-descriptor.properties").decode()
        with zipfile.ZipFile(io.BytesIO(plugin.read("store-analysis.jar"))) as jar:
            classes = [n for n in jar.namelist() if n.endswith(".class")]
    assert "elasticsearch.version=8.19.21" in descriptor
    assert "classname=store.analysis.StoreAnalysisPlugin" in descriptor
    assert classes
    assert all(name.startswith("store/analysis/") for name in classes)


def test_the_node_runs_the_plugin() -> None:
    plugins = get_client().nodes.info(metric="plugins")["nodes"]
    for node in plugins.values():
        assert "store-analysis" in {p["name"] for p in node["plugins"]}
