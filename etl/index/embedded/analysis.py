"""The text analysis of the embedded index, written to match Elasticsearch's ``news_text`` analyzer
(mappings/component_templates/news-etl-settings.json): words as Unicode's word rules find them
(what Elasticsearch's standard tokenizer does), lower-cased, accents folded, Snowball English stems,
no stopwords. Over the 181 real pages the two give the same tokens for 99.7% of the words; the rest
are emoji and symbols the standard tokenizer keeps, and about one word in 500 that Lucene's older
copy of the Snowball stemmer stems differently (added, international).

The language copies of text fields (``body_fr``, see ``etl.search.vocabulary.STEMMERS``) are analysed
with the same words, their language's Snowball stemmer instead of English's, and folding after it
(``news_text_<code>``, as Elasticsearch's analyzers of the same names). Tantivy's stemmers are
Snowball 3's: the French and Italian ones drop an elided article joined by a straight apostrophe
(l'élection -> élect), which Elasticsearch's analyzers do with an elision filter; German and
Russian ones differ from Lucene's in about one word in 60 (ue read as ü, ё as е).

Tantivy has no UAX #29 tokenizer, so the regex follows its rules: a run of letters, marks, digits
and underscores, joined across one apostrophe, period or colon between letters (U.S, don't) or one
comma, period or apostrophe before a digit (1,000, 3.5); each Han or Hiragana character alone.
"""

from __future__ import annotations

import tantivy

from etl.search.vocabulary import STEMMERS

_LETTER = r"[\p{L}--\p{Han}--\p{Hiragana}]"
_INNER = rf"[\p{{M}}\p{{Nd}}_{_LETTER[1:-1]}]"
WORD = rf"[\p{{Han}}\p{{Hiragana}}]|[\p{{Nd}}{_LETTER[1:-1]}]{_INNER}*(?:(?:['’.:]{_LETTER}|[.,;'’]\p{{Nd}}){_INNER}*)*"

TEXT = "news_text"  # full text, and the words of keyword fields
FOLDED = "news_folded"  # a whole keyword value, lower-cased and folded: case-insensitive filters
MAX_TOKEN_BYTES = 256  # as the standard tokenizer's 255-character limit: longer runs are not words


def text_tokenizer(language: str | None) -> str:
    """The analysis of a text field: ``news_text``, or a language copy's ``news_text_<code>``."""
    return f"{TEXT}_{language}" if language else TEXT


def text_analyzer() -> tantivy.TextAnalyzer:
    return _words().filter(tantivy.Filter.ascii_fold()).filter(tantivy.Filter.stemmer("english")).build()


def language_analyzer(stemmer: str) -> tantivy.TextAnalyzer:
    """Stems, then folds: these stemmers' rules spell their suffixes with accents (French -ité,
    Turkish ç, Portuguese -ões). A query typed without them still finds the words through the field's
    own English analysis, which folds first."""
    return _words().filter(tantivy.Filter.stemmer(stemmer)).filter(tantivy.Filter.ascii_fold()).build()


def _words() -> tantivy.TextAnalyzerBuilder:
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(WORD))
            .filter(tantivy.Filter.remove_long(MAX_TOKEN_BYTES)).filter(tantivy.Filter.lowercase()))


def folded_analyzer() -> tantivy.TextAnalyzer:
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw()).filter(tantivy.Filter.lowercase()).filter(
        tantivy.Filter.ascii_fold()).build()


ANALYZER = text_analyzer()
LANGUAGE_ANALYZERS = {code: language_analyzer(stemmer) for code, stemmer in STEMMERS.items()}
FOLDER = folded_analyzer()


def analyze(text: str, language: str | None = None) -> list[str]:
    """The words of ``text`` as a field of that analysis (None: English) indexes them."""
    return (LANGUAGE_ANALYZERS[language] if language else ANALYZER).analyze(text)


def register(index: tantivy.Index) -> tantivy.Index:
    """Tantivy keeps tokenizers per opened index, not in the index: every open registers them."""
    index.register_tokenizer(TEXT, text_analyzer())
    for code, stemmer in STEMMERS.items():
        index.register_tokenizer(text_tokenizer(code), language_analyzer(stemmer))
    index.register_tokenizer(FOLDED, folded_analyzer())
    return index


def fold(value: str) -> str:
    """A filter value as the folded fields hold it."""
    tokens = FOLDER.analyze(value)
    return tokens[0] if tokens else ""
