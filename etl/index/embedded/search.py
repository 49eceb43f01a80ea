"""Answer a ``SearchRequest`` from a Tantivy index with the engine-neutral ``SearchResult``.

Free text is never handed to Tantivy's query parser: a user's ``title:x``, ``AND`` or an
unbalanced ``(`` must not change what is searched. Instead the text is analysed exactly
as the indexed fields are (``en_stem``) and the words become term queries over the
layout's text fields, OR-ed and ranked by BM25 like Elasticsearch's ``simple_query_string``
default. Double-quoted parts become phrase queries, the one piece of syntax honoured.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

import tantivy
from tantivy import FieldType, Occur, Query

from etl.index.embedded.schema import DATE, IndexLayout, quote_texts, stored
from etl.search.query import HIT_FIELDS, Bucket, Hit, SearchRequest, SearchResult, date_histogram

# Same chain as Tantivy's built-in en_stem tokenizer, so query words meet indexed terms.
_ANALYZER = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.remove_long(40))
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.stemmer("english"))
    .build()
)
_PHRASE = re.compile(r'"([^"]*)"')
MAX_TERMS = 64  # a pasted page should not become a thousand-clause query
_HISTOGRAM = "published_at_histogram"
_SNIPPET_CHARS = {"title": 1000, "body": 150, "quotes": 150, "text": 400}  # body: as the Elasticsearch sink
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_FIRST_DATE, _LAST_DATE = datetime(1677, 9, 22, tzinfo=timezone.utc), datetime(2262, 4, 11, tzinfo=timezone.utc)


def text_query(layout: IndexLayout, text: str | None) -> Query | None:
    """The free-text part of the query; None when there is no text (match everything)."""
    if not text or not text.strip():
        return None
    phrases = [_ANALYZER.analyze(p) for p in _PHRASE.findall(text)]
    words = _ANALYZER.analyze(_PHRASE.sub(" ", text)) + [p[0] for p in phrases if len(p) == 1]
    groups = [p for p in phrases if len(p) > 1] + [[w] for w in dict.fromkeys(words)]
    clauses = []
    for group in groups[:MAX_TERMS]:
        for field, boost in layout.text_fields.items():
            if len(group) == 1:
                query = Query.term_query(layout.schema, field, group[0])
            else:
                query = Query.phrase_query(layout.schema, field, group)
            clauses.append((Occur.Should, Query.boost_query(query, boost) if boost != 1.0 else query))
    # Text with no searchable word ("((", "!!") matches nothing rather than everything.
    return Query.boolean_query(clauses) if clauses else Query.empty_query()


def build_query(layout: IndexLayout, request: SearchRequest) -> tuple[Query, Query | None]:
    """(the whole query, its free-text part or None)."""
    text = text_query(layout, request.text)
    clauses = [(Occur.Must, text)] if text is not None else []
    # Filters narrow without scoring: a document is not more relevant for having more persons.
    for field, value in request.filters:
        clauses.append((Occur.Must, Query.const_score_query(Query.term_query(layout.schema, field, value), 0.0)))
    if request.since or request.until:
        clauses.append((Occur.Must, Query.const_score_query(_date_range(layout, request), 0.0)))
    return (Query.boolean_query(clauses) if clauses else Query.all_query()), text


def _date_range(layout: IndexLayout, request: SearchRequest) -> Query:
    lower, upper = request.lower_bound, request.upper_bound  # upper is exclusive
    # Tantivy's dates span 1677..2262 (nanoseconds in 64 bits) and it refuses a bound outside that:
    # such a bound matches nothing when it shuts the whole span out, else it is the span's end.
    if (lower and lower >= _LAST_DATE) or (upper and upper <= _FIRST_DATE):
        return Query.empty_query()
    lower = max(lower or _FIRST_DATE, _FIRST_DATE) if lower or not upper else None  # both open: every dated one
    upper = min(upper, _LAST_DATE) if upper else None
    # Tantivy insists an open side be "inclusive".
    return Query.range_query(layout.schema, DATE, FieldType.Date, lower, upper,
                             include_lower=True, include_upper=upper is None)


def search(index: tantivy.Index, layout: IndexLayout, request: SearchRequest) -> SearchResult:
    searcher = index.searcher()
    query, text = build_query(layout, request)
    # Tantivy panics on a limit of 0; ask for one hit and drop it to still get the total.
    limit = max(request.size, 1)
    if text is None:  # nothing to rank by: newest first, undated last
        found = searcher.search(query, limit, offset=request.offset, order_by_field=DATE,
                                order=tantivy.Order.Desc)
    else:
        found = searcher.search(query, limit, offset=request.offset)
    highlighter = _Highlighter(searcher, text, layout) if text is not None else None
    hits = []
    for score, address in found.hits[: request.size]:
        source = stored(searcher.doc(address))
        hits.append(_hit(layout, source, float(score) if text is not None else 0.0, highlighter))
    aggs = searcher.aggregate(query, _aggregations(layout, request))
    histogram, interval = date_histogram(_days(aggs[_HISTOGRAM]), request.histogram_interval)
    return SearchResult(
        total=found.count,
        hits=hits,
        facets={name: _buckets(aggs[name]) for name in request.facets},
        histogram=histogram,
        histogram_interval=interval,
    )


def _hit(layout: IndexLayout, source: dict[str, Any], score: float, highlighter: _Highlighter | None) -> Hit:
    return Hit(
        id=source["id"],
        title=source.get("title"),
        url=source.get("url"),
        published_at=source.get("published_at"),
        score=score,
        highlights=highlighter.fragments(source) if highlighter else {},
        fields={name: source.get(name) for name in HIT_FIELDS[layout.name]},
    )


class _Highlighter:
    """Snippets of the matched words per text field, HTML-escaped by Tantivy around the <b> marks."""

    def __init__(self, searcher: tantivy.Searcher, text: Query, layout: IndexLayout):
        self._generators = {}
        for field in layout.highlight_fields:
            generator = tantivy.SnippetGenerator.create(searcher, text, layout.schema, field)
            generator.set_max_num_chars(_SNIPPET_CHARS[field])
            self._generators[field] = generator

    def fragments(self, source: dict[str, Any]) -> dict[str, list[str]]:
        out = {}
        for field, generator in self._generators.items():
            value = quote_texts(source) if field == "quotes" else source.get(field)
            if not value:
                continue
            snippet = generator.snippet_from_doc(tantivy.Document(**{field: value}))
            if snippet.highlighted():
                out[field] = [snippet.to_html()]
        return out


def _aggregations(layout: IndexLayout, request: SearchRequest) -> dict[str, Any]:
    aggs: dict[str, Any] = {name: {"terms": {"field": name, "size": request.facet_size}} for name in request.facets}
    # Daily buckets, rolled up in Python: Tantivy has fixed intervals only, not calendar months.
    aggs[_HISTOGRAM] = {"date_histogram": {"field": DATE, "fixed_interval": "1d", "min_doc_count": 1}}
    return aggs


def _buckets(agg: dict[str, Any]) -> list[Bucket]:
    buckets = [Bucket(str(b["key"]), int(b["doc_count"])) for b in agg["buckets"]]
    return sorted(buckets, key=lambda b: (-b.count, b.value))


def _days(agg: dict[str, Any]) -> dict[date, int]:
    return {(_EPOCH + timedelta(milliseconds=b["key"])).date(): int(b["doc_count"]) for b in agg["buckets"]}
