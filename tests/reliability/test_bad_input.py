"""Bad input (issue #9): every input is indexed or becomes a rejected record with a clear reason,
the run goes on, and the counts reconcile: read = indexed + rejected + duplicates.

All bad inputs go through one real run (real spaCy model, real Tantivy index), as they would
arrive in one daily drop folder; the tests then check what became of each.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from etl.index import open_sink
from etl.search.query import SearchRequest
from etl.settings import Settings
from reliability.corpus import bad_inputs, huge_page, write_articles
from reliability.tally import indexed_ids

GOOD = 3  # ordinary articles beside the bad ones
SURROGATE = re.compile("[\ud800-\udfff]")


def name_of(origin: str) -> str:
    return Path(origin).name


@pytest.fixture(scope="module")
def batch(tmp_path_factory, nlp, tally):
    """One run over all the bad inputs plus a few good articles: (expected fates, summary, docs, rejected, settings)."""
    root = tmp_path_factory.mktemp("bad-input")
    expected = bad_inputs(root / "in")
    write_articles(root / "in" / "good", GOOD)
    expected.update({f"dispatch-{n:03d}.txt": "indexed" for n in range(GOOD)})
    settings = Settings.from_env({}, sink="embedded", index_dir=root / "index")
    docs = {}
    summary = tally.run([root / "in"], settings, inputs=len(expected), nlp=nlp, on_document=lambda d: docs.setdefault(name_of(d.article.origin), d))
    rejected = {}
    for line in (settings.index_dir / "rejected.jsonl").read_text().splitlines():
        record = json.loads(line)
        rejected[name_of(record["origin"])] = record
    return expected, summary, docs, rejected, settings


def test_counts_reconcile_and_every_input_is_accounted_for(batch, tally):
    expected, summary, docs, rejected, settings = batch
    assert summary.read == len(expected)
    assert summary.read == summary.indexed + summary.rejected + summary.duplicates
    assert summary.duplicates == sum(1 for fate in expected.values() if fate == "duplicate")
    assert summary.rejected == len(rejected)
    assert set(docs) | set(rejected) == {name for name, fate in expected.items() if fate != "duplicate"}
    with open_sink(settings) as sink:
        tally.check_exactly_once({d.article.id for d in docs.values()}, indexed_ids(sink))


@pytest.mark.parametrize(
    "name",
    [
        "empty.html", "blank.txt", "binary.html", "png-named.html", "wrong-charset.html", "latin1.txt", "utf16.txt",
        "utf16.html", "nul-bytes.html", "deep.html", "no-article.html", "german.html", "truncated-feed.rss#0",
        "sloppy-feed.xml#0", "unclosed-quote.txt", "export.jsonl#L1", "export.jsonl#L2", "export.jsonl#L3",
        "export.jsonl#L5",
    ],
)
def test_each_bad_input_is_indexed_or_rejected_with_a_reason(batch, name):
    expected, _, docs, rejected, _ = batch
    fate = "indexed" if name in docs else "rejected" if name in rejected else "missing"
    assert fate != "missing", f"{name} was neither indexed nor rejected"
    assert expected[name] in (fate, "either"), f"{name}: expected {expected[name]}, got {fate}" + (
        f" ({rejected[name]['stage']}: {rejected[name]['reason']})" if fate == "rejected" else ""
    )
    if fate == "rejected":
        record = rejected[name]
        assert record["stage"] and len(record["reason"]) > 8 and record["origin"].endswith(name)


def test_the_same_url_twice_in_one_batch_is_indexed_once(batch):
    _, summary, docs, _, _ = batch
    assert "export.jsonl#L4" not in docs
    assert summary.duplicate_ids == [docs["export.jsonl#L1"].article.id]
    # The same URL with other text is another story claiming it: kept under its content id (issue 12).
    assert summary.conflicts == 1
    assert docs["export.jsonl#L5"].article.normalized_url == docs["export.jsonl#L1"].article.normalized_url
    assert docs["export.jsonl#L5"].article.id != docs["export.jsonl#L1"].article.id


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("wrong-charset.html", ["café", "Zürich", "naïve"]),
        ("latin1.txt", ["café", "Zürich", "résumé"]),
        ("utf16.txt", ["Genève", "débâcle", "São Paulo"]),
        ("utf16.html", ["Genève", "débâcle", "São Paulo"]),
    ],
)
def test_text_in_any_encoding_comes_out_readable(batch, name, words):
    _, _, docs, _, _ = batch
    body = docs[name].article.body
    assert all(word in body for word in words), body[:300]
    assert "\ufffd" not in body and "Ã" not in body  # no replacement characters, no mojibake


def test_nul_bytes_and_lone_surrogates_never_reach_the_index(batch):
    _, _, docs, _, settings = batch
    for doc in docs.values():
        for text in (doc.article.title or "", doc.article.body):
            assert "\x00" not in text and "\ufffd" not in text and not SURROGATE.search(text), doc.article.origin
    assert "Kyiv" in docs["nul-bytes.html"].article.body and docs["nul-bytes.html"].article.title == "Talks resume in Istanbul"
    assert docs["export.jsonl#L3"].article.title == "Sanctions stay in place"  # the article with broken escapes is kept
    with open_sink(settings) as sink:
        assert sink.search(SearchRequest("Kyiv")).total >= 1


def test_non_english_article_is_recorded_with_its_language_and_skipped_by_english_enrichers(batch):
    _, _, docs, _, _ = batch
    german = docs["german.html"]
    assert german.article.language == "de"
    assert german.quotes == []  # English speech verbs and quote rules do not apply
    assert all(doc.article.language == "en" for name, doc in docs.items() if name.startswith("dispatch-"))


def test_a_quote_with_no_closing_mark_does_not_break_the_article(batch):
    _, _, docs, _, _ = batch
    doc = docs["unclosed-quote.txt"]
    assert "take the Russians at their word" in doc.article.body
    for quote in doc.quotes:
        assert 0 <= quote.start < quote.end <= len(doc.article.body)
        assert doc.article.body[quote.start : quote.end].strip()


def test_a_20_mb_page_is_indexed_or_rejected_and_the_run_goes_on(tmp_path, nlp, tally):
    folder = tmp_path / "in"
    write_articles(folder, 1)
    huge_page(folder / "huge.html", megabytes=20)
    assert (folder / "huge.html").stat().st_size >= 20_000_000
    settings = Settings.from_env({}, sink="embedded", index_dir=tmp_path / "index")
    summary = tally.run([folder], settings, inputs=2, nlp=nlp)
    assert summary.read == 2 and summary.read == summary.indexed + summary.rejected
    assert summary.indexed >= 1  # the ordinary article beside it
