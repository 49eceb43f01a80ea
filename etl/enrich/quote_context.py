"""What quote finding and speaker resolution both read about one Doc, indexed once.

Built once per document so that every lookup the finders make (is this token quoted? where does
its paragraph start? which person is named "Torres"?) is O(1) or O(log n).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

import numpy
from spacy.attrs import DEP, LOWER, POS, SENT_START, TAG
from spacy.parts_of_speech import IDS
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from etl.enrich.doc_text import text_of
from etl.enrich.lexicon import SpeechLexicon, among
from etl.enrich.quote_marks import QuotedSpan, find_quoted_spans
from etl.enrich.referents import Referents, plural_tokens
from etl.records import Entity

_LINE_BREAK = re.compile("\n")

SENTENCE_END = frozenset(".!?")
MAX_QUOTED_SHARE = 0.9  # a "reported" clause (almost) all inside quotation marks is a direct quote
PROPN, NOUN = IDS["PROPN"], IDS["NOUN"]
COMPOUND, POSSESSIVE = get_string_id("compound"), get_string_id("PRP$")


@dataclass(slots=True)
class Found:
    """A quote as found, before its speaker is resolved."""

    kind: str
    start: int
    end: int
    cue: Token | None
    subject: Token | None
    speaker: str | None = None
    speaker_label: str | None = None


@dataclass(slots=True)
class QuoteContext:
    """One document's text, marks and indexes, built by ``build_context``."""

    doc: Doc
    text: str  # doc.text joins the tokens on every call: kept once
    entity_of: dict[int, Entity]
    lexicon: SpeechLexicon
    spans: list[QuotedSpan] = field(default_factory=list)
    in_quote: list[bool] = field(default_factory=list)
    quoted_before: list[int] = field(default_factory=list)  # prefix sums: quoted tokens before i
    paragraph_starts: list[int] = field(default_factory=list)
    sentence_starts: list[int] = field(default_factory=list)  # token index of each sentence's first token
    referents: Referents | None = None
    plural_subjects: list[int] = field(default_factory=list)
    surnames: dict[str, tuple[str, str]] = field(default_factory=dict)  # last word -> (full name, label)
    cue_words: list[int] = field(default_factory=list)  # unquoted tokens a cue may start at, in order
    documents: list[int] = field(default_factory=list)  # nouns naming a document ("statement"), in order

    def tokens(self, start: int, end: int) -> Span | None:
        span = self.doc.char_span(start, end, alignment_mode="expand")
        return span if span is not None and len(span) else None

    def sentence(self, i: int) -> tuple[int, int]:
        """(start, end) of the sentence of token ``i``, as ``doc[i].sent`` gives it at a tenth of the cost."""
        n = bisect_right(self.sentence_starts, i)
        return self.sentence_starts[n - 1], self.sentence_starts[n] if n < len(self.sentence_starts) else len(self.doc)

    def in_sentence(self, indices: list[int], i: int) -> list[int]:
        """The ``indices`` (in order) that lie in the sentence of token ``i``."""
        start, end = self.sentence(i)
        return indices[bisect_left(indices, start) : bisect_left(indices, end)]

    def paragraph_start(self, offset: int) -> int:
        return self.paragraph_starts[bisect_right(self.paragraph_starts, offset) - 1]

    def is_phrase(self, tok: Token) -> bool:
        return self.lexicon.phrase_at(tok) is not None

    def is_cue(self, tok: Token) -> bool:
        return self.lexicon.is_verb(tok) or self.is_phrase(tok)

    def ends_abbreviation(self, tok: Token) -> bool:
        """The dot of "Capt." or "Sen." that the tokenizer split off: no sentence ends there."""
        return tok.text == "." and tok.i > 0 and self.doc[tok.i - 1].lower_ in self.lexicon.abbreviations

    def mostly_quoted(self, start: int, end: int) -> bool:
        return self.quoted_before[end] - self.quoted_before[start] >= MAX_QUOTED_SHARE * (end - start)

    def proper_name(self, tok: Token) -> str:
        """The compound proper name ending at ``tok``, without titles ("Mayor Ana Torres" -> "Ana Torres")."""
        start = tok.i
        while start > 0 and self.doc[start - 1].pos_ == "PROPN" and self.doc[start - 1].head.i in range(start, tok.i + 1):
            start -= 1
        while start < tok.i and self.doc[start].lower_ in self.lexicon.titles:
            start += 1
        return self.doc[start : tok.i + 1].text


def build_context(doc: Doc, entity_of: dict[int, Entity], lexicon: SpeechLexicon) -> QuoteContext:
    ctx = QuoteContext(doc, text_of(doc), entity_of, lexicon)
    ctx.spans = [_close_unterminated(ctx, qs) for qs in find_quoted_spans(ctx.text)]
    quoted = numpy.zeros(len(doc), dtype=bool)
    for qs in ctx.spans:
        span = ctx.tokens(qs.open_mark, (qs.close_mark + 1) if qs.close_mark is not None else qs.end)
        if span is not None:
            quoted[span.start : span.end] = True
    ctx.in_quote = quoted.tolist()
    ctx.quoted_before = [0, *numpy.cumsum(quoted).tolist()]
    ctx.paragraph_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(ctx.text)]
    # The tests below are screened on the token columns; a Token object, which costs more than the test
    # on it, is made only for a token that passes.
    words, pos, deps, tags, starts = doc.to_array([LOWER, POS, DEP, TAG, SENT_START]).reshape(-1, 5).T
    starts[:1] = 1  # as doc.sents reads the column: the first token starts a sentence, whatever it says
    ctx.sentence_starts = numpy.flatnonzero(starts == 1).tolist()
    subjects = among(deps, lexicon.subject_ids) & ~quoted
    pronoun_slots = numpy.flatnonzero(subjects | ((tags == POSSESSIVE) & ~quoted)).tolist()
    ctx.referents = Referents(doc, entity_of, lexicon, ctx.in_quote, pronoun_slots, ctx.sentence_starts)
    ctx.cue_words = numpy.flatnonzero(among(words, lexicon.cue_word_ids) & ~quoted).tolist()
    ctx.documents = numpy.flatnonzero(among(words, lexicon.document_ids) & (pos == NOUN)).tolist()
    for entity in entity_of.values():
        if entity.label == "PERSON":
            ctx.surnames.setdefault(entity.name.split()[-1].lower(), (entity.name, entity.label))
    # Plural subjects ("Critics disagreed."): what "they" most often refers back to.
    ctx.plural_subjects = numpy.flatnonzero(subjects & plural_tokens(doc, tags)).tolist()
    # Names the NER missed: "Mayor Ana Torres" ... "Torres said". A name of one word is no full name.
    names = (pos == PROPN) & (deps != COMPOUND)
    names[1:] &= pos[:-1] == PROPN
    for i in numpy.flatnonzero(names).tolist():
        if i not in entity_of:
            name = ctx.proper_name(doc[i])
            if " " in name:
                ctx.surnames.setdefault(doc[i].lower_, (name, "PERSON"))
    return ctx


def _close_unterminated(ctx: QuoteContext, qs: QuotedSpan) -> QuotedSpan:
    """End a quote whose closing mark is missing before its own attribution, if it holds one.

    `“We lost everything, resident Carla Diaz said as ...` : a speech verb whose subject
    follows a comma inside the would-be quote marks where the quote really ended.
    """
    span = ctx.tokens(qs.start, qs.end) if qs.close_mark is None else None
    for tok in span or ():
        if not ctx.lexicon.is_verb(tok):
            continue
        subject = next((c for c in tok.children if c.dep_ in ctx.lexicon.subjects and c.i < tok.i), None)
        comma = subject.left_edge.i - 1 if subject is not None else -1
        if comma > span.start and ctx.doc[comma].text == ",":
            return QuotedSpan(qs.start, ctx.doc[comma].idx + 1, qs.open_mark, None)
    return qs
