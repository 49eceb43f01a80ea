"""Quotes with their speakers: direct, partial and indirect (reported) speech.

How it works, and why (lessons from textacy's ``direct_quotations``, the Gender Gap
Tracker, BBC Citron and CoreNLP's QuoteAnnotator, and what their users report):

1. Quoted passages come from the marks (``quote_marks``), not from the parse, because the
   parser splits sentences badly around quotation marks and mis-paired marks are common.
2. The cue (a speech verb from the lexicon, or "according to") is first sought in the
   dependency tree above the quote: that is how a partial quote ("called it “massive
   barbarism”") and a quote with the cue before or after it find their verb. When the
   parse does not link them, the words between the quote and the sentence edge are
   searched, as textacy does ("“...,” he said." / "She said: “...”").
3. Indirect speech is the clausal complement of a speech verb outside quotation marks
   ("Kirby said [the threat was not over]"), or the clause an "according to" modifies.
4. Speakers are resolved afterwards, for all quotes of the document at once (``speakers``).
5. An interview or transcript's turns ("Q: … A: …", "NAME: …") are direct quotes (``transcripts``).
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from etl.enrich.lexicon import SpeechLexicon
from etl.enrich.quote_context import SENTENCE_END, Found, QuoteContext, build_context
from etl.enrich.quote_marks import QuotedSpan, looks_like_title
from etl.enrich.referents import DATELINE_DASHES, is_dateline
from etl.enrich.source_lines import dash_source
from etl.enrich.speakers import inherit_speakers, resolve_speakers, subject_of
from etl.enrich.speech_acts import object_report
from etl.enrich.transcripts import outside_turns, transcript_turns
from etl.records import Entity, Quote

# Dependencies from a cue verb down to a noun that a stray "that" clause may hang on.
STRAY_CLAUSE_PATH = ("dobj", "dative", "prep", "pobj", "npadvmod", "xcomp", "compound", "appos")
DATELINE_TOKENS = 8  # "NEW YORK, March 14 (Reuters) -": the longest dateline looked for
MAX_DETACHED_SENTENCES = 2  # pieces of one sentence the parser may cut a fronted source's claim into
MAX_LABEL_WORDS = 2  # quoted words modifying a noun, at most: a label ("the “interim” government")


def extract_quotes(doc: Doc, token_entity: dict[int, Entity], lexicon: SpeechLexicon) -> list[Quote]:
    ctx = build_context(doc, token_entity, lexicon)
    turns = transcript_turns(ctx)  # an interview's answers hold quotation marks of their own: one quote per span
    found = outside_turns([_marked(ctx, qs) for qs in ctx.spans] + _indirect(ctx), turns)
    resolve_speakers(ctx, found)
    inherit_speakers(ctx, found)
    found += turns
    # Unattributed partial quotes are scare quotes, and reported speech is only worth indexing with its source.
    found = [
        f for f in found
        if (f.kind == "direct" or f.speaker_label) and not _is_title(ctx, f) and not _is_label(ctx, f)
    ]
    found.sort(key=lambda f: (f.start, f.end))
    return [
        Quote(
            text=ctx.text[f.start : f.end],
            speaker=f.speaker,
            speaker_label=f.speaker_label,
            cue=_cue_text(ctx, f.cue),
            kind=f.kind,
            start=f.start,
            end=f.end,
        )
        for f in found
    ]


def _marked(ctx: QuoteContext, qs: QuotedSpan) -> Found:
    span = ctx.tokens(qs.start, qs.end)
    kind = _kind(ctx, qs)
    cue = _cue_above(ctx, span) if span is not None else None
    if cue is not None and kind == "partial":
        cue = _reporting_cue(ctx, cue, span)
    if cue is None:
        cue = _cue_beside(ctx, qs)
    subject = subject_of(ctx, cue) if cue is not None else None
    if subject is None and cue is not None:  # "says minister": the parser missed the inverted subject
        subject = next(
            (t for t in ctx.doc[cue.i + 1 : cue.i + 4] if t.pos_ in ("NOUN", "PROPN", "PRON") and t.dep_ != "pobj"),
            None,
        )  # not "posted on X" / "saying in a letter": a preposition's object is where it was said
    if subject is not None and ctx.in_quote[subject.i]:
        subject = None
    if cue is None and kind == "direct":  # “...” — Jane Doe, mayor of X
        after = ctx.tokens(qs.close_mark + 1, len(ctx.text)) if qs.close_mark is not None else None
        subject = dash_source(ctx.doc, after.start, ctx.entity_of, ctx.lexicon.titles) if after is not None else None
    return Found(kind, qs.start, qs.end, cue, subject)


def _kind(ctx: QuoteContext, qs: QuotedSpan) -> str:
    """Direct when the quote stands as its own sentence(s); partial when it is woven into one."""
    before = ctx.text[ctx.paragraph_start(qs.open_mark) : qs.open_mark].rstrip()
    if not before or before[-1] in ".!?:;,…—–" or before[-1] in "”\"»’'":
        return "direct"
    first = ctx.text[qs.start : qs.start + 1]
    last_word = before.split()[-1].lower() if before.split() else ""
    if first.isupper() and last_word in ctx.lexicon.verbs:  # He said “It is over.”
        return "direct"
    return "partial"


def _cue_above(ctx: QuoteContext, span: Span) -> Token | None:
    """The nearest speech verb (or "according to") governing the quote in the parse, in its paragraphs."""
    first, last = ctx.paragraph_start(span.start_char), ctx.paragraph_start(span.end_char)
    for tok in span:
        if span.start <= tok.head.i < span.end:
            continue
        for anc in tok.ancestors:
            if ctx.in_quote[anc.i]:
                continue
            if not first <= ctx.paragraph_start(anc.idx) <= last:
                break  # the parser ran the sentence into another paragraph: a cue there is another's
            if ctx.is_cue(anc):
                return anc
            according = next((c for c in anc.children if ctx.is_phrase(c)), None)
            if according is not None:
                return according
    return None


def _reporting_cue(ctx: QuoteContext, cue: Token, span: Span) -> Token:
    """The outer cue when the quoted words only qualify a verb inside another's report: in "the judge
    wrote that prosecutors had described the scheme “with enough particularity”" the judge's words
    say how they described it. Quoted words the inner verb takes as its object ("said X called it
    “a disaster”") stay X's."""
    top = next((t for t in span if not span.start <= t.head.i < span.end), None)
    if top is None or cue.dep_ != "ccomp" or not ctx.is_cue(cue.head) or ctx.in_quote[cue.head.i]:
        return cue
    child = top
    while child.head.i not in (cue.i, child.i):
        child = child.head
    return cue.head if child.head.i == cue.i and child.dep_ in ("prep", "advmod", "npadvmod") else cue


def _cue_beside(ctx: QuoteContext, qs: QuotedSpan) -> Token | None:
    """A cue in the words between the quote and the edge of its sentence, after or before it."""
    after = _frame(ctx, qs, forward=True)
    before = _frame(ctx, qs, forward=False)
    after_cue = next((t for t in after if ctx.is_cue(t)), None)
    before_cue = next((t for t in reversed(before) if ctx.is_cue(t)), None)
    leads_in = ctx.text[: qs.open_mark].rstrip().endswith((":", ","))
    if before_cue is not None and (leads_in or after_cue is None):
        return before_cue
    return after_cue


def _frame(ctx: QuoteContext, qs: QuotedSpan, forward: bool) -> list[Token]:
    """Unquoted tokens from the quote to the sentence end, the paragraph end or another quote."""
    if forward:
        edge = qs.close_mark + 1 if qs.close_mark is not None else qs.end
        first = ctx.tokens(edge, len(ctx.text))
        indices = range(first.start, len(ctx.doc)) if first is not None else range(0)
    else:
        last = ctx.tokens(0, qs.open_mark)
        indices = range(last.end - 1, -1, -1) if last is not None else range(0)
    frame: list[Token] = []
    for i in indices:
        tok = ctx.doc[i]
        if ctx.in_quote[i] or "\n" in tok.text:
            break
        if tok.text in SENTENCE_END and not ctx.ends_abbreviation(tok):
            break
        frame.append(tok)
    return frame if forward else frame[::-1]


def _indirect(ctx: QuoteContext) -> list[Found]:
    found = []
    for i in ctx.cue_words:  # the words a cue or a report may start with, outside quotes
        tok = ctx.doc[i]
        opens_phrase = ctx.is_phrase(tok)  # "according (to)": else a verb, or none
        if not opens_phrase and (ctx.lexicon.is_verb(tok) or tok.lower_ in ctx.lexicon.object_reports):
            reported = object_report(tok, ctx.lexicon)  # "accused X of Y", "urged X to Y"
            if reported is not None:
                if not any(ctx.in_quote[reported[0] : reported[1]]):  # else the partial quote carries it
                    found.extend(_reported(ctx, tok, *reported))
                continue
            if not ctx.lexicon.reports_claims(tok) or not ctx.lexicon.is_verb(tok):
                continue
            # One report may parse as several ccomps, or a ccomp and a conj ("said X, but that Y"): one clause.
            # Pieces of a split direct quote ("“A,” he said, “but B.”") parse so too: they are no claim.
            clauses = [
                c for c in tok.children
                if (c.dep_ == "ccomp" or (c.dep_ == "conj" and _has_that(c, ctx.lexicon)))
                and not ctx.mostly_quoted(c.left_edge.i, c.right_edge.i + 1)
            ]
            if all(c.dep_ == "conj" for c in clauses):
                # "would respond to the letter and that Y": the "that" clause continues an outer report.
                clauses = []
            if not clauses:
                clauses = _stray_that_clause(ctx, tok)
            if clauses:
                start, end = min(c.left_edge.i for c in clauses), max(c.right_edge.i for c in clauses) + 1
                if all(c.i > tok.i for c in clauses):  # a report after its verb: words before the verb are the frame
                    start = max(start, tok.i + 1)
                # "said X, and asked that Y": a second speech act joined to the clause ends the report.
                joined = [c.left_edge.i for cl in clauses for c in cl.children if c.dep_ == "conj" and ctx.is_cue(c)]
                end = min([end, *joined])
                found.extend(_reported(ctx, tok, start, end))
            elif tok.dep_ == "parataxis":
                found.extend(_parenthetical(ctx, tok))
        elif opens_phrase:
            phrase = tok.head if tok.dep_ == "case" else tok  # UD hangs "selon" on X: X's subtree is the phrase
            head = phrase.head
            while head.dep_ == "conj" and head.head.i < head.i:  # "X killed three and injured 27, according to Y"
                head = head.head
            lo, hi = phrase.left_edge.i, phrase.right_edge.i + 1
            if head.i == phrase.i and phrase is not tok:
                found.extend(_detached_claim(ctx, tok, hi))
                continue
            if head.i == phrase.i or ctx.is_cue(head):  # "According to X, Y said ...": Y's report is the claim
                continue
            right = head.right_edge.i + 1
            while right > hi and (ctx.doc[right - 1].is_punct or ctx.doc[right - 1].is_space):  # ". \n" ends a paragraph
                right -= 1
            if lo <= head.left_edge.i:  # "According to X, <clause>"
                found.extend(_reported(ctx, tok, hi, head.right_edge.i + 1))
            elif hi >= right:  # "<clause>, according to X."
                found.extend(_reported(ctx, tok, head.left_edge.i, lo))
            else:
                found.extend(_reported(ctx, tok, head.left_edge.i, head.right_edge.i + 1))
    return found


def _detached_claim(ctx: QuoteContext, cue: Token, after: int) -> list[Found]:
    """ "Selon X, <clause>." which the parser cut into two sentences at the comma (the French models do
    so for most fronted sources): the claim is the clause of the next sentence that has a verb,
    unless another sentence or the paragraph ends first."""
    doc = ctx.doc
    if after >= len(doc) or doc[after].text != ",":
        return []
    sentence = doc[after].sent
    for _ in range(MAX_DETACHED_SENTENCES):
        if ctx.paragraph_start(sentence.start_char) != ctx.paragraph_start(cue.idx):
            return []
        if sentence.root.pos_ in ("VERB", "AUX"):  # the pieces before it are the source's apposition
            return _reported(ctx, cue, max(after, sentence.start), sentence.end)
        if sentence.end >= len(doc) or sentence.text.rstrip()[-1:] in SENTENCE_END:
            return []
        sentence = doc[sentence.end].sent
    return []


def _stray_that_clause(ctx: QuoteContext, cue: Token) -> list[Token]:
    """A "that" clause the parser hung on a noun of the cue's own phrase instead of on the cue:
    "told reporters after the keynote [that the hinge ...]", "warned on a call [that demand ...]",
    "said in a statement [that they had raised ...]".

    Only a clause opened by the conjunction "that" with its own subject counts; a relative clause
    ("a call that lasted an hour") has "that" as its subject or object."""
    stack = [c for c in cue.children if c.dep_ in STRAY_CLAUSE_PATH]
    while stack:
        tok = stack.pop()
        for child in tok.children:
            if child.dep_ in STRAY_CLAUSE_PATH:
                stack.append(child)
            elif child.dep_ in ("ccomp", "acl", "relcl") and _opens_with_that(child, ctx.lexicon):
                return [child]
    return []


def _parenthetical(ctx: QuoteContext, cue: Token) -> list[Found]:
    """ "The amount is small, she said, and the surface could be too cold": the clause the cue
    interrupts, and each clause joined to it after the cue. When the parser made the words after
    the cue the head ("X rose, the department said, double the forecast"), the claim is what
    comes before the cue in its sentence."""
    head = cue.head
    if head.i > cue.i:
        start, end = cue.sent.start, cue.left_edge.i
        before = ctx.doc[start:end]
        # A claim has its own subject; "In a statement, ..." and "Asked whether ..., X said" do not.
        if before[:1].text and before[0].tag_ not in ("VBN", "VBG") and any(
            t.dep_ in ctx.lexicon.subjects and start <= t.head.i < end for t in before
        ):
            return _reported(ctx, cue, start, end)
        return []
    found = _reported(ctx, cue, head.left_edge.i, cue.left_edge.i)
    for conj in head.children:
        if conj.dep_ == "conj" and conj.i > cue.i:
            found += _reported(ctx, cue, conj.left_edge.i, conj.right_edge.i + 1)
    return found


def _reported(ctx: QuoteContext, cue: Token, start: int, end: int) -> list[Found]:
    doc = ctx.doc
    # The parser sometimes runs a clause over a paragraph break; reported speech never does.
    paragraph = ctx.paragraph_start(cue.idx)
    while start < end and ctx.paragraph_start(doc[start].idx) < paragraph:
        start += 1
    while end > start and (ctx.paragraph_start(doc[end - 1].idx) > paragraph or "\n" in doc[end - 1].text):
        end -= 1
    start = _after_dateline(ctx, start, end)
    opening = ctx.lexicon.complementizers  # "that", "que": the conjunction, not part of the claim
    while start < end and (
        (doc[start].is_punct and not ctx.in_quote[start]) or doc[start].lower_ in opening or doc[start].is_space
    ):
        start += 1
    while end > start and not ctx.in_quote[end - 1] and (
        doc[end - 1].is_punct or doc[end - 1].is_space or doc[end - 1].dep_ == "cc"  # "..., and"
    ):
        end -= 1
    if end - start < 3 or doc[start].lower_ in ctx.lexicon.question_words:  # "asked whether ..." reports no claim
        return []
    if ctx.mostly_quoted(start, end):
        return []
    return [Found("indirect", doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), cue, subject_of(ctx, cue))]


def _after_dateline(ctx: QuoteContext, start: int, end: int) -> int:
    """Skip "MILWAUKEE (AP) —" opening a story: a place line, not part of the claim."""
    for i in range(start, min(end, start + DATELINE_TOKENS)):
        if ctx.doc[i].text in DATELINE_DASHES:
            return i + 1 if any(is_dateline(t) for t in ctx.doc[start:i]) else start
    return start


def _is_title(ctx: QuoteContext, f: Found) -> bool:
    return f.kind != "indirect" and looks_like_title(ctx.text[f.start : f.end])


def _is_label(ctx: QuoteContext, f: Found) -> bool:
    """A word or two in quotation marks that modify a noun outside them (the “interim” government, the
    "Pose" actor): a scare quote or a title, not someone's words, whatever cue the sentence has."""
    span = ctx.tokens(f.start, f.end) if f.kind == "partial" else None
    if span is None or len(ctx.text[f.start : f.end].split()) > MAX_LABEL_WORDS:
        return False
    top = next((t for t in span if not span.start <= t.head.i < span.end), None)
    return top is not None and top.dep_ in ("amod", "nmod", "compound") and top.head.pos_ in ("NOUN", "PROPN") and top.head.is_alpha


def _cue_text(ctx: QuoteContext, cue: Token | None) -> str | None:
    if cue is None:
        return None
    return ctx.lexicon.phrase_at(cue) or cue.text


def _opens_with_that(clause: Token, lexicon: SpeechLexicon) -> bool:
    first = clause.left_edge
    return (
        first.lower_ in lexicon.complementizers
        and first.head.i == clause.i
        and (first.dep_ == "mark" or first.tag_ == "IN")  # the conjunction, however the parser hung it
        and any(c.dep_ in lexicon.subjects and c.i != first.i for c in clause.children)
    )


def _has_that(clause: Token, lexicon: SpeechLexicon) -> bool:
    return any(c.dep_ == "mark" and c.lower_ in lexicon.complementizers for c in clause.children)
