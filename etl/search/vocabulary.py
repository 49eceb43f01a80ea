"""The search vocabulary, one table per index that both engines read.

- ``text``: full-text fields with their boosts; a bare word searches all of them.
- ``keywords``: exact-value fields, each a facet, a filter (matched case-insensitively) and a
  ``field:word`` target (matched on the words of its values, analysed as text).
- ``highlight``: fields whose matched words come back as fragments.
- ``hit``: stored fields a hit carries besides id, title, url and published_at.

Each engine derives its own field names from these (Elasticsearch multi-fields ``persons.words``
and ``persons.folded``, Tantivy fields ``persons_words`` and ``persons_folded``), so a field added
here is searchable, filterable and facetable in both.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Vocabulary:
    text: dict[str, float]
    keywords: tuple[str, ...]
    highlight: tuple[str, ...]
    hit: tuple[str, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        """Every name ``field:word`` accepts."""
        return (*self.text, *self.keywords)


# "quotes" in an article is what its quotes say, so an article matches on its quotes too (the
# body holds the same words; this field's share of the score ranks articles that say a word in a
# quote higher). A quote's "title" is its article's.
ARTICLES = Vocabulary(
    text={"title": 2.0, "body": 1.0, "quotes": 1.0},
    keywords=("persons", "organizations", "locations", "speakers", "source", "authors", "language",
              "source_agency",  # the wire service a story comes from (etl.clean.agencies), when named
              "duplicate_of",  # a near-copy's original (etl.near_duplicates): `duplicate_of=ID` finds its copies
              "entity_ids"),  # stable entity ids (etl.entity_ids): `entity_ids=ID` finds every article naming it
    highlight=("title", "body", "quotes"),
    hit=("source", "authors", "language", "source_agency"),
)
QUOTES = Vocabulary(
    text={"text": 2.0, "title": 1.0},
    keywords=("speaker", "speaker_label", "kind", "source", "language", "speaker_id"),
    highlight=("text",),
    hit=("text", "speaker", "speaker_label", "cue", "kind", "article_id"),
)
VOCABULARIES = {"articles": ARTICLES, "quotes": QUOTES}

