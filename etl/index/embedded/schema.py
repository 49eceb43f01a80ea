"""The two Tantivy schemas of the embedded sink and the mapping of records onto them.

Each index keeps one stored JSON blob (``doc``): the whole document, which `get` returns and
hits and highlights are cut from, so no text is stored twice; everything else is indexed only,
with the fields the search vocabulary (``etl.search.vocabulary``) names:

- full text (``news_text``, see ``analysis``) for what people type words into, and for the text
  fields the vocabulary stems, one copy per language (``body_fr``, ``news_text_fr``) that only the
  documents in that language fill,
- each keyword field three ways: its exact value (``raw`` tokenizer, ``fast`` = columnar, which
  terms aggregations need) for facets; ``<name>_folded``, the value lower-cased and folded, for
  filters that ignore case; ``<name>_words``, its words as text, for ``field:word`` queries,
- ``published_at`` as a fast, indexed date for ranges, sorting and the histogram,
- ``id`` (and ``article_id`` for quotes) as raw terms so upserts can delete by term, and an
  article's ``content_hash`` so a run can look its body up.

Exact-value fields (ids, facets, folded values) are only ever matched whole by term filters, so
they index the bare document list ("basic"): no frequencies or positions to write. Full-text values
reach the writer as the words ``analysis.words`` found in them, which its analyzers split at the
spaces (the index holds the same terms and positions as the raw text analysed would give).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import msgspec
import tantivy

from etl.index.embedded.analysis import FOLDED, TEXT, text_tokenizer, words
from etl.records import IndexedDocument
from etl.search.vocabulary import ARTICLES as ARTICLE_FIELDS
from etl.search.vocabulary import QUOTES as QUOTE_FIELDS
from etl.search.vocabulary import Vocabulary

STORED = "doc"
DATE = "published_at"


@dataclass(frozen=True)
class IndexLayout:
    """One index: its folder name, schema, and which fields do what."""

    name: str
    schema: tantivy.Schema
    keys: tuple[str, ...]  # exact-value ids, for delete-by-term
    fields: Vocabulary  # what is searched, filtered, faceted and highlighted
    facet_fields: tuple[tuple[str, str, str], ...]  # each keyword field with its folded and words fields

    @property
    def text_fields(self) -> dict[str, float]:
        return self.fields.text

    @property
    def facets(self) -> tuple[str, ...]:
        return self.fields.keywords

    @property
    def highlight_fields(self) -> tuple[str, ...]:
        return self.fields.highlight


def words_field(name: str) -> str:
    """Where ``name:word`` looks: the field itself for text, the words copy of a keyword field."""
    return name if name in ARTICLE_FIELDS.text or name in QUOTE_FIELDS.text else f"{name}_words"


def folded_field(name: str) -> str:
    return f"{name}_folded"


def _layout(name: str, fields: Vocabulary, keys: tuple[str, ...]) -> IndexLayout:
    builder = tantivy.SchemaBuilder()
    for key in keys:
        builder.add_text_field(key, tokenizer_name="raw", index_option="basic")
    for text in fields.text:
        builder.add_text_field(text, tokenizer_name=TEXT)
        for copy, code in fields.copies(text).items():
            builder.add_text_field(copy, tokenizer_name=text_tokenizer(code))
    for facet in fields.keywords:
        builder.add_text_field(facet, tokenizer_name="raw", fast=True, index_option="basic")
        builder.add_text_field(folded_field(facet), tokenizer_name=FOLDED, index_option="basic")
        builder.add_text_field(words_field(facet), tokenizer_name=TEXT)
    builder.add_date_field(DATE, indexed=True, fast=True)
    builder.add_bytes_field(STORED, stored=True)
    facet_fields = tuple((facet, folded_field(facet), words_field(facet)) for facet in fields.keywords)
    return IndexLayout(name, builder.build(), keys, fields, facet_fields)


# ``content_hash``: a later run finds the article a new URL's body already is (``find_by_content_hash``).
ARTICLES = _layout("articles", ARTICLE_FIELDS, keys=("id", "content_hash"))
QUOTES = _layout("quotes", QUOTE_FIELDS, keys=("id", "article_id"))
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


def _document(layout: IndexLayout, indexed: dict[str, Any], copies: dict[str, Any], published: datetime | None,
              stored: dict[str, Any], split) -> tantivy.Document:
    """``indexed`` gives the values of the layout's fields, ``copies`` its language copies' values;
    ``stored`` is kept whole. Full-text values go in as ``split`` makes them (``analysis.words``):
    the writer's analyzers only split them at the spaces."""
    fields: dict[str, list[str]] = {}
    for name in layout.keys:
        if values := _values(name, indexed.get(name)):
            fields[name] = values
    for source in (indexed, copies):
        for name in layout.text_fields if source is indexed else source:
            if values := _values(name, source.get(name)):
                fields[name] = [split(value) for value in values]
    for name, folded, worded in layout.facet_fields:
        if values := _values(name, indexed.get(name)):
            fields[name] = fields[folded] = values  # the folded tokenizer lower-cases and folds it
            fields[worded] = [split(value) for value in values]
    # One call with every value: a call per value was most of the conversion's time.
    doc = tantivy.Document(**fields)
    if published is not None:
        try:
            doc.add_date(DATE, published)
        except ValueError as err:  # Tantivy dates span 1677..2262 only
            raise ValueError(f"published_at {indexed[DATE]!r}: {err}") from None
    # msgspec: the same UTF-8 JSON as json.dumps(ensure_ascii=False), 5-10x faster; it was
    # half of the sink's conversion time (one blob per article and one per quote).
    doc.add_bytes(STORED, msgspec.json.encode(stored))
    return doc


def _values(name: str, value: Any) -> list[str]:
    """None, "" and [] carry nothing to search or count; anything else must be text."""
    if not value:
        return []
    values = [item for item in value if item] if type(value) is list else [value]
    for item in values:
        if type(item) is not str:
            raise TypeError(f"{name}: {type(item).__name__} where text was expected")
    return values


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
    # The title, source and language recur in every quote, a quote's text in the article's quotes.
    found: dict[str, str] = {}

    def split(text: str) -> str:
        if text not in found:
            found[text] = words(text)
        return found[text]

    # The language copies are indexed only: the blob stays the document as it was given.
    indexed = {**stored, "quotes": quote_texts(stored)}
    article = _document(ARTICLES, indexed, ARTICLE_FIELDS.language_copies(stored), published, stored, split)
    quotes = [_document(QUOTES, quote, QUOTE_FIELDS.language_copies(quote), published, quote, split)
              for quote in doc.quote_documents()]
    return article, quotes


def quote_texts(stored: dict[str, Any]) -> list[str]:
    """What an article's quotes say: its ``quotes`` text field, searched and highlighted."""
    return [quote["text"] for quote in stored.get("quotes") or []]


def stored(doc: tantivy.Document) -> dict[str, Any]:
    """The source document kept in a hit's stored blob."""
    return json.loads(doc.get_first(STORED))
