"""Cursors: where the next page of a search starts, for apps that walk every hit.

A cursor is opaque to callers (URL-safe text). It holds the last hit's sort values, which
Elasticsearch continues from with ``search_after``, the number of hits already returned, which the
embedded engine continues from, and a fingerprint of the search, so a cursor handed to a different
query or filter is refused instead of silently paging through something else.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from etl.search.query import SearchError, SearchRequest


@dataclass(frozen=True, slots=True)
class Cursor:
    offset: int  # hits returned before this page
    after: list[Any]  # the sort values of the last hit returned
    seen: list[str]  # ids at the end of the page whose sort values tie with (or are within rounding of) ``after``


def _fingerprint(request: SearchRequest) -> str:
    what = [request.index, request.text or "", sorted(request.filters), str(request.lower_bound), str(request.upper_bound),
            request.sort, *(["unique"] if request.unique else [])]
    return hashlib.sha256(json.dumps(what, default=str).encode()).hexdigest()[:16]


def encode(request: SearchRequest, offset: int, after: list[Any], seen: list[str]) -> str:
    payload = {"o": offset, "a": after, "s": seen, "f": _fingerprint(request)}
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(request: SearchRequest) -> Cursor | None:
    """The request's cursor read and checked; None when it has none."""
    if request.cursor is None:
        return None
    try:
        text = request.cursor.strip()
        payload = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        offset, after, fingerprint = int(payload["o"]), list(payload["a"]), str(payload["f"])
        seen = [str(i) for i in payload["s"]]
    except (ValueError, TypeError, KeyError, AttributeError):
        raise SearchError("cursor: not a cursor this search returned (pass the result's cursor as it is)") from None
    if offset < 0:
        raise SearchError("cursor: not a cursor this search returned (pass the result's cursor as it is)")
    if fingerprint != _fingerprint(request):
        raise SearchError("cursor: it belongs to another search; keep the query, filters and dates of the search that returned it")
    return Cursor(offset, after, seen)


def next_cursor(request: SearchRequest, offset: int, returned: int, total: int, after: list[Any],
                seen: list[str] = ()) -> str | None:
    """The cursor for the hits after this page; None when this page is the last."""
    if returned == 0 or offset + returned >= total:
        return None
    return encode(request, offset + returned, after, list(seen))
