"""Fixtures for `news-etl serve`: an index of real pages, and real server processes on loopback.

``api_index_dir`` is an embedded index built once per session from real pages of the extraction
benchmark (plus one article whose title is markup, ``HOSTILE_TITLE``); ``api_server`` is the base URL
("http://127.0.0.1:PORT") of `news-etl serve` over it, started by the real console script. The page
tests (tests/api/test_page_browser.py) use both. ``es_api`` is the same pages indexed into
Elasticsearch (osmem-server, or a real cluster when ELASTICSEARCH_URL is set) with a server over it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from conftest import EXTRACTION_BENCH, ROOT, stop_process

from etl.index import open_sink
from etl.records import Article, Entity, IndexedDocument, Quote
from etl.settings import Settings

PAGES = EXTRACTION_BENCH / "html"
PAGE_COUNT = 30
NEWS_ETL = ROOT / ".venv" / "bin" / "news-etl"
HOSTILE_TITLE = "Harbour <img src=x onerror=alert(1)> ferry terminal delayed"
HOSTILE_ID = "hostile-title-0001"
# The environment of every server and CLI run here: none of the caller's NEWS_ETL_* or ELASTICSEARCH_*.
BASE_ENV = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}


@dataclass
class Engine:
    """One sink as the tests reach it: the server's base URL, and what the CLI needs to search the same index."""

    name: str
    url: str
    cli_args: list[str]  # appended to `news-etl search|quotes|get|stats`
    env: dict[str, str] = field(default_factory=dict)  # the environment of the server and the CLI
    settings: Settings | None = None  # the same index, for the library in this process


def hostile_document() -> IndexedDocument:
    """An article whose title is markup: the cleaner would strip it, so it is written to the sink directly."""
    body = ("The harbour authority said on Monday that the new ferry terminal would open in May, two years late, "
            "after engineers found cracks in the concrete of the main pier. Repairs will cost four million euros.")
    article = Article(
        id=HOSTILE_ID, url="https://harbour.example.com/ferry", source="harbour.example.com", title=HOSTILE_TITLE,
        authors=["Jane <b>Doe</b>"], published_at="2024-05-01T10:00:00+00:00", language="en", body=body,
        word_count=len(body.split()), content_hash="hash-hostile", origin="tests/api/hostile.html",
    )
    quote = Quote(text="<script>alert(1)</script> the pier is unsafe", speaker="Maria Santos", speaker_label="PERSON",
                  cue="said", kind="direct", start=0, end=10)
    return IndexedDocument(article, [Entity("Maria Santos", "PERSON", 1, ["Maria Santos"])], [quote],
                           ingested_at="2024-05-02T08:00:00+00:00")


def index_pages(settings: Settings, nlp, tmp: Path) -> None:
    """The first PAGE_COUNT benchmark pages through the whole pipeline into ``settings``' sink, then the hostile article."""
    from etl.pipeline import run

    if not PAGES.is_dir():
        pytest.skip(f"benchmark pages not found at {PAGES}")
    folder = tmp / "pages"
    folder.mkdir()
    for page in sorted(PAGES.iterdir())[:PAGE_COUNT]:
        shutil.copy(page, folder / page.name)
    summary = run([str(folder)], settings, nlp=nlp)
    assert summary.indexed >= PAGE_COUNT // 2, summary
    with open_sink(settings, write=True) as sink:
        report = sink.write([hostile_document()])
    assert report.indexed == 1 and not report.failed, report


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(*args: str, env: dict[str, str] | None = None, expect_healthy: bool = True, timeout: float = 60) -> Iterator[str]:
    """`news-etl serve ARGS` on a free loopback port; yields its base URL once /healthz answers, then stops it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # Output to a file, not a pipe: nobody reads a pipe while tests run, and uvicorn's access log would fill it
    # (64 KB) and block the server mid-suite.
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen([str(NEWS_ETL), "serve", "--host", "127.0.0.1", "--port", str(port), *args],
                            env={**BASE_ENV, **(env or {})}, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise AssertionError(f"news-etl serve exited {proc.returncode}: {log.read()}")
            try:
                status = httpx.get(url + "/healthz", timeout=5).status_code
                if status == 200 or not expect_healthy:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"news-etl serve did not answer /healthz with 200 within {timeout:g} s")
            time.sleep(0.2)
        yield url
    finally:
        stop_process(proc)
        log.close()


@pytest.fixture(scope="session")
def api_index_dir(tmp_path_factory, nlp) -> Path:
    """An embedded index of real pages (and the hostile-title article), built once per session."""
    tmp = tmp_path_factory.mktemp("api")
    index_dir = tmp / "index"
    index_pages(Settings.from_env({}).with_(index_dir=index_dir, sink="embedded"), nlp, tmp)
    return index_dir


@pytest.fixture(scope="session")
def api_server(api_index_dir) -> Iterator[str]:
    """The base URL of `news-etl serve` over ``api_index_dir`` (a real process on 127.0.0.1)."""
    with serve("--index-dir", str(api_index_dir), "--sink", "embedded") as url:
        yield url


@pytest.fixture(scope="session")
def embedded_api(api_server, api_index_dir) -> Engine:
    return Engine("embedded", api_server, ["--index-dir", str(api_index_dir), "--sink", "embedded"],
                  settings=Settings.from_env({}).with_(index_dir=api_index_dir, sink="embedded"))


@pytest.fixture(scope="module")
def es_api(es_cluster, tmp_path_factory, nlp) -> Iterator[Engine]:
    """The same pages indexed into an Elasticsearch of this module's own, and `serve --sink elasticsearch` over it."""
    tmp = tmp_path_factory.mktemp("api-es")
    if es_cluster.real is not None:
        from es_server import _delete_prefixed

        prefix = f"test-{uuid.uuid4().hex[:8]}"
        settings = es_cluster.real.with_(sink="elasticsearch", index_dir=tmp / "index",
                                         es_articles_alias=f"{prefix}-articles", es_quotes_alias=f"{prefix}-quotes")
        env = {k: v for k, v in os.environ.items() if k.startswith("ELASTICSEARCH_")}
        try:
            yield from _es_engine(settings, env, nlp, tmp)
        finally:
            _delete_prefixed(settings, prefix)
        return
    from es_proxy import EsProxy

    clone = es_cluster.osmem.clone()
    try:
        with EsProxy(clone.url) as proxy:
            settings = Settings(sink="elasticsearch", es_url=proxy.url, index_dir=tmp / "index")
            yield from _es_engine(settings, {"ELASTICSEARCH_URL": proxy.url}, nlp, tmp)
    finally:
        clone.close()


def _es_engine(settings: Settings, env: dict[str, str], nlp, tmp: Path) -> Iterator[Engine]:
    index_pages(settings, nlp, tmp)
    env = {**env, "NEWS_ETL_ES_ARTICLES_ALIAS": settings.es_articles_alias,
           "NEWS_ETL_ES_QUOTES_ALIAS": settings.es_quotes_alias, "NEWS_ETL_INDEX_DIR": str(settings.index_dir)}
    with serve("--sink", "elasticsearch", env=env) as url:
        yield Engine("elasticsearch", url, ["--sink", "elasticsearch"], env, settings)
