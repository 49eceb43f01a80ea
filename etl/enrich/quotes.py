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
3. The speaker is the cue's subject, climbing through "saying"/"and added" to the clause
   that has one. Names map to the article's canonical entity ("Kirby" -> "John Kirby");
   he/she go to the nearest earlier person (a subject or a speaker) whose gender, where the
   article settles it, agrees; it/they to the nearest earlier speaker of a fitting kind.
   A description the article settles ("the mayor" for "Mayor Luis Herrera", see
   ``referents``) is that name; otherwise ("a White House spokeswoman", "officials") the
   speaker is None and the role noun is the label: the design's speaker is a name or null.
4. A quote with no cue of its own (the second half of a split quote, a quote paragraph
   after an attributed one) takes the speaker of its neighbour, as readers do.
5. Indirect speech is the clausal complement of a speech verb outside quotation marks
   ("Kirby said [the threat was not over]"), or the clause an "according to" modifies.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from spacy.tokens import Doc, Span, Token

from etl.enrich.lexicon import SpeechLexicon
from etl.enrich.quote_marks import QuotedSpan, find_quoted_spans, looks_like_title
from etl.enrich.referents import DATELINE_DASHES, SUBJECTS, Referents, is_dateline
from etl.enrich.source_lines import dash_source
from etl.enrich.speech_acts import object_report
from etl.records import Entity, Quote

# Dependencies through which a verb without a subject takes its head's ("..., saying that").
SUBJECT_SHARING = ("xcomp", "conj", "advcl", "acl", "relcl", "ccomp")
SENTENCE_END = frozenset(".!?")
# What it/they/we may refer back to (he/she go to people: see _person_antecedent).
PRONOUN_LABELS = {
    "it": ("ORG", "GPE", "NORP"), "they": ("ORG", "GPE", "NORP", "ROLE"),
    "we": ("ORG", "GPE", "NORP", "ROLE"),
}
PERSONAL_PRONOUNS = frozenset({"he", "she", "him", "her"})
MAX_ANTECEDENT_STEPS = 12  # people looked at, most recent first, before falling back
NEAR_NAME_WINDOW = 8  # tokens searched before a verb whose parsed subject is a quotation mark
MIN_UNCUED_PARTIAL_WORDS = 4  # fewer quoted words in a sentence without a cue are a term, not someone's words
MAX_QUOTED_SHARE = 0.9  # a "reported" clause (almost) all inside quotation marks is a direct quote
# Dependencies from a cue verb down to a noun that a stray "that" clause may hang on.
STRAY_CLAUSE_PATH = ("dobj", "dative", "prep", "pobj", "npadvmod", "xcomp", "compound", "appos")
DATELINE_TOKENS = 8  # "NEW YORK, March 14 (Reuters) -": the longest dateline looked for
# Words the parser may take for a preposition while they open a clause ("after its chief said").
CLAUSE_PREPS = frozenset({"after", "before", "since", "until", "as", "because", "while", "when"})
QUESTION_WORDS = frozenset({"whether", "if", "why", "how", "what", "when", "where", "who", "which"})


@dataclass(slots=True)
class _Found:
    """A quote as found, before its speaker is resolved."""

    kind: str
    start: int
    end: int
    cue: Token | None
    subject: Token | None
    speaker: str | None = None
    speaker_label: str | None = None


class QuoteFinder:
    """Finds the quotes of one Doc; holds per-doc indexes so every lookup is O(1) or O(log n)."""

    def __init__(self, doc: Doc, token_entity: dict[int, Entity], lexicon: SpeechLexicon):
        self.doc = doc
        self.text = doc.text
        self.entity_of = token_entity
        self.lexicon = lexicon
        self.spans = [self._close_unterminated(qs) for qs in find_quoted_spans(self.text)]
        self.in_quote = [False] * len(doc)
        for qs in self.spans:
            for tok in self._tokens(qs.open_mark, (qs.close_mark + 1) if qs.close_mark is not None else qs.end):
                self.in_quote[tok.i] = True
        self.quoted_before = [0, *accumulate(self.in_quote)]  # prefix sums: quoted tokens before i
        self.paragraph_starts = [0] + [i + 1 for i, ch in enumerate(self.text) if ch == "\n"]
        self.persons = sorted(i for i, e in token_entity.items() if e.label == "PERSON")
        self.referents = Referents(doc, token_entity, lexicon, self.in_quote)
        # Plural subjects ("Critics disagreed."): what "they" most often refers back to.
        self.plural_subjects = [
            t.i for t in doc if t.dep_ in SUBJECTS and t.tag_ in ("NNS", "NNPS") and not self.in_quote[t.i]
        ]
        self.surnames: dict[str, tuple[str, str]] = {}  # last word -> (full name, label)
        for entity in token_entity.values():
            if entity.label == "PERSON":
                self.surnames.setdefault(entity.name.split()[-1].lower(), (entity.name, entity.label))
        for tok in doc:  # names the NER missed: "Mayor Ana Torres" ... "Torres said"
            if tok.pos_ == "PROPN" and tok.dep_ != "compound" and tok.i not in token_entity:
                name = self._proper_name(tok)
                if " " in name:
                    self.surnames.setdefault(tok.lower_, (name, "PERSON"))

    # -- finding -----------------------------------------------------------------------------

    def _close_unterminated(self, qs: QuotedSpan) -> QuotedSpan:
        """End a quote whose closing mark is missing before its own attribution, if it holds one.

        `“We lost everything, resident Carla Diaz said as ...` : a speech verb whose subject
        follows a comma inside the would-be quote marks where the quote really ended.
        """
        span = self._tokens(qs.start, qs.end) if qs.close_mark is None else None
        for tok in span or ():
            if not self.lexicon.is_verb(tok):
                continue
            subject = next((c for c in tok.children if c.dep_ in SUBJECTS and c.i < tok.i), None)
            comma = subject.left_edge.i - 1 if subject is not None else -1
            if comma > span.start and self.doc[comma].text == ",":
                return QuotedSpan(qs.start, self.doc[comma].idx + 1, qs.open_mark, None)
        return qs

    def quotes(self) -> list[Quote]:
        found = [self._marked(qs) for qs in self.spans]
        found += self._indirect()
        self._resolve_speakers(found)
        self._inherit_speakers(found)
        # Unattributed partial quotes are scare quotes, and reported speech is only worth indexing with its source.
        found = [f for f in found if (f.kind == "direct" or f.speaker_label) and not self._is_title(f)]
        found.sort(key=lambda f: (f.start, f.end))
        return [
            Quote(
                text=self.text[f.start : f.end],
                speaker=f.speaker,
                speaker_label=f.speaker_label,
                cue=self._cue_text(f.cue),
                kind=f.kind,
                start=f.start,
                end=f.end,
            )
            for f in found
        ]

    def _marked(self, qs: QuotedSpan) -> _Found:
        span = self._tokens(qs.start, qs.end)
        kind = self._kind(qs)
        cue = self._cue_above(span) if span is not None else None
        if cue is not None and kind == "partial":
            cue = self._reporting_cue(cue, span)
        if cue is None:
            cue = self._cue_beside(qs)
        subject = self._subject(cue) if cue is not None else None
        if subject is None and cue is not None:  # "says minister": the parser missed the inverted subject
            subject = next(
                (t for t in self.doc[cue.i + 1 : cue.i + 4] if t.pos_ in ("NOUN", "PROPN", "PRON") and t.dep_ != "pobj"),
                None,
            )  # not "posted on X" / "saying in a letter": a preposition's object is where it was said
        if subject is not None and self.in_quote[subject.i]:
            subject = None
        if cue is None and kind == "direct":  # “...” — Jane Doe, mayor of X
            after = self._tokens(qs.close_mark + 1, len(self.text)) if qs.close_mark is not None else None
            subject = dash_source(self.doc, after.start, self.entity_of, self.lexicon.titles) if after is not None else None
        return _Found(kind, qs.start, qs.end, cue, subject)

    def _kind(self, qs: QuotedSpan) -> str:
        """Direct when the quote stands as its own sentence(s); partial when it is woven into one."""
        before = self.text[self._paragraph_start(qs.open_mark) : qs.open_mark].rstrip()
        if not before or before[-1] in ".!?:;,…—–" or before[-1] in "”\"»’'":
            return "direct"
        first = self.text[qs.start : qs.start + 1]
        last_word = before.split()[-1].lower() if before.split() else ""
        if first.isupper() and last_word in self.lexicon.verbs:  # He said “It is over.”
            return "direct"
        return "partial"

    def _cue_above(self, span: Span) -> Token | None:
        """The nearest speech verb (or "according to") governing the quote in the parse, in its paragraphs."""
        first, last = self._paragraph_start(span.start_char), self._paragraph_start(span.end_char)
        for tok in span:
            if span.start <= tok.head.i < span.end:
                continue
            for anc in tok.ancestors:
                if self.in_quote[anc.i]:
                    continue
                if not first <= self._paragraph_start(anc.idx) <= last:
                    break  # the parser ran the sentence into another paragraph: a cue there is another's
                if self._is_cue(anc):
                    return anc
                according = next((c for c in anc.children if self._is_phrase(c)), None)
                if according is not None:
                    return according
        return None

    def _reporting_cue(self, cue: Token, span: Span) -> Token:
        """The outer cue when the quoted words only qualify a verb inside another's report: in "the judge
        wrote that prosecutors had described the scheme “with enough particularity”" the judge's words
        say how they described it. Quoted words the inner verb takes as its object ("said X called it
        “a disaster”") stay X's."""
        top = next((t for t in span if not span.start <= t.head.i < span.end), None)
        if top is None or cue.dep_ != "ccomp" or not self._is_cue(cue.head) or self.in_quote[cue.head.i]:
            return cue
        child = top
        while child.head.i not in (cue.i, child.i):
            child = child.head
        return cue.head if child.head.i == cue.i and child.dep_ in ("prep", "advmod", "npadvmod") else cue

    def _cue_beside(self, qs: QuotedSpan) -> Token | None:
        """A cue in the words between the quote and the edge of its sentence, after or before it."""
        after = self._frame(qs, forward=True)
        before = self._frame(qs, forward=False)
        after_cue = next((t for t in after if self._is_cue(t)), None)
        before_cue = next((t for t in reversed(before) if self._is_cue(t)), None)
        leads_in = self.text[: qs.open_mark].rstrip().endswith((":", ","))
        if before_cue is not None and (leads_in or after_cue is None):
            return before_cue
        return after_cue

    def _frame(self, qs: QuotedSpan, forward: bool) -> list[Token]:
        """Unquoted tokens from the quote to the sentence end, the paragraph end or another quote."""
        if forward:
            edge = qs.close_mark + 1 if qs.close_mark is not None else qs.end
            first = self._tokens(edge, len(self.text))
            indices = range(first.start, len(self.doc)) if first is not None else range(0)
        else:
            last = self._tokens(0, qs.open_mark)
            indices = range(last.end - 1, -1, -1) if last is not None else range(0)
        frame: list[Token] = []
        for i in indices:
            tok = self.doc[i]
            if self.in_quote[i] or "\n" in tok.text:
                break
            if tok.text in SENTENCE_END and not self._ends_abbreviation(tok):
                break
            frame.append(tok)
        return frame if forward else frame[::-1]

    def _indirect(self) -> list[_Found]:
        found = []
        for tok in self.doc:
            if self.in_quote[tok.i]:
                continue
            if (self._is_cue(tok) or tok.lower_ in self.lexicon.object_reports) and not self._is_phrase(tok):
                reported = object_report(tok, self.lexicon)  # "accused X of Y", "urged X to Y"
                if reported is not None:
                    if not any(self.in_quote[reported[0] : reported[1]]):  # else the partial quote carries it
                        found.extend(self._reported(tok, *reported))
                    continue
                if not self.lexicon.reports_claims(tok) or not self._is_cue(tok):
                    continue
                # One report may parse as several ccomps, or a ccomp and a conj ("said X, but that Y"): one clause.
                # Pieces of a split direct quote ("“A,” he said, “but B.”") parse so too: they are no claim.
                clauses = [
                    c for c in tok.children
                    if (c.dep_ == "ccomp" or (c.dep_ == "conj" and _has_that(c)))
                    and not self._mostly_quoted(c.left_edge.i, c.right_edge.i + 1)
                ]
                if all(c.dep_ == "conj" for c in clauses):
                    # "would respond to the letter and that Y": the "that" clause continues an outer report.
                    clauses = []
                if not clauses:
                    clauses = self._stray_that_clause(tok)
                if clauses:
                    start, end = min(c.left_edge.i for c in clauses), max(c.right_edge.i for c in clauses) + 1
                    if all(c.i > tok.i for c in clauses):  # a report after its verb: words before the verb are the frame
                        start = max(start, tok.i + 1)
                    # "said X, and asked that Y": a second speech act joined to the clause ends the report.
                    joined = [c.left_edge.i for cl in clauses for c in cl.children if c.dep_ == "conj" and self._is_cue(c)]
                    end = min([end, *joined])
                    found.extend(self._reported(tok, start, end))
                elif tok.dep_ == "parataxis":
                    found.extend(self._parenthetical(tok))
            elif self._is_phrase(tok):
                head = tok.head
                while head.dep_ == "conj" and head.head.i < head.i:  # "X killed three and injured 27, according to Y"
                    head = head.head
                lo, hi = tok.left_edge.i, tok.right_edge.i + 1
                if head.i == tok.i or self._is_cue(head):  # "According to X, Y said ...": Y's report is the claim
                    continue
                right = head.right_edge.i + 1
                while right > hi and self.doc[right - 1].is_punct:
                    right -= 1
                if lo <= head.left_edge.i:  # "According to X, <clause>"
                    found.extend(self._reported(tok, hi, head.right_edge.i + 1))
                elif hi >= right:  # "<clause>, according to X."
                    found.extend(self._reported(tok, head.left_edge.i, lo))
                else:
                    found.extend(self._reported(tok, head.left_edge.i, head.right_edge.i + 1))
        return found

    def _stray_that_clause(self, cue: Token) -> list[Token]:
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
                elif child.dep_ in ("ccomp", "acl", "relcl") and _opens_with_that(child):
                    return [child]
        return []

    def _parenthetical(self, cue: Token) -> list[_Found]:
        """ "The amount is small, she said, and the surface could be too cold": the clause the cue
        interrupts, and each clause joined to it after the cue. When the parser made the words after
        the cue the head ("X rose, the department said, double the forecast"), the claim is what
        comes before the cue in its sentence."""
        head = cue.head
        if head.i > cue.i:
            start, end = cue.sent.start, cue.left_edge.i
            before = self.doc[start:end]
            # A claim has its own subject; "In a statement, ..." and "Asked whether ..., X said" do not.
            if before[:1].text and before[0].tag_ not in ("VBN", "VBG") and any(
                t.dep_ in SUBJECTS and start <= t.head.i < end for t in before
            ):
                return self._reported(cue, start, end)
            return []
        found = self._reported(cue, head.left_edge.i, cue.left_edge.i)
        for conj in head.children:
            if conj.dep_ == "conj" and conj.i > cue.i:
                found += self._reported(cue, conj.left_edge.i, conj.right_edge.i + 1)
        return found

    def _reported(self, cue: Token, start: int, end: int) -> list[_Found]:
        doc = self.doc
        # The parser sometimes runs a clause over a paragraph break; reported speech never does.
        paragraph = self._paragraph_start(cue.idx)
        while start < end and self._paragraph_start(doc[start].idx) < paragraph:
            start += 1
        while end > start and (self._paragraph_start(doc[end - 1].idx) > paragraph or "\n" in doc[end - 1].text):
            end -= 1
        start = self._after_dateline(start, end)
        while start < end and (
            (doc[start].is_punct and not self.in_quote[start]) or doc[start].lower_ == "that" or doc[start].is_space
        ):
            start += 1
        while end > start and not self.in_quote[end - 1] and (
            doc[end - 1].is_punct or doc[end - 1].is_space or doc[end - 1].dep_ == "cc"  # "..., and"
        ):
            end -= 1
        if end - start < 3 or doc[start].lower_ in QUESTION_WORDS:  # "asked whether ..." reports no claim
            return []
        if self._mostly_quoted(start, end):
            return []
        return [_Found("indirect", doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), cue, self._subject(cue))]

    def _mostly_quoted(self, start: int, end: int) -> bool:
        return self.quoted_before[end] - self.quoted_before[start] >= MAX_QUOTED_SHARE * (end - start)

    def _after_dateline(self, start: int, end: int) -> int:
        """Skip "MILWAUKEE (AP) —" opening a story: a place line, not part of the claim."""
        for i in range(start, min(end, start + DATELINE_TOKENS)):
            if self.doc[i].text in DATELINE_DASHES:
                return i + 1 if any(is_dateline(t) for t in self.doc[start:i]) else start
        return start

    # -- speakers ------------------------------------------------------------------------------

    def _subject(self, cue: Token) -> Token | None:
        phrase = self.lexicon.phrase_at(cue)
        if phrase is not None:
            last = self.doc[cue.i + len(phrase.split()) - 1]
            if last.pos_ == "ADP":  # "according to X": the speaker is the preposition's object
                source = next((c for c in last.children if c.dep_ == "pobj"), None)
                return self._source_of(source) if source is not None else None
        verb = cue
        for _ in range(4):
            passive = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
            if passive is not None and verb is not cue and not self.in_quote[passive.i]:
                return passive  # "X was quoted as saying ...": reached from the speech verb below, the one quoted spoke
            if passive is not None:
                # "X was accused of '...' by Y": the passive subject is the one spoken about, the agent spoke.
                # The parser often hangs "by Y" on the quoted words instead of the verb: any unquoted "by" after it.
                agent = next(
                    (t for t in verb.subtree if t.i > verb.i and t.lower_ == "by" and not self.in_quote[t.i]), None
                )
                return next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
            subjects = [c for c in verb.children if c.dep_ in SUBJECTS]
            speaking = [c for c in subjects if any(ch.isalpha() for ch in c.text) and not is_dateline(c)]
            if speaking:
                # A dateline ("PARIS — ...") parses as a second subject, farther from the verb than the real one.
                subject = min(speaking, key=lambda c: abs(c.i - verb.i))
                relative = subject.tag_ in ("WDT", "WP") or any(t.tag_ in ("WDT", "WP") for t in subject.subtree)
                if relative and verb.dep_ == "relcl":
                    return verb.head  # "officials, who said ..." / "both of which said" -> the antecedent
                return subject
            if subjects:  # only a quotation mark or a dateline parsed as the subject: the parse is lost here
                return self._name_near(verb)
            object_subject = self._object_as_subject(verb)
            if object_subject is not None:
                return object_subject
            prep = verb.head.head if verb.dep_ == "acl" and verb.head.dep_ == "pobj" else None
            if prep is not None and prep.dep_ == "prep" and prep.head.pos_ == "VERB":
                verb = prep.head  # "posted on Twitter accusing ...": the participle is the poster's, not Twitter's
                continue
            if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
                return verb.head  # "a letter ... warning that", "the investor, X, posted": the noun it describes
            if verb.dep_ == "pcomp" and verb.head.dep_ == "prep":  # "quoted as saying": on to "quoted"
                verb = verb.head.head
                continue
            if verb.head.i == verb.i:  # a sentence whose subject the parser hung elsewhere ("the cut, his aide, X, told")
                return self._name_near(verb)
            if verb.dep_ not in SUBJECT_SHARING:
                return None
            verb = verb.head
        return None

    def _object_as_subject(self, verb: Token) -> Token | None:
        """ "Shares slid after its chief executive, Dana Whitfield, warned ...": the parser read "after"
        as a preposition, so the clause's subject became its object and the verb a conj of "slid".
        The noun phrase right before such a verb, object of a preposition of the verb's head, is its subject."""
        if verb.dep_ != "conj":
            return None
        i = verb.i - 1
        while i >= 0 and self.doc[i].is_punct and not self.in_quote[i]:
            i -= 1
        if i < 0 or self.in_quote[i]:
            return None
        noun = self.doc[i]
        while noun.dep_ in ("appos", "compound") and noun.head.i < verb.i:
            noun = noun.head
        prep = noun.head
        if noun.dep_ == "pobj" and prep.dep_ == "prep" and prep.head.i == verb.head.i and prep.lower_ in CLAUSE_PREPS:
            return noun
        return None

    def _source_of(self, source: Token) -> Token:
        """The name inside an "according to" source: "LSEG data", "data compiled by Bloomberg"."""
        if source.i in self.entity_of:
            return source
        for child in source.children:
            if child.dep_ in ("compound", "poss") and child.i in self.entity_of:
                return child
            if child.dep_ == "prep" and child.lower_ in ("from", "by"):  # "a statement from the company"
                pobj = next((o for o in child.children if o.dep_ == "pobj"), None)
                if pobj is not None:
                    return pobj
            if child.dep_ == "acl":  # "compiled by Bloomberg": the agent
                agent = next((a for a in child.children if a.dep_ == "agent"), None)
                name = next((o for o in agent.children if o.i in self.entity_of), None) if agent is not None else None
                if name is not None:
                    return name
        return source

    def _name_near(self, verb: Token) -> Token | None:
        """The person or organisation right before the verb (else right after), within its clause.

        Used when the parser took a quotation mark for the subject (“…,» said X”, common with guillemets)."""
        for step, limit in ((-1, NEAR_NAME_WINDOW), (1, NEAR_NAME_WINDOW // 2)):
            i = verb.i + step
            while 0 <= i < len(self.doc) and abs(i - verb.i) <= limit:
                tok = self.doc[i]
                if self.in_quote[i] or tok.text in SENTENCE_END or "\n" in tok.text:
                    break
                entity = self.entity_of.get(i)
                if entity is not None and entity.label in ("PERSON", "ORG"):
                    return tok
                i += step
        return None

    def _resolve_speakers(self, found: list[_Found]) -> None:
        """Name every subject; pronouns take the nearest earlier speaker they can refer to."""
        last_speaker: dict[str, tuple[int, str | None, str]] = {}  # group -> (token index, name, label), most recent
        order: list[str] = []  # groups by recency, most recent last
        people: list[tuple[int, str | None, str]] = []  # speakers he/she may mean, in text order
        for f in sorted((f for f in found if f.subject is not None), key=lambda f: f.subject.i):
            named = self._name(f.subject)
            if named is None:
                pronoun = f.subject.lower_
                if pronoun in PERSONAL_PRONOUNS or self._is_epithet(f.subject):
                    named = self._person_antecedent(f.subject, people)
                elif pronoun in PRONOUN_LABELS:
                    named = self._antecedent(f.subject, PRONOUN_LABELS[pronoun], last_speaker, order)
                if named is None:
                    continue
            f.speaker, f.speaker_label = named
            group = "ROLE" if named[1] not in ("PERSON", "ORG", "GPE", "NORP") else named[1]
            if group == "PERSON" or self.referents.noun_gender(named[1]):  # "a spokeswoman ... She added"
                people.append((f.subject.i, *named))
            last_speaker[group] = (f.subject.i, *named)
            if group in order:
                order.remove(group)  # at most five labels: constant time
            order.append(group)

    def _person_antecedent(self, pronoun: Token, people) -> tuple[str | None, str] | None:
        """The nearest earlier person (a speaker, else a person standing as subject) the pronoun can mean.

        Both lists are in text order; the walk back is bounded, so each pronoun costs O(log n)."""
        refs = self.referents
        subjects = refs.person_subjects
        s = bisect_right(subjects, pronoun.i - 1, key=lambda x: x[0])
        p = bisect_right(people, pronoun.i - 1, key=lambda x: x[0])
        for _ in range(MAX_ANTECEDENT_STEPS):
            if s and (not p or subjects[s - 1][0] > people[p - 1][0]):
                s -= 1
                candidate = (subjects[s][1].name, subjects[s][1].label)
                gender = None
            elif p:
                p -= 1
                candidate = people[p][1:]
                gender = refs.noun_gender(candidate[1])
            else:
                break
            if refs.compatible(candidate[0], gender, pronoun):
                if candidate[0]:
                    refs.learn(candidate[0], pronoun)
                return candidate
        # No person stood as subject or spoke before: the nearest earlier person at all.
        n = bisect_right(self.persons, pronoun.i - 1)
        while n and not refs.compatible(self.entity_of[self.persons[n - 1]].name, None, pronoun):
            n -= 1
        if n:
            entity = self.entity_of[self.persons[n - 1]]
            return entity.name, entity.label
        return None

    def _antecedent(self, pronoun: Token, labels, last_speaker, order) -> tuple[str | None, str] | None:
        speaker = next((last_speaker[g] for g in reversed(order) if g in labels), None)
        if pronoun.lower_ == "they":  # a plural subject nearer than the last group speaker wins
            n = bisect_right(self.plural_subjects, pronoun.i - 1)
            if n and (speaker is None or self.plural_subjects[n - 1] > speaker[0]):
                named = self._name(self.doc[self.plural_subjects[n - 1]])
                if named is not None:
                    return named
        if speaker is not None:
            return speaker[1], speaker[2]
        return None

    def _is_epithet(self, tok: Token) -> bool:
        """ "the German", "the Argentine defender": a nationality standing in for the person just named,
        as sports and foreign news write it; it refers back like "he" or "she" does."""
        if not any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children):
            return False
        return any(t.ent_type_ == "NORP" for t in (tok, *(c for c in tok.children if c.dep_ in ("amod", "compound"))))

    def _name(self, tok: Token) -> tuple[str | None, str] | None:
        """(canonical name, label) of a subject; (None, role noun) for an unnamed role; None for a pronoun
        or an epithet."""
        if self._is_epithet(tok):
            return None
        entity = self.entity_of.get(tok.i)
        if entity is None:  # "spokesman John Kirby": the name may hang off the role noun
            entity = next(
                (self.entity_of[c.i] for c in tok.children if c.dep_ in ("appos", "compound") and c.i in self.entity_of
                 and self.entity_of[c.i].label == "PERSON"),
                None,
            )
        if entity is None:
            entity = self._closing_appositive(tok)
        if entity is not None:
            return entity.name, entity.label
        if tok.pos_ == "PRON" or tok.tag_ in ("PRP", "WP", "WDT", "DT", "EX") or not any(c.isalpha() for c in tok.text):
            return None
        role = tok.lower_.rstrip(".")
        if tok.pos_ == "PROPN" and role not in self.lexicon.roles and role not in self.lexicon.titles:
            return self.surnames.get(tok.lower_) or (self._proper_name(tok), "PERSON")
        named_by = [c for c in tok.children if c.dep_ == "compound" and c.pos_ == "PROPN"]
        if named_by and role not in self.lexicon.roles:  # "the Oakridge Pride committee": a name the NER missed
            return self.doc[named_by[0].i : tok.i + 1].text, "ORG"
        if tok.lower_ in self.lexicon.organisation_nouns:  # "the union Unite": the name the NER missed beside it
            name = next((c for c in tok.children if c.dep_ == "appos" and c.pos_ == "PROPN" and c.i == tok.i + 1), None)
            if name is not None:
                return self._proper_name(name), "ORG"
        # A description: "the mayor of Oakridge", "the retailer", "a White House spokeswoman", "officials".
        entity = self.referents.describe(tok)
        if entity is not None:
            return entity.name, entity.label
        return None, role

    def _closing_appositive(self, tok: Token) -> Entity | None:
        """ "The head of the Port Authority, Leonard Vickers, told ...": the name closing the subject phrase,
        which the parser hung on the nearer noun."""
        last = tok.right_edge
        while last.i > tok.i and last.is_punct:
            last = self.doc[last.i - 1]
        entity = self.entity_of.get(last.i)
        # Any name will do: "The mayor of Paris, Anne-Sophie Leclerc," whichever label the NER gave it.
        if entity is None or entity.label not in ("PERSON", "ORG"):
            return None
        root = last
        while root.dep_ == "compound" and root.head.i > root.i:
            root = root.head
        if root.dep_ != "appos":
            return None
        # Within the subject's own noun phrase, not inside a clause on it ("an analysis published in the journal X").
        path = [a for a in root.ancestors if a.i != tok.i and tok.i in {b.i for b in a.ancestors}]
        return None if any(a.pos_ in ("VERB", "AUX") for a in path) else entity

    def _proper_name(self, tok: Token) -> str:
        """The compound proper name ending at ``tok``, without titles ("Mayor Ana Torres" -> "Ana Torres")."""
        start = tok.i
        while start > 0 and self.doc[start - 1].pos_ == "PROPN" and self.doc[start - 1].head.i in range(start, tok.i + 1):
            start -= 1
        while start < tok.i and self.doc[start].lower_ in self.lexicon.titles:
            start += 1
        return self.doc[start : tok.i + 1].text

    def _inherit_speakers(self, found: list[_Found]) -> None:
        """A quote without a cue speaks for its neighbour: the previous quote in the paragraph,
        else the next one, else (for a paragraph that is only the quote) the previous paragraph's last."""
        # A few words quoted inside the journalist's own sentence with no cue there ("the so-called
        # “de-confliction zone”", a “VIP” list) are a term or a scare quote, whoever spoke nearby.
        marked = sorted(
            (f for f in found if f.kind == "direct" or (f.kind == "partial" and not self._is_term(f))),
            key=lambda f: f.start,
        )
        every = sorted(found, key=lambda f: f.start)
        starts = [f.start for f in every]
        for f in marked:
            if f.speaker_label is not None:
                continue
            n = bisect_right(starts, f.start - 1)
            para = self._paragraph_start(f.start)
            neighbours = [every[n - 1]] if n else []
            neighbours += [g for g in every[n : n + 2] if g is not f]
            for g in neighbours:
                same_para = self._paragraph_start(g.start) == para
                own_paragraph = self.text[para : f.start - 1].strip() == "" and not same_para and g.start < f.start
                if g.speaker_label is not None and (same_para or own_paragraph):
                    f.speaker, f.speaker_label, f.cue = g.speaker, g.speaker_label, f.cue or g.cue
                    break

    # -- helpers -------------------------------------------------------------------------------

    def _is_phrase(self, tok: Token) -> bool:
        return self.lexicon.phrase_at(tok) is not None

    def _is_cue(self, tok: Token) -> bool:
        return self.lexicon.is_verb(tok) or self._is_phrase(tok)

    def _ends_abbreviation(self, tok: Token) -> bool:
        """The dot of "Capt." or "Sen." that the tokenizer split off: no sentence ends there."""
        return tok.text == "." and tok.i > 0 and self.doc[tok.i - 1].lower_ in self.lexicon.abbreviations

    def _is_term(self, f: _Found) -> bool:
        return len(self.text[f.start : f.end].split()) < MIN_UNCUED_PARTIAL_WORDS

    def _is_title(self, f: _Found) -> bool:
        return f.kind != "indirect" and looks_like_title(self.text[f.start : f.end])

    def _cue_text(self, cue: Token | None) -> str | None:
        if cue is None:
            return None
        return self.lexicon.phrase_at(cue) or cue.text

    def _tokens(self, start: int, end: int) -> Span | None:
        span = self.doc.char_span(start, end, alignment_mode="expand")
        return span if span is not None and len(span) else None

    def _paragraph_start(self, offset: int) -> int:
        return self.paragraph_starts[bisect_right(self.paragraph_starts, offset) - 1]


def _opens_with_that(clause: Token) -> bool:
    first = clause.left_edge
    return (
        first.lower_ == "that"
        and first.head.i == clause.i
        and (first.dep_ == "mark" or first.tag_ == "IN")  # the conjunction, however the parser hung it
        and any(c.dep_ in SUBJECTS and c.i != first.i for c in clause.children)
    )


def _has_that(clause: Token) -> bool:
    return any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children)


def extract_quotes(doc: Doc, token_entity: dict[int, Entity], lexicon: SpeechLexicon) -> list[Quote]:
    return QuoteFinder(doc, token_entity, lexicon).quotes()
