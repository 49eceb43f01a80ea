"""Faults in the content itself (issue #17, Faults): nearly-UTF-8 bytes, zero-width joiners,
metadata of the wrong type, truncated WARC records.

All inputs are generated here and go through one real run (real spaCy model, real Tantivy index).
Each must come out readable and kept, or, for a truncated record, as a rejected record naming the
file and the record.
"""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import pytest

from etl.settings import Settings
from reliability.corpus import ACCENTED, PARAGRAPHS, html_page, own

ZWNJ, ZWJ = "\u200c", "\u200d"
PERSIAN = ("می\u200cخواهم", "کتاب\u200cها")  # "I want", "books": the ZWNJ is part of the spelling
FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467"  # one emoji, joined by ZWJs
NEARLY_UTF8 = "Biden\u2019s visit to the café in Zürich"


def _nearly_utf8(text: str) -> bytes:
    """UTF-8 with two stray bytes in it (a broken byte from a bad copy, a cut sequence)."""
    data = text.encode("utf-8")
    cut = data.index(b"\n\n", len(data) // 2)
    return data[:cut] + b" \xff\xfe " + data[cut:]


def _typed_lines() -> dict[str, tuple[dict, str, object]]:
    """JSON Lines of exports with metadata of the wrong type: name -> (line, field, expected value)."""
    text = lambda n: "\n\n".join(own(PARAGRAPHS[1:4], 500 + n))  # noqa: E731
    rows = [
        ({"title": 2024}, "title", "2024"),
        ({"title": "Epoch seconds", "published_at": 1717243200}, "published_at", "2024-06-01T12:00:00+00:00"),
        ({"title": "Epoch millis", "published_at": 1717243200000}, "published_at", "2024-06-01T12:00:00+00:00"),
        ({"title": "Numeric authors", "authors": [123, "Jane Doe"]}, "authors", ["Jane Doe"]),
        ({"title": "Dict author", "authors": {"name": "Tom Ellis"}}, "authors", ["Tom Ellis"]),
        ({"title": "Useless author", "authors": {"id": 7}, "published_at": {"x": 1}}, "authors", []),
        ({"title": ["A list title"], "published_at": True}, "published_at", None),
    ]
    lines = {}
    for n, (fields, field, expected) in enumerate(rows):
        lines[f"typed.jsonl#L{n + 1}"] = ({"url": f"https://c.example.net/typed/{n}", "text": text(n), **fields}, field, expected)
    return lines


TYPED = _typed_lines()
LD_PAGE = ("typed-ld.html", {"@type": "NewsArticle", "headline": 1984, "datePublished": 1717243200, "author": [42, {"name": 7}]})


def _warc(path: Path, *, gzipped: bool) -> tuple[bytes, int]:
    """Two HTML responses; returns the bytes of the whole file (the caller cuts them) and where the second starts."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = BytesIO()
    writer = WARCWriter(out, gzip=gzipped)
    starts = []
    for n, url in enumerate((f"https://d.example.org/first-{gzipped}", f"https://d.example.org/second-{gzipped}")):
        page = html_page(f"Harbour story {n}", own(PARAGRAPHS[n : n + 3], 600 + n + 10 * gzipped)).encode()
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(page)))],
                                protocol="HTTP/1.1")
        starts.append(out.tell())
        writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(page), http_headers=http))
    return out.getvalue(), starts[1]


def _truncated_warc(path: Path, *, gzipped: bool) -> None:
    # Where the second record starts comes from the writer: the gzip magic can occur inside the first
    # member's compressed bytes (its record id and date differ each time), so searching for it is a gamble.
    data, second = _warc(path, gzipped=gzipped)
    if gzipped:  # cut inside the second gzip member (each record is one member)
        path.write_bytes(data[: second + (len(data) - second) // 2])
    else:  # cut inside the second record's payload
        path.write_bytes(data[: second + (len(data) - second) * 2 // 3])


@pytest.fixture(scope="module")
def batch(tmp_path_factory, nlp, tally):
    root = tmp_path_factory.mktemp("content-faults")
    folder = root / "in"
    folder.mkdir()
    body = "\n\n".join([NEARLY_UTF8 + " was discussed on Tuesday.", *ACCENTED, *own(PARAGRAPHS[:2], 700)])
    (folder / "nearly-utf8.txt").write_bytes(_nearly_utf8(f"Talks in Zürich\n\n{body}\n"))
    (folder / "nearly-utf8.html").write_bytes(_nearly_utf8(html_page("Talks in Zürich", body.split("\n\n"))))
    joiners = (f"Readers wrote {PERSIAN[0]} and {PERSIAN[1]} in their letters, and sent {FAMILY} in replies. "
               "A zero\u200bwidth space and a \ufeffBOM are junk.")
    (folder / "joiners.txt").write_text(f"Letters to the desk\n\n{joiners}\n\n" + "\n\n".join(own(PARAGRAPHS[2:5], 701)) + "\n")
    (folder / "typed.jsonl").write_text("\n".join(json.dumps(line) for line, _, _ in TYPED.values()) + "\n")
    ld = json.dumps(LD_PAGE[1])
    (folder / LD_PAGE[0]).write_text(html_page("", own(PARAGRAPHS[3:6], 702), head=f'<script type="application/ld+json">{ld}</script>'))
    _truncated_warc(folder / "cut.warc", gzipped=False)
    _truncated_warc(folder / "cut.warc.gz", gzipped=True)
    settings = Settings.from_env({}, sink="embedded", index_dir=root / "index")
    docs = {}
    summary = tally.run([folder], settings, inputs=5 + len(TYPED) + 4, nlp=nlp,
                        on_document=lambda d: docs.setdefault(Path(d.article.origin).name, d))
    rejected = [json.loads(line) for line in (settings.index_dir / "rejected.jsonl").read_text().splitlines()] if (
        settings.index_dir / "rejected.jsonl").exists() else []
    return summary, docs, rejected


@pytest.mark.parametrize("name", ["nearly-utf8.txt", "nearly-utf8.html"])
def test_mostly_utf8_bytes_are_read_as_utf8_with_replacement(batch, name):
    _, docs, rejected = batch
    assert name in docs, rejected
    body = docs[name].article.body
    assert NEARLY_UTF8 in body, body[:300]
    assert "café" in body and "Zürich" in body and "‚Äô" not in body and "Ã" not in body and "أ" not in body


def test_zero_width_joiners_are_kept_and_invisible_junk_is_not(batch):
    _, docs, rejected = batch
    body = docs["joiners.txt"].article.body
    assert all(word in body for word in PERSIAN), body[:300]
    assert FAMILY in body
    assert "\u200b" not in body and "\ufeff" not in body and "zerowidth" in body


@pytest.mark.parametrize("name", list(TYPED))
def test_metadata_of_the_wrong_type_is_coerced_and_the_article_kept(batch, name):
    _, docs, rejected = batch
    assert name in docs, [r for r in rejected if r["origin"].endswith(name)]
    _, field, expected = TYPED[name]
    value = getattr(docs[name].article, field)
    assert value == expected


def test_json_ld_of_the_wrong_type_is_coerced_and_the_article_kept(batch):
    _, docs, rejected = batch
    assert LD_PAGE[0] in docs, rejected
    article = docs[LD_PAGE[0]].article
    assert article.title == "1984"
    assert article.published_at == "2024-06-01T12:00:00+00:00"
    assert article.authors == []


@pytest.mark.parametrize("name", ["cut.warc", "cut.warc.gz"])
def test_a_truncated_warc_record_is_a_rejected_record_naming_file_and_record(batch, name):
    _, docs, rejected = batch
    assert f"{name}#0" in docs  # the complete record before the cut
    assert f"{name}#1" not in docs  # the cut one is never indexed as if complete
    cut = [r for r in rejected if Path(r["origin"].split("#")[0]).name == name]
    assert len(cut) == 1, rejected
    assert cut[0]["origin"].endswith(f"{name}#1") and "truncated" in cut[0]["reason"]


def test_counts_reconcile(batch):
    summary, docs, rejected = batch
    assert summary.read == summary.indexed + summary.rejected + summary.duplicates
    assert summary.rejected == len(rejected)
