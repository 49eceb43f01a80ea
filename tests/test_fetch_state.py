"""Runs that remember (issue 16, §2): conditional requests from a fetch state kept beside the index.

A real feed server on loopback: some pages answer ``If-None-Match`` (ETag), some ``If-Modified-Since``
(Last-Modified), one neither (its body is the same each day), one changes between days, and one is
too short to be an article (rejected, so never remembered). The server notes every request it gets.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time

import pytest
from reliability.corpus import PARAGRAPHS, html_page
from werkzeug import Response

from etl.cli import main
from etl.index import open_sink
from etl.pipeline import run
from etl.search.query import SearchRequest
from etl.sources.fetch_state import FILE, FetchState

LAST_MODIFIED = "Mon, 30 Nov 2026 08:00:00 GMT"
PAGES = ("/etag-page", "/lm-page", "/plain-page", "/changing")


def story(n: int, extra: str = "") -> str:
    paragraphs = [PARAGRAPHS[(n + k) % len(PARAGRAPHS)] for k in range(3)]
    return html_page(f"Dispatch {n}", paragraphs + [f"This is dispatch number {n} of the series. {extra}"])


class NewsSite:
    """The feed and its pages; ``version`` of /changing moves on when the test says so."""

    def __init__(self, server):
        self.server, self.version, self.seen = server, 1, []
        server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow:\n")
        server.expect_request("/feed").respond_with_handler(self.feed)
        for path in (*PAGES, "/short"):
            server.expect_request(path).respond_with_handler(self.page)

    def feed(self, _request):
        items = "".join(f"<item><title>{p}</title><link>{self.server.url_for(p)}</link></item>" for p in (*PAGES, "/short"))
        rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'
        return Response(rss, content_type="application/rss+xml")

    def page(self, request):
        path = request.path
        etag = {"/etag-page": '"e-1"', "/changing": f'"c-{self.version}"', "/short": '"s-1"'}.get(path)
        response = self._answer(request, path, etag)
        self.seen.append({"path": path, "status": response.status_code, "bytes": len(response.get_data()),
                          "if_none_match": request.headers.get("If-None-Match"),
                          "if_modified_since": request.headers.get("If-Modified-Since")})
        return response

    def _answer(self, request, path, etag):
        if etag and request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        if path == "/lm-page" and request.headers.get("If-Modified-Since") == LAST_MODIFIED:
            return Response(status=304)
        headers = {"ETag": etag} if etag else {}
        if path == "/lm-page":
            headers["Last-Modified"] = LAST_MODIFIED
        body = {
            "/etag-page": story(1), "/lm-page": story(2), "/plain-page": story(3),
            "/changing": story(4, "Breaking: the ferry terminal opens today." if self.version > 1 else ""),
            "/short": "<html><body><p>Too short.</p></body></html>",
        }[path]
        return Response(body, content_type="text/html; charset=utf-8", headers=headers)

    def day(self, path):
        return [r for r in self.seen if r["path"] == path]


@pytest.fixture
def site(httpserver):
    return NewsSite(httpserver)


@pytest.fixture
def day_settings(loopback_settings, tmp_path):
    return loopback_settings.with_(obey_robots_txt=True, index_dir=tmp_path / "index", sink="embedded")


def test_day_two_downloads_no_unchanged_page_and_counts_them_unchanged(site, day_settings, nlp, monkeypatch, capsys, tmp_path):
    feed = site.server.url_for("/feed")

    day1 = run([feed], day_settings, nlp=nlp).to_dict()
    assert (day1["read"], day1["indexed"], day1["rejected"], day1["unchanged"]) == (5, 4, 1, 0), day1
    assert (day_settings.index_dir / "state" / FILE).is_file()
    site.seen.clear()

    # Day 2, through the CLI as a scheduler runs it: nothing changed.
    monkeypatch.setenv("NEWS_ETL_ALLOW_PRIVATE_HOSTS", "127.0.0.1,::1")
    monkeypatch.delenv("ELASTICSEARCH_URL", raising=False)
    code = main(["run", feed, "--index-dir", str(day_settings.index_dir), "--no-progress", "--json"])
    out = capsys.readouterr().out
    day2 = json.loads(out)
    print("day 2 summary:", out)
    assert code == 0
    assert (day2["read"], day2["indexed"], day2["unchanged"], day2["rejected"], day2["duplicates"]) == (5, 0, 4, 1, 0), day2
    assert day2["read"] == day2["indexed"] + day2["rejected"] + day2["duplicates"] + day2["unchanged"]
    [etag], [lm], [plain], [changing], [short] = (site.day(p) for p in (*PAGES, "/short"))
    assert (etag["status"], etag["bytes"], etag["if_none_match"]) == (304, 0, '"e-1"')
    assert (lm["status"], lm["bytes"], lm["if_modified_since"]) == (304, 0, LAST_MODIFIED)
    assert (changing["status"], changing["if_none_match"]) == (304, '"c-1"')
    assert plain["status"] == 200 and not plain["if_none_match"]  # no validators: its hash told it apart
    assert short["if_none_match"] is None  # rejected on day 1, so not remembered: fetched whole again
    site.seen.clear()

    # Day 3: one page changed; it alone is fetched whole and indexed again.
    site.version = 2
    day3 = run([feed], day_settings, nlp=nlp).to_dict()
    assert (day3["read"], day3["indexed"], day3["unchanged"], day3["rejected"]) == (5, 1, 3, 1), day3
    [changing] = site.day("/changing")
    assert (changing["status"], changing["if_none_match"]) == (200, '"c-1"')
    with open_sink(day_settings) as sink:
        assert sink.search(SearchRequest(text="ferry terminal opens today")).total == 1
        assert sink.search(SearchRequest(text="dispatch")).total == 4  # overwritten, not duplicated

    # Day 4: the changed page is remembered with its new ETag.
    site.seen.clear()
    day4 = run([feed], day_settings, nlp=nlp).to_dict()
    assert (day4["indexed"], day4["unchanged"]) == (0, 4), day4
    assert site.day("/changing")[0]["if_none_match"] == '"c-2"'


def test_a_fetched_page_is_written_only_once_confirmed(day_settings):
    """What the fetcher noted is written only for the URLs the pipeline confirms (indexed ones)."""
    state = FetchState(day_settings.state_folder)
    state.remember("http://x/a", '"e"', None, "hash")
    state.confirm([])  # not named: not written
    state.close()
    with sqlite3.connect(day_settings.state_folder / FILE) as conn:
        assert conn.execute("SELECT count(*) FROM pages").fetchone() == (0,)


def test_a_corrupt_state_file_is_one_warning_and_a_fresh_start(site, day_settings, nlp, caplog):
    folder = day_settings.state_folder
    folder.mkdir(parents=True)
    (folder / FILE).write_bytes(b"this is not a database" * 100)
    caplog.set_level(logging.WARNING)

    summary = run([site.server.url_for("/etag-page")], day_settings, nlp=nlp)

    assert (summary.indexed, summary.rejected) == (1, 0), summary.reasons
    warnings = [r.getMessage() for r in caplog.records if r.name == "etl.sources.fetch_state"]
    assert len(warnings) == 1 and "unreadable" in warnings[0] and "starting fresh" in warnings[0], warnings
    assert (folder / (FILE + ".corrupt")).is_file()
    again = run([site.server.url_for("/etag-page")], day_settings, nlp=nlp)
    assert (again.unchanged, again.indexed) == (1, 0)


def test_a_run_waits_for_another_runs_lock_on_the_state(tmp_path):
    first = FetchState(tmp_path)
    holder = sqlite3.connect(tmp_path / FILE, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another run writing
    threading.Timer(0.5, holder.commit).start()

    first.remember("http://x/a", '"e"', None, "h")
    started = time.monotonic()
    first.confirm(["http://x/a"])
    waited = time.monotonic() - started
    first.close()

    assert waited >= 0.3  # it waited for the lock instead of failing
    assert FetchState(tmp_path).lookup("http://x/a").etag == '"e"'
    holder.close()


def test_state_folder_setting(settings, tmp_path):
    assert settings.with_(index_dir=tmp_path / "ix", sink="embedded").state_folder == tmp_path / "ix" / "state"
    assert settings.with_(state_dir=tmp_path / "st").state_folder == tmp_path / "st"
    from etl.settings import Settings

    assert Settings.from_env({"NEWS_ETL_STATE_DIR": str(tmp_path / "env")}).state_folder == tmp_path / "env"
    assert Settings.from_env({"NEWS_ETL_RETRY_AFTER_MAX": "5"}).retry_after_max == 5.0
    assert Settings.from_env({"NEWS_ETL_OBEY_ROBOTS_TXT": "false"}).obey_robots_txt is False
