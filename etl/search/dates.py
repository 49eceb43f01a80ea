"""What people type for a date bound, and the histogram interval that suits a date range.

``parse_when`` reads ``2024-03-01``, ``2024-03-01T12:00``, ``today``, ``yesterday``, ``7d`` or ``2w``
(days or weeks ago); a bare date means the whole day, a date-time that instant. ``pick_interval``
chooses day, week, month or year so that a histogram has a readable number of bars.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

INTERVALS = ("day", "week", "month", "year")
_AGO = re.compile(r"(\d{1,5})\s*([dw])", re.IGNORECASE)
_DAYS_PER = {"d": 1, "w": 7}
# Longest span (in days) each interval is used for: at most about 31 bars, then the next interval.
_SPAN_LIMITS = (("day", 31), ("week", 7 * 26), ("month", 366 * 3))


def parse_when(text: str, today: date | None = None) -> date | datetime:
    """A date (a whole day) or an aware UTC datetime; ValueError with the accepted forms otherwise."""
    value = text.strip().lower()
    today = today or datetime.now(timezone.utc).date()
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    ago = _AGO.fullmatch(value)
    if ago:
        return today - timedelta(days=int(ago.group(1)) * _DAYS_PER[ago.group(2).lower()])
    try:
        if "t" not in value and " " not in value:
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date: use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][+HH:MM], today, yesterday, Nd or Nw"
        ) from None
    if moment.tzinfo is None:  # stored dates are UTC; so is a bare time
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def lower_bound(since: date | datetime | None) -> datetime | None:
    """The first instant ``since`` admits (a date: its midnight, UTC)."""
    if since is None or isinstance(since, datetime):
        return since
    return datetime(since.year, since.month, since.day, tzinfo=timezone.utc)


def upper_bound(until: date | datetime | None) -> datetime | None:
    """The first instant past ``until`` (exclusive): a date includes its whole day; a datetime, that second.

    None (no bound) when that instant is past the last one Python knows: ``until 9999-12-31`` is everything.
    """
    if until is None:
        return None
    try:
        if isinstance(until, datetime):
            return until + timedelta(seconds=1)
        return lower_bound(until + timedelta(days=1))
    except OverflowError:
        return None


def pick_interval(first: date, last: date) -> str:
    span = (last - first).days
    for interval, limit in _SPAN_LIMITS:
        if span <= limit:
            return interval
    return "year"


def bucket_start(day: date, interval: str) -> date:
    """The first day of the bucket ``day`` falls in (weeks start on Monday)."""
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    if interval == "year":
        return day.replace(month=1, day=1)
    return day


def roll_up(days: dict[date, int], interval: str) -> tuple[str, list[tuple[date, int]]]:
    """Daily counts gathered into ``interval`` buckets (``auto``: picked from the range), oldest first."""
    if interval == "auto":
        interval = pick_interval(min(days), max(days)) if days else "day"
    counts: dict[date, int] = {}
    for day, count in days.items():
        start = bucket_start(day, interval)
        counts[start] = counts.get(start, 0) + count
    return interval, sorted(counts.items())
