"""``SearchRequest`` -> Elasticsearch query DSL, and the response -> ``SearchResult``.

The request body is built from DSL objects only: a user's text goes into ``simple_query_string``, which
never fails on bad syntax, and filter values into ``term`` queries, so nothing a user types can change
the structure of the request.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from etl.search.query import HIT_FIELDS, Bucket, Hit, SearchRequest, SearchResult, date_histogram

# Free-text fields and their boosts, and the fields highlighted, per index (as the embedded sink does).
TEXT_FIELDS = {"articles": ["title^2", "body"], "quotes": ["text^2", "title"]}
HIGHLIGHT_FIELDS = {"articles": ("title", "body"), "quotes": ("text",)}
# An article also matches on what its quotes say (nested, so searched and highlighted as inner hits).
NESTED_QUOTES = "quotes"
# Stored fields a hit carries besides id, title, url and published_at.
HISTOGRAM = "published_at_histogram"
HIGHLIGHT = {"encoder": "html", "pre_tags": ["<b>"], "post_tags": ["</b>"], "fragment_size": 150, "number_of_fragments": 3}


def search_body(request: SearchRequest) -> dict[str, Any]:
    """The JSON body of ``_search`` for a validated request."""
    index = request.index
    text = _text_query(request)
    filters: list[dict[str, Any]] = [{"term": {name: value}} for name, value in request.filters]
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
    sort: list[Any] = ["_score", {"id": "asc"}] if text else [newest, {"id": "asc"}]
    return {
        "query": {"bool": {"must": [text] if text else [], "filter": filters}},
        "aggs": aggs,
        "sort": sort,
        "from": request.offset,
        "size": request.size,
        "track_total_hits": True,
        "_source": ["title", "url", "published_at", *HIT_FIELDS[index]],
        "highlight": {**HIGHLIGHT, "fields": {name: {} for name in HIGHLIGHT_FIELDS[index]}},
    }


def _text_query(request: SearchRequest) -> dict[str, Any] | None:
    if not request.text or not request.text.strip():
        return None

    def words(fields: list[str]) -> dict[str, Any]:
        return {"simple_query_string": {"query": request.text, "fields": fields, "default_operator": "or", "lenient": True}}

    query = words(TEXT_FIELDS[request.index])
    if request.index != "articles":
        return query
    in_quotes = {
        "nested": {
            "path": NESTED_QUOTES,
            "query": words([f"{NESTED_QUOTES}.text"]),
            "score_mode": "max",
            "inner_hits": {"_source": False, "size": 3, "highlight": {**HIGHLIGHT, "fields": {f"{NESTED_QUOTES}.text": {}}}},
        }
    }
    return {"bool": {"should": [query, in_quotes], "minimum_should_match": 1}}


def search_result(request: SearchRequest, response: dict[str, Any]) -> SearchResult:
    hits = [_hit(request.index, raw) for raw in response["hits"]["hits"]]
    aggs = response.get("aggregations", {})
    facets = {
        name: [Bucket(str(b["key"]), b["doc_count"]) for b in aggs.get(name, {}).get("buckets", [])] for name in request.facets
    }
    days = {date.fromisoformat(b["key_as_string"]): b["doc_count"] for b in aggs.get(HISTOGRAM, {}).get("buckets", [])}
    histogram, interval = date_histogram(days, request.histogram_interval)
    return SearchResult(total=response["hits"]["total"]["value"], hits=hits, facets=facets, histogram=histogram,
                        histogram_interval=interval)


def _hit(index: str, raw: dict[str, Any]) -> Hit:
    source = raw.get("_source", {})
    return Hit(
        id=raw["_id"],
        title=source.get("title"),
        url=source.get("url"),
        published_at=source.get("published_at"),
        score=float(raw.get("_score") or 0.0),
        highlights=_highlights(raw),
        fields={name: source.get(name) for name in HIT_FIELDS[index]},
    )


def _highlights(raw: dict[str, Any]) -> dict[str, list[str]]:
    out = dict(raw.get("highlight", {}))
    quotes = raw.get("inner_hits", {}).get(NESTED_QUOTES, {}).get("hits", {}).get("hits", [])
    fragments = [f for hit in quotes for f in hit.get("highlight", {}).get(f"{NESTED_QUOTES}.text", [])]
    if fragments:
        out[NESTED_QUOTES] = fragments
    return out
