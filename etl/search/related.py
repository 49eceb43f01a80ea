"""Related articles: the articles most like one article, by the words of its title and body.

Each engine runs its own "more like this" (Elasticsearch's ``more_like_this`` query, Tantivy's
``MoreLikeThisQuery``) with the parameters below: both pick the article's most distinctive words
(term frequency x inverse document frequency) and search for them. Their scores differ, so the
engines' lists are not compared; what both promise is that the article itself is never in its list
and that an unknown id is ``None`` (a 404), not an empty list.
"""

from __future__ import annotations

from typing import Any

from etl.search.query import SearchError

FIELDS = ("title", "body")
DEFAULT_SIZE = 5
MAX_SIZE = 100
# min_doc_freq 2: a word only this article has cannot relate it to another one. min_term_freq 1: the
# title's words appear once in it and are the most telling. 25 words: both engines' default.
MIN_TERM_FREQ = 1
MIN_DOC_FREQ = 2
MAX_QUERY_TERMS = 25


def related(sink, doc_id: str, size: int = DEFAULT_SIZE) -> dict[str, Any] | None:
    """``{"id": doc_id, "hits": [hit, ...]}`` (hits as in search results, most alike first), None for an unknown id."""
    if not 1 <= size <= MAX_SIZE:
        raise SearchError(f"size must be between 1 and {MAX_SIZE}, got {size}")
    hits = sink.related(doc_id, size)
    if hits is None:
        return None
    return {"id": doc_id, "hits": [hit.to_dict() for hit in hits if hit.id != doc_id][:size]}
