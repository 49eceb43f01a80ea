"""What quote finding and speaker resolution both read about one Doc, indexed once.

Built once per document so that every lookup the finders make (is this token quoted? where does
its paragraph start? which person is named "Torres"?) is O(1) or O(log n).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from spacy.tokens import Doc, Span, Token

from etl.enrich.lexicon import SpeechLexicon
from etl.enrich.quote_marks import QuotedSpan, find_quoted_spans
from etl.enrich.referents import Referents, is_plural
from etl.records import Entity

_LINE_BREAK = re.compile("\n")

SENTENCE_END = frozenset(".!?")
MAX_QUOTED_SHARE = 0.9  # a "reported" clause (almost) all inside quotation marks is a direct quote


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
    referents: Referents | None = None
    plural_subjects: list[int] = field(default_factory=list)
    surnames: dict[str, tuple[str, str]] = field(default_factory=dict)  # last word -> (full name, label)

    def tokens(self, start: int, end: int) -> Span | None:
        span = self.doc.char_span(start, end, alignment_mode="expand")
        return span if span is not None and len(span) else None

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
    ctx = QuoteContext(doc, doc.text, entity_of, lexicon)
    ctx.spans = [_close_unterminated(ctx, qs) for qs in find_quoted_spans(ctx.text)]
    ctx.in_quote = [False] * len(doc)
    for qs in ctx.spans:
        for tok in ctx.tokens(qs.open_mark, (qs.close_mark + 1) if qs.close_mark is not None else qs.end) or ():
            ctx.in_quote[tok.i] = True
    ctx.quoted_before = [0, *accumulate(ctx.in_quote)]
    ctx.paragraph_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(ctx.text)]
    ctx.referents = Referents(doc, entity_of, lexicon, ctx.in_quote)
    for entity in entity_of.values():
        if entity.label == "PERSON":
            ctx.surnames.setdefault(entity.name.split()[-1].lower(), (entity.name, entity.label))
    for tok in doc:  # one pass: each Token object spaCy makes costs more than the test on it
        # Plural subjects ("Critics disagreed."): what "they" most often refers back to.
        if tok.dep_ in lexicon.subjects and not ctx.in_quote[tok.i] and is_plural(tok):
            ctx.plural_subjects.append(tok.i)
        # Names the NER missed: "Mayor Ana Torres" ... "Torres said".
        if tok.pos_ == "PROPN" and tok.dep_ != "compound" and tok.i not in entity_of:
            name = ctx.proper_name(tok)
            if " " in name:
                ctx.surnames.setdefault(tok.lower_, (name, "PERSON"))
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
