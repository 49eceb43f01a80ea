"""What the entity rules read of the whole document, gathered once per document (issue 13 §3: their cost).

The rules ask about one mention at a time, but many questions are about the document: its text, its
entities, its sentences, which tokens are one of a few words. Asked per mention through spaCy's objects,
each answer walked the document's tokens again (``doc.text``, ``span.sent``, ``doc.ents`` and ``for tok in
doc`` build Python objects token by token). Here each is computed once, from ``Doc.to_array`` where it can,
and kept for the one ``extract_entities`` call (``gathered``), so the answers are the same, only cheaper.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property

import numpy
from spacy.attrs import IDX, LENGTH, LOWER, ORTH, SENT_START
from spacy.strings import hash_string
from spacy.tokens import Doc, Span

from etl.enrich.doc_text import text_of

_KEY = "news_etl.entity_doc"  # Doc.user_data key, only while the entities are extracted


class DocFacts:
    """Arrays and answers about one document, each computed when first asked."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self._answers: dict[tuple[Callable, int], bool] = {}
        self._positions: dict[tuple[frozenset[str], bool], list[int]] = {}

    @cached_property
    def text(self) -> str:
        return text_of(self.doc)

    @cached_property
    def ents(self) -> tuple[Span, ...]:
        return self.doc.ents

    @cached_property
    def _columns(self) -> numpy.ndarray:
        return self.doc.to_array([ORTH, LOWER, SENT_START, IDX, LENGTH])

    @cached_property
    def words(self) -> frozenset[int]:
        """The hashes of the words as written."""
        return frozenset(self._words_as[0])

    @cached_property
    def _sent_starts(self) -> list[int]:
        return numpy.flatnonzero(self._columns[:, 2] == 1).tolist()

    @cached_property
    def _words_as(self) -> tuple[list[int], list[int]]:
        """The hashes of the words as written and lowercased, as lists."""
        return self._columns[:, 0].tolist(), self._columns[:, 1].tolist()

    def where(self, words: frozenset[str], lowercase: bool = True, first: int = 0) -> list[int]:
        """The indices, from ``first`` on, of the tokens that are one of ``words`` (lowercased or as written)."""
        key = (words, lowercase)
        found = self._positions.get(key)
        if found is None:
            hashes = {hash_string(word) for word in words}
            column = self._words_as[0 if not lowercase else 1]
            found = self._positions[key] = [i for i, h in enumerate(column) if h in hashes]
        return found[bisect_left(found, first):]

    def sentence(self, span: Span) -> tuple[int, int]:
        """The token range of ``span.sent``: the sentence its first token stands in."""
        starts = self._sent_starts
        at = bisect_right(starts, span.start)
        return (starts[at - 1] if at else 0), (starts[at] if at < len(starts) else len(self.doc))

    @cached_property
    def _offsets(self) -> tuple[list[int], list[int]]:
        """Each token's first character in the text, and its length."""
        return self._columns[:, 3].tolist(), self._columns[:, 4].tolist()

    def text_of(self, span: Span) -> str:
        """``span.text``, cut from the document's text."""
        starts, lengths = self._offsets
        return self.text[starts[span.start] : starts[span.end - 1] + lengths[span.end - 1]]

    def about_sentence(self, span: Span, question: Callable[[Span], bool]) -> bool:
        """``question(span.sent)``, answered once per sentence and question."""
        start, end = self.sentence(span)
        key = (question, start)
        found = self._answers.get(key)
        if found is None:
            found = self._answers[key] = question(self.doc[start:end])
        return found

def facts(doc: Doc) -> DocFacts:
    """The facts of ``doc``: those of the current extraction, or fresh ones outside it."""
    return doc.user_data.get(_KEY) or DocFacts(doc)


@contextmanager
def gathered(doc: Doc) -> Iterator[DocFacts]:
    """Keeps one ``DocFacts`` for ``doc`` while the block runs; nothing is left in the document after it."""
    doc.user_data[_KEY] = found = DocFacts(doc)
    try:
        yield found
    finally:
        doc.user_data.pop(_KEY, None)
