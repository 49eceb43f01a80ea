"""The search vocabulary, one table per index that both engines read.

- ``text``: full-text fields with their boosts; a bare word searches all of them.
- ``keywords``: exact-value fields, each a facet, a filter (matched case-insensitively) and a
  ``field:word`` target (matched on the words of its values, analysed as text).
- ``highlight``: fields whose matched words come back as fragments.
- ``hit``: stored fields a hit carries besides id, title, url and published_at.
- ``stemmed``: text fields that a document in one of the ``STEMMERS`` languages also carries as
  ``<field>_<code>`` (``body_fr``), analysed with that language's stemmer; a word on the field
  matches the field or any of its copies.

Each engine derives its own field names from these (Elasticsearch multi-fields ``persons.words``
and ``persons.folded``, Tantivy fields ``persons_words`` and ``persons_folded``), so a field added
here is searchable, filterable and facetable in both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The languages whose text is also analysed as itself: code -> the Snowball stemmer that both
# Tantivy (``Filter.stemmer``) and Elasticsearch (the ``snowball`` filter's language, capitalised)
# have. English is the default analysis of every text field, so it is not here. Not Dutch: Tantivy's
# "dutch" is Snowball 3's new algorithm (it strips ge-), Elasticsearch's the older one; they stem a
# third of the words apart. Adding a language: a line here, its ``news_text_<code>`` analyzer in
# mappings/component_templates/news-etl-settings.json and its ``<field>_<code>`` fields in the
# mappings (tests/test_mappings.py checks all three, tests/search/test_languages.py both engines).
STEMMERS = {
    "da": "danish", "de": "german", "es": "spanish", "fi": "finnish", "fr": "french", "hu": "hungarian",
    "it": "italian", "no": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian",
    "sv": "swedish", "tr": "turkish",
}
# Codes pages declare for a language of the table: Norwegian Bokmål (the Norwegian stemmer's own).
LANGUAGE_ALIASES = {"nb": "no"}


def stemmed_language(code: str | None) -> str | None:
    """The ``STEMMERS`` code a document in language ``code`` is analysed as besides English, or None."""
    code = LANGUAGE_ALIASES.get(code, code)
    return code if code in STEMMERS else None


def language_field(field: str, code: str) -> str:
    return f"{field}_{code}"


@dataclass(frozen=True)
class Vocabulary:
    text: dict[str, float]
    keywords: tuple[str, ...]
    highlight: tuple[str, ...]
    hit: tuple[str, ...]
    stemmed: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        """Every name ``field:word`` accepts."""
        return (*self.text, *self.keywords)

    def copies(self, field: str) -> dict[str, str]:
        """The language copies of a text field: copy name -> language code (none for an unstemmed field)."""
        return {language_field(field, code): code for code in STEMMERS} if field in self.stemmed else {}

    @property
    def copy_fields(self) -> tuple[str, ...]:
        return tuple(name for field in self.stemmed for name in self.copies(field))

    def language_copies(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The copies a document carries: its stemmed fields again, named for its language (none for
        English or a language without a stemmer)."""
        code = stemmed_language(doc.get("language"))
        if code is None:
            return {}
        return {language_field(field, code): doc[field] for field in self.stemmed if doc.get(field)}


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
    stemmed=("title", "body"),  # not "quotes": what they say is in the body, stemmed there
)
QUOTES = Vocabulary(
    text={"text": 2.0, "title": 1.0},
    keywords=("speaker", "speaker_label", "kind", "source", "language", "speaker_id"),
    highlight=("text",),
    hit=("text", "speaker", "speaker_label", "cue", "kind", "article_id"),
    stemmed=("text", "title"),
)
VOCABULARIES = {"articles": ARTICLES, "quotes": QUOTES}

