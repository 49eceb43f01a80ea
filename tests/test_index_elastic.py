"""The Elasticsearch sink against osmem-server behind the header-rewriting proxy (see es_server.py),
or against a real cluster when ELASTICSEARCH_URL is set. Documents are built directly as
``IndexedDocument`` records (the enrich stage has its own tests), except the seed run at the end.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import date

import pytest
from elasticsearch import Elasticsearch

from etl.index.elastic import ElasticSink
from etl.index.elastic.client import (
    ElasticsearchNotConfigured,
    client_options,
    make_client,
)
from etl.index.elastic.indices import MAPPINGS_DIR, current_index, migrate
from etl.records import Article, Entity, IndexedDocument, Quote
from etl.search.query import SearchError, SearchRequest
from etl.search.vocabulary import VOCABULARIES
from etl.settings import Settings

PEOPLE = ["John Kirby", "Volodymyr Zelensky", "Antony Blinken", "Ursula von der Leyen"]
ORGS = ["NATO", "European Commission", "Pentagon"]
PLACES = ["Kyiv", "Washington", "Brussels"]


def make_doc(n: int, *, quotes: int = 2, **article_changes) -> IndexedDocument:
    """Article ``n``: a person, an organisation and a place that rotate with n, and ``quotes`` quotes."""
    person, org, place = PEOPLE[n % 4], ORGS[n % 3], PLACES[n % 3]
    said = [f'"We will keep talking with {org} about aid number {k}," {person} said.' for k in range(quotes)]
    body = f"{person} met officials in {place} on day {n}.\n\n" + "\n\n".join(said)
    found = []
    for k, sentence in enumerate(said):
        start = body.index(sentence) + 1
        found.append(Quote(sentence[1 : sentence.index(',"')], person, "PERSON", "said", "direct", start, start + 40))
    article = Article(
        id=f"doc{n:04d}",
        url=f"https://news.example.org/world/{n}",
        source="news.example.org",
        title=f"{person} in {place}: talks with {org} continue",
        authors=["Jane Reporter"],
        published_at=f"2024-03-{1 + n % 28:02d}T09:30:00+00:00",
        language="en",
        body=body,
        word_count=len(body.split()),
        content_hash=f"hash{n:04d}",
        origin=f"seeds/{n:04d}.html",
    )
    article = dataclasses.replace(article, **article_changes)
    entities = [
        Entity(person, "PERSON", 1 + quotes, [person, person.split()[-1]]),
        Entity(org, "ORG", quotes, [org]),
        Entity(place, "GPE", 1, [place]),
    ]
    return IndexedDocument(article, entities, found, ingested_at="2024-04-01T00:00:00+00:00")


@pytest.fixture
def sink(es_settings):
    with ElasticSink(es_settings) as sink:
        yield sink


def test_first_write_creates_templates_and_versioned_indices_behind_aliases(sink, es_settings):
    report = sink.write([make_doc(1)])

    assert report.indexed == 1 and report.failed == []
    client = sink.client
    for alias in (es_settings.es_articles_alias, es_settings.es_quotes_alias):
        assert current_index(client, alias) == f"{alias}-v1"
        assert client.indices.exists_index_template(name=alias)
    mapping = client.indices.get_mapping(index=es_settings.es_articles_alias).body
    properties = next(iter(mapping.values()))["mappings"]["properties"]
    assert properties["body"]["analyzer"] == "news_text"
    assert properties["entities"]["type"] == "nested"
    assert properties["persons"]["type"] == "keyword"


def test_bulk_indexes_hundreds_of_articles_and_their_quotes(sink):
    report = sink.write(make_doc(n, quotes=n % 3) for n in range(300))

    assert report.indexed == 300 and report.failed == []
    assert sink.count("articles") == 300
    assert sink.count("quotes") == sum(n % 3 for n in range(300))


def test_rerun_overwrites_instead_of_duplicating(sink):
    docs = [make_doc(n) for n in range(20)]
    sink.write(docs)
    sink.write(docs)

    assert sink.count("articles") == 20
    assert sink.count("quotes") == 40


def test_document_refused_by_the_mapping_is_rejected_with_the_server_reason_and_the_rest_lands(sink):
    bad = make_doc(5, published_at="last Tuesday")
    report = sink.write([make_doc(4), bad, make_doc(6)])

    assert report.indexed == 2
    [rejected] = report.failed
    assert (rejected.id, rejected.origin, rejected.stage) == ("doc0005", "seeds/0005.html", "index")
    assert "published_at" in rejected.reason and "last Tuesday" in rejected.reason
    assert sink.count("articles") == 2


def test_quotes_index_holds_one_flat_document_per_quote_with_its_article(sink, es_settings):
    sink.write([make_doc(7, quotes=2)])

    source = sink.client.get(index=es_settings.es_quotes_alias, id="doc0007-q1")["_source"]
    assert source["article_id"] == "doc0007"
    assert source["speaker"] == "Ursula von der Leyen" and source["kind"] == "direct"
    assert source["text"] == "We will keep talking with European Commission about aid number 1"
    assert source["title"].startswith("Ursula von der Leyen in Washington")
    assert source["published_at"] == "2024-03-08T09:30:00+00:00"


def test_article_that_lost_a_quote_loses_it_in_the_quotes_index(sink, es_settings):
    sink.write([make_doc(8, quotes=3), make_doc(9, quotes=2)])
    sink.write([make_doc(8, quotes=1)])

    ids = {h["_id"] for h in sink.client.search(index=es_settings.es_quotes_alias, size=50)["hits"]["hits"]}
    assert ids == {"doc0008-q0", "doc0009-q0", "doc0009-q1"}


def test_search_ranks_highlights_filters_facets_and_pages(sink):
    sink.write(make_doc(n) for n in range(12))

    result = sink.search(SearchRequest(text="Kyiv", facets=["persons", "locations"], size=2))
    assert result.total == 4  # n = 0, 3, 6, 9
    assert len(result.hits) == 2 and all(h.score > 0 for h in result.hits)
    assert result.hits[0].highlights["title"][0].count("<b>Kyiv</b>") == 1
    assert {b.value: b.count for b in result.facets["locations"]} == {"Kyiv": 4}
    assert sum(b.count for b in result.facets["persons"]) == 4
    page2 = sink.search(SearchRequest(text="Kyiv", size=2, page=2))
    assert {h.id for h in result.hits}.isdisjoint(h.id for h in page2.hits)

    filtered = sink.search(SearchRequest(filters=[("persons", "John Kirby")], since=date(2024, 3, 5), until=date(2024, 3, 9)))
    assert [h.id for h in filtered.hits] == ["doc0008", "doc0004"]  # newest first without text
    assert [(b.date, b.count) for b in filtered.histogram] == [("2024-03-05", 1), ("2024-03-09", 1)]
    assert filtered.hits[0].fields == {"source": "news.example.org", "authors": ["Jane Reporter"], "language": "en",
                                       "source_agency": None}


def test_highlights_are_html_escaped(sink):
    sink.write([make_doc(1, title="Kyiv <script>alert(1)</script> & more")])

    [hit] = sink.search(SearchRequest(text="Kyiv")).hits
    [fragment] = hit.highlights["title"]
    assert fragment.startswith("<b>Kyiv</b> &lt;script&gt;alert(1)")
    assert "&amp; more" in fragment and "<script>" not in fragment


@pytest.mark.parametrize("text", ['Kyiv" OR (', "title:Kyiv)", "*:* ]]", '"'])
def test_a_malformed_query_is_refused_before_it_reaches_the_cluster(sink, text):
    sink.write(make_doc(n) for n in range(3))

    with pytest.raises(SearchError, match="query"):
        sink.search(SearchRequest(text=text, facets=["persons"]))


def test_a_query_of_punctuation_alone_is_refused(sink):
    sink.write(make_doc(n) for n in range(3))

    with pytest.raises(SearchError, match="no word to search for"):
        sink.search(SearchRequest(text="-"))


def test_quotes_search_returns_quote_fields(sink):
    sink.write(make_doc(n) for n in range(4))

    result = sink.search(SearchRequest(index="quotes", text="aid", filters=[("speaker", "John Kirby")], facets=["kind"]))
    assert result.total == 2
    hit = result.hits[0]
    assert hit.fields["article_id"] == "doc0000" and hit.fields["speaker"] == "John Kirby"
    assert set(hit.fields) == {"text", "speaker", "speaker_label", "cue", "kind", "article_id"}
    assert "<b>aid</b>" in hit.highlights["text"][0]
    assert [(b.value, b.count) for b in result.facets["kind"]] == [("direct", 2)]


def test_search_before_anything_was_indexed_says_so(sink, es_settings):
    assert sink.count("articles") == 0
    with pytest.raises(SearchError, match=es_settings.es_articles_alias):
        sink.search(SearchRequest(text="Kyiv"))


def test_search_parity_with_the_embedded_sink(sink, tmp_settings):
    from etl.index.embedded import EmbeddedIndex

    docs = [make_doc(n, quotes=n % 3, source_agency="Associated Press" if n % 5 == 0 else None) for n in range(40)]
    sink.write(docs)
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True) as embedded:
        embedded.write(docs)
    wire = SearchRequest(filters=[("source_agency", "associated press")], facets=["source_agency"], size=50)
    assert sink.search(wire).total == 8  # the filter forgives case; the facet shows the name as written
    assert [(b.value, b.count) for b in sink.search(wire).facets["source_agency"]] == [("Associated Press", 8)]
    requests = [
        wire,
        SearchRequest(text="Kyiv", facets=["persons", "organizations", "locations", "speakers"], size=50),
        SearchRequest(filters=[("organizations", "NATO")], facets=["persons"], histogram_interval="week", size=50),
        SearchRequest(index="quotes", text="aid", facets=["speaker", "kind"], size=100),
    ]
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings) as embedded:
        for request in requests:
            ours, theirs = sink.search(request), embedded.search(request)
            assert ours.total == theirs.total
            assert sorted(h.id for h in ours.hits) == sorted(h.id for h in theirs.hits)
            assert ours.facets == theirs.facets
            assert ours.histogram == theirs.histogram
            assert [set(h.to_dict()) for h in ours.hits] == [set(h.to_dict()) for h in theirs.hits]


def test_get_stats_and_the_picked_histogram_interval_agree_with_the_embedded_sink(sink, tmp_settings, es_settings):
    from etl.index.embedded import EmbeddedIndex
    from etl.stats import index_stats

    docs = [make_doc(n, published_at=f"2023-{1 + n % 12:02d}-15T09:30:00+00:00") for n in range(24)]
    sink.write(docs)
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True) as embedded:
        embedded.write(docs)
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings) as embedded:
        ours, theirs = sink.get("doc0007"), embedded.get("doc0007")
        assert ours == theirs == docs[7].to_dict()  # whole: body, entities and quotes
        assert sink.get("missing") is None and embedded.get("missing") is None
        picked = [engine.search(SearchRequest(size=0, histogram_interval="auto")) for engine in (sink, embedded)]
        assert [p.histogram_interval for p in picked] == ["month", "month"]  # a year of dates: by month
        assert picked[0].histogram == picked[1].histogram and len(picked[0].histogram) == 12
        mine, yours = index_stats(sink), index_stats(embedded)
    assert (mine["articles"], mine["quotes"]) == (yours["articles"], yours["quotes"]) == (24, 48)
    assert mine["published"] == yours["published"] == {"first": "2023-01-15", "last": "2023-12-15", "undated": 0}
    assert mine["sources"] == yours["sources"] == [{"value": "news.example.org", "count": 24}]


def test_migrate_builds_the_next_version_and_swaps_the_alias_with_no_missing_documents(sink, es_settings, tmp_path):
    sink.write(make_doc(n) for n in range(30))
    alias = es_settings.es_articles_alias

    unchanged = migrate(es_settings, client=sink.client)
    assert unchanged["articles"]["migrated"] is False and unchanged["articles"]["to"] == f"{alias}-v1"

    changed = tmp_path / "mappings"
    shutil.copytree(MAPPINGS_DIR, changed)
    component = changed / "component_templates" / "articles-mappings.json"
    definition = json.loads(component.read_text())
    definition["template"]["mappings"]["properties"]["source"]["fields"] = {"text": {"type": "text"}}
    component.write_text(json.dumps(definition))

    report = migrate(es_settings, indices=("articles",), mappings_dir=changed, client=sink.client)

    assert report["articles"] == {
        "alias": alias, "from": f"{alias}-v1", "to": f"{alias}-v2", "migrated": True, "docs": 30, "deleted_old": False
    }  # fmt: skip
    assert current_index(sink.client, alias) == f"{alias}-v2"
    assert sink.count("articles") == 30
    assert sink.search(SearchRequest(text="Kyiv")).total == 10
    # The new mapping is live, and writes through the alias go to the new index.
    live = sink.client.indices.get_mapping(index=alias).body
    assert list(live) == [f"{alias}-v2"]
    assert "text" in live[f"{alias}-v2"]["mappings"]["properties"]["source"]["fields"]
    sink.write([make_doc(99)])
    assert sink.client.count(index=f"{alias}-v2")["count"] == 31


def test_migrate_gives_articles_indexed_before_per_language_analysis_their_language(es_settings, tmp_path, caplog):
    """An index from before: this version's sink says to migrate (its strict mapping refuses a French
    article's copies, per article, naming the field); `migrate` fills in the copies of what was there."""
    before = tmp_path / "mappings"
    shutil.copytree(MAPPINGS_DIR, before)
    for name in ("articles", "quotes"):
        component = before / "component_templates" / f"{name}-mappings.json"
        definition = json.loads(component.read_text())
        for copy in VOCABULARIES[name].copy_fields:
            del definition["template"]["mappings"]["properties"][copy]
        component.write_text(json.dumps(definition))
    body = "« Nos chevaux sont prêts », a dit la directrice du haras national."
    old = make_doc(1, quotes=0, language="fr", title="Les chevaux du haras", body=body)
    old.quotes = [Quote("Nos chevaux sont prêts", "Marie Dubois", "PERSON", "a dit", "direct", 2, 24)]
    with ElasticSink(es_settings, mappings_dir=before) as earlier:  # as the version before wrote them
        earlier.ensure_indices()
        earlier.client.index(index=earlier.articles, id=old.article.id, document={**old.to_dict(), "quote_text": ["Nos chevaux sont prêts"]})
        [quote] = old.quote_documents()
        earlier.client.index(index=earlier.quotes, id=quote["id"], document=quote, refresh=True)

    with ElasticSink(es_settings) as sink:
        report = sink.write([make_doc(2, quotes=0, language="fr", body="Les chevaux rentrent.")])
        assert "run `news-etl index migrate`" in caplog.text
        assert report.indexed == 0 and "body_fr" in report.failed[0].reason
        assert sink.search(SearchRequest(text="cheval")).total == 0

        migrated = migrate(es_settings, client=sink.client)
        assert migrated["articles"]["migrated"] and migrated["quotes"]["migrated"]
        assert [hit.id for hit in sink.search(SearchRequest(text="cheval")).hits] == [old.article.id]
        assert sink.search(SearchRequest(text="cheval", index="quotes")).total == 1
        assert sink.get(old.article.id) == old.to_dict()
        assert sink.write([make_doc(2, quotes=0, language="fr", body="Les chevaux rentrent.")]).indexed == 1


def test_client_options_come_from_settings_without_exposing_secrets():
    settings = Settings(es_url="https://es.example.org:9200", es_username="etl", es_password="s3cret",
                        es_ca_certs="/etc/ca.pem", es_timeout=12.0)  # fmt: skip
    options = client_options(settings)
    assert options["hosts"] == ["https://es.example.org:9200"]
    assert options["basic_auth"] == ("etl", "s3cret") and options["ca_certs"] == "/etc/ca.pem"
    assert options["request_timeout"] == 12.0
    assert "s3cret" not in repr(settings)

    cloud = client_options(Settings(es_cloud_id="prod:ZXhhbXBsZQ==", es_api_key="a2V5", es_verify_certs=False))
    assert cloud["cloud_id"] == "prod:ZXhhbXBsZQ==" and cloud["api_key"] == "a2V5" and cloud["verify_certs"] is False
    assert "hosts" not in cloud and "basic_auth" not in cloud
    with pytest.raises(ElasticsearchNotConfigured, match="ELASTICSEARCH_URL"):
        make_client(Settings())


def test_make_client_reaches_the_cluster(es_settings):
    with make_client(es_settings) as client:
        assert isinstance(client, Elasticsearch)
        assert client.info()["version"]["number"]


def test_seed_run_indexes_articles_and_quotes_through_the_aliases(es_settings, nlp):
    from conftest import SEEDS

    from etl.pipeline import run

    summary = run([str(SEEDS)], es_settings, nlp=nlp)

    assert summary.indexed >= 1 and summary.rejected == 0
    with ElasticSink(es_settings) as sink:
        assert sink.count("articles") == summary.indexed
        assert sink.count("quotes") > 0
        assert sink.search(SearchRequest(text="Kyiv", facets=["persons"])).total >= 1


def test_unreachable_cluster_is_a_clear_error_without_the_password(tmp_path):
    from etl.index.elastic.client import ElasticsearchUnavailable

    settings = Settings(es_url="http://etl:s3cret@127.0.0.1:9", es_max_retries=0, es_timeout=2.0, index_dir=tmp_path)
    with ElasticSink(settings) as sink, pytest.raises(ElasticsearchUnavailable) as raised:
        sink.search(SearchRequest(text="Kyiv"))
    assert "http://127.0.0.1:9" in str(raised.value) and "s3cret" not in str(raised.value)


def test_cli_index_migrate_forces_a_new_version(sink, es_settings, monkeypatch, capsys):
    from etl.cli import main

    sink.write(make_doc(n) for n in range(5))
    monkeypatch.setenv("ELASTICSEARCH_URL", es_settings.es_url)
    monkeypatch.setenv("NEWS_ETL_ES_ARTICLES_ALIAS", es_settings.es_articles_alias)
    monkeypatch.setenv("NEWS_ETL_ES_QUOTES_ALIAS", es_settings.es_quotes_alias)

    assert main(["index", "migrate", "--index", "articles", "--force", "--json"]) == 0

    report = json.loads(capsys.readouterr().out)["articles"]
    assert (report["to"], report["docs"]) == (f"{es_settings.es_articles_alias}-v2", 5)
    assert sink.count("articles") == 5


def test_cli_index_setup_creates_both_aliases_before_any_document(es_settings, monkeypatch, capsys):
    from etl.cli import main

    monkeypatch.setenv("ELASTICSEARCH_URL", es_settings.es_url)
    monkeypatch.setenv("NEWS_ETL_ES_ARTICLES_ALIAS", es_settings.es_articles_alias)
    monkeypatch.setenv("NEWS_ETL_ES_QUOTES_ALIAS", es_settings.es_quotes_alias)

    assert main(["index", "setup", "--json"]) == 0
    assert main(["index", "setup", "--json"]) == 0  # idempotent: the compose init step may run it on every start

    assert f'"{es_settings.es_articles_alias}": "{es_settings.es_articles_alias}-v1"' in capsys.readouterr().out
    client = make_client(es_settings)
    assert current_index(client, es_settings.es_articles_alias) == f"{es_settings.es_articles_alias}-v1"
    assert current_index(client, es_settings.es_quotes_alias) == f"{es_settings.es_quotes_alias}-v1"
