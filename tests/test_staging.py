"""The scheduled run's steps (etl/staging.py) on real files, the real model and a real Tantivy index."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from conftest import SEED
from etl.index import open_sink
from etl.records import Article, Entity, IndexedDocument, Quote
from etl.search.query import SearchRequest
from etl.staging import (
    RejectRateExceeded,
    discover,
    index_staged,
    plan_batches,
    read_staged,
    split_batches,
    stage_batch,
    summarize,
)

DAY = date(2025, 3, 14)


def document(doc_id: str, body: str, title: str) -> IndexedDocument:
    article = Article(
        id=doc_id, url=f"https://news.example.com/{doc_id}", source="news.example.com", title=title,
        authors=["Ana Ruiz"], published_at="2025-03-14T08:00:00+00:00", language="en", body=body,
        word_count=len(body.split()), content_hash=f"hash-{body}", origin=f"drop/{doc_id}.html",
        normalized_url=f"https://news.example.com/{doc_id}",
    )
    entities = [Entity(name="John Kirby", label="PERSON", count=2, mentions=["John Kirby", "Kirby"])]
    quotes = [Quote(text="We are watching", speaker="John Kirby", speaker_label="PERSON", cue="said",
                    kind="direct", start=0, end=15)]
    return IndexedDocument(article, entities, quotes, ingested_at="2025-03-14T09:00:00+00:00")


def write_staged(path, docs):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(d.to_dict()) + "\n" for d in docs), encoding="utf-8")
    return path


def test_discover_lists_the_days_drop_folder_then_the_configured_sources(tmp_path):
    day_dir = tmp_path / "drop" / "2025-03-14"
    (day_dir / "wires").mkdir(parents=True)
    for name in ("b.html", "a.txt", "wires/c.html", ".partial.html"):
        (day_dir / name).write_text("x", encoding="utf-8")
    (tmp_path / "drop" / "2025-03-13").mkdir()
    (tmp_path / "drop" / "2025-03-13" / "yesterday.html").write_text("x", encoding="utf-8")

    inputs = discover(tmp_path / "drop", DAY, ["https://feeds.example.com/world.rss"])

    assert inputs == [str(day_dir / "a.txt"), str(day_dir / "b.html"), str(day_dir / "wires" / "c.html"),
                      "https://feeds.example.com/world.rss"]


def test_discover_a_day_without_a_drop_folder_has_only_the_feeds(tmp_path):
    assert discover(tmp_path / "drop", DAY, ["urls.txt"]) == ["urls.txt"]
    assert discover(tmp_path / "drop", DAY, []) == []


def test_split_batches_keeps_order_and_the_last_batch_short():
    assert split_batches(list("abcde"), 2) == [["a", "b"], ["c", "d"], ["e"]]
    assert split_batches([], 3) == []
    with pytest.raises(ValueError, match="batch size must be at least 1, got 0"):
        split_batches(["a"], 0)


def test_plan_batches_gives_each_batch_its_folder_and_clears_an_earlier_run(tmp_path):
    run_dir = tmp_path / "staging" / "2025-03-14"
    stale = run_dir / "batch-0007" / "documents.jsonl"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}\n", encoding="utf-8")

    plan = plan_batches(["a", "b", "c"], 2, run_dir)

    assert plan == [
        {"inputs": ["a", "b"], "out_dir": str(run_dir / "batch-0000")},
        {"inputs": ["c"], "out_dir": str(run_dir / "batch-0001")},
    ]
    assert not stale.exists()


def test_stage_batch_writes_documents_rejects_and_duplicates_and_a_retry_replaces_them(tmp_path, tmp_settings, nlp):
    empty = tmp_path / "drop" / "empty.html"
    empty.parent.mkdir()
    empty.write_text("", encoding="utf-8")
    copy = tmp_path / "drop" / "copy.txt"
    copy.write_bytes(SEED.read_bytes())
    out_dir = tmp_path / "staging" / "batch-0000"

    counts = stage_batch([str(SEED), str(empty), str(copy)], out_dir, tmp_settings, nlp=nlp)

    assert (counts["read"], counts["staged"], counts["rejected"], counts["duplicates"]) == (3, 1, 1, 1)
    staged = list(read_staged([out_dir / "documents.jsonl"]))
    assert len(staged) == 1 and "Putin" in staged[0].article.body
    rejected = [json.loads(line) for line in (out_dir / "rejected.jsonl").read_text().splitlines()]
    assert [r["origin"] for r in rejected] == [str(empty)]
    [duplicate] = [json.loads(line) for line in Path(counts["duplicates_file"]).read_text().splitlines()]
    assert (duplicate["origin"], duplicate["duplicate_of_origin"]) == (str(copy), str(SEED))
    assert duplicate["reason"] == "same content"  # a text file has no URL

    retried = stage_batch([str(SEED)], out_dir, tmp_settings, nlp=nlp)

    assert (retried["staged"], retried["rejected"], retried["duplicates"]) == (1, 0, 0)
    assert (out_dir / "rejected.jsonl").read_text() == (out_dir / "duplicates.jsonl").read_text() == ""  # replaced
    assert sorted(p.name for p in out_dir.iterdir()) == ["documents.jsonl", "duplicates.jsonl", "rejected.jsonl"]


def test_read_staged_names_the_file_and_line_of_a_broken_record(tmp_path):
    path = tmp_path / "documents.jsonl"
    path.write_text(json.dumps(document("a1", "one", "One").to_dict()) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"documents\.jsonl:2: not a staged document"):
        list(read_staged([path]))


def test_index_staged_drops_duplicates_across_batches_and_a_rerun_overwrites(tmp_path, tmp_settings):
    first = write_staged(tmp_path / "b0" / "documents.jsonl", [
        document("a1", "Kirby spoke about Ukraine", "Kirby on Ukraine"),
        document("a2", "Markets fell in Tokyo", "Markets"),
    ])
    second = write_staged(tmp_path / "b1" / "documents.jsonl", [
        document("a1", "Kirby spoke about Ukraine", "Kirby on Ukraine"),  # same id in another batch
        document("a3", "Markets fell in Tokyo", "Markets again"),  # same body under another id
        document("a4", "Rain in Lisbon", "Weather"),
    ])

    counts = index_staged([first, second], tmp_settings)

    assert counts == {"indexed": 3, "duplicates": 2, "conflicts": 0, "recanonicalized": 0, "failed": 0, "reasons": {}}
    duplicates = [json.loads(line) for line in (tmp_settings.index_dir / "duplicates.jsonl").read_text().splitlines()]
    assert [(d["id"], d["origin"], d["duplicate_of_id"], d["reason"]) for d in duplicates] == [
        ("a1", "drop/a1.html", "a1", "same url"), ("a3", "drop/a3.html", "a2", "same content")]
    assert index_staged([first, second], tmp_settings)["indexed"] == 3
    with open_sink(tmp_settings) as sink:
        assert sink.count() == 3
        result = sink.search(SearchRequest(text="Ukraine", facets=["persons"]))
    assert [hit.id for hit in result.hits] == ["a1"]


def test_summarize_reconciles_counts_and_fails_a_run_with_too_many_rejects():
    batches = [
        {"read": 6, "rejected": 1, "duplicates": 1, "reasons": {"clean: empty page": 1}},
        {"read": 4, "rejected": 0, "duplicates": 0, "reasons": {}},
    ]
    indexed = {"indexed": 6, "duplicates": 1, "failed": 1, "recanonicalized": 3, "reasons": {"index: mapping error": 1}}

    report = summarize(batches, indexed, max_reject_rate=0.2)

    assert report == {
        "read": 10, "indexed": 6, "rejected": 2, "duplicates": 2, "conflicts": 0, "recanonicalized": 3, "reject_rate": 0.2,
        "reasons": {"clean: empty page": 1, "index: mapping error": 1},
    }
    assert report["read"] == report["indexed"] + report["rejected"] + report["duplicates"]
    with pytest.raises(RejectRateExceeded, match=r"2 of 10 inputs rejected \(20.0%\), over the allowed 10.0%"):
        summarize(batches, indexed, max_reject_rate=0.1)
