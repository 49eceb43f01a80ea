"""Ingestion: files, folders, exports, WARC, feeds and pages over real HTTP on 127.0.0.1."""

from __future__ import annotations

import gzip
import io
import shutil
import time

import pytest
from conftest import FIXTURES, SEED
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter
from werkzeug import Response

from etl.clean import clean
from etl.records import RawDocument, Rejected, RejectedInput
from etl.sources import iter_sources

COUNCIL = FIXTURES / "article_council.html"


@pytest.fixture
def fast_http(loopback_settings):
    """Served on loopback; short timeouts and no retry pauses, so failure cases stay quick."""
    return loopback_settings.with_(http_timeout=0.5, http_retries=1, http_backoff=0.01)


def write_warc(path, pages: list[tuple[str, str, bytes]]) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, content_type, body in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))


def test_folder_is_read_recursively_in_sorted_order(tmp_path, settings):
    shutil.copy(SEED, tmp_path / "b.txt")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.html.gz").write_bytes(gzip.compress(COUNCIL.read_bytes()))
    (tmp_path / "a.html").write_bytes(COUNCIL.read_bytes())
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    items = list(iter_sources([str(tmp_path)], settings))
    assert [i.origin for i in items] == [str(tmp_path / n) for n in ("a.html", "b.txt", "notes.pdf", "sub/a.html.gz")]
    assert [type(i) for i in items] == [RawDocument, RawDocument, Rejected, RawDocument]
    assert items[1].media_type == "text/plain" and items[0].media_type == "text/html"
    assert "unsupported file type '.pdf'" in items[2].reason
    assert items[3].content == COUNCIL.read_bytes()


def test_missing_and_empty_files_are_rejected_and_the_rest_goes_on(tmp_path, settings):
    (tmp_path / "empty.html").write_bytes(b"")
    items = list(iter_sources([str(tmp_path / "gone.html"), str(tmp_path / "empty.html"), str(SEED)], settings))
    assert [(i.origin, i.reason) for i in items[:2]] == [
        (str(tmp_path / "gone.html"), "no such file or directory"),
        (str(tmp_path / "empty.html"), "empty file"),
    ]
    assert isinstance(items[2], RawDocument)


def test_jsonl_export_yields_each_line_and_rejects_the_broken_ones(settings):
    path = FIXTURES / "export.jsonl"
    items = list(iter_sources([str(path)], settings))
    assert [i.origin for i in items] == [f"{path}#L{n}" for n in (1, 2, 3, 4)]
    first, broken, third, textless = items
    assert "invalid JSON line" in broken.reason and "no text" in textless.reason
    article = clean(first, settings)
    assert article.url == "https://www.harbour-news.example/news/ferry?utm_source=export"  # as the export gives it
    assert article.normalized_url == "https://harbour-news.example/news/ferry"
    assert (article.title, article.authors) == ("Ferry terminal delayed until May", ["Ana Silva"])
    assert article.published_at == "2024-05-06T09:15:00+02:00"
    assert article.body.count("\n\n") == 2
    assert clean(third, settings).authors == ["Tom Ellis", "Priya Raman"]


def test_json_field_names_are_configurable(tmp_path, settings):
    path = tmp_path / "export.json"
    path.write_text('[{"link": "https://a.example/x", "story": "Some text here."}, 42]', encoding="utf-8")
    items = list(iter_sources([str(path)], settings.with_(json_text_fields="story")))
    assert items[0].content == "Some text here." and items[0].url == "https://a.example/x"
    assert items[1].origin == f"{path}#1" and "expected a JSON object" in items[1].reason


def test_warc_response_records_with_html_become_documents(tmp_path, settings):
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, [
        ("https://riverside-gazette.example/logo.png", "image/png", b"\x89PNG..."),
        ("https://riverside-gazette.example/news/1", "text/html; charset=utf-8", COUNCIL.read_bytes()),
    ])
    items = list(iter_sources([str(path)], settings))
    assert len(items) == 1 and items[0].origin.startswith(f"{path}#")
    article = clean(items[0], settings)
    assert article.title == "Council approves flood defence budget after late-night vote"


def test_page_over_http_follows_redirects_and_keeps_the_final_url(httpserver, loopback_settings):
    httpserver.expect_request("/old").respond_with_response(Response(status=301, headers={"Location": "/story"}))
    httpserver.expect_request("/story").respond_with_data(COUNCIL.read_bytes(), content_type="text/html; charset=utf-8")
    [item] = iter_sources([httpserver.url_for("/old")], loopback_settings)
    assert item.origin == httpserver.url_for("/old")
    assert item.url == httpserver.url_for("/story")


def test_user_agent_comes_from_settings(httpserver, loopback_settings):
    httpserver.expect_request("/ua", headers={"User-Agent": "test-bot/1.0"}).respond_with_data(
        "<html></html>", content_type="text/html")
    [item] = iter_sources([httpserver.url_for("/ua")], loopback_settings.with_(user_agent="test-bot/1.0"))
    assert isinstance(item, RawDocument)


def test_http_failures_are_rejected_with_the_reason(httpserver, fast_http):
    httpserver.expect_request("/missing").respond_with_data("nope", status=404)
    httpserver.expect_request("/report.pdf").respond_with_data(b"%PDF-1.7", content_type="application/pdf")

    def slow(request):
        time.sleep(1.0)
        return Response("<html>late</html>", content_type="text/html")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    urls = [httpserver.url_for(p) for p in ("/missing", "/report.pdf", "/slow")]
    items = list(iter_sources(urls, fast_http))
    assert [i.origin for i in items] == urls
    assert [i.reason for i in items[:2]] == ["HTTP 404 NOT FOUND", "not an HTML page (content-type application/pdf)"]
    assert items[2].reason == "timed out after 0.5 s (after 2 attempts)"


def test_server_errors_are_retried(httpserver, fast_http):
    httpserver.expect_ordered_request("/flaky").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/flaky").respond_with_data("<html><p>ok</p></html>", content_type="text/html")
    [item] = iter_sources([httpserver.url_for("/flaky")], fast_http)
    assert isinstance(item, RawDocument)


def test_feed_entries_are_fetched_with_entry_metadata_as_fallback(httpserver, fast_http, tmp_path):
    base = httpserver.url_for("").rstrip("/")
    feed = (FIXTURES / "feed.rss").read_text(encoding="utf-8").replace("{base}", base)
    httpserver.expect_request("/feed").respond_with_data(feed, content_type="application/rss+xml")
    story = "<html><body><article><p>" + "The harbour authority said the terminal would open in May. " * 6 + "</p></article></body></html>"
    httpserver.expect_request("/news/ferry").respond_with_data(story, content_type="text/html")
    httpserver.expect_request("/news/missing").respond_with_data("gone", status=404)
    local = tmp_path / "feed.rss"
    local.write_text(feed, encoding="utf-8")
    for source in (httpserver.url_for("/feed"), str(local)):
        page, missing = iter_sources([source], fast_http)
        assert missing.origin == f"{base}/news/missing" and missing.reason == "HTTP 404 NOT FOUND"
        article = clean(page, fast_http)
        assert (article.title, article.authors, article.source) == ("Ferry terminal delayed until May", ["Ana Silva"], "Harbour News")
        assert article.published_at == "2024-05-06T07:15:00+00:00"


def test_malformed_feed_is_one_rejected_record(tmp_path, settings):
    path = tmp_path / "broken.rss"
    path.write_text("<?xml version='1.0'?><rss><channel><title>Oops</tit", encoding="utf-8")
    [item] = iter_sources([str(path)], settings)
    assert item.origin == str(path) and item.reason.startswith(("malformed feed", "feed has no entries"))


def test_url_list_fetches_each_url_and_rejects_bad_lines(httpserver, fast_http, tmp_path):
    httpserver.expect_request("/a").respond_with_data("<html>a</html>", content_type="text/html")
    httpserver.expect_request("/b").respond_with_data("<html>b</html>", content_type="text/html")
    path = tmp_path / "today.urls"
    path.write_text(f"# morning list\n{httpserver.url_for('/a')}\n\nnot a url\n{httpserver.url_for('/b')}\n", encoding="utf-8")
    items = list(iter_sources([str(path)], fast_http))
    assert sorted(i.origin for i in items) == sorted([httpserver.url_for("/a"), httpserver.url_for("/b"), f"{path}#L4"])
    assert [i.content for i in items if isinstance(i, RawDocument)] == [b"<html>a</html>", b"<html>b</html>"]


def test_bad_inputs_are_rejected_while_the_batch_goes_on(tmp_path, settings):
    """Every item becomes an article or a Rejected with a reason; none raises."""
    (tmp_path / "01_binary.html").write_bytes(bytes(range(256)) * 100)
    (tmp_path / "02_empty.html").write_bytes(b"")
    (tmp_path / "03_nav_only.html").write_bytes(b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
    (tmp_path / "04_story.html").write_bytes(COUNCIL.read_bytes())
    (tmp_path / "05_nul.txt").write_bytes(SEED.read_bytes().replace(b" the ", b" the\x00 ", 3))
    outcomes = []
    for item in iter_sources([str(tmp_path)], settings):
        if isinstance(item, Rejected):
            outcomes.append(item.reason)
            continue
        try:
            outcomes.append(clean(item, settings).title)
        except RejectedInput as err:
            outcomes.append(err.reason)
    assert outcomes[0].startswith("binary content")
    assert outcomes[1] == "empty file"
    assert outcomes[2].startswith("no article text found")
    assert outcomes[3] == "Council approves flood defence budget after late-night vote"
    assert outcomes[4].startswith("Biden’s approach")


def test_a_redirect_loop_or_a_corrupt_body_rejects_that_page_only(httpserver, loopback_settings):
    httpserver.expect_request("/loop").respond_with_response(Response(status=302, headers={"Location": "/loop"}))
    httpserver.expect_request("/gz").respond_with_response(
        Response(b"not gzip at all", headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    )
    httpserver.expect_request("/story").respond_with_data(COUNCIL.read_bytes(), content_type="text/html; charset=utf-8")
    items = list(iter_sources([httpserver.url_for(p) for p in ("/loop", "/gz", "/story")], loopback_settings))
    assert [type(i).__name__ for i in items] == ["Rejected", "Rejected", "RawDocument"]
    assert "TooManyRedirects" in items[0].reason and "DecodingError" in items[1].reason
