"""Sitemaps, news sitemaps and feed discovery (issue 16 §2): real HTTP servers on loopback.

Hostile cases first: loops, a million URLs, a gzip bomb, an entry at a private address,
malformed XML, a home page that links no feed. Then the happy paths.
"""

from __future__ import annotations

import gzip
import logging

import pytest
from conftest import FIXTURES, STORY
from werkzeug import Response

from etl.clean import clean
from etl.pipeline import run
from etl.records import RawDocument, Rejected
from etl.sources import iter_sources
from etl.sources.discovery import linked_feeds

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
HTML = "<html><body><article><p>A page.</p></article></body></html>"


@pytest.fixture
def fast(loopback_settings):
    return loopback_settings.with_(http_timeout=2.0, http_retries=1, http_backoff=0.01)


def urlset(*locs: str) -> str:
    return f"<?xml version='1.0'?><urlset {NS}>" + "".join(f"<url><loc>{loc}</loc></url>" for loc in locs) + "</urlset>"


def index(*locs: str) -> str:
    return f"<?xml version='1.0'?><sitemapindex {NS}>" + "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs) + "</sitemapindex>"


def xml(server, path: str, body: str | bytes, content_type: str = "application/xml") -> str:
    server.expect_request(path).respond_with_data(body, content_type=content_type)
    return server.url_for(path)


def html(server, path: str, body: str = HTML) -> str:
    server.expect_request(path).respond_with_data(body, content_type="text/html; charset=utf-8")
    return server.url_for(path)


def paths(server) -> list[str]:
    return [request.path for request, _ in server.log]


def test_a_sitemap_index_that_lists_itself_or_loops_a_b_a_ends(httpserver, fast):
    a, b = httpserver.url_for("/a-sitemap.xml"), httpserver.url_for("/b-sitemap.xml")
    page = html(httpserver, "/p1")
    xml(httpserver, "/a-sitemap.xml", index(a, b))  # itself, then B
    xml(httpserver, "/b-sitemap.xml", index(a, httpserver.url_for("/pages.xml")))  # back to A, then the pages
    xml(httpserver, "/pages.xml", urlset(page, page))
    items = list(iter_sources([a], fast))
    assert [(type(i), i.origin) for i in items] == [(RawDocument, page)]
    assert sorted(paths(httpserver)) == ["/a-sitemap.xml", "/b-sitemap.xml", "/p1", "/pages.xml"]


def test_an_index_nested_deeper_than_two_levels_is_not_read(httpserver, fast):
    levels = [httpserver.url_for(f"/sitemap-{n}.xml") for n in range(4)]
    for n in range(3):
        xml(httpserver, f"/sitemap-{n}.xml", index(levels[n + 1]))
    [item] = iter_sources([levels[0]], fast)
    assert item.origin == levels[3] and item.reason == "sitemap nested more than 2 levels deep: not read"
    assert "/sitemap-3.xml" not in paths(httpserver)


def test_child_sitemaps_are_capped(httpserver, fast, caplog):
    children = [httpserver.url_for(f"/s{n}.xml") for n in range(5)]
    for n in range(5):
        xml(httpserver, f"/s{n}.xml", urlset(httpserver.url_for(f"/p{n}")))
        html(httpserver, f"/p{n}")
    root = xml(httpserver, "/sitemap_index.xml", index(*children))
    with caplog.at_level(logging.WARNING, "etl.sources.sitemaps"):
        items = list(iter_sources([root], fast.with_(sitemap_max_sitemaps=2)))
    assert [i.origin for i in items] == [httpserver.url_for("/p0"), httpserver.url_for("/p1")]
    assert "more than 2 child sitemaps; the rest skipped (sitemap_max_sitemaps)" in caplog.text


def test_a_sitemap_of_a_million_urls_is_capped_with_a_warning(httpserver, fast, caplog):
    base = httpserver.url_for("/p")
    body = urlset(*(f"{base}?n={n}" for n in range(1_000_000))).encode()
    url = xml(httpserver, "/sitemap.xml", body)
    html(httpserver, "/p")
    with caplog.at_level(logging.WARNING, "etl.sources.sitemaps"):
        items = list(iter_sources([url], fast.with_(http_max_bytes=len(body) + 1, sitemap_max_urls=3)))
    assert [i.origin for i in items] == [f"{base}?n={n}" for n in range(3)]
    assert paths(httpserver).count("/p") == 3
    assert "more than 3 page URLs; the rest skipped (sitemap_max_urls)" in caplog.text


def test_a_gzipped_sitemap_bomb_is_stopped_by_the_size_cap(httpserver, fast):
    bomb = gzip.compress(f"<urlset {NS}>".encode() + b" " * 50_000_000 + b"</urlset>", compresslevel=9)
    assert len(bomb) < 100_000
    raw = xml(httpserver, "/sitemap.xml.gz", bomb, "application/gzip")  # a .gz file: inflated by the reader
    httpserver.expect_request("/sitemap-enc.xml").respond_with_response(  # Content-Encoding: inflated by httpx
        Response(bomb, headers={"Content-Type": "application/xml", "Content-Encoding": "gzip"}))
    encoded = httpserver.url_for("/sitemap-enc.xml")
    first, second = iter_sources([raw, encoded], fast.with_(http_max_bytes=1_000_000))
    assert (first.origin, first.reason) == (raw, "decompressed sitemap larger than 1,000,000 bytes (http_max_bytes)")
    assert (second.origin, second.reason) == (encoded, "response larger than 1000000 bytes")


def test_a_sitemap_entry_at_a_private_address_is_refused_by_the_guard(httpserver, fast):
    private = httpserver.url_for("/secret").replace("localhost", "127.0.0.2")  # loopback, but not allowed
    page = html(httpserver, "/p1")
    html(httpserver, "/secret", "<html>internal</html>")
    url = xml(httpserver, "/sitemap.xml", urlset(private, page))
    refused, fetched = iter_sources([url], fast)
    assert isinstance(refused, Rejected) and refused.origin == private
    assert refused.reason.startswith(f"refused {private}: 127.0.0.2") and "is a loopback address; list it in NEWS_ETL_ALLOW_PRIVATE_HOSTS" in refused.reason, refused.reason
    assert isinstance(fetched, RawDocument) and fetched.origin == page
    assert "/secret" not in paths(httpserver)


def test_a_child_sitemap_at_a_private_address_is_refused_too(httpserver, fast):
    private = httpserver.url_for("/child.xml").replace("localhost", "127.0.0.2")
    url = xml(httpserver, "/sitemap.xml", index(private))
    [refused] = iter_sources([url], fast)
    assert refused.origin == private and "is a loopback address; list it in NEWS_ETL_ALLOW_PRIVATE_HOSTS" in refused.reason


@pytest.mark.parametrize("body", [
    "<?xml version='1.0'?><urlset><url><loc>http://a.example/1</loc",
    "<urlset><url><loc>&undefined;</loc></url></urlset>",
    "not xml at all",
])
def test_malformed_xml_is_one_one_line_rejected_record_naming_the_sitemap(httpserver, fast, body):
    url = xml(httpserver, "/sitemap.xml", body)
    [item] = iter_sources([url], fast)
    assert item.origin == url and item.reason.startswith(("malformed sitemap: ", "not a sitemap: "))
    assert "\n" not in item.reason and len(item.reason) < 400


def test_an_xml_root_other_than_a_sitemaps_is_rejected(httpserver, fast):
    url = xml(httpserver, "/sitemap.xml", "<?xml version='1.0'?><catalog><item/></catalog>")
    [item] = iter_sources([url], fast)
    assert item.reason == "not a sitemap: XML root is <catalog>, not <urlset> or <sitemapindex>"


def test_a_home_page_with_no_feed_is_a_clear_rejected_record(httpserver, fast):
    home = html(httpserver, "/", "<html><head><link rel='stylesheet' href='/s.css'></head><body>Hi</body></html>")
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
    [item] = iter_sources([f"discover:{home}"], fast)
    assert item.origin == home
    assert item.reason == ('no feed found: the page links no <link rel="alternate" type="application/rss+xml"> or atom+xml, '
                           'and its robots.txt lists no Sitemap')


def test_a_home_page_with_no_feed_falls_back_on_the_sitemaps_of_its_robots_txt(httpserver, fast):
    home = html(httpserver, "/", "<html><body>Hi</body></html>")
    pages = [html(httpserver, f"/p{n}") for n in range(3)]
    a = xml(httpserver, "/sitemap-a.xml", urlset(pages[0], pages[1]))
    b = xml(httpserver, "/sitemap-b.xml", urlset(pages[1], pages[2]))
    private = b.replace("localhost", "127.0.0.2")
    httpserver.expect_request("/robots.txt").respond_with_data(
        f"User-agent: *\nDisallow:\nSitemap: {private}\nSitemap: {a}\nsitemap: {a} # again\nSitemap: {b}\n", content_type="text/plain")
    items = list(iter_sources([f"discover:{home}"], fast.with_(sitemap_max_urls=2)))
    # One walk: the guard refuses the private one; A is read once; the URL cap is shared, so B is never fetched.
    assert [i.origin for i in items] == [private, *pages[:2]]
    assert paths(httpserver).count("/sitemap-a.xml") == 1 and "/sitemap-b.xml" not in paths(httpserver)
    assert next(i.reason for i in items if i.origin == private).endswith("list it in NEWS_ETL_ALLOW_PRIVATE_HOSTS to allow")


def test_discovery_of_a_private_home_page_is_refused(httpserver, fast):
    home = httpserver.url_for("/").replace("localhost", "127.0.0.2")
    [item] = iter_sources([f"discover:{home}"], fast)
    assert item.origin == home and "is a loopback address; list it in NEWS_ETL_ALLOW_PRIVATE_HOSTS" in item.reason


def test_feeds_linked_from_a_home_page_are_found_and_read(httpserver, fast):
    base = httpserver.url_for("").rstrip("/")
    feed = (FIXTURES / "feed.rss").read_text(encoding="utf-8").replace("{base}", base)
    xml(httpserver, "/feed", feed, "application/rss+xml")
    home = html(httpserver, "/", "<html><head><link rel='alternate' type='application/rss+xml' href='feed'>"
                "<link rel='alternate' type='application/rss+xml' href='/feed'></head><body></body></html>")
    html(httpserver, "/news/ferry", "<html><body><article><p>" + "The harbour authority said the terminal would open in May. " * 6
         + "</p></article></body></html>")
    httpserver.expect_request("/news/missing").respond_with_data("gone", status=404)
    page, missing = iter_sources([f"discover:{home}"], fast)
    assert missing.origin == f"{base}/news/missing"
    assert clean(page, fast).source == "Harbour News"
    assert paths(httpserver).count("/feed") == 1  # linked twice, read once


def test_linked_feeds_resolves_relative_hrefs_and_skips_other_links():
    page = b"""<html><head><link rel="stylesheet" href="/a.css"><link rel="alternate" hreflang="fr" href="/fr/">
      <link rel="alternate" type="application/atom+xml" href="atom.xml"><link rel="Alternate" type="application/rss+xml; charset=utf-8"
      href="https://cdn.example/rss"><link rel="alternate" type="application/rss+xml" href="javascript:alert(1)"></head></html>"""
    assert linked_feeds(page, "https://site.example/news/") == ["https://site.example/news/atom.xml", "https://cdn.example/rss"]
    assert linked_feeds(b"", "https://site.example/") == []


def news_sitemap(base: str) -> str:
    entries = []
    for n, title in enumerate(["Ferry terminal delayed until May", "Council approves flood budget", "Harbour fees rise"]):
        entries.append(f"<url><loc>{base}/news/{n}</loc><lastmod>2024-05-0{n + 1}</lastmod><news:news><news:publication>"
                       f"<news:name>Harbour News</news:name><news:language>en</news:language></news:publication>"
                       f"<news:publication_date>2024-05-0{n + 1}T09:00:00+00:00</news:publication_date>"
                       f"<news:title>{title}</news:title></news:news></url>")
    return f"<?xml version='1.0' encoding='UTF-8'?><urlset {NS}>" + "".join(entries) + "</urlset>"


def article(n: int) -> str:  # a real-looking page with no title or date of its own: the sitemap's are the fallbacks
    return f"<html><head><meta charset='utf-8'></head><body><nav><a href='/'>Home</a></nav><article>{STORY}<p>Story {n}.</p></article></body></html>"


def test_a_news_sitemap_keeps_title_date_and_publication_as_fallbacks(httpserver, fast):
    base = httpserver.url_for("").rstrip("/")
    for n in range(3):
        html(httpserver, f"/news/{n}", article(n))
    url = xml(httpserver, "/news-sitemap.xml", news_sitemap(base))
    items = list(iter_sources([url], fast))
    articles = [clean(item, fast) for item in items]
    assert [a.title for a in articles] == ["Ferry terminal delayed until May", "Council approves flood budget", "Harbour fees rise"]
    assert articles[0].published_at.startswith("2024-05-01") and articles[0].source == "Harbour News"


def test_a_news_sitemap_of_three_articles_is_indexed(httpserver, fast, nlp, tmp_path):
    base = httpserver.url_for("").rstrip("/")
    for n in range(3):
        html(httpserver, f"/news/{n}", article(n).replace("<article>", f"<article><p>Edition {n}: " + f"report {n} " * 30 + "</p>"))
    gz = gzip.compress(news_sitemap(base).encode())
    url = xml(httpserver, "/sitemap-news.xml.gz", gz, "application/x-gzip")
    summary = run([url], fast.with_(index_dir=tmp_path / "index", sink="embedded"), nlp=nlp).to_dict()
    assert (summary["read"], summary["indexed"], summary["rejected"]) == (3, 3, 0), summary


def test_a_saved_sitemap_file_fetches_its_pages(httpserver, fast, tmp_path):
    page = html(httpserver, "/p1")
    path = tmp_path / "sitemap.xml"
    path.write_text(urlset(page), encoding="utf-8")
    [item] = iter_sources([str(path)], fast)
    assert isinstance(item, RawDocument) and item.origin == page


def test_news_etl_run_takes_a_discover_source(httpserver, monkeypatch, tmp_path, capsys):
    """The CLI accepts `discover:URL` as a SOURCE (it is no local path), and reads the feeds it finds."""
    import json

    from etl.cli import main

    base = httpserver.url_for("").rstrip("/")
    xml(httpserver, "/feed", (FIXTURES / "feed.rss").read_text(encoding="utf-8").replace("{base}", base), "application/rss+xml")
    home = html(httpserver, "/", "<html><head><link rel='alternate' type='application/rss+xml' href='/feed'></head></html>")
    html(httpserver, "/news/ferry", "<html><body><article><p>" + "The harbour authority said the terminal would open in May. " * 6
         + "</p></article></body></html>")
    httpserver.expect_request("/news/missing").respond_with_data("gone", status=404)
    monkeypatch.setenv("NEWS_ETL_ALLOW_PRIVATE_HOSTS", "127.0.0.1,::1,localhost")
    monkeypatch.setenv("NEWS_ETL_OBEY_ROBOTS_TXT", "false")
    monkeypatch.setenv("NEWS_ETL_STATE_DIR", str(tmp_path / "state"))
    assert main(["run", f"discover:{home}", "--index-dir", str(tmp_path / "index"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["indexed"] == 1 and summary["rejected"] == 1
