"""The embedded sink on real Tantivy indexes in tmp dirs: upserts, search, facets, locks."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date
from types import SimpleNamespace

import pytest
from conftest import earlier_version_index

from etl.index import open_sink
from etl.index.embedded.index import (
    EmbeddedIndex,
    IndexLockedError,
    IndexNotFoundError,
    IndexSchemaError,
    IndexUnreadableError,
)
from etl.index.embedded.schema import stored, to_documents
from etl.records import Article, Entity, IndexedDocument, Quote
from etl.search.query import SearchError, SearchRequest

KIRBY_QUOTE = "We will continue to support Ukraine for as long as it takes"


def make_doc(doc_id: str, title: str, body: str, *, published_at: str | None = "2024-05-01T10:00:00+00:00",
             source: str = "example-news.com", entities=(), quotes=(), agency: str | None = None) -> IndexedDocument:
    article = Article(
        id=doc_id, url=f"https://{source}/{doc_id}", source=source, title=title, authors=["Jane Doe"],
        published_at=published_at, language="en", body=body, word_count=len(body.split()),
        content_hash=f"hash-{doc_id}", origin=f"seeds/{doc_id}.html", source_agency=agency,
    )
    return IndexedDocument(article, [Entity(name, label, 1, [name]) for name, label in entities],
                           list(quotes), ingested_at="2024-06-20T08:00:00+00:00")


def quote(text: str, speaker: str | None, kind: str = "direct", label: str | None = "PERSON") -> Quote:
    return Quote(text=text, speaker=speaker, speaker_label=label, cue="said", kind=kind, start=0, end=len(text))


CORPUS = [
    make_doc(
        "kirby", "Kirby says US aid to Ukraine will continue",
        "WASHINGTON - White House spokesman John Kirby said on Wednesday that support would go on. "
        f'"{KIRBY_QUOTE}," Kirby said. Officials in Kyiv welcomed the statement.',
        entities=[("John Kirby", "PERSON"), ("White House", "ORG"), ("Ukraine", "GPE"), ("Kyiv", "GPE")],
        quotes=[quote(KIRBY_QUOTE, "John Kirby"), quote("aid shipments are on schedule", "John Kirby", "indirect")],
    ),
    make_doc(
        "manila", "Floods swamp Manila suburbs after typhoon",
        "MANILA - Rivers burst their banks overnight. \"The water came in the night,\" said mayor Maria Santos. "
        "Thousands of residents were evacuated from low-lying districts.",
        published_at="2024-05-02T23:30:00-04:00", source="asia-wire.org", agency="Reuters",  # 2024-05-03 in UTC
        entities=[("Maria Santos", "PERSON"), ("Manila", "GPE")],
        quotes=[quote("The water came in the night", "Maria Santos")],
    ),
    make_doc(
        "ecb", "European Central Bank raises interest rates",
        "FRANKFURT - The European Central Bank raised rates again. Christine Lagarde said inflation was "
        "\"far too high\" and that the bank was running out of patience with energy prices.",
        published_at="2024-06-15T09:00:00+00:00",
        entities=[("Christine Lagarde", "PERSON"), ("European Central Bank", "ORG")],
        quotes=[quote("far too high", "Christine Lagarde", "partial")],
    ),
    make_doc(
        "marathon", "Runners return to Kyiv marathon",
        "Thousands of runners ran through central Kyiv on Sunday despite the air-raid alerts.",
        published_at=None, entities=[("Kyiv", "GPE")],
    ),
]


@pytest.fixture
def index(tmp_settings):
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True) as idx:
        report = idx.write(CORPUS)
        assert report.indexed == len(CORPUS) and not report.failed
        yield idx


def ids(result) -> list[str]:
    return [hit.id for hit in result.hits]


# -- writing -------------------------------------------------------------------------------


def test_open_sink_builds_both_indexes_and_rejects_go_next_to_them(tmp_settings):
    with open_sink(tmp_settings, write=True) as sink:
        assert isinstance(sink, EmbeddedIndex)
        sink.write(CORPUS)
        assert sink.reject_dir == tmp_settings.index_dir
    assert (tmp_settings.index_dir / "articles" / "meta.json").exists()
    assert (tmp_settings.index_dir / "quotes" / "meta.json").exists()


def test_reindexing_the_same_documents_does_not_duplicate(index):
    index.write(CORPUS)
    index.write([CORPUS[0]])
    assert index.count() == 4
    assert index.count("quotes") == 4
    assert index.search(SearchRequest(text="Kirby")).total == 1


def test_the_same_id_twice_in_one_batch_keeps_the_last_version(tmp_settings):
    first, second = CORPUS[1], replace(CORPUS[1], article=replace(CORPUS[1].article, title="Manila floods recede"))
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True) as idx:
        assert idx.write([first, second]).indexed == 2
        assert [h.title for h in idx.search(SearchRequest()).hits] == ["Manila floods recede"]
        assert idx.count("quotes") == 1


def test_a_quote_the_article_lost_is_removed_from_the_quotes_index(index):
    edited = replace(CORPUS[0], quotes=CORPUS[0].quotes[:1])
    index.write([edited])
    quotes = index.search(SearchRequest(index="quotes", filters=[("speaker", "John Kirby")]))
    assert [h.fields["text"] for h in quotes.hits] == [KIRBY_QUOTE]
    index.write([replace(CORPUS[0], quotes=[])])
    assert index.search(SearchRequest(index="quotes", filters=[("speaker", "John Kirby")])).total == 0


def test_an_updated_article_replaces_the_old_version(index):
    index.write([replace(CORPUS[1], article=replace(CORPUS[1].article, title="Manila floods recede"))])
    hits = index.search(SearchRequest(text="Manila")).hits
    assert [h.title for h in hits] == ["Manila floods recede"]


def test_a_document_the_engine_refuses_is_reported_and_the_rest_indexed(tmp_settings):
    ancient = make_doc("ancient", "A letter from the year 1000", "Old news.", published_at="1000-01-01T00:00:00+00:00")
    garbled = make_doc("garbled", "Date typo", "Body.", published_at="yesterday")
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True) as idx:
        report = idx.write([ancient, CORPUS[0], garbled])
        assert report.indexed == 1
        assert [(r.id, r.stage, r.origin) for r in report.failed] == [
            ("ancient", "index", "seeds/ancient.html"),
            ("garbled", "index", "seeds/garbled.html"),
        ]
        assert report.failed[0].reason.startswith("published_at '1000-01-01T00:00:00+00:00': ")
        assert "out of range" in report.failed[0].reason
        assert report.failed[1].reason == "published_at 'yesterday': not an ISO 8601 date"
        assert idx.count() == 1


def test_commits_every_n_documents_so_a_broken_stream_keeps_what_was_written(tmp_settings):
    settings = tmp_settings.with_(commit_every=2)

    def stream_that_breaks():
        yield from CORPUS[:3]
        raise OSError("source went away")

    with EmbeddedIndex(settings.index_dir, settings, write=True) as idx:
        with pytest.raises(OSError):
            idx.write(stream_that_breaks())
    with EmbeddedIndex(settings.index_dir, settings) as reader:
        assert reader.count() == 3
    with EmbeddedIndex(settings.index_dir, settings, write=True) as idx:  # the re-run completes it
        idx.write(CORPUS)
        assert idx.count() == 4


def test_reopen_after_close_reads_what_was_written(tmp_settings):
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True) as idx:
        idx.write(CORPUS)
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings) as reader:
        assert reader.count() == 4
        assert reader.count("quotes") == 4
        assert ids(reader.search(SearchRequest(text="typhoon"))) == ["manila"]
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True) as idx:  # the lock was released
        idx.write(CORPUS[:1])
        assert idx.count() == 4


def _tantivy_index(folder, *fields: str, news_etl_keys: bool = False) -> None:
    """A Tantivy index in ``folder`` with text ``fields``; ``news_etl_keys`` adds the id and stored blob
    every news-etl schema has, as an index built by another version of news-etl would."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    if news_etl_keys:
        builder.add_text_field("id", tokenizer_name="raw", index_option="basic")
        builder.add_text_field("article_id", tokenizer_name="raw", index_option="basic")
        builder.add_bytes_field("doc", stored=True)
    for name in fields:
        builder.add_text_field(name)
    folder.mkdir(parents=True)
    tantivy.Index(builder.build(), str(folder))


def test_an_index_built_by_another_version_is_rebuilt_from_its_stored_articles_on_the_next_write(tmp_settings):
    """An upgrade: the old schema's articles (kept whole in the stored blob) come back in this
    version's schema, quotes with them; searching before the rebuild says what will fix it."""
    earlier_version_index(tmp_settings.index_dir / "articles", CORPUS)

    with pytest.raises(IndexSchemaError, match=r"articles was built by another version of news-etl .* the next `news-etl run` rebuilds it"):
        EmbeddedIndex(tmp_settings.index_dir, tmp_settings).search(SearchRequest(text="Kyiv"))
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True) as index:
        assert index.write(CORPUS[:1]).indexed == 1  # and it writes on as usual
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings) as index:
        assert index.count() == len(CORPUS)
        assert index.get(CORPUS[1].article.id) == CORPUS[1].to_dict()
        assert index.search(SearchRequest(index="quotes", size=0)).total == sum(len(d.quotes) for d in CORPUS)
        assert index.search(SearchRequest(text="Kyiv")).total >= 1
    assert not (tmp_settings.index_dir / ".previous-version").exists()


def test_an_index_from_before_per_language_analysis_is_rebuilt_and_then_stems_its_french(tmp_settings):
    """The schema of the version before: every field of today's but the language copies. Tantivy
    refuses it as another schema, so it is rebuilt rather than read with French articles missing."""
    import json

    import tantivy

    from etl.index.embedded.analysis import register
    from etl.index.embedded.schema import ARTICLES, QUOTES, _layout

    french = make_doc("haras", "Les chevaux du haras", "Les chevaux du haras national reprennent la route.")
    french.article.language = "fr"
    for layout in (ARTICLES, QUOTES):  # written by that version: no copies to fill
        before = _layout(layout.name, replace(layout.fields, stemmed=()), layout.keys)
        (tmp_settings.index_dir / layout.name).mkdir(parents=True)
        writer = register(tantivy.Index(before.schema, str(tmp_settings.index_dir / layout.name))).writer()
        if layout is ARTICLES:
            writer.add_document(tantivy.Document(id="haras", body=french.article.body, doc=json.dumps(french.to_dict()).encode()))
        writer.commit()
        writer.wait_merging_threads()

    with pytest.raises(IndexSchemaError, match="rebuilds it from the articles it stores"):
        EmbeddedIndex(tmp_settings.index_dir, tmp_settings).search(SearchRequest(text="cheval"))
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True):
        pass
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings) as index:
        assert ids(index.search(SearchRequest(text="cheval"))) == ["haras"]
        assert index.get("haras") == french.to_dict()


def test_a_rebuild_that_died_midway_starts_again_from_the_set_aside_index(tmp_settings):
    """The old folders wait in .previous-version until the new index has committed: a crash in between
    leaves them there beside a half-built new index, and the next open rebuilds from them again."""
    from etl.index.embedded.rebuild import PREVIOUS

    complete = tmp_settings.with_(index_dir=tmp_settings.index_dir.parent / "complete")
    with EmbeddedIndex(complete.index_dir, complete, write=True) as index:
        index.write(CORPUS)
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True) as index:  # the half-built new one
        index.write(CORPUS[:1])
    (tmp_settings.index_dir / PREVIOUS).mkdir()
    (complete.index_dir / "articles").rename(tmp_settings.index_dir / PREVIOUS / "articles")

    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True):
        pass
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings) as index:
        assert index.count() == len(CORPUS)
        assert index.search(SearchRequest(index="quotes", size=0)).total == sum(len(d.quotes) for d in CORPUS)
    assert not (tmp_settings.index_dir / PREVIOUS).exists()


def test_another_programs_tantivy_index_is_not_called_ours_nor_to_be_deleted(tmp_settings):
    _tantivy_index(tmp_settings.index_dir / "articles", "headline")
    with pytest.raises(IndexUnreadableError, match=r"articles holds a Tantivy index news-etl did not write \(fields: headline\)") as raised:
        EmbeddedIndex(tmp_settings.index_dir, tmp_settings).search(SearchRequest(text="x"))
    assert "delete" not in str(raised.value) and "schema" not in str(raised.value)


def test_a_damaged_index_says_damaged_not_schema(tmp_settings):
    EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True).close()
    (tmp_settings.index_dir / "articles" / "meta.json").write_bytes(b"\xff\xfe not json")
    with pytest.raises(IndexUnreadableError, match=r"articles is damaged or not a news-etl index: .*meta.json") as raised:
        EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True)
    assert "delete" not in str(raised.value) and "schema" not in str(raised.value)


@pytest.mark.parametrize("in_the_way", ["index", "parent"])
def test_a_file_where_a_folder_should_be_is_named(in_the_way, tmp_settings):
    file = tmp_settings.index_dir if in_the_way == "index" else tmp_settings.index_dir.parent / "file"
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text("not a folder")
    index_dir = tmp_settings.index_dir if in_the_way == "index" else file / "index"
    with pytest.raises(NotADirectoryError, match=f"cannot create index folder {index_dir}/articles: {file} is a file"):
        EmbeddedIndex(index_dir, tmp_settings, write=True)


def test_a_read_only_index_refuses_to_write(index, tmp_settings):
    reader = EmbeddedIndex(tmp_settings.index_dir, tmp_settings)
    with pytest.raises(RuntimeError, match="opened for reading"):
        reader.write(CORPUS)


def test_searching_an_index_that_does_not_exist_says_so(tmp_settings):
    reader = EmbeddedIndex(tmp_settings.index_dir, tmp_settings)
    with pytest.raises(IndexNotFoundError, match=r"no articles index at .*index/articles yet"):
        reader.search(SearchRequest(text="Kyiv"))
    assert not tmp_settings.index_dir.exists()  # reading creates nothing


def test_a_second_writer_waits_briefly_then_names_the_held_lock(index, tmp_settings):
    with pytest.raises(IndexLockedError, match="being written by another run"):
        EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True, lock_timeout=0.3)
    assert index.count() == 4  # the holder is unaffected and readers need no lock
    assert EmbeddedIndex(tmp_settings.index_dir, tmp_settings).count() == 4


def test_a_writer_in_another_process_blocks_this_one(tmp_settings):
    """The lock is Tantivy's file lock, so it must hold across processes, not only inside this one."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from etl.index.embedded import EmbeddedIndex; "
         "from etl.settings import Settings; "
         "idx = EmbeddedIndex(Path(sys.argv[1]), Settings(), write=True); print('locked', flush=True); "
         "sys.stdin.read()",
         str(tmp_settings.index_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(IndexLockedError, match="writer lock held"):
            EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True, lock_timeout=0.3)
    finally:
        holder.communicate("")  # closing stdin lets the holder exit
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True) as idx:
        assert idx.count() == 0


# -- searching articles --------------------------------------------------------------------


def test_text_search_ranks_title_matches_first_and_matches_stems(index):
    result = index.search(SearchRequest(text="Kyiv"))
    assert ids(result) == ["marathon", "kirby"]  # title match beats body match
    assert result.total == 2
    assert ids(index.search(SearchRequest(text="runner"))) == ["marathon"]  # "Runners"
    assert ids(index.search(SearchRequest(text="runs"))) == ["ecb"]  # "running"
    assert index.search(SearchRequest(text="Kyiv")).hits[0].score > 0


def test_an_article_matches_on_what_was_said(index):
    hit = index.search(SearchRequest(text="as long as it takes")).hits[0]
    assert hit.id == "kirby"
    assert "<b>takes</b>" in hit.highlights["quotes"][0]


def test_a_quote_text_outside_the_body_is_searched_and_highlighted(index):
    """A quote the body does not hold (hand-made input) is searched as the article's words all the same."""
    assert "shipments" not in CORPUS[0].article.body
    hit = index.search(SearchRequest(text="shipments")).hits[0]
    assert hit.id == "kirby"
    assert "aid <b>shipments</b> are on schedule" in hit.highlights["quotes"][0]


def test_quoted_phrase_must_appear_in_order(index):
    assert ids(index.search(SearchRequest(text='"water came"'))) == ["manila"]
    assert index.search(SearchRequest(text='"came water"')).total == 0


@pytest.mark.parametrize("text", ["Kyiv AND (", 'Kyiv) OR "', "*", "Kyiv~2", "((( !!", "title:", "nofield:Kyiv"])
def test_a_malformed_query_is_refused_with_the_reason_never_widened(index, text):
    with pytest.raises(SearchError, match="query"):
        index.search(SearchRequest(text=text))


def test_operators_and_fields_are_the_query_language(index):
    assert set(ids(index.search(SearchRequest(text="Kyiv")))) == {"marathon", "kirby"}
    assert ids(index.search(SearchRequest(text="Kyiv -Kirby"))) == ["marathon"]
    assert set(ids(index.search(SearchRequest(text="Kirby OR water")))) == {"kirby", "manila"}
    assert index.search(SearchRequest(text="title:foo")).total == 0


def test_text_without_any_word_is_refused_rather_than_matching_everything(index):
    with pytest.raises(SearchError, match="no word to search for"):
        index.search(SearchRequest(text="— !!"))
    assert index.search(SearchRequest(text="— Kyiv")).total == index.search(SearchRequest(text="Kyiv")).total


def test_empty_text_matches_all_newest_first_undated_last(index):
    result = index.search(SearchRequest())
    assert ids(result) == ["ecb", "manila", "kirby", "marathon"]
    assert result.total == 4


def test_filters_must_all_match(index):
    assert ids(index.search(SearchRequest(filters=[("locations", "Kyiv")]))) == ["kirby", "marathon"]
    assert ids(index.search(SearchRequest(filters=[("locations", "Kyiv"), ("persons", "John Kirby")]))) == ["kirby"]
    # Whole values, ignoring case and accents
    assert ids(index.search(SearchRequest(filters=[("locations", "KYIV")]))) == ["kirby", "marathon"]
    assert index.search(SearchRequest(filters=[("persons", "Kirby")])).total == 0
    assert ids(index.search(SearchRequest(text="Kyiv", filters=[("speakers", "John Kirby")]))) == ["kirby"]


def test_unknown_filter_field_is_a_clear_error(index):
    with pytest.raises(SearchError, match="unknown field 'body'"):
        index.search(SearchRequest(filters=[("body", "x")]))


def test_date_range_is_inclusive_whole_days_in_utc(index):
    in_may = index.search(SearchRequest(since=date(2024, 5, 1), until=date(2024, 5, 3)))
    assert ids(in_may) == ["manila", "kirby"]
    assert ids(index.search(SearchRequest(until=date(2024, 5, 2)))) == ["kirby"]  # manila is May 3rd UTC
    assert ids(index.search(SearchRequest(since=date(2024, 6, 15)))) == ["ecb"]


def test_facets_count_values_over_all_matches(index):
    result = index.search(SearchRequest(facets=["locations", "persons", "source"], size=1))
    assert [(b.value, b.count) for b in result.facets["locations"]] == [("Kyiv", 2), ("Manila", 1), ("Ukraine", 1)]
    assert [(b.value, b.count) for b in result.facets["source"]] == [("example-news.com", 3), ("asia-wire.org", 1)]
    assert len(result.facets["persons"]) == 3
    narrowed = index.search(SearchRequest(text="Kyiv", facets=["persons"], facet_size=1))
    assert [(b.value, b.count) for b in narrowed.facets["persons"]] == [("John Kirby", 1)]


def test_histogram_counts_dated_matches_per_interval(index):
    by_day = index.search(SearchRequest(histogram_interval="day")).histogram
    assert [(b.date, b.count) for b in by_day] == [("2024-05-01", 1), ("2024-05-03", 1), ("2024-06-15", 1)]
    by_week = index.search(SearchRequest(histogram_interval="week")).histogram
    assert [(b.date, b.count) for b in by_week] == [("2024-04-29", 2), ("2024-06-10", 1)]  # weeks start Monday
    by_month = index.search(SearchRequest(histogram_interval="month")).histogram
    assert [(b.date, b.count) for b in by_month] == [("2024-05-01", 2), ("2024-06-01", 1)]
    by_year = index.search(SearchRequest(text="Kyiv", histogram_interval="year")).histogram
    assert [(b.date, b.count) for b in by_year] == [("2024-01-01", 1)]  # the undated marathon is left out


def test_highlights_mark_matched_words_in_title_and_body(index):
    hit = index.search(SearchRequest(text="typhoon evacuated")).hits[0]
    assert hit.highlights["title"] == ["Floods swamp Manila suburbs after <b>typhoon</b>"]
    assert "<b>evacuated</b>" in hit.highlights["body"][0]
    assert index.search(SearchRequest()).hits[0].highlights == {}


def test_highlights_escape_html_from_the_documents(tmp_settings):
    evil = make_doc("evil", "<script>alert('x')</script> Kyiv & friends", "<img src=x onerror=alert(1)> Kyiv")
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True) as idx:
        idx.write([evil])
        hit = idx.search(SearchRequest(text="Kyiv alert")).hits[0]
    assert hit.highlights["title"] == ["&lt;script&gt;<b>alert</b>(&#x27;x&#x27;)&lt;/script&gt; <b>Kyiv</b> &amp; friends"]
    assert "<img" not in hit.highlights["body"][0] and "&lt;img" in hit.highlights["body"][0]
    assert hit.title == "<script>alert('x')</script> Kyiv & friends"  # the stored field stays as written


def test_paging_walks_through_all_matches(index):
    pages = [index.search(SearchRequest(size=3, page=n)) for n in (1, 2, 3)]
    assert [ids(p) for p in pages] == [["ecb", "manila", "kirby"], ["marathon"], []]
    assert {p.total for p in pages} == {4}
    counted = index.search(SearchRequest(size=0, facets=["language"]))
    assert counted.hits == [] and counted.total == 4 and counted.facets["language"][0].count == 4


def test_hits_carry_the_stored_article_fields(index):
    hit = index.search(SearchRequest(text="Lagarde")).hits[0]
    assert (hit.id, hit.title, hit.url, hit.published_at) == (
        "ecb", "European Central Bank raises interest rates", "https://example-news.com/ecb",
        "2024-06-15T09:00:00+00:00")
    assert hit.fields == {"source": "example-news.com", "authors": ["Jane Doe"], "language": "en", "source_agency": None}


def test_the_source_agency_is_a_facet_and_a_filter_that_forgives_case(index):
    result = index.search(SearchRequest(facets=["source_agency"]))
    assert [(b.value, b.count) for b in result.facets["source_agency"]] == [("Reuters", 1)]
    assert ids(index.search(SearchRequest(filters=[("source_agency", "reuters")]))) == ["manila"]
    assert index.search(SearchRequest(text="source_agency:reuters")).total == 1


def test_articles_an_earlier_version_stored_without_an_agency_come_back_with_none(tmp_settings):
    earlier = make_doc("old", "Harbour works begin", "Work on the new pier began on Monday, the authority said.")
    blob = earlier.to_dict()
    del blob["source_agency"]  # what an earlier news-etl stored
    earlier_version_index(tmp_settings.index_dir / "articles", [SimpleNamespace(article=earlier.article, to_dict=lambda: blob)])
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True) as index:
        index.write(CORPUS)
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings) as index:
        assert index.get("old")["source_agency"] is None
        assert ids(index.search(SearchRequest(filters=[("source_agency", "Reuters")]))) == ["manila"]


def test_the_stored_article_keeps_its_link_and_the_normalised_form():
    doc = make_doc("ferry", "Ferry delayed", "The ferry terminal opens in May.")
    doc.article.url = "https://www.example-news.com/News/Ferry/?page=2"
    doc.article.normalized_url = "https://example-news.com/News/Ferry?page=2"
    blob = stored(to_documents(doc)[0])
    assert (blob["url"], blob["normalized_url"]) == (doc.article.url, doc.article.normalized_url)


# -- searching quotes ----------------------------------------------------------------------


def test_quotes_search_by_speaker_with_facets(index):
    result = index.search(SearchRequest(index="quotes", facets=["speaker", "kind"]))
    assert result.total == 4
    assert [(b.value, b.count) for b in result.facets["speaker"]] == [
        ("John Kirby", 2), ("Christine Lagarde", 1), ("Maria Santos", 1)]
    assert [(b.value, b.count) for b in result.facets["kind"]] == [("direct", 2), ("indirect", 1), ("partial", 1)]
    kirby = index.search(SearchRequest(index="quotes", text="support", filters=[("speaker", "John Kirby")]))
    assert kirby.total == 1
    hit = kirby.hits[0]
    assert hit.fields == {"text": KIRBY_QUOTE, "speaker": "John Kirby", "speaker_label": "PERSON",
                          "cue": "said", "kind": "direct", "article_id": "kirby"}
    assert (hit.id, hit.title, hit.url) == ("kirby-q0", CORPUS[0].article.title, CORPUS[0].article.url)
    assert hit.highlights["text"] == ["We will continue to <b>support</b> Ukraine for as long as it takes"]


def test_quotes_histogram_and_date_range(index):
    result = index.search(SearchRequest(index="quotes", since=date(2024, 6, 1), histogram_interval="month"))
    assert [h.fields["speaker"] for h in result.hits] == ["Christine Lagarde"]
    assert [(b.date, b.count) for b in result.histogram] == [("2024-06-01", 1)]


def test_unattributed_quotes_index_without_a_speaker(tmp_settings):
    doc = make_doc("anon", "Rumours swirl", "Body.", quotes=[quote("nobody knows", None, label=None)])
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True) as idx:
        idx.write([doc])
        result = idx.search(SearchRequest(index="quotes", text="nobody", facets=["speaker"]))
    assert result.total == 1 and result.hits[0].fields["speaker"] is None
    assert result.facets["speaker"] == []


# -- with the real enrichment ------------------------------------------------------------


def test_an_enriched_seed_article_is_searchable_by_its_speakers(nlp, settings, seed_text, tmp_settings):
    """The real enrich stage's output (entities, quotes, null speakers) goes through the index intact."""
    from etl.enrich import enrich

    article = Article(id="seed", url="https://example.org/seed", source="example.org", title="Seed article",
                      authors=[], published_at="2022-03-30T12:00:00+00:00", language="en", body=seed_text,
                      word_count=len(seed_text.split()), content_hash="seed", origin="seeds/seed.txt")
    [doc] = list(enrich([article], nlp, settings))
    assert isinstance(doc, IndexedDocument) and doc.quotes
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True) as idx:
        assert idx.write([doc]).indexed == 1
        result = idx.search(SearchRequest(index="quotes", facets=["speaker"], size=100, facet_size=100))
        assert result.total == len(doc.quotes) == idx.count("quotes")
        counted = {b.value: b.count for b in result.facets["speaker"]}
        assert counted == {s: sum(q.speaker == s for q in doc.quotes) for s in doc.speakers}
        person = doc.facet("persons")[0]
        assert ids(idx.search(SearchRequest(filters=[("persons", person)]))) == ["seed"]
