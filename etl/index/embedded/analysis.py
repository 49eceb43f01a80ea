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

Tantivy's regex tokenizer runs its slowest engine here (the build has no DFA: about 1 us a word, the
bulk of indexing's cost), so the writer does not run it: ``words`` finds the same words first, in
Python for text in the Latin alphabet and through the regex tokenizer itself otherwise, and the
writer's analyzers (``register(..., split=True)``) only split that at the spaces. The terms and
positions indexed are the same; searches, highlights and related articles use the regex analyzers.
"""

from __future__ import annotations

import re
import unicodedata

import tantivy

from etl.search.vocabulary import STEMMERS

_LETTER = r"[\p{L}--\p{Han}--\p{Hiragana}]"
_INNER = rf"[\p{{M}}\p{{Nd}}_{_LETTER[1:-1]}]"
WORD = rf"[\p{{Han}}\p{{Hiragana}}]|[\p{{Nd}}{_LETTER[1:-1]}]{_INNER}*(?:(?:['’.:]{_LETTER}|[.,;'’]\p{{Nd}}){_INNER}*)*"

TEXT = "news_text"  # full text, and the words of keyword fields
FOLDED = "news_folded"  # a whole keyword value, lower-cased and folded: case-insensitive filters
MAX_TOKEN_BYTES = 256  # as the standard tokenizer's 255-character limit: longer runs are not words


# Where ``words`` may find the words with Python's re: the Latin letters, Latin-1's symbols and the
# General Punctuation block (curly quotes, dashes, spaces), in which WORD's classes reduce to small
# ones: no marks, no Han or Hiragana, no decimal digits but 0-9 (tests check it against the tokenizer).
_LATIN = "".join(map(chr, (*range(0x250), *range(0x2000, 0x2070))))
_LETTERS = re.escape("".join(c for c in _LATIN if unicodedata.category(c).startswith("L")))
# WORD over those (possessive: what a word takes it never gives back, as in WORD; a fifth faster).
_LATIN_WORD = re.compile(rf"[0-9{_LETTERS}][0-9_{_LETTERS}]*+(?:(?:['’.:][{_LETTERS}]|[.,;'’][0-9])[0-9_{_LETTERS}]*+)*+")
_NOT_LATIN = re.compile(f"[^{re.escape(_LATIN)}]")


def words(text: str) -> str:
    """The words the text analysis finds in ``text``, in order, one space between: what the writer's
    analyzers take (see the module's docstring)."""
    if _NOT_LATIN.search(text) is None:
        return " ".join(_LATIN_WORD.findall(text))
    return " ".join(_SPLITTER.analyze(text))


def text_tokenizer(language: str | None) -> str:
    """The analysis of a text field: ``news_text``, or a language copy's ``news_text_<code>``."""
    return f"{TEXT}_{language}" if language else TEXT


def text_analyzer(split: bool = False) -> tantivy.TextAnalyzer:
    return _words(split).filter(tantivy.Filter.ascii_fold()).filter(tantivy.Filter.stemmer("english")).build()


def language_analyzer(stemmer: str, split: bool = False) -> tantivy.TextAnalyzer:
    """Stems, then folds: these stemmers' rules spell their suffixes with accents (French -ité,
    Turkish ç, Portuguese -ões). A query typed without them still finds the words through the field's
    own English analysis, which folds first."""
    return _words(split).filter(tantivy.Filter.stemmer(stemmer)).filter(tantivy.Filter.ascii_fold()).build()


def _words(split: bool) -> tantivy.TextAnalyzerBuilder:
    """The words of a text, or (``split``) of what ``words`` made of it: no word holds an ASCII space."""
    tokenizer = tantivy.Tokenizer.whitespace() if split else tantivy.Tokenizer.regex(WORD)
    return (tantivy.TextAnalyzerBuilder(tokenizer)
            .filter(tantivy.Filter.remove_long(MAX_TOKEN_BYTES)).filter(tantivy.Filter.lowercase()))


def folded_analyzer() -> tantivy.TextAnalyzer:
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw()).filter(tantivy.Filter.lowercase()).filter(
        tantivy.Filter.ascii_fold()).build()


ANALYZER = text_analyzer()
LANGUAGE_ANALYZERS = {code: language_analyzer(stemmer) for code, stemmer in STEMMERS.items()}
FOLDER = folded_analyzer()
_SPLITTER = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(WORD)).build()  # the words as written


def analyze(text: str, language: str | None = None) -> list[str]:
    """The words of ``text`` as a field of that analysis (None: English) indexes them."""
    return (LANGUAGE_ANALYZERS[language] if language else ANALYZER).analyze(text)


def register(index: tantivy.Index, *, split: bool = False) -> tantivy.Index:
    """Tantivy keeps tokenizers per opened index, not in the index: every open registers them. An
    index opened to write takes ``split``: its text fields are given ``words`` of their text."""
    index.register_tokenizer(TEXT, text_analyzer(split))
    for code, stemmer in STEMMERS.items():
        index.register_tokenizer(text_tokenizer(code), language_analyzer(stemmer, split))
    index.register_tokenizer(FOLDED, folded_analyzer())
    return index


def fold(value: str) -> str:
    """A filter value as the folded fields hold it."""
    tokens = FOLDER.analyze(value)
    return tokens[0] if tokens else ""
