"""Bounded time while fetching (issue #17): a server that trickles a byte a second is never slow
enough for the per-read timeout, and one that stalls is retried; neither may hold a URL past the
total ``fetch_deadline``, nor the in-order stream of the pages behind it.

A real threaded HTTP server on loopback (``trickle.SlowServer``) plays the slow servers.
"""

from __future__ import annotations

import time

import pytest

from etl.index import open_sink
from etl.settings import Settings
from etl.sources import iter_sources
from reliability.tally import indexed_ids
from reliability.trickle import SlowServer

DEADLINE = 2.0  # fetch_deadline in these tests; the default is 60 s
SLACK = 1.5  # what a bound may exceed the deadline by: the pages behind, the last byte's read


@pytest.fixture
def server(tally):
    with SlowServer() as slow:
        yield slow
    tally.faults += slow.slow_answers


def loopback_settings(tmp_path, **changes) -> Settings:
    """Fetching from this machine (the fetcher refuses loopback unless told otherwise), short waits."""
    settings = Settings.from_env({}, sink="embedded", index_dir=tmp_path / "index", http_backoff=0.5,
                                 obey_robots_txt=False)  # robots.txt has its own tests (test_polite_fetching); these servers serve none
    if "allow_private_hosts" in Settings.__dataclass_fields__:
        settings = settings.with_(allow_private_hosts="127.0.0.1")
    return settings.with_(**changes)


def test_the_default_deadline_is_a_minute():
    assert Settings().fetch_deadline == 60.0
    assert Settings.from_env({"NEWS_ETL_FETCH_DEADLINE": "15"}).fetch_deadline == 15.0


def test_a_trickling_page_is_given_up_at_the_deadline_and_the_pages_behind_it_go_on(server, tmp_path, nlp, tally):
    urls = [server.url("/trickle/0")] + [server.url(f"/page/{n}") for n in range(1, 6)]
    listing = tmp_path / "in" / "morning.urls"
    listing.parent.mkdir()
    listing.write_text("\n".join(urls) + "\n")
    settings = loopback_settings(tmp_path, fetch_deadline=DEADLINE)  # the per-read timeout (20 s) never trips
    seen: list[tuple[str, float]] = []
    ids: list[str] = []
    started = time.monotonic()
    stamp = lambda origin: seen.append((origin, time.monotonic() - started))  # noqa: E731

    summary = tally.run([listing], settings, inputs=len(urls), nlp=nlp,
                        on_document=lambda doc: (stamp(doc.article.origin), ids.append(doc.article.id)),
                        on_reject=lambda r: stamp(r.origin))

    assert [origin for origin, _ in seen] == urls  # in input order, the slow one in its place
    assert seen[0][1] < DEADLINE + SLACK and seen[-1][1] < DEADLINE + 2 * SLACK, seen
    assert (summary.indexed, summary.rejected) == (5, 1), summary.reasons
    [reason] = summary.reasons
    assert "fetch_deadline" in reason and f"{DEADLINE:g} s" in reason, reason
    with open_sink(settings) as sink:
        tally.check_exactly_once(ids, indexed_ids(sink))


def test_retries_of_a_stalled_server_stay_within_the_one_deadline(server, tmp_path, tally):
    """Headers, then silence: each attempt ends at the read timeout, and the retries with it."""
    settings = loopback_settings(tmp_path, fetch_deadline=DEADLINE, http_timeout=1.0, http_retries=3)
    tally.inputs += 1
    started = time.monotonic()

    [item] = list(iter_sources([server.url("/stall/0")], settings))

    elapsed = time.monotonic() - started
    assert elapsed < DEADLINE + 0.5, f"{elapsed:.1f} s: {item}"
    assert item.stage == "source" and "fetch_deadline" in item.reason, item
