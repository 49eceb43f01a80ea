"""Near-copies (etl/near_duplicates.py): a wire story republished with one paragraph edited and a
correction added is indexed with ``duplicate_of`` = the original's id, across runs as within one;
``search --unique`` hides it in both engines. Real pages of the extraction benchmark, real engines."""

from __future__ import annotations

import gzip
import json

import pytest

from conftest import EXTRACTION_BENCH
from etl.cli import main
from etl.clean import clean
from etl.index import open_sink
from etl.near_duplicates import NearDuplicates, shingles
from etl.pipeline import run
from etl.records import RawDocument
from etl.search.params import search_request
from etl.search.query import SearchError, SearchRequest

PAGES = EXTRACTION_BENCH / "html"
WIRE = "05844573ca7e1fba714d715bb11ca08c26e25328999c74a1cb3bc8a0e4399f0f"  # AP: the L.A. auto show (ctpost.com)
UNRELATED = "098bb3e96c0a"  # latimes.com: Disney+ and Kevin Mayer
WIRE_PATH = "ctpost.com/news/us/article/New-SUVs-and-electric-vehicles-highlight-L-A-14848164.php"
WIRE_URL = "https://www." + WIRE_PATH
EDITED = ("They say the increased selection and longer range of the new vehicles will make them more popular.",
          ("Dealers, however, warn that charging stations remain scarce outside big cities, and that the prices "
           "of most of these models are still too high for the families who buy small SUVs."))
LAST_PARAGRAPH_END = "</p>"


def bench_page(prefix: str) -> str:
    [path] = PAGES.glob(f"{prefix}*.html.gz")
    return gzip.decompress(path.read_bytes()).decode("utf-8")


CORRECTION = ("Correction: An earlier version of this story gave the wrong day for the opening of the show "
              "to the public. It opens on Friday.")


def republished(html: str, host: str, edit: bool = True, correction: str = CORRECTION) -> str:
    """The wire page under another site's URL; ``edit``: one paragraph edited and a correction added."""
    html = html.replace(WIRE_PATH, f"{host}/autos/la-auto-show-highlights.html")
    if edit:
        assert html.count(EDITED[0]) == 1
        html = html.replace(EDITED[0], EDITED[1])
        anchor = html.index("The 2021 RAV4 Prime")
        end = html.index(LAST_PARAGRAPH_END, anchor) + len(LAST_PARAGRAPH_END)
        html = html[:end] + f"<p>{correction}</p>" + html[end:]
    return html


def jaccard(a: str, b: str) -> float:
    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y)


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("pages")
    wire = bench_page(WIRE)
    files = {
        "a-wire.html": wire,
        "b-copy.html": republished(wire, "news.example.org"),
        "c-unrelated.html": bench_page(UNRELATED),
        "d-same-body.html": republished(wire, "daily.example.net", edit=False),
        "e-copy.html": republished(wire, "herald.example.com", correction="Correction: The Mach E starts at "
                                   "$44,000 before federal tax credits, not after them as first reported."),
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return {name: folder / name for name in files}


def test_the_copy_is_a_real_near_copy_and_not_the_same_text(pages, settings):
    bodies = [clean(RawDocument(origin=str(pages[n]), content=pages[n].read_bytes()), settings)
              for n in ("a-wire.html", "b-copy.html", "c-unrelated.html")]
    wire, copy, other = bodies
    assert wire.url == WIRE_URL and copy.url != wire.url and copy.id != wire.id
    assert copy.content_hash != wire.content_hash and "Correction:" in copy.body and EDITED[1][:40] in copy.body
    assert 0.8 <= jaccard(wire.body, copy.body) < 0.95
    assert jaccard(wire.body, other.body) < 0.05


@pytest.fixture(scope="module")
def first_run(pages, settings, nlp, tmp_path_factory):
    """Run 1 into an embedded index: the wire story, its edited copy, an unrelated story."""
    run_settings = settings.with_(index_dir=tmp_path_factory.mktemp("near") / "index", sink="embedded")
    summary = run([str(pages[n]) for n in ("a-wire.html", "b-copy.html", "c-unrelated.html")], run_settings, nlp=nlp)
    return run_settings, summary


def ids_by_origin(settings) -> dict[str, dict]:
    with open_sink(settings) as sink:
        hits = sink.search(SearchRequest(size=100)).hits
        return {doc["origin"].rsplit("/", 1)[-1]: doc for doc in (sink.get(hit.id) for hit in hits)}


def test_a_near_copy_is_indexed_with_duplicate_of_the_original(first_run):
    settings, summary = first_run
    assert (summary.read, summary.indexed, summary.duplicates, summary.rejected) == (3, 3, 0, 0)
    docs = ids_by_origin(settings)
    assert docs["a-wire.html"]["duplicate_of"] is None
    assert docs["b-copy.html"]["duplicate_of"] == docs["a-wire.html"]["id"]
    assert docs["c-unrelated.html"]["duplicate_of"] is None
    assert (settings.state_folder / "near_duplicates.sqlite3").is_file()


def test_unique_hides_the_copy_and_a_duplicate_of_filter_finds_it(first_run, capsys):
    settings, _ = first_run
    docs = ids_by_origin(settings)
    original = docs["a-wire.html"]["id"]
    with open_sink(settings) as sink:
        everything = {h.id for h in sink.search(SearchRequest(size=100)).hits}
        unique = {h.id for h in sink.search(search_request(size=100, unique=True)).hits}
        assert everything - unique == {docs["b-copy.html"]["id"]}
        assert [h.id for h in sink.search(search_request(text="Sentra", unique=True)).hits] == [original]
        copies = sink.search(search_request(filters=[("duplicate_of", original)], facets=["duplicate_of"])).hits
        assert [h.id for h in copies] == [docs["b-copy.html"]["id"]]
        facet = sink.search(search_request(facets=["duplicate_of"], size=0)).facets["duplicate_of"]
        assert [(b.value, b.count) for b in facet] == [(original, 1)]
        with pytest.raises(SearchError, match="unique"):
            sink.search(search_request(index="quotes", unique=True))

    assert main(["search", "--unique", "--json", "--index-dir", str(settings.index_dir), "--sink", "embedded"]) == 0
    assert {hit["id"] for hit in json.loads(capsys.readouterr().out)["hits"]} == unique


def test_the_api_takes_unique(first_run):
    from fastapi.testclient import TestClient

    from etl.api.app import create_app

    settings, _ = first_run
    with TestClient(create_app(settings)) as client:
        all_hits = client.get("/api/search", params={"size": 100}).json()["hits"]
        unique_hits = client.get("/api/search", params={"size": 100, "unique": "true"}).json()["hits"]
    assert len(all_hits) == 3 and len(unique_hits) == 2


def test_a_second_run_finds_the_first_runs_articles(first_run, pages, nlp):
    """The same body under a new URL is a duplicate of the indexed article (both URLs logged), and a
    near-copy in a new run points at the first run's original: the LSH persisted."""
    settings, _ = first_run
    original = ids_by_origin(settings)["a-wire.html"]
    summary = run([str(pages["d-same-body.html"]), str(pages["e-copy.html"])], settings, nlp=nlp)
    assert (summary.read, summary.indexed, summary.duplicates, summary.rejected, summary.unchanged) == (2, 1, 1, 0, 0)
    assert summary.read == summary.indexed + summary.rejected + summary.duplicates + summary.unchanged
    docs = ids_by_origin(settings)
    assert "d-same-body.html" not in docs
    assert docs["e-copy.html"]["duplicate_of"] == original["id"]
    lines = [json.loads(line) for line in (settings.reject_folder / "duplicates.jsonl").read_text().splitlines()]
    [line] = [x for x in lines if x["origin"].endswith("d-same-body.html")]
    assert line["reason"] == "same content as an indexed article"
    assert (line["duplicate_of_id"], line["duplicate_of_url"]) == (original["id"], WIRE_URL)
    assert line["url"] == "https://www.daily.example.net/autos/la-auto-show-highlights.html"
    assert line["duplicate_of_origin"].endswith("a-wire.html")

    again = run([str(pages["a-wire.html"])], settings, nlp=nlp)  # a re-run of one input overwrites, no duplicate
    assert (again.indexed, again.duplicates) == (1, 0)
    assert ids_by_origin(settings)["a-wire.html"]["duplicate_of"] is None


def test_the_threshold_setting_is_respected(pages, settings, tmp_path):
    wire, copy = (clean(RawDocument(origin=n, content=pages[n].read_bytes()), settings)
                  for n in ("a-wire.html", "b-copy.html"))
    strict = NearDuplicates(tmp_path / "strict", threshold=0.97)
    assert strict.admit(wire) is None and strict.admit(copy) is None
    lax = NearDuplicates(tmp_path / "lax", threshold=settings.near_duplicate_threshold)
    assert lax.admit(wire) is None and lax.admit(copy) == wire.id
    lax.confirm([wire.id])  # only what landed is kept: a new run knows the original, not the copy
    lax.close()
    later = NearDuplicates(tmp_path / "lax", threshold=0.8)
    assert later.admit(copy) == wire.id
    with pytest.raises(ValueError, match="near_duplicate_threshold"):
        NearDuplicates(None, threshold=1.5)


def test_near_copies_in_elasticsearch(pages, es_settings, nlp):
    summary = run([str(pages[n]) for n in ("a-wire.html", "b-copy.html", "c-unrelated.html")], es_settings, nlp=nlp)
    assert (summary.indexed, summary.duplicates) == (3, 0)
    with open_sink(es_settings) as sink:
        sink.client.indices.refresh(index=es_settings.es_articles_alias)
        docs = {sink.get(h.id)["origin"].rsplit("/", 1)[-1]: sink.get(h.id) for h in sink.search(SearchRequest(size=10)).hits}
        original, copy = docs["a-wire.html"]["id"], docs["b-copy.html"]["id"]
        assert docs["b-copy.html"]["duplicate_of"] == original and docs["c-unrelated.html"].get("duplicate_of") is None
        unique = {h.id for h in sink.search(search_request(size=10, unique=True)).hits}
        assert unique == {d["id"] for d in docs.values()} - {copy}
        assert [h.id for h in sink.search(search_request(filters=[("duplicate_of", original)])).hits] == [copy]
        assert sink.find_by_content_hash(docs["a-wire.html"]["content_hash"]) == original
        assert sink.find_by_content_hash("no such hash") is None

    again = run([str(pages["d-same-body.html"])], es_settings, nlp=nlp)
    assert (again.read, again.indexed, again.duplicates) == (1, 0, 1)


def test_a_corrupt_signature_file_is_set_aside_and_the_next_runs_remember_again(tmp_path, caplog):
    import logging

    from etl.near_duplicates import FILE
    from etl.records import Article

    (tmp_path / FILE).write_bytes(b"not a database at all" * 100)
    body = " ".join(f"word{n}" for n in range(200))
    article = Article(id="a1", url="https://x.example/1", source="x", title="t", authors=[], published_at=None,
                      language="en", body=body, word_count=200, content_hash="h", origin="x")
    caplog.set_level(logging.WARNING)
    near = NearDuplicates(tmp_path)
    assert near.admit(article) is None
    near.confirm(["a1"])
    near.close()
    assert any("unreadable" in r.getMessage() and "starting fresh" in r.getMessage() for r in caplog.records)
    assert (tmp_path / (FILE + ".corrupt")).is_file()

    copy = Article(**{**{f: getattr(article, f) for f in article.__dataclass_fields__}, "id": "a2", "url": "https://y.example/2"})
    later = NearDuplicates(tmp_path)
    assert later.admit(copy) == "a1"  # the fresh file kept run 1's signature
    later.close()


def earlier_layout_file(folder, articles) -> None:
    """A signature file as news-etl wrote it before the band keys were stored: signatures only."""
    import sqlite3

    from etl.near_duplicates import DTYPE, FILE, signature

    folder.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(folder / FILE) as conn:
        conn.execute("CREATE TABLE signatures (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, duplicate_of TEXT, "
                     "hashvalues BLOB NOT NULL)")
        conn.executemany("INSERT INTO signatures VALUES (?, ?, ?, ?)",
                         [(a.id, seq, None, signature(a.body).hashvalues.astype(DTYPE).tobytes())
                          for seq, a in enumerate(articles, 1)])
    conn.close()


def test_a_file_of_the_earlier_layout_is_upgraded_once_and_its_originals_found(pages, settings, tmp_path, caplog):
    import logging

    wire, copy, other = (clean(RawDocument(origin=n, content=pages[n].read_bytes()), settings)
                         for n in ("a-wire.html", "b-copy.html", "c-unrelated.html"))
    earlier_layout_file(tmp_path, [other, wire])
    caplog.set_level(logging.WARNING)
    near = NearDuplicates(tmp_path)
    [line] = [r.getMessage() for r in caplog.records]
    assert "earlier version" in line and "2 signatures" in line
    assert near.admit(copy) == wire.id
    near.confirm([copy.id])
    near.close()

    caplog.clear()
    again = NearDuplicates(tmp_path)  # upgraded: no second warning; the copy of run 2 is stored as one
    assert caplog.records == []
    republished_again = type(copy)(**{**{f: getattr(copy, f) for f in copy.__dataclass_fields__}, "id": "c3"})
    assert again.admit(republished_again) == wire.id  # the copy of a copy points at the original
    again.close()


def test_opening_a_large_signature_file_reads_none_of_it_into_memory(tmp_path):
    """What a run holds does not grow with the articles earlier runs stored: they are queried, not loaded."""
    import random
    import tracemalloc

    from etl.records import Article

    rng = random.Random(3)
    words = [f"w{n}" for n in range(5000)]

    def article(n: int) -> Article:
        body = " ".join(rng.choice(words) for _ in range(120))
        return Article(id=f"s{n}", url=f"https://x.example/{n}", source="x", title="t", authors=[], published_at=None,
                       language="en", body=body, word_count=120, content_hash=f"h{n}", origin=f"x{n}")

    stored = [article(n) for n in range(3000)]
    earlier_layout_file(tmp_path, stored)
    NearDuplicates(tmp_path).close()  # the one-time upgrade
    tracemalloc.start()
    try:
        near = NearDuplicates(tmp_path)
        edited = Article(**{**{f: getattr(stored[1234], f) for f in Article.__dataclass_fields__},
                            "id": "new", "body": stored[1234].body + " one more word"})
        assert near.admit(edited) == "s1234"
        held = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    near.close()
    # The earlier layout held ~3.6 KB per stored article (over 10 MB here); SQLite's page cache is bounded.
    assert held < 2_000_000


def test_without_a_state_folder_a_run_still_compares_its_own_articles(pages, settings):
    wire, copy = (clean(RawDocument(origin=n, content=pages[n].read_bytes()), settings)
                  for n in ("a-wire.html", "b-copy.html"))
    near = NearDuplicates(None)
    assert near.admit(wire) is None and near.admit(copy) == wire.id
    near.close()
