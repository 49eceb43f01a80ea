"""A ``SearchRequest`` from plain parameters, with the defaults every shell uses.

The CLI (`news-etl search`, `news-etl quotes`) and the HTTP API (`news-etl serve`) build their
requests here, so the same parameters give the same search whatever asked for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from etl.search.dates import parse_when
from etl.search.query import SearchError, SearchRequest

# The shells' defaults (a SearchRequest's own histogram default is "day"; people get "auto").
DEFAULT_SIZE = 10
DEFAULT_PAGE = 1
DEFAULT_FACET_SIZE = 10
DEFAULT_INTERVAL = "auto"

When = date | datetime | str | None


def search_request(
    *,
    index: str = "articles",
    text: str | None = None,
    filters: Iterable[tuple[str, str]] = (),
    facets: Iterable[str] = (),
    facet_size: int = DEFAULT_FACET_SIZE,
    since: When = None,
    until: When = None,
    size: int = DEFAULT_SIZE,
    page: int = DEFAULT_PAGE,
    interval: str = DEFAULT_INTERVAL,
    cursor: str | None = None,
    speakers: Iterable[str] = (),
    sort: str | None = None,
    unique: bool = False,
) -> SearchRequest:
    """The request (not yet validated); ``since``/``until`` as text are read by ``parse_when``
    (SearchError naming the parameter), ``speakers`` add quotes-index filters on ``speaker``."""
    return SearchRequest(
        text=text, filters=[*filters, *(("speaker", name) for name in speakers)], facets=list(facets),
        since=_when("since", since), until=_when("until", until), size=size, page=page, index=index,
        histogram_interval=interval, facet_size=facet_size, cursor=cursor, sort=sort, unique=unique,
    )


def split_filter(text: str, sep: str = ":") -> tuple[str, str]:
    """``field:value`` split at the first ``sep``; SearchError when a part is missing."""
    name, found, value = text.partition(sep)
    if not found or not name.strip() or not value.strip():
        raise SearchError(f"filter {text!r}: expected FIELD{sep}VALUE")
    return name.strip(), value.strip()


def _when(name: str, value: When) -> date | datetime | None:
    if not isinstance(value, str):
        return value
    try:
        return parse_when(value)
    except ValueError as err:
        raise SearchError(f"{name}: {err}") from None
