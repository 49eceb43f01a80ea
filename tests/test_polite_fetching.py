"""Polite fetching (issue 16, §1 and Retry-After of §2): robots.txt per host, Crawl-delay, Retry-After.

Real HTTP servers on loopback (pytest-httpserver). Each handler records, on the server's side, when
each request came in: the gaps the tests assert are those the server saw, not the test's runtime.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from werkzeug import Response

from etl.records import RawDocument, Rejected
from etl.sources import iter_sources
from etl.sources.retries import parse_retry_after
from etl.sources.robots import product_token

HTML = "<html><body><article><p>A page.</p></article></body></html>"


@pytest.fixture
def polite(loopback_settings):
    """Served on loopback, robots.txt obeyed, short waits between retries."""
    return loopback_settings.with_(obey_robots_txt=True, http_backoff=0.01, http_retries=2, http_timeout=2.0)


class Clock:
    """Handlers that answer and note (path, server-side time) for every request."""

    def __init__(self, server):
        self.server, self.seen = server, []

    def serve(self, path: str, answer: Response):
        def handler(request):
            self.seen.append((request.path, time.monotonic()))
            return answer
        self.server.expect_request(path).respond_with_handler(handler)

    def times(self, path: str) -> list[float]:
        return [t for p, t in self.seen if p == path]


def page() -> Response:
    return Response(HTML, content_type="text/html")


def url_list(tmp_path, urls) -> str:
    path = tmp_path / "pages.urls"
    path.write_text("\n".join(urls) + "\n")
    return str(path)


def paths(httpserver) -> list[str]:
    return [request.path for request, _ in httpserver.log]


def test_the_product_token_is_what_robots_groups_name(polite):
    assert product_token(polite.user_agent) == "news-etl"
    assert "+http" in polite.user_agent  # the User-Agent carries a contact URL


def test_a_disallowed_page_is_rejected_naming_robots_txt_and_never_requested(httpserver, polite, tmp_path):
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: otherbot\nDisallow: /public\n\nUser-agent: news-etl\nDisallow: /private\n", content_type="text/plain")
    for path in ("/public", "/private/story", "/private/other"):
        httpserver.expect_request(path).respond_with_data(HTML, content_type="text/html")
    urls = [httpserver.url_for(p) for p in ("/private/story", "/public", "/private/other")]

    items = list(iter_sources([url_list(tmp_path, urls)], polite))

    robots = httpserver.url_for("/robots.txt")
    assert [type(i) for i in items] == [Rejected, RawDocument, Rejected]
    assert items[0].reason == f"{urls[0]}: disallowed by {robots}", items[0]
    assert items[2].reason == f"{urls[2]}: disallowed by {robots}"
    assert paths(httpserver) == ["/robots.txt", "/public"]  # fetched once; the disallowed pages never
    assert httpserver.log[0][0].headers["User-Agent"] == polite.user_agent


def test_a_missing_robots_txt_allows_everything(httpserver, polite):
    httpserver.expect_request("/robots.txt").respond_with_data("not here", status=404)
    httpserver.expect_request("/story").respond_with_data(HTML, content_type="text/html")

    [item] = iter_sources([httpserver.url_for("/story")], polite)

    assert isinstance(item, RawDocument), item
    assert paths(httpserver) == ["/robots.txt", "/story"]


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_robots_txt_server_error_disallows_the_host_for_the_run(httpserver, polite, tmp_path, status):
    httpserver.expect_request("/robots.txt").respond_with_data("down", status=status)
    httpserver.expect_request("/a").respond_with_data(HTML, content_type="text/html")
    urls = [httpserver.url_for("/a"), httpserver.url_for("/b")]

    items = list(iter_sources([url_list(tmp_path, urls)], polite))

    assert all(isinstance(i, Rejected) for i in items), items
    for url, item in zip(urls, items):
        assert item.reason.startswith(f"{url}: {httpserver.url_for('/robots.txt')} answered HTTP {status}"), item.reason
        assert "treated as disallowed for this run" in item.reason
    assert paths(httpserver) == ["/robots.txt"]  # asked once, and no page


def test_a_robots_txt_that_stalls_is_given_up_and_the_host_disallowed(httpserver, polite):
    release = threading.Event()

    def stall(_request):
        release.wait(5)
        return Response("User-agent: *\nDisallow:\n")
    httpserver.expect_request("/robots.txt").respond_with_handler(stall)

    [item] = iter_sources([httpserver.url_for("/a")], polite.with_(http_timeout=0.5, fetch_deadline=1.0))

    release.set()  # the server answers one request at a time: let it finish before the next test
    for _ in range(50):
        if httpserver.log:
            break
        time.sleep(0.05)
    assert isinstance(item, Rejected) and "robots.txt timed out" in item.reason, item
    assert "disallowed for this run" in item.reason
    assert paths(httpserver) == ["/robots.txt"]  # the page never


def test_a_10_mb_robots_txt_is_read_up_to_the_cap_only(httpserver, polite, tmp_path):
    head = "User-agent: *\nDisallow: /private\n"
    padding = ("# " + "x" * 98 + "\n") * 100_000  # 10 MB of comments
    tail = "User-agent: *\nDisallow: /\n"  # past the cap: never read, so never applied
    httpserver.expect_request("/robots.txt").respond_with_data(head + padding + tail, content_type="text/plain")
    httpserver.expect_request("/public").respond_with_data(HTML, content_type="text/html")
    urls = [httpserver.url_for("/public"), httpserver.url_for("/private")]

    public, private = iter_sources([url_list(tmp_path, urls)], polite)

    assert len(head + padding + tail) > 10_000_000
    assert isinstance(public, RawDocument), public
    assert isinstance(private, Rejected) and "disallowed by" in private.reason


def test_a_robots_txt_redirected_too_often_counts_as_absent(httpserver, polite):
    for n in range(8):  # Google: past 5 hops, no robots.txt
        target = "/robots.txt" if n == 0 else f"/robots{n}"
        httpserver.expect_request(target).respond_with_response(Response(status=301, headers={"Location": f"/robots{n + 1}"}))
    httpserver.expect_request("/story").respond_with_data(HTML, content_type="text/html")

    [item] = iter_sources([httpserver.url_for("/story")], polite)

    assert isinstance(item, RawDocument), item
    assert paths(httpserver) == ["/robots.txt", *(f"/robots{n}" for n in range(1, 6)), "/story"]  # five hops, then none


def test_robots_txt_goes_through_the_address_guard(httpserver, settings):
    """Without the allow list, neither robots.txt nor the page is requested from loopback."""
    [item] = iter_sources([httpserver.url_for("/story")], settings.with_(obey_robots_txt=True, http_retries=0))

    assert isinstance(item, Rejected) and "loopback" in item.reason and "robots.txt" not in item.reason, item
    assert paths(httpserver) == []


def test_crawl_delay_is_kept_between_two_pages_of_one_host(httpserver, polite, tmp_path):
    clock = Clock(httpserver)
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nCrawl-delay: 1\n")
    clock.serve("/a", page())
    clock.serve("/b", page())

    items = list(iter_sources([url_list(tmp_path, [httpserver.url_for("/a"), httpserver.url_for("/b")])], polite))

    assert all(isinstance(i, RawDocument) for i in items), items
    [a], [b] = clock.times("/a"), clock.times("/b")
    assert abs(b - a) >= 0.95, f"the server saw the pages {abs(b - a):.2f} s apart"  # fetched two at a time, still apart


def test_a_hostile_crawl_delay_is_cut_to_the_cap_and_logged(httpserver, polite, tmp_path, caplog):
    clock = Clock(httpserver)
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nCrawl-delay: 100000\n")
    for path in ("/a", "/b", "/c"):
        clock.serve(path, page())
    caplog.set_level(logging.WARNING)

    items = list(iter_sources([url_list(tmp_path, [httpserver.url_for(p) for p in ("/a", "/b", "/c")])],
                              polite.with_(crawl_delay_max=0.5)))

    assert all(isinstance(i, RawDocument) for i in items), items
    times = sorted(t for p, t in clock.seen)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert all(0.45 <= gap < 5 for gap in gaps), gaps  # the cap, not 100000 s
    assert any("Crawl-delay 100000" in r.getMessage() and "crawl_delay_max 0.5" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_retry_after_is_honoured(httpserver, polite, form):
    clock = Clock(httpserver)
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)

    def busy():
        if form == "seconds":
            return "1"
        return format_datetime(datetime.now(timezone.utc) + timedelta(seconds=2), usegmt=True)  # 1-2 s away

    def handler(request):
        clock.seen.append((request.path, time.monotonic()))
        if len(clock.times("/busy")) == 1:
            return Response("busy", status=503, headers={"Retry-After": busy()})
        return page()
    httpserver.expect_request("/busy").respond_with_handler(handler)

    [item] = iter_sources([httpserver.url_for("/busy")], polite)

    assert isinstance(item, RawDocument), item
    first, second = clock.times("/busy")
    assert second - first >= 0.95, f"retried {second - first:.2f} s after a 503 with Retry-After"  # backoff is 0.01 s


@pytest.mark.parametrize("status, retry_after", [(503, "7200"), (429, "Wed, 01 Jan 2099 00:00:00 GMT")])
def test_a_retry_after_over_the_cap_gives_the_url_up_naming_it(httpserver, polite, status, retry_after):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/busy").respond_with_data("later", status=status, headers={"Retry-After": retry_after})

    [item] = iter_sources([httpserver.url_for("/busy")], polite)

    assert isinstance(item, Rejected), item
    assert f"HTTP {status}" in item.reason and f"Retry-After {retry_after!r}" in item.reason, item.reason
    assert "retry_after_max 120 s" in item.reason
    assert paths(httpserver).count("/busy") == 1  # no retry, and no sleep


def test_a_retry_after_past_the_fetch_deadline_is_not_waited_for(httpserver, polite):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/busy").respond_with_data("later", status=503, headers={"Retry-After": "30"})

    [item] = iter_sources([httpserver.url_for("/busy")], polite.with_(fetch_deadline=2.0))

    assert isinstance(item, Rejected), item
    assert "Retry-After 30 s" in item.reason and "no time left for a retry (fetch_deadline 2 s)" in item.reason, item.reason
    assert paths(httpserver).count("/busy") == 1


def test_retry_after_values():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0  # in the past: no wait
    assert parse_retry_after("soon", now) is None and parse_retry_after("-5", now) is None
    assert parse_retry_after("", now) is None and parse_retry_after(None, now) is None


def test_a_redirect_to_a_page_its_hosts_robots_txt_disallows_is_not_followed(httpserver, polite):
    from reliability.loopback import start

    other = start("127.0.0.1")
    try:
        other.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /\n")
        other.expect_request("/story").respond_with_data(HTML, content_type="text/html")
        httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
        target = other.url_for("/story")
        httpserver.expect_request("/old").respond_with_response(Response(status=302, headers={"Location": target}))

        [item] = iter_sources([httpserver.url_for("/old")], polite)

        assert isinstance(item, Rejected), item
        assert item.reason == f"redirected to {target}: disallowed by {other.url_for('/robots.txt')}", item.reason
        assert paths(other) == ["/robots.txt"]  # the disallowed page never requested
    finally:
        other.stop()
