"""The index definitions and Kibana objects under ``mappings/`` are valid and agree with the code."""

from __future__ import annotations

import json

import pytest

from etl.index.elastic.indices import MAPPINGS_DIR, load_templates
from etl.index.elastic.kibana import SAVED_OBJECTS
from etl.index.elastic.query import TEXT_FIELD
from etl.records import Article, Entity, IndexedDocument, Quote
from etl.search.query import INDEX_FACETS
from etl.search.vocabulary import STEMMERS, VOCABULARIES

KIBANA_INDEX = {"news-etl-articles": "articles", "news-etl-quotes": "quotes"}


def mapped_fields(index: str) -> dict[str, dict]:
    """Every field path of the index's mapping (``title``, ``title.sort``, ``quotes.speaker``) -> its definition."""
    templates = load_templates(index, index)
    [component] = [c for name, c in templates.components.items() if name == f"{index}-mappings"]
    out: dict[str, dict] = {}

    def walk(properties: dict, prefix: str) -> None:
        for name, definition in properties.items():
            out[prefix + name] = definition
            walk(definition.get("properties", {}), f"{prefix}{name}.")
            walk(definition.get("fields", {}), f"{prefix}{name}.")

    walk(component["template"]["mappings"]["properties"], "")
    return out


def sample_document() -> IndexedDocument:
    article = Article("a1", "https://x.org/1", "x.org", "Title", ["A"], "2024-01-01T00:00:00+00:00", "en",
                      "Body.", 1, "h", "seed.txt")  # fmt: skip
    return IndexedDocument(article, [Entity("Kyiv", "GPE", 1, ["Kyiv"])], [Quote("Hi", "Ann", "PERSON", "said", "direct", 0, 2)], "2024-01-02T00:00:00+00:00")


def test_every_file_is_valid_json():
    for path in MAPPINGS_DIR.rglob("*.json"):
        json.loads(path.read_text())


@pytest.mark.parametrize("index", ["articles", "quotes"])
def test_mappings_are_strict_and_cover_every_field_the_code_writes(index):
    """With ``dynamic: strict`` a field the contract gains but the mapping lacks would reject every document."""
    doc = sample_document()
    written = doc.to_dict() if index == "articles" else doc.quote_documents()[0]
    fields = mapped_fields(index)
    component = load_templates(index, index).components[f"{index}-mappings"]
    assert component["template"]["mappings"]["dynamic"] == "strict"
    assert sorted(set(written) - set(fields)) == []
    if index == "articles":
        for nested in ("entities", "quotes"):
            assert fields[nested]["type"] == "nested"
            assert sorted(set(written[nested][0]) - {f.split(".", 1)[1] for f in fields if f.startswith(nested + ".")}) == []


@pytest.mark.parametrize("index", ["articles", "quotes"])
def test_facets_are_keywords_searchable_by_word_and_case_insensitively_and_text_is_news_text(index):
    fields = mapped_fields(index)
    for facet in INDEX_FACETS[index]:
        assert fields[facet]["type"] == "keyword" and "ignore_above" in fields[facet], facet
        assert fields[f"{facet}.words"]["analyzer"] == "news_text", facet
        assert fields[f"{facet}.folded"]["normalizer"] == "folded", facet
    for text in VOCABULARIES[index].text:
        assert fields[TEXT_FIELD.get(text, text)]["analyzer"] == "news_text"
    assert fields["title.sort"]["type"] == "keyword"
    assert fields["published_at"]["type"] == "date"
    assert fields["url.wildcard"]["type"] == "wildcard"


def test_each_stemmed_language_has_its_analyzer_in_elasticsearch_and_in_the_embedded_index():
    """news_text_<code>: the words of news_text, then the language's Snowball stemmer, then folding."""
    from etl.index.embedded.analysis import LANGUAGE_ANALYZERS

    analysis = load_templates("articles", "articles").components["news-etl-settings"]["template"]["settings"]["analysis"]
    analyzers, filters = analysis["analyzer"], analysis["filter"]
    assert set(analyzers) == {"news_text", *(f"news_text_{code}" for code in STEMMERS)}
    for code, stemmer in STEMMERS.items():
        analyzer = analyzers[f"news_text_{code}"]
        assert analyzer["tokenizer"] == analyzers["news_text"]["tokenizer"]
        assert analyzer["filter"][0] == "lowercase" and analyzer["filter"][-1] == "asciifolding", code
        stems = [filters[name]["language"] for name in analyzer["filter"] if filters.get(name, {}).get("type") == "snowball"]
        assert [language.lower() for language in stems] == [stemmer], code
        assert code in LANGUAGE_ANALYZERS


@pytest.mark.parametrize("index", ["articles", "quotes"])
def test_each_stemmed_field_has_a_copy_per_language_in_both_engines(index, tmp_path):
    import tantivy

    from etl.index.embedded.schema import LAYOUTS

    vocabulary = VOCABULARIES[index]
    assert vocabulary.stemmed and set(vocabulary.stemmed) <= set(vocabulary.text)
    expected = {copy: f"news_text_{code}" for field in vocabulary.stemmed for copy, code in vocabulary.copies(field).items()}
    assert len(expected) == len(vocabulary.stemmed) * len(STEMMERS)
    fields = mapped_fields(index)
    assert {name: d["analyzer"] for name, d in fields.items() if d.get("analyzer", "").startswith("news_text_")} == expected
    assert all(fields[copy]["type"] == "text" for copy in expected)
    tantivy.Index(LAYOUTS[index].schema, str(tmp_path))  # writes the schema to meta.json
    schema = json.loads((tmp_path / "meta.json").read_text())["schema"]
    tokenizers = {f["name"]: f["options"]["indexing"]["tokenizer"] for f in schema if f["type"] == "text" and f["options"].get("indexing")}
    assert {name: tokenizer for name, tokenizer in tokenizers.items() if tokenizer.startswith("news_text_")} == expected


def test_templates_are_renamed_for_other_aliases():
    templates = load_templates("articles", "tenant-articles")
    assert templates.body["index_patterns"] == ["tenant-articles-v*"]
    assert templates.body["composed_of"] == ["news-etl-settings", "tenant-articles-mappings"]
    assert set(templates.components) == {"news-etl-settings", "tenant-articles-mappings"}
    assert templates.fingerprint == load_templates("articles", "tenant-articles").fingerprint


def kibana_objects() -> list[dict]:
    return [json.loads(line) for line in SAVED_OBJECTS.read_text().splitlines()]


def referenced_fields(obj: dict) -> list[str]:
    attributes = obj["attributes"]
    if obj["type"] == "index-pattern":
        return [attributes["timeFieldName"]]
    if obj["type"] == "search":
        return attributes["columns"] + [field for field, _ in attributes["sort"]]
    if obj["type"] == "visualization":
        return [agg["params"]["field"] for agg in json.loads(attributes["visState"])["aggs"] if "field" in agg["params"]]
    return []


def test_kibana_objects_are_well_formed_and_every_reference_resolves():
    objects = kibana_objects()
    ids = {(o["type"], o["id"]) for o in objects}
    assert len(ids) == len(objects)
    assert {o["type"] for o in objects} == {"index-pattern", "search", "visualization", "lens", "dashboard"}
    for obj in objects:
        assert obj["attributes"].get("title"), obj["id"]
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in ids, f"{obj['id']} references missing {ref}"
    [dashboard] = [o for o in objects if o["type"] == "dashboard"]
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    ref_names = {r["name"] for r in dashboard["references"]}
    assert all(f"{p['panelIndex']}:{p['panelRefName']}" in ref_names for p in panels)
    assert {r["id"] for r in dashboard["references"]} >= {"news-etl-articles-over-time", "news-etl-top-persons",
                                                           "news-etl-top-speaker", "news-etl-latest-quotes"}  # fmt: skip


def test_every_field_a_kibana_object_uses_exists_in_its_index_mapping():
    for obj in kibana_objects():
        views = [r["id"] for r in obj["references"] if r["type"] == "index-pattern"] or [obj["id"]]
        for view in views:
            if view not in KIBANA_INDEX:
                continue
            fields = mapped_fields(KIBANA_INDEX[view])
            for field in referenced_fields(obj):
                assert field in fields, f"{obj['type']} {obj['id']} uses {field!r}, not in the {KIBANA_INDEX[view]} mapping"
