"""What's trending: the entity values that stand out in a date range against the whole index.

Built on ``Sink.search`` alone, so both engines answer it the same way and agree: the foreground
is the facet counts of the articles in the range (narrowed by an optional query and filters), the
background the same facet counts over the whole index, and one function here scores each value.
Neither engine's own significance aggregation is used (Tantivy has none, and Elasticsearch's
``significant_terms`` samples per shard), so the numbers are the same integers in both, and the
same float arithmetic on them gives the same ranking.

The score is JLH, Elasticsearch's default ``significant_terms`` heuristic::

    fg_pct = count / articles in the range        bg_pct = background_count / articles in the index
    score  = (fg_pct - bg_pct) * (fg_pct / bg_pct)      (0 when fg_pct <= bg_pct)

It rewards a value both for being more common in the range than overall (the difference) and for
being relatively rarer overall (the ratio): a name in 5 of 10 articles of the week but in 6 of 1,000
overall scores far above one in 5 of 10 that is also in 500 of 1,000. A value needs at least
``MIN_COUNT`` articles in the range, so that one mention of a rare name is not a trend.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone

from etl.search.params import When, search_request
from etl.search.query import ARTICLE_FACETS, SearchError, SearchRequest

DEFAULT_FIELDS = ("persons", "organizations", "locations", "speakers")
DEFAULT_SIZE = 10
DEFAULT_DAYS = 30  # no `since`: the last 30 days of data (before the newest article, not before today)
MIN_COUNT = 2
# Facet values counted per field. The background must hold every candidate of the foreground to
# score it, so it is wide; a candidate past it (an index with more distinct names than this) gets its
# foreground count as background, a lower bound, which makes it rank a little higher than it should.
CANDIDATES = 1_000
BACKGROUND = 50_000


@dataclass(slots=True)
class Trend:
    value: str
    score: float
    count: int  # articles in the range with this value
    background_count: int  # articles in the whole index with it


def jlh(count: int, total: int, background_count: int, background_total: int) -> float:
    """Elasticsearch's JLH score of a value found in ``count`` of ``total`` foreground articles
    and in ``background_count`` of ``background_total`` background ones; 0 when it is not more common."""
    if not total or not background_total or not background_count:
        return 0.0
    fg, bg = count / total, background_count / background_total
    return (fg - bg) * (fg / bg) if fg > bg else 0.0


def trending(sink, *, since: When = None, until: When = None, text: str | None = None,
             filters: Iterable[tuple[str, str]] = (), fields: Iterable[str] = (), size: int = DEFAULT_SIZE) -> dict:
    """``{"since", "until", "articles", "background_articles", "fields": {field: [Trend as dict]}}``,
    the most significant values of each field first. An empty range gives empty lists, not an error."""
    fields = list(dict.fromkeys(fields)) or list(DEFAULT_FIELDS)
    for name in fields:
        if name not in ARTICLE_FACETS:
            raise SearchError(f"field: unknown field {name!r}; expected one of {', '.join(ARTICLE_FACETS)}")
    if not 1 <= size <= 1000:
        raise SearchError(f"size must be between 1 and 1000, got {size}")
    foreground = search_request(text=text, filters=filters, since=since, until=until)
    if foreground.since is None:  # the last DEFAULT_DAYS days of data
        newest = newest_date(sink)
        foreground.since = newest - timedelta(days=DEFAULT_DAYS - 1) if newest else None
    foreground.facets, foreground.size, foreground.facet_size = fields, 0, CANDIDATES
    fg = sink.search(foreground.validate())
    bg = sink.search(SearchRequest(facets=fields, size=0, facet_size=BACKGROUND).validate())
    out: dict[str, list[dict]] = {}
    for name in fields:
        background = {b.value: b.count for b in bg.facets[name]}
        trends = []
        for bucket in fg.facets[name]:
            if bucket.count < MIN_COUNT:
                continue
            bg_count = max(background.get(bucket.value, bucket.count), bucket.count)
            score = jlh(bucket.count, fg.total, bg_count, bg.total)
            if score > 0:
                trends.append(Trend(bucket.value, round(score, 6), bucket.count, bg_count))
        trends.sort(key=lambda t: (-t.score, -t.count, t.value))
        out[name] = [asdict(t) for t in trends[:size]]
    return {"since": _iso(foreground.since), "until": _iso(foreground.until),
            "articles": fg.total, "background_articles": bg.total, "fields": out}


def newest_date(sink) -> date | None:
    """The day of the newest dated article (newest first puts undated ones last), None if there is none."""
    hits = sink.search(SearchRequest(size=1, sort="newest")).hits
    published = hits[0].published_at if hits else None
    if not published:
        return None
    moment = datetime.fromisoformat(published)  # stored as ISO 8601; days are UTC days, as the range's
    return (moment.astimezone(timezone.utc) if moment.tzinfo else moment).date()


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
