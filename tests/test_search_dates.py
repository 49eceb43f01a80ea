"""Dates as people type them for --since/--until, and the histogram interval picked from a range."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from etl.search.dates import parse_when, pick_interval, roll_up
from etl.search.query import SearchError, SearchRequest

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01", date(2024, 3, 1)),
        ("today", TODAY),
        ("Yesterday", date(2026, 11, 30)),
        ("7d", date(2026, 11, 24)),
        ("2w", date(2026, 11, 17)),
        ("2024-03-01T12:30", datetime(2024, 3, 1, 12, 30, tzinfo=timezone.utc)),
        ("2024-03-01T12:30:00+02:00", datetime(2024, 3, 1, 10, 30, tzinfo=timezone.utc)),
    ],
)
def test_parse_when_reads_dates_times_and_relative_days(text, expected):
    assert parse_when(text, today=TODAY) == expected


@pytest.mark.parametrize("text", ["last tuesday", "2024-13-01", "7y", "", "-3d"])
def test_parse_when_refuses_what_it_cannot_read_naming_the_forms(text):
    with pytest.raises(ValueError, match="YYYY-MM-DD.*today, yesterday, Nd or Nw"):
        parse_when(text, today=TODAY)


def test_a_date_bound_is_its_whole_day_and_a_time_bound_is_that_instant():
    day = SearchRequest(since=date(2024, 3, 1), until=date(2024, 3, 1))
    assert day.lower_bound == datetime(2024, 3, 1, tzinfo=timezone.utc)
    assert day.upper_bound == datetime(2024, 3, 2, tzinfo=timezone.utc)
    moment = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)
    timed = SearchRequest(since=moment, until=moment)
    assert timed.lower_bound == moment and timed.upper_bound == moment + timedelta(seconds=1)
    with pytest.raises(SearchError, match="after"):
        SearchRequest(since=moment, until=date(2024, 2, 29)).validate()


@pytest.mark.parametrize(
    ("days", "interval"),
    [(0, "day"), (31, "day"), (32, "week"), (182, "week"), (183, "month"), (3 * 366, "month"), (3 * 366 + 1, "year")],
)
def test_the_interval_keeps_the_chart_to_about_thirty_bars(days, interval):
    first = date(2020, 1, 1)
    assert pick_interval(first, first + timedelta(days=days)) == interval


def test_roll_up_sums_days_into_calendar_buckets():
    counts = {date(2024, 1, 30): 1, date(2024, 1, 31): 2, date(2024, 2, 1): 4, date(2025, 6, 1): 1}
    assert roll_up(counts, "month") == ("month", [(date(2024, 1, 1), 3), (date(2024, 2, 1), 4), (date(2025, 6, 1), 1)])
    assert roll_up(counts, "week")[1][0] == (date(2024, 1, 29), 7)  # Monday of that week
    assert roll_up(counts, "auto")[0] == "month"  # 16 months apart
    assert roll_up({}, "auto") == ("day", [])
