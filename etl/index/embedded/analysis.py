"""The text analysis of the embedded index, written to match Elasticsearch's ``news_text`` analyzer
(mappings/component_templates/news-etl-settings.json): words as Unicode's word rules find them
(what Elasticsearch's standard tokenizer does), lower-cased, accents folded, Snowball English stems,
no stopwords. Over the 181 real pages the two give the same tokens for 99.7% of the words; the rest
are emoji and symbols the standard tokenizer keeps, and about one word in 500 that Lucene's older
copy of the Snowball stemmer stems differently (added, international).

Tantivy has no UAX #29 tokenizer, so the regex follows its rules: a run of letters, marks, digits
and underscores, joined across one apostrophe, period or colon between letters (U.S, don't) or one
comma, period or apostrophe before a digit (1,000, 3.5); each Han or Hiragana character alone.
"""

from __future__ import annotations

import tantivy

_LETTER = r"[\p{L}--\p{Han}--\p{Hiragana}]"
_INNER = rf"[\p{{M}}\p{{Nd}}_{_LETTER[1:-1]}]"
WORD = rf"[\p{{Han}}\p{{Hiragana}}]|[\p{{Nd}}{_LETTER[1:-1]}]{_INNER}*(?:(?:['’.:]{_LETTER}|[.,;'’]\p{{Nd}}){_INNER}*)*"

TEXT = "news_text"  # full text, and the words of keyword fields
FOLDED = "news_folded"  # a whole keyword value, lower-cased and folded: case-insensitive filters
MAX_TOKEN_BYTES = 256  # as the standard tokenizer's 255-character limit: longer runs are not words


def text_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(WORD))
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_BYTES))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def folded_analyzer() -> tantivy.TextAnalyzer:
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw()).filter(tantivy.Filter.lowercase()).filter(
        tantivy.Filter.ascii_fold()).build()


ANALYZER = text_analyzer()
FOLDER = folded_analyzer()


def register(index: tantivy.Index) -> tantivy.Index:
    """Tantivy keeps tokenizers per opened index, not in the index: every open registers them."""
    index.register_tokenizer(TEXT, text_analyzer())
    index.register_tokenizer(FOLDED, folded_analyzer())
    return index


def fold(value: str) -> str:
    """A filter value as the folded fields hold it."""
    tokens = FOLDER.analyze(value)
    return tokens[0] if tokens else ""
