"""Bounded search requests (issue #17): paging ten million pages deep made the embedded engine
allocate 480 GB and abort the process, and a date bound past the year 2262 (or 9999) was a traceback.

Both engines answer the same requests: paging past 10,000 results is a clear ``SearchError``, as in
Elasticsearch (``index.max_result_window``); a far past or future bound means "no bound" or "nothing".
The CLI cases run ``news-etl`` in a subprocess: an abort there must not take the test session with it.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timezone

import pytest

from etl.index import open_sink
from etl.search.query import SearchError, SearchRequest
from etl.settings import Settings
from reliability.child import ROOT
from reliability.corpus import PARAGRAPHS, html_page, own

MAX_RESULT_WINDOW = 10_000  # as Elasticsearch's index.max_result_window
DATED = {"march.html": "2024-03-01T10:00:00Z", "january.html": "2025-01-15T08:30:00Z"}


@pytest.fixture(params=["embedded", "elasticsearch"])
def dated_index(request, tmp_path, nlp, tally) -> Settings:
    """Two dated articles indexed by the real pipeline into each engine."""
    if request.param == "embedded":
        settings = Settings.from_env({}, sink="embedded", index_dir=tmp_path / "index")
    else:
        settings = request.getfixturevalue("es_settings")
    folder = tmp_path / "in"
    folder.mkdir()
    for n, (name, when) in enumerate(DATED.items()):
        head = f'<meta property="article:published_time" content="{when}">'
        (folder / name).write_text(html_page(f"Talks resume, day {n}", own(PARAGRAPHS[n : n + 3], 30 + n), head=head))
    summary = tally.run([folder], settings, inputs=len(DATED), nlp=nlp)
    assert summary.indexed == len(DATED), summary.reasons
    return settings


@pytest.mark.parametrize(("page", "size"), [(10_000_000, 1000), (11, 1000), (10_001, 1)])
def test_paging_past_ten_thousand_results_is_a_clear_error(dated_index, page, size, tally):
    request = SearchRequest(size=size, page=page)
    tally.inputs += 1
    with pytest.raises(SearchError, match="10,000"):
        request.validate()  # checked first, so the old engine's abort never runs in this process
    with open_sink(dated_index) as sink, pytest.raises(SearchError, match="10,000"):
        sink.search(request)


def test_the_last_page_within_the_window_is_answered(dated_index):
    with open_sink(dated_index) as sink:
        assert sink.search(SearchRequest(size=1000, page=MAX_RESULT_WINDOW // 1000)).hits == []
        assert sink.search(SearchRequest(size=1, page=2)).total == len(DATED)


UTC = timezone.utc
FAR_BOUNDS = [  # (since, until) -> how many of the two articles match
    ((None, date(9999, 12, 31)), 2),
    ((None, datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)), 2),
    ((date(1, 1, 1), None), 2),
    ((datetime(1500, 1, 1, tzinfo=UTC), datetime(3000, 1, 1, tzinfo=UTC)), 2),
    ((date(2300, 1, 1), None), 0),
    ((None, date(1600, 1, 1)), 0),
    ((date(2025, 1, 1), date(9999, 12, 31)), 1),
]


@pytest.mark.parametrize(("bounds", "matches"), FAR_BOUNDS, ids=[f"{s}..{u}" for (s, u), _ in FAR_BOUNDS])
def test_far_past_and_future_dates_are_answered_as_no_bound_or_nothing(dated_index, bounds, matches, tally):
    since, until = bounds
    tally.inputs += 1
    with open_sink(dated_index) as sink:
        result = sink.search(SearchRequest(since=since, until=until, facets=["source"]))
    assert result.total == matches


def news_etl(*args: str) -> subprocess.CompletedProcess:
    code = "import sys; from etl.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("dated_index", ["embedded"], indirect=True)
@pytest.mark.parametrize(
    ("args", "exit_code", "says"),
    [
        (["--size", "1000", "--page", "10000000"], 1, "10,000"),
        (["--until", "9999-12-31"], 0, "2 "),
        (["--since", "0001-01-01", "--until", "9999-12-31", "--json"], 0, '"total": 2'),
    ],
)
def test_the_cli_answers_hostile_paging_and_dates_without_a_traceback(dated_index, args, exit_code, says, tally):
    tally.inputs += 1
    done = news_etl("search", "talks", "--index-dir", str(dated_index.index_dir), *args)
    if done.returncode < 0 or "Traceback" in done.stderr:
        raise tally.crashed(f"news-etl search {' '.join(args)}: exit {done.returncode}: {done.stderr[-800:]}")
    assert done.returncode == exit_code, done.stderr
    assert says in done.stdout + done.stderr
