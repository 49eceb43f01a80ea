"""The two Tantivy schemas of the embedded sink and the mapping of records onto them.

Each index keeps one stored JSON blob (``doc``): the whole document, which `get` returns and
hits and highlights are cut from, so no text is stored twice; everything else is indexed only:

- full text (``en_stem``: lowercased, English-stemmed) for what people type words into,
- facet fields (``raw`` tokenizer = the exact value is the term; ``fast`` = columnar,
  which terms aggregations need) named as in ``etl.search.query``,
- ``published_at`` as a fast, indexed date for ranges, sorting and the histogram,
- ``id`` (and ``article_id`` for quotes) as raw terms so upserts can delete by term.

Exact-value fields (ids, facets) are only ever matched whole by term filters, so they index
the bare document list ("basic"): no frequencies or positions to write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import msgspec
import tantivy

from etl.records import IndexedDocument
from etl.search.query import ARTICLE_FACETS, QUOTE_FACETS

STORED = "doc"
DATE = "published_at"
TEXT_TOKENIZER = "en_stem"


@dataclass(frozen=True)
class IndexLayout:
    """One index: its folder name, schema, and which fields do what."""

    name: str
    schema: tantivy.Schema
    keys: tuple[str, ...]  # exact-value ids, for delete-by-term
    text_fields: dict[str, float]  # full-text field -> boost in free-text search
    highlight_fields: tuple[str, ...]
    facets: tuple[str, ...]
    indexed: tuple[str, ...]  # the fields a document fills from its values: keys, text, facets


def _layout(name: str, text_fields: dict[str, float], highlight: tuple[str, ...],
            facets: tuple[str, ...], keys: tuple[str, ...]) -> IndexLayout:
    builder = tantivy.SchemaBuilder()
    for key in keys:
        builder.add_text_field(key, tokenizer_name="raw", index_option="basic")
    for text in text_fields:
        builder.add_text_field(text, tokenizer_name=TEXT_TOKENIZER)
    for facet in facets:
        builder.add_text_field(facet, tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_date_field(DATE, indexed=True, fast=True)
    builder.add_bytes_field(STORED, stored=True)
    return IndexLayout(name, builder.build(), keys, text_fields, highlight, facets, (*keys, *text_fields, *facets))


# "quotes" in the articles index holds what was said, so an article matches on its quotes too.
# The body holds the same words, but this field's share of the score ranks articles that say a
# word in a quote as the Elasticsearch sink's nested quotes query does; dropping it would save
# about 80 us of CPU per article and reorder results.
ARTICLES = _layout("articles", {"title": 2.0, "body": 1.0, "quotes": 1.0}, ("title", "body", "quotes"),
                   ARTICLE_FACETS, keys=("id",))
QUOTES = _layout("quotes", {"text": 2.0, "title": 1.0}, ("text",), QUOTE_FACETS, keys=("id", "article_id"))
LAYOUTS = {layout.name: layout for layout in (ARTICLES, QUOTES)}

# An article's blob is the whole indexed document, as Elasticsearch keeps its _source: `get`
# returns it, hits and highlights are cut from it. A quote's blob is its document.


def parse_date(value: str) -> datetime:
    """An ISO 8601 date or timestamp as an aware UTC datetime (no timezone means UTC)."""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError("not an ISO 8601 date") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _document(layout: IndexLayout, indexed: dict[str, Any], published: datetime | None,
              stored: dict[str, Any]) -> tantivy.Document:
    """``indexed`` gives the values of the layout's fields; ``stored`` is kept whole."""
    doc = tantivy.Document()
    for name in layout.indexed:
        value = indexed.get(name)
        if not value:  # None, "" and [] carry nothing to search or count
            continue
        if type(value) is list:
            for item in value:
                if item:
                    doc.add_text(name, item)
        else:
            doc.add_text(name, value)
    if published is not None:
        try:
            doc.add_date(DATE, published)
        except ValueError as err:  # Tantivy dates span 1677..2262 only
            raise ValueError(f"published_at {indexed[DATE]!r}: {err}") from None
    # msgspec: the same UTF-8 JSON as json.dumps(ensure_ascii=False), 5-10x faster; it was
    # half of the sink's conversion time (one blob per article and one per quote).
    doc.add_bytes(STORED, msgspec.json.encode(stored))
    return doc


def to_documents(doc: IndexedDocument) -> tuple[tantivy.Document, list[tantivy.Document]]:
    """The article's document for ``articles`` and one document per quote for ``quotes``.

    Raises ValueError for a value the engine cannot take (e.g. an unparseable date).
    """
    a = doc.article
    try:
        published = parse_date(a.published_at) if a.published_at else None  # once: quotes share it
    except ValueError as err:
        raise ValueError(f"published_at {a.published_at!r}: {err}") from None
    stored = doc.to_dict()
    indexed = {**stored, "quotes": quote_texts(stored)}
    article = _document(ARTICLES, indexed, published, stored)
    quotes = [_document(QUOTES, quote, published, quote) for quote in doc.quote_documents()]
    return article, quotes


def quote_texts(stored: dict[str, Any]) -> list[str]:
    """What an article's quotes say: its ``quotes`` text field, searched and highlighted."""
    return [quote["text"] for quote in stored.get("quotes") or []]


def stored(doc: tantivy.Document) -> dict[str, Any]:
    """The source document kept in a hit's stored blob."""
    return json.loads(doc.get_first(STORED))
