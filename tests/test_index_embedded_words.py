"""The embedded writer is handed the words ``analysis.words`` finds (Tantivy's regex tokenizer is its
slowest part) and only splits them at the spaces: the index must hold what the regex analysis of the
text itself gives, term for term, or searches would change."""

from __future__ import annotations

import json

import pytest
import tantivy
from conftest import EXTRACTION_BENCH
from test_index_embedded import make_doc, quote

from etl.index.embedded import schema
from etl.index.embedded.analysis import WORD, register, words
from etl.index.embedded.index import EmbeddedIndex
from etl.index.embedded.schema import LAYOUTS, to_documents
from etl.search.query import SearchRequest

TOKENIZER = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(WORD)).build()  # the words, unfiltered

# Text where the words' rules matter: joined abbreviations, elisions, numbers, curly marks, an
# underscore, marks, scripts beyond the Latin alphabet, a run too long to be a word.
HARD = [
    "U.S. officials said 1,000.50 people came; don't, a:b, x_y, __lead and trail_",
    "Ça a été l’élection d'aujourd'hui à 3,5 % — n'est-ce pas ? « Oui », dit-il.",
    "Straße, Ærø, İstanbul, ǅemal; naïve café, résumé № 5 ½ ² ‰",
    "rock’n’roll in the 90’s: ‘single’ “double” ‚low‛ ’tis…",
    "Москва: «Путин» сказал ё-моё 12,5; Київ",
    "東京都の知事は「ひらがな」と言った。漢字テスト", "मराठी कि ١٢٣ עברית العربية ٤٥٦",
    "e\u0301te\u0301 combining marks, zero\u200bwidth\u00adsoft, emoji 🙂 𝐛𝐨𝐥𝐝",
    "a" * 300 + " then a word",
]


def test_words_are_the_regex_tokenizers_words_for_every_latin_character():
    """The Latin fast path against the tokenizer itself: each character of its alphabet alone, inside
    and around words and numbers."""
    from etl.index.embedded.analysis import _LATIN

    for char in _LATIN:
        for text in (char, f"ab{char}cd", f"1{char}2", f"x{char}", f"{char}y", f"7{char}{char}z"):
            assert words(text).split() == TOKENIZER.analyze(text), (hex(ord(char)), text)


def test_words_are_the_regex_tokenizers_words_on_real_articles():
    bodies = [page["articleBody"] for page in json.loads((EXTRACTION_BENCH / "ground-truth.json").read_text()).values()]
    assert len(bodies) == 181
    for text in (*bodies, *HARD):
        assert words(text).split() == TOKENIZER.analyze(text)


def _reference_index(folder, docs, monkeypatch) -> None:
    """The same documents written as before: raw text, run through the regex analyzers by Tantivy."""
    with monkeypatch.context() as patched:
        patched.setattr(schema, "words", lambda text: text)
        converted = [to_documents(doc) for doc in docs]
    for n, layout in enumerate(LAYOUTS.values()):
        (folder / layout.name).mkdir(parents=True)
        writer = register(tantivy.Index(layout.schema, str(folder / layout.name))).writer(num_threads=1)
        for article, quotes in converted:
            for doc in ([article] if n == 0 else quotes):
                writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()


def _terms(index: EmbeddedIndex, name: str) -> dict[str, list]:
    searcher = index._index(name).searcher()
    fields = [f["name"] for f in json.loads((index.path / name / "meta.json").read_text())["schema"] if f["type"] == "text"]
    return {field: searcher.terms_with_prefix(field, "", limit=1_000_000) for field in fields}


@pytest.fixture
def hard_docs():
    docs = []
    for n, text in enumerate(HARD):
        for language in ("en", "fr", "ru"):  # English alone, and with French or Russian copies
            doc = make_doc(f"hard{n}{language}", text[:60], f"{text}\nThe minister said the plan would hold.",
                           source="héraut.fr", entities=[(text[:40], "PERSON"), ("Jean-Luc Mélenchon", "PERSON")],
                           quotes=[quote(text, "Jean-Luc Mélenchon"), quote("the plan would hold", None)])
            doc.article.language = language
            docs.append(doc)
    return docs


def test_the_sink_indexes_the_terms_the_regex_analysis_gives_and_answers_the_same(tmp_settings, hard_docs, monkeypatch):
    reference = tmp_settings.index_dir.parent / "reference"
    _reference_index(reference, hard_docs, monkeypatch)
    with EmbeddedIndex(tmp_settings.index_dir, tmp_settings, write=True) as index:
        assert index.write(hard_docs).indexed == len(hard_docs)
    before = EmbeddedIndex(reference, tmp_settings.with_(index_dir=reference))
    now = EmbeddedIndex(tmp_settings.index_dir, tmp_settings)
    for name in LAYOUTS:
        terms = _terms(now, name)
        assert terms["body" if name == "articles" else "text"], "the text fields hold words"
        assert terms == _terms(before, name)  # every term of every field, with its document count
    for text in ("U.S. officials", "l'élection", "1,000.50", "rock’n’roll", "Путин", "東京", "naïve", "résumé",
                 '"minister said"', "x_y", "persons:mélenchon", "title:ça"):
        found = 0
        for name in ("articles",) if text.startswith("persons:") else LAYOUTS:
            request = SearchRequest(index=name, text=text, size=50, facets=["source"])
            got, expected = now.search(request), before.search(request)
            assert got.total == expected.total, (name, text)
            assert sorted((round(h.score, 4), h.id, str(h.highlights)) for h in got.hits) == \
                sorted((round(h.score, 4), h.id, str(h.highlights)) for h in expected.hits)
            found += got.total
        assert found, text
