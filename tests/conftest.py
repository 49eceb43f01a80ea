"""Shared fixtures: the real spaCy model (loaded once), the seed article, settings on tmp dirs,
and small HTML pages built around one short story."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from es_server import es_cluster, es_settings  # noqa: F401  (Elasticsearch fixtures: real cluster or osmem-server)

from etl.records import RawDocument
from etl.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_af0686017c84191f.txt"
SHARED = ROOT.parent / "shared"
EXTRACTION_BENCH = SHARED / "bench" / "extraction"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# A story long enough to pass the cleaner's minimum; tests vary the page around it.
STORY = (
    "<p>The harbour authority said on Monday that the new ferry terminal would open in May, two years later "
    "than planned, after engineers found cracks in the concrete of the main pier.</p>"
    "<p>Repairs will cost about four million euros, according to the authority, which blamed the delay on "
    "a supplier that has since gone out of business.</p>"
    "<p>Local businesses said the delay had cost them a second summer of tourist trade, and asked the "
    "regional government for help with their rents until the terminal opens.</p>"
)


def stop_process(process: subprocess.Popen) -> None:
    """A server process of a test's, stopped: SIGTERM, then SIGKILL if it has not gone in 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def earlier_version_index(folder: Path, docs) -> None:
    """An articles index as an earlier news-etl wrote it: another schema (en_stem text, no folded or
    word fields), the same stored blob of each whole document."""
    import json

    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("body", tokenizer_name="en_stem")
    builder.add_bytes_field("doc", stored=True)
    folder.mkdir(parents=True)
    writer = tantivy.Index(builder.build(), str(folder)).writer()
    for doc in docs:
        writer.add_document(tantivy.Document(id=doc.article.id, body=doc.article.body, doc=json.dumps(doc.to_dict()).encode()))
    writer.commit()
    writer.wait_merging_threads()


def page(body: str, head: str = "") -> bytes:
    """An HTML page: ``head`` markup, and ``body`` as its article."""
    return f"<html><head>{head}</head><body><article>{body}</article></body></html>".encode()


def raw_html(content: bytes | str, origin: str = "test.html", **kw) -> RawDocument:
    return RawDocument(origin=origin, content=content, **kw)


def input_folder(tmp_path: Path, files: dict) -> Path:
    """A folder of inputs: file name -> its text or bytes, or SEED for a copy of the seed article."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name, content in files.items():
        target = folder / name
        if content is SEED:
            shutil.copy(SEED, target)
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    return folder


def quotes(nlp, text: str):
    """The quotes the pipeline finds in ``text``, checked to be cut from it where they say they are."""
    doc = nlp(text)
    assert doc._.enrich_error is None
    for q in doc._.quotes:
        assert text[q.start : q.end] == q.text
    return doc._.quotes


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Project defaults, ignoring the caller's environment (no stray ELASTICSEARCH_URL)."""
    return Settings.from_env({})


@pytest.fixture(scope="session")
def loopback_settings(settings) -> Settings:
    """Defaults with the fetcher's address guard opened for this machine only, for tests that serve
    pages on loopback (pytest-httpserver's ``localhost``, 127.0.0.1, ::1)."""
    return settings.with_(allow_private_hosts="127.0.0.1,::1", obey_robots_txt=False)  # robots.txt has its own tests (test_polite_fetching); these servers serve none


@pytest.fixture(scope="session")
def nlp(settings):
    """The real English pipeline, loaded once for the whole session."""
    from etl.enrich import load_nlp

    return load_nlp(settings)


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def tmp_settings(settings, tmp_path) -> Settings:
    """Settings whose embedded index lives in this test's tmp dir."""
    return settings.with_(index_dir=tmp_path / "index", sink="embedded")


@pytest.fixture
def quote_finder_fails_on(monkeypatch):
    """Fault injection: no real text makes the quote finder raise, so ``arm(marker, message)`` makes it
    raise ``RuntimeError(message)`` for a text holding ``marker`` (the rest goes through it as usual)."""
    from etl.enrich import components

    real = components.extract_quotes

    def arm(marker: str, message: str) -> None:
        def fragile(doc, entity_of, lexicon):
            if marker in doc.text:
                raise RuntimeError(message)
            return real(doc, entity_of, lexicon)

        monkeypatch.setattr(components, "extract_quotes", fragile)

    return arm
