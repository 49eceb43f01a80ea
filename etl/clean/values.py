"""An article field's value as sources give it (JSON-LD, meta tags, a feed entry, a JSON export), read
into the value the document holds: text, or an ISO 8601 date.

Apart from ``metadata`` (a page's own statements) because plain text and feeds need these too, and a run
of plain text should not import the HTML stack (lxml, trafilatura, htmldate) for them.
"""

from __future__ import annotations

import logging
import re
import warnings
from datetime import datetime, timezone
from typing import Any

from dateutil import parser as dateparser

log = logging.getLogger(__name__)

FIELDS = ("title", "authors", "published_at", "url", "source", "language")

# Zone abbreviations seen in news datelines (dateutil knows only UTC/GMT and the local zone).
_TZ_ABBREVIATIONS = {
    name: int(hours * 3600)
    for name, hours in {
        "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
        "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "IST": 5.5, "SGT": 8,
        "HKT": 8, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11,
    }.items()
}
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
EARLIEST_YEAR = 1900


def as_text(value: Any) -> str | None:
    """A text field's value as a string: a string stripped, a number written out (a numeric title,
    "1984"), the first usable item of a list; anything else (a bool, an object) None."""
    if isinstance(value, list):
        return next((text for text in map(as_text, value) if text), None)
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return value.strip() if isinstance(value, str) and value.strip() else None


# Epoch numbers at or above this are milliseconds (as seconds it would be the year 5138).
_EPOCH_MILLIS = 100_000_000_000


def date_text(value: Any) -> str | None:
    """A date field's value as text: a string as is, an epoch number (seconds or milliseconds)
    as ISO 8601 UTC; anything else (a bool, an object) None."""
    if isinstance(value, list):
        return next((text for text in map(date_text, value) if text), None)
    if isinstance(value, dict):
        return date_text(value.get("@value"))
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    if isinstance(value, str):
        return value.strip() or None
    seconds = value / 1000 if abs(value) >= _EPOCH_MILLIS else value
    try:
        return datetime.fromtimestamp(seconds, timezone.utc).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def parse_date(value: Any, origin: str = "") -> str | None:
    """ISO 8601 with timezone, or None (logged) when the value cannot be read as a date.

    A date without a timezone is taken as UTC: publishers that omit the offset mostly mean
    their server time, and a date a few hours off is more useful than none. An epoch number
    (seconds or milliseconds) is a date; a value of another type (a bool, an object) is none.
    """
    if not isinstance(value, str) and value is not None:
        text = date_text(value)
        if text is None:
            log.warning("%s: publication date of type %s is not a date, leaving it empty", origin, type(value).__name__)
        value = text
    if not value:
        return None
    parsed = read_date(value.strip())
    if parsed is None:
        log.warning("%s: unreadable or implausible publication date %r, leaving it empty", origin, value)
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.isoformat()


def read_date(value: str) -> datetime | None:
    parsed = _parse_any_date(value)
    # CMS placeholders ("0001-01-01", "9999-12-31") mean "unknown"; news is neither that old nor from the future.
    if parsed is None or not EARLIEST_YEAR <= parsed.year <= datetime.now(timezone.utc).year + 1:
        return None
    return parsed


def _parse_any_date(value: str) -> datetime | None:
    # dateutil fills missing parts from today, so without a year it would invent a date.
    if not _YEAR.search(value):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    try:
        with warnings.catch_warnings():  # an unknown zone name would otherwise be silently dropped
            warnings.simplefilter("error", dateparser.UnknownTimezoneWarning)
            return dateparser.parse(value, tzinfos=_TZ_ABBREVIATIONS)
    except (ValueError, OverflowError, TypeError, dateparser.UnknownTimezoneWarning):
        return None
