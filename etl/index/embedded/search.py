"""Answer a ``SearchRequest`` from a Tantivy index with the engine-neutral ``SearchResult``.

The query text is parsed by ``etl.search.language`` (never by Tantivy's own query parser), its
names expanded by the variant table, and the tree compiled here: a word or phrase is a term or
phrase query per field of the vocabulary, analysed exactly as the field was indexed, with the
field's boost; on a field with language copies (``body`` and ``body_fr``, ...), the best of the
field and its copies (a disjunction max), each analysed as itself. AND, OR and NOT are boolean
clauses. Scores are Tantivy's BM25, as Elasticsearch's.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import tantivy
from tantivy import FieldType, Occur, Query

from etl.index.embedded.analysis import analyze, fold
from etl.index.embedded.schema import (
    DATE,
    IndexLayout,
    folded_field,
    quote_texts,
    stored,
    words_field,
)
from etl.search import cursor as cursors
from etl.search.language import And, Match, Node, Not
from etl.search.query import (
    HIT_FIELDS,
    Bucket,
    Hit,
    SearchRequest,
    SearchResult,
    date_histogram,
)
from etl.search.related import FIELDS as RELATED_FIELDS
from etl.search.related import MAX_QUERY_TERMS, MIN_DOC_FREQ, MIN_TERM_FREQ
from etl.search.synonyms import query_tree
from etl.search.vocabulary import language_field, stemmed_language

_HISTOGRAM = "published_at_histogram"
NEAR_COPY_OF = "duplicate_of"
_SNIPPET_CHARS = {"title": 1000, "body": 150, "quotes": 150, "text": 400}  # body: as the Elasticsearch sink
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_FIRST_DATE, _LAST_DATE = datetime(1677, 9, 22, tzinfo=timezone.utc), datetime(2262, 4, 11, tzinfo=timezone.utc)


def text_query(layout: IndexLayout, text: str | None) -> Query | None:
    """The query text's part of the query; None when there is no word (match everything)."""
    tree = query_tree(text, layout.name)
    if tree is None:
        return None
    return _compile(layout, tree)


def _compile(layout: IndexLayout, node: Node) -> Query:
    if isinstance(node, Match):
        return _match(layout, node)
    if isinstance(node, Not):  # everything but: "-x" alone, "a OR -b"
        return Query.boolean_query([(Occur.Must, Query.all_query()), (Occur.MustNot, _compile(layout, node.part))])
    occur = Occur.Must if isinstance(node, And) else Occur.Should
    clauses = []
    for part in node.parts:
        if isinstance(part, Not) and occur is Occur.Must:  # a -b: b excluded, a alone scores
            clauses.append((Occur.MustNot, _compile(layout, part.part)))
        else:
            clauses.append((occur, _compile(layout, part)))
    if all(o is Occur.MustNot for o, _ in clauses):
        clauses.append((Occur.Must, Query.all_query()))
    return Query.boolean_query(clauses)


def _match(layout: IndexLayout, match: Match) -> Query:
    if not analyze(match.text):  # the same tokenizer for every language: no word in any
        return Query.empty_query()
    fields = {words_field(match.field): 1.0} if match.field else layout.text_fields
    analyses = {field: {field: None, **layout.fields.copies(field)} for field in fields}
    tokens = {code: analyze(match.text, code) for code in {code for names in analyses.values() for code in names.values()}}
    clauses = []
    for field, boost in fields.items():
        queries = [_words(layout, name, tokens[code]) for name, code in analyses[field].items()]
        query = queries[0] if len(queries) == 1 else Query.disjunction_max_query(queries)
        clauses.append((Occur.Should, Query.boost_query(query, boost) if boost != 1.0 else query))
    return clauses[0][1] if len(clauses) == 1 else Query.boolean_query(clauses)


def _words(layout: IndexLayout, field: str, tokens: list[str]) -> Query:
    return Query.term_query(layout.schema, field, tokens[0]) if len(tokens) == 1 else \
        Query.phrase_query(layout.schema, field, tokens)


def build_query(layout: IndexLayout, request: SearchRequest) -> tuple[Query, Query | None]:
    """(the whole query, its text part or None)."""
    text = text_query(layout, request.text)
    clauses = [(Occur.Must, text)] if text is not None else []
    # Filters narrow without scoring, and ignore case: "persons=donald trump" finds Donald Trump.
    for field, value in request.filters:
        term = Query.term_query(layout.schema, folded_field(field), fold(value))
        clauses.append((Occur.Must, Query.const_score_query(term, 0.0)))
    if request.since or request.until:
        clauses.append((Occur.Must, Query.const_score_query(_date_range(layout, request), 0.0)))
    if request.unique:  # near-copies hidden: no duplicate_of (a fast field, so exists_query can test it)
        clauses.append((Occur.MustNot, Query.exists_query(NEAR_COPY_OF)))
        if len(clauses) == 1:
            clauses.append((Occur.Must, Query.all_query()))
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
    after = cursors.decode(request)
    # A cursor continues from the hits already returned (the index is read at one commit per page).
    offset = after.offset if after else request.offset
    # Tantivy panics on a limit of 0; ask for one hit and drop it to still get the total.
    limit = max(request.size, 1)
    ranked = text is not None and request.sort != "newest"  # else newest first, undated last
    if ranked:
        found = searcher.search(query, limit, offset=offset)
    else:
        found = searcher.search(query, limit, offset=offset, order_by_field=DATE, order=tantivy.Order.Desc)
    highlighter = _Highlighter(searcher, text, layout) if text is not None else None
    hits = []
    for score, address in found.hits[: request.size]:
        source = stored(searcher.doc(address))
        hits.append(_hit(layout, source, float(score) if ranked else 0.0, highlighter))
    aggs = searcher.aggregate(query, _aggregations(layout, request))
    histogram, interval = date_histogram(_days(aggs[_HISTOGRAM]), request.histogram_interval)
    last = [hits[-1].score, hits[-1].id] if hits else []
    return SearchResult(
        total=found.count,
        hits=hits,
        facets={name: _buckets(aggs[name]) for name in request.facets},
        histogram=histogram,
        histogram_interval=interval,
        cursor=cursors.next_cursor(request, offset, len(hits), found.count, last, [hits[-1].id] if hits else []),
    )


def related(index: tantivy.Index, layout: IndexLayout, doc_id: str, size: int) -> list[Hit] | None:
    """The articles most like ``doc_id`` by its title and body, itself excluded; None when it is not indexed.
    Text fields are not stored (the blob is), so the words are handed to the query from the blob."""
    searcher = index.searcher()
    own = Query.term_query(layout.schema, "id", doc_id)
    found = searcher.search(own, 1).hits
    if not found:
        return None
    source = stored(searcher.doc(found[0][1]))
    fields = {name: [source[name]] for name in RELATED_FIELDS if source.get(name)}
    if not fields:
        return []
    like = Query.more_like_this_document_fields_query(
        layout.schema, fields, min_doc_frequency=MIN_DOC_FREQ, min_term_frequency=MIN_TERM_FREQ,
        max_query_terms=MAX_QUERY_TERMS)
    query = Query.boolean_query([(Occur.Must, like), (Occur.MustNot, own)])
    return [_hit(layout, stored(searcher.doc(address)), float(score), None)
            for score, address in searcher.search(query, size).hits]


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
    """Snippets of the matched words per text field, HTML-escaped by Tantivy around the <b> marks. A
    document in a stemmed language is highlighted as its language copy analyses it (``body_fr``),
    else as the field itself: a French article found through its French stems still shows them."""

    def __init__(self, searcher: tantivy.Searcher, text: Query, layout: IndexLayout):
        self._searcher, self._text, self._layout = searcher, text, layout
        self._generators: dict[str, tantivy.SnippetGenerator] = {}

    def _generator(self, field: str, name: str) -> tantivy.SnippetGenerator:
        """The snippets of ``name`` (the field or one of its copies), made on first use."""
        if name not in self._generators:
            generator = tantivy.SnippetGenerator.create(self._searcher, self._text, self._layout.schema, name)
            generator.set_max_num_chars(_SNIPPET_CHARS[field])
            self._generators[name] = generator
        return self._generators[name]

    def fragments(self, source: dict[str, Any]) -> dict[str, list[str]]:
        out = {}
        code = stemmed_language(source.get("language"))
        for field in self._layout.highlight_fields:
            value = quote_texts(source) if field == "quotes" else source.get(field)
            if not value:
                continue
            names = [field]
            if code and field in self._layout.fields.stemmed:
                names.insert(0, language_field(field, code))
            for name in names:
                snippet = self._generator(field, name).snippet_from_doc(tantivy.Document(**{name: value}))
                if snippet.highlighted():
                    out[field] = [snippet.to_html()]
                    break
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
