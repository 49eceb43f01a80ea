"""``SearchRequest`` -> Elasticsearch query DSL, and the response -> ``SearchResult``.

The query text is parsed by ``etl.search.language`` (never by ``query_string`` or
``simple_query_string``) and its names expanded by the variant table, then the tree is compiled
to ``bool`` queries of ``match_phrase`` per field of the vocabulary: the field's analyzer
(``news_text``) analyses the words as the embedded index does, and a one-word ``match_phrase`` is
a term query. On a field with language copies (``body`` and ``body_fr``, ...) it is the best of the
field and its copies (``dis_max``), each with its own analyzer (``news_text_fr``). Filter values go
into ``term`` queries on the folded keyword fields. Nothing a user types can change the structure
of the request beyond what the language says.
"""

from __future__ import annotations

from datetime import date
from typing import Any

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
from etl.search.vocabulary import VOCABULARIES

# Where a vocabulary text field lives in Elasticsearch when not under its own name: an article's
# quotes are nested objects, so the sink also writes what they say flat, as ``quote_text``.
TEXT_FIELD = {"quotes": "quote_text"}
HISTOGRAM = "published_at_histogram"
HIGHLIGHT = {"encoder": "html", "pre_tags": ["<b>"], "post_tags": ["</b>"], "fragment_size": 150, "number_of_fragments": 3}
MATCH_ALL = {"match_all": {}}


def search_body(request: SearchRequest) -> dict[str, Any]:
    """The JSON body of ``_search`` for a validated request."""
    index = request.index
    text = text_query(request)
    # Filters ignore case and accents: "persons=donald trump" finds Donald Trump.
    filters: list[dict[str, Any]] = [{"term": {f"{name}.folded": value}} for name, value in request.filters]
    if request.since or request.until:
        bounds: dict[str, str] = {}
        if request.lower_bound:
            bounds["gte"] = request.lower_bound.isoformat()
        if request.upper_bound:
            bounds["lt"] = request.upper_bound.isoformat()
        filters.append({"range": {"published_at": bounds}})

    aggs: dict[str, Any] = {name: {"terms": {"field": name, "size": request.facet_size}} for name in request.facets}
    # Daily buckets rolled up in Python, as the embedded engine does, so both pick "auto" alike.
    aggs[HISTOGRAM] = {
        "date_histogram": {
            "field": "published_at",
            "calendar_interval": "day",
            "min_doc_count": 1,
            "format": "yyyy-MM-dd",
        }
    }
    # Relevance when there is text, else newest first (undated last); the id breaks ties so pages are stable.
    newest = {"published_at": {"order": "desc", "missing": "_last"}}
    ranked = text is not None and request.sort != "newest"
    sort: list[Any] = ["_score", {"id": "asc"}] if ranked else [newest, {"id": "asc"}]
    body = {
        "query": {"bool": {"must": [text] if text else [], "filter": filters,
                           # near-copies hidden (etl.near_duplicates)
                           **({"must_not": [{"exists": {"field": "duplicate_of"}}]} if request.unique else {})}},
        "aggs": aggs,
        "sort": sort,
        "from": request.offset,
        "size": request.size,
        "track_total_hits": True,
        "_source": ["title", "url", "published_at", *HIT_FIELDS[index]],
        "highlight": {**HIGHLIGHT, "fields": {name: {} for name in _highlighted(VOCABULARIES[index])}},
    }
    after = cursors.decode(request)
    if after:
        body["from"], body["search_after"], body["size"] = 0, _resume_from(after, ranked), request.size + len(after.seen)
    return body


# Scores travel as JSON decimals of 32-bit floats: a server that compares them in another precision
# skips or repeats hits tied at the page's edge (seen with osmem-server). So a ranked cursor resumes
# a hair above the last score and drops the tied hits it already returned.
_SCORE_SLACK = 1e-6
_MAX_TIED = 500  # past this many tied hits (a query of one constant score), resume exactly: cursors stay small


def _resume_from(after: cursors.Cursor, ranked: bool) -> list[Any]:
    if not ranked or len(after.seen) > _MAX_TIED:
        return after.after
    return [after.after[0] * (1 + _SCORE_SLACK) + 1e-12, ""]


def _tied_at_end(raw_hits: list[dict[str, Any]]) -> list[str]:
    """The ids at the end of a ranked page whose scores are within rounding of the last one."""
    if not raw_hits or raw_hits[-1].get("_score") is None:
        return [raw_hits[-1]["_id"]] if raw_hits else []
    last = raw_hits[-1]["_score"]
    tied = []
    for raw in reversed(raw_hits):
        if abs(raw["_score"] - last) > last * _SCORE_SLACK + 1e-12:
            break
        tied.append(raw["_id"])
    return tied


def text_query(request: SearchRequest) -> dict[str, Any] | None:
    tree = query_tree(request.text, request.index)
    if tree is None:
        return None
    return _compile(request.index, tree)


def _compile(index: str, node: Node) -> dict[str, Any]:
    if isinstance(node, Match):
        return _match(index, node)
    if isinstance(node, Not):  # everything but: "-x" alone, "a OR -b"
        return {"bool": {"must": [MATCH_ALL], "must_not": [_compile(index, node.part)]}}
    if isinstance(node, And):
        must = [_compile(index, p) for p in node.parts if not isinstance(p, Not)]
        must_not = [_compile(index, p.part) for p in node.parts if isinstance(p, Not)]
        return {"bool": {"must": must or [MATCH_ALL], "must_not": must_not}}
    return {"bool": {"should": [_compile(index, p) for p in node.parts], "minimum_should_match": 1}}


def _match(index: str, match: Match) -> dict[str, Any]:
    vocabulary = VOCABULARIES[index]
    if match.field in vocabulary.keywords:
        return {"match_phrase": {f"{match.field}.words": {"query": match.text}}}
    fields = {match.field: vocabulary.text[match.field]} if match.field else vocabulary.text
    clauses = []
    for field, boost in fields.items():
        names = (_text_field(field), *vocabulary.copies(field))
        boosted = {"boost": boost} if boost != 1.0 else {}
        if len(names) == 1:
            clauses.append({"match_phrase": {names[0]: {"query": match.text, **boosted}}})
        else:
            clauses.append({"dis_max": {"queries": [{"match_phrase": {name: {"query": match.text}}} for name in names], **boosted}})
    return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}


def _text_field(name: str) -> str:
    return TEXT_FIELD.get(name, name)


def _highlighted(vocabulary) -> list[str]:
    """The fields highlights are asked of: each highlighted text field and its language copies."""
    return [name for field in vocabulary.highlight for name in (_text_field(field), *vocabulary.copies(field))]


def search_result(request: SearchRequest, response: dict[str, Any]) -> SearchResult:
    raw_hits = response["hits"]["hits"]
    after = cursors.decode(request)
    if after:  # the hits the previous pages returned at their edge (see _resume_from)
        seen = set(after.seen)
        raw_hits = [raw for raw in raw_hits if raw["_id"] not in seen][: request.size]
    hits = [_hit(request.index, raw) for raw in raw_hits]
    aggs = response.get("aggregations", {})
    facets = {
        name: [Bucket(str(b["key"]), b["doc_count"]) for b in aggs.get(name, {}).get("buckets", [])] for name in request.facets
    }
    days = {date.fromisoformat(b["key_as_string"]): b["doc_count"] for b in aggs.get(HISTOGRAM, {}).get("buckets", [])}
    histogram, interval = date_histogram(days, request.histogram_interval)
    total = response["hits"]["total"]["value"]
    offset = after.offset if after else request.offset
    last = raw_hits[-1].get("sort", []) if raw_hits else []
    seen = _tied_at_end(raw_hits)
    if after and len(seen) == len(raw_hits):  # a page all of one score: the earlier edge's hits still count
        seen = [*after.seen, *seen][-(_MAX_TIED + 1):]
    return SearchResult(total=total, hits=hits, facets=facets, histogram=histogram, histogram_interval=interval,
                        cursor=cursors.next_cursor(request, offset, len(hits), total, last, seen))


def related_body(alias: str, doc_id: str, size: int) -> dict[str, Any]:
    """``_search`` for the articles most like ``doc_id``: the server reads its words from the stored
    article; ``must_not`` keeps it out even where ``include`` defaults differ (osmem-server includes it)."""
    like = {"more_like_this": {"fields": list(RELATED_FIELDS), "like": [{"_index": alias, "_id": doc_id}],
                               "min_term_freq": MIN_TERM_FREQ, "min_doc_freq": MIN_DOC_FREQ,
                               "max_query_terms": MAX_QUERY_TERMS}}
    return {"query": {"bool": {"must": [like], "must_not": [{"ids": {"values": [doc_id]}}]}}, "size": size,
            "sort": ["_score", {"id": "asc"}], "_source": ["title", "url", "published_at", *HIT_FIELDS["articles"]]}


def related_hits(response: dict[str, Any]) -> list[Hit]:
    return [_hit("articles", raw) for raw in response["hits"]["hits"]]


def _hit(index: str, raw: dict[str, Any]) -> Hit:
    source = raw.get("_source", {})
    return Hit(
        id=raw["_id"],
        title=source.get("title"),
        url=source.get("url"),
        published_at=source.get("published_at"),
        score=float(raw.get("_score") or 0.0),
        highlights=_highlights(index, raw),
        fields={name: source.get(name) for name in HIT_FIELDS[index]},
    )


def _highlights(index: str, raw: dict[str, Any]) -> dict[str, list[str]]:
    """Fragments per vocabulary field; a language copy's (``body_fr``) stand for its field's, as the
    document's own language analyses it (a document fills one language's copies only)."""
    vocabulary = VOCABULARIES[index]
    names = {es: name for name, es in TEXT_FIELD.items()}
    copies = {copy: field for field in vocabulary.stemmed for copy in vocabulary.copies(field)}
    out: dict[str, list[str]] = {}
    for field, fragments in raw.get("highlight", {}).items():
        name = copies.get(field) or names.get(field, field)
        if field in copies or name not in out:
            out[name] = fragments
    return out
