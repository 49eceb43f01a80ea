"""One story, one document (etl/dedup.py): duplicates are dropped and logged with both origins,
two stories that claim one URL are both kept."""

from __future__ import annotations

import json
import logging

from conftest import STORY, input_folder, page
from etl.clean.identity import article_id
from etl.dedup import SAME_CONTENT, SAME_CONTENT_INDEXED, SAME_URL, URL_CONFLICT, Deduplicator, DuplicateLog
from etl.index import open_sink
from etl.pipeline import run
from etl.records import Article
from etl.search.query import SearchRequest


def article(id_: str, body: str, url: str | None = "https://x.example/story") -> Article:
    return Article(id_, url, None, None, [], None, "en", body, len(body.split()), f"h-{body}", f"/in/{body}.html",
                   normalized_url=url)


def test_same_url_same_content_and_a_url_conflict_are_told_apart():
    dedup = Deduplicator()
    first = article("a", "one")
    assert dedup.admit(first) is None

    again = dedup.admit(article("a", "one"))
    assert (again.reason, again.id, again.origin, again.duplicate_of_origin, again.dropped) == (
        SAME_URL, "a", "/in/one.html", "/in/one.html", True)

    renamed = dedup.admit(article("b", "one", url="https://x.example/other"))
    assert (renamed.reason, renamed.id, renamed.duplicate_of_id, renamed.dropped) == (SAME_CONTENT, "b", "a", True)

    other_story = article("a", "two")
    conflict = dedup.admit(other_story)
    assert (conflict.reason, conflict.id, conflict.duplicate_of_id, conflict.dropped) == (URL_CONFLICT, "a", "a", False)
    assert other_story.id == conflict.indexed_as == article_id(None, "h-two")  # kept, under its content id
    assert other_story.normalized_url == "https://x.example/story"  # the URL the page gave stays

    copy_of_it = dedup.admit(article("a", "two"))  # its copy: a duplicate of the kept one, by content
    assert (copy_of_it.reason, copy_of_it.duplicate_of_id, copy_of_it.dropped) == (SAME_CONTENT, other_story.id, True)
    assert dedup.admit(article("c", "three", url=None)) is None


def test_duplicate_log_writes_one_line_per_collision(tmp_path):
    log = DuplicateLog(tmp_path, run_id="r1")
    dedup = Deduplicator()
    for item in (article("a", "one"), article("a", "one"), article("a", "two")):
        collision = dedup.admit(item)
        if collision:
            log.write(collision)
    log.close()
    lines = [json.loads(line) for line in (tmp_path / "duplicates.jsonl").read_text().splitlines()]
    assert lines == [
        {"run_id": "r1", "id": "a", "origin": "/in/one.html", "duplicate_of_id": "a",
         "duplicate_of_origin": "/in/one.html", "reason": "same url"},
        {"run_id": "r1", "id": "a", "origin": "/in/two.html", "duplicate_of_id": "a",
         "duplicate_of_origin": "/in/one.html", "reason": "same url, different content",
         "indexed_as": article_id(None, "h-two")},
    ]


def test_two_pages_claiming_one_canonical_url_are_both_indexed(tmp_path, tmp_settings, nlp, caplog):
    """A CMS that gives every story its section's canonical link: before, the second overwrote the first."""
    section = '<link rel="canonical" href="https://www.autos.example/news/">'
    sentra = STORY + "<p>The all-new Sentra arrives in showrooms with a larger engine and a lower price than before.</p>"
    lexus = STORY + "<p>Lexus said the open-top LC500 convertible would reach its dealers before the end of summer.</p>"
    folder = input_folder(tmp_path, {
        "a-sentra.html": page(sentra, section),
        "b-lexus.html": page(lexus, section),
        "c-sentra-again.html": page(sentra, section),  # a true duplicate: same URL, same text
    })

    with caplog.at_level(logging.WARNING, logger="etl.pipeline"):
        summary = run([str(folder)], tmp_settings, nlp=nlp)

    assert (summary.read, summary.indexed, summary.duplicates, summary.conflicts) == (3, 2, 1, 1)
    with open_sink(tmp_settings) as sink:
        assert sink.count() == 2
        for word in ("Sentra", "convertible"):
            assert len(sink.search(SearchRequest(text=word)).hits) == 1, word
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "b-lexus.html" in warning.getMessage() and "a-sentra.html" in warning.getMessage()

    lines = [json.loads(line) for line in (tmp_settings.index_dir / "duplicates.jsonl").read_text().splitlines()]
    assert [(line["origin"].rsplit("/", 1)[-1], line["duplicate_of_origin"].rsplit("/", 1)[-1], line["reason"])
            for line in lines] == [
        ("b-lexus.html", "a-sentra.html", "same url, different content"),
        ("c-sentra-again.html", "a-sentra.html", "same url"),
    ]
    assert lines[0]["id"] == lines[1]["id"] == lines[1]["duplicate_of_id"] != lines[0]["indexed_as"]
    assert summary.duplicate_ids == [lines[1]["id"]]


def test_the_text_of_an_article_an_earlier_run_indexed_is_a_duplicate_under_a_new_url():
    indexed = {"h-one": ("a", "/in/old.html", "https://x.example/story")}
    asked = []

    def stored(content_hash):
        asked.append(content_hash)
        return indexed.get(content_hash)

    dedup = Deduplicator(stored=stored)
    assert dedup.admit(article("a", "one")) is None  # the same id again: a re-run overwrites, no duplicate
    fresh = Deduplicator(stored=stored)
    copy = fresh.admit(article("b", "one", url="https://y.example/copy"))
    assert (copy.reason, copy.id, copy.duplicate_of_id, copy.dropped) == (SAME_CONTENT_INDEXED, "b", "a", True)
    assert copy.to_dict() == {"id": "b", "origin": "/in/one.html", "duplicate_of_id": "a",
                              "duplicate_of_origin": "/in/old.html", "reason": SAME_CONTENT_INDEXED,
                              "url": "https://y.example/copy", "duplicate_of_url": "https://x.example/story"}
    again = fresh.admit(article("c", "one", url="https://z.example/copy"))
    assert again.duplicate_of_id == "a" and asked.count("h-one") == 2  # found once per run, then remembered
    assert fresh.admit(article("d", "two")) is None


def test_a_later_run_drops_the_same_body_under_a_new_url(tmp_path, tmp_settings, nlp):
    first = input_folder(tmp_path, {"story.html": page(STORY, '<link rel="canonical" href="https://a.example/story">')})
    summary = run([str(first)], tmp_settings, nlp=nlp)
    assert (summary.indexed, summary.duplicates) == (1, 0)
    again = run([str(first)], tmp_settings, nlp=nlp)  # the same page again: overwritten, not a duplicate
    assert (again.indexed, again.duplicates) == (1, 0)

    later = tmp_path / "later"
    later.mkdir()
    (later / "copy.html").write_bytes(page(STORY, '<link rel="canonical" href="https://b.example/copy">'))
    summary = run([str(later)], tmp_settings, nlp=nlp)
    assert (summary.read, summary.indexed, summary.duplicates, summary.rejected, summary.unchanged) == (1, 0, 1, 0, 0)
    assert summary.read == summary.indexed + summary.rejected + summary.duplicates + summary.unchanged
    with open_sink(tmp_settings) as sink:
        assert sink.count() == 1
        [hit] = sink.search(SearchRequest()).hits
        assert sink.find_by_content_hash(sink.get(hit.id)["content_hash"]) == hit.id
        assert sink.find_by_content_hash("no such hash") is None
    [line] = [json.loads(x) for x in (tmp_settings.index_dir / "duplicates.jsonl").read_text().splitlines()]
    assert (line["reason"], line["url"], line["duplicate_of_url"], line["duplicate_of_id"]) == (
        SAME_CONTENT_INDEXED, "https://b.example/copy", "https://a.example/story", hit.id)
    assert line["origin"].endswith("copy.html") and line["duplicate_of_origin"].endswith("story.html")


def test_what_a_run_remembers_to_judge_duplicates_does_not_grow_its_memory():
    """A run of many articles keeps their ids and hashes on disk, not in the process: still judged alike."""
    import tracemalloc

    tracemalloc.start()
    try:
        dedup = Deduplicator()
        for n in range(20_000):
            assert dedup.admit(article(f"id{n}", f"story {n}", url=f"https://x.example/{n}")) is None
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    late_copy = dedup.admit(article("other", "story 17", url="https://y.example/17"))
    assert (late_copy.reason, late_copy.duplicate_of_id, late_copy.duplicate_of_origin) == (
        SAME_CONTENT, "id17", "/in/story 17.html")
    assert held < 1_000_000  # in dicts, 20,000 articles held ~9 MB
