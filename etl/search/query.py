"""The engine-neutral search request and result.

Both sinks (embedded Tantivy and Elasticsearch) answer a ``SearchRequest`` with a
``SearchResult`` of the same shape, so the CLI, apps and tests do not care which
engine is behind them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from etl.search.dates import INTERVALS, lower_bound, roll_up, upper_bound
from etl.search.vocabulary import ARTICLES, QUOTES, VOCABULARIES

# Facetable keyword fields of each index. Filters and facets accept only these.
ARTICLE_FACETS = ARTICLES.keywords
QUOTE_FACETS = QUOTES.keywords
INDEX_FACETS = {name: v.keywords for name, v in VOCABULARIES.items()}
# Stored fields each index adds to a hit beside id, title, url, published_at (``Hit.fields``).
HIT_FIELDS = {name: v.hit for name, v in VOCABULARIES.items()}


# Deepest result a request may reach (page x size), as Elasticsearch's index.max_result_window: an
# engine allocates room for every result up to it (a page ten million deep asked Tantivy for 480 GB).
MAX_RESULT_WINDOW = 10_000
SORTS = ("relevance", "newest")  # newest: by published_at, undated last; ties by id in both engines


class SearchError(ValueError):
    """A request that cannot be answered (unknown field, bad date, bad page)."""


@dataclass(slots=True)
class SearchRequest:
    text: str | None = None  # free text, user syntax is never trusted as query structure
    filters: list[tuple[str, str]] = field(default_factory=list)  # every (field, value) must match
    facets: list[str] = field(default_factory=list)
    since: date | datetime | None = None  # inclusive, on published_at (a date: from its midnight, UTC)
    until: date | datetime | None = None  # inclusive, on published_at (a date: its whole day, UTC)
    size: int = 10
    page: int = 1  # 1-based
    index: str = "articles"  # "articles" | "quotes"
    histogram_interval: str = "day"  # "day" | "week" | "month" | "year" | "auto" (picked from the range)
    facet_size: int = 10
    cursor: str | None = None  # a previous result's ``cursor``: the hits after its page (``page`` stays 1)
    sort: str | None = None  # "relevance" | "newest"; default: relevance when there is a query, else newest
    unique: bool = False  # articles only: hide near-copies (those with a ``duplicate_of``, etl.near_duplicates)

    def validate(self) -> SearchRequest:
        allowed = INDEX_FACETS.get(self.index)
        if allowed is None:
            raise SearchError(f"unknown index {self.index!r}; expected one of {sorted(INDEX_FACETS)}")
        for name in [f for f, _ in self.filters] + list(self.facets):
            if name not in allowed:
                raise SearchError(f"unknown field {name!r} for {self.index}; expected one of {', '.join(allowed)}")
        if self.size < 0 or self.size > 1000:
            raise SearchError(f"size must be between 0 and 1000, got {self.size}")
        if self.page < 1:
            raise SearchError(f"page must be 1 or more, got {self.page}")
        if self.cursor is not None and self.page != 1:
            raise SearchError("a cursor already says where to go on; leave page at 1")
        if self.page * self.size > MAX_RESULT_WINDOW:
            raise SearchError(f"page {self.page} of {self.size} hits reaches past the first {MAX_RESULT_WINDOW:,} results; "
                              "narrow the search, or walk the hits with the result's cursor")
        if self.lower_bound and self.upper_bound and self.lower_bound >= self.upper_bound:
            raise SearchError(f"--since {self.since} is after --until {self.until}")
        if self.unique and self.index != "articles":
            raise SearchError(f"unique hides near-copies of articles; the {self.index} index has none")
        if self.sort not in (None, *SORTS):
            raise SearchError(f"unknown sort {self.sort!r}; expected one of {', '.join(SORTS)}")
        if self.histogram_interval not in (*INTERVALS, "auto"):
            raise SearchError(f"unknown histogram interval {self.histogram_interval!r}")
        return self

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def lower_bound(self) -> datetime | None:
        """The first instant of published_at that ``since`` admits (UTC)."""
        return lower_bound(self.since)

    @property
    def upper_bound(self) -> datetime | None:
        """The first instant past ``until`` (exclusive, UTC)."""
        return upper_bound(self.until)


@dataclass(slots=True)
class Hit:
    id: str
    title: str | None
    url: str | None
    published_at: str | None
    score: float
    highlights: dict[str, list[str]] = field(default_factory=dict)  # field -> HTML-escaped fragments with <b>
    fields: dict[str, Any] = field(default_factory=dict)  # index-specific stored fields (a quote's text, speaker, ...)

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "fields"}
        out.update(self.fields)
        return out


@dataclass(slots=True)
class Bucket:
    value: str
    count: int


@dataclass(slots=True)
class DateBucket:
    date: str  # ISO date of the bucket's start
    count: int


@dataclass(slots=True)
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[Bucket]]
    histogram: list[DateBucket]
    histogram_interval: str = "day"  # the interval the histogram's buckets span (``auto`` resolved)
    cursor: str | None = None  # pass as the request's ``cursor`` for the next hits; None on the last page

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "hits": [h.to_dict() for h in self.hits],
            "facets": {k: [asdict(b) for b in v] for k, v in self.facets.items()},
            "histogram": [asdict(b) for b in self.histogram],
            "histogram_interval": self.histogram_interval,
            "cursor": self.cursor,
        }


def date_histogram(days: dict[date, int], interval: str) -> tuple[list[DateBucket], str]:
    """Both engines count per day; this rolls the days up into the request's interval, one rule for both."""
    resolved, buckets = roll_up(days, interval)
    return [DateBucket(start.isoformat(), count) for start, count in buckets], resolved
