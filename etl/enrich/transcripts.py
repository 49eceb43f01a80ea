"""Interview and transcript turns: paragraphs laid out as ``NAME: words`` or ``Q: … A: …``.

Each answer, and each turn of a named speaker, is a direct quote of that speaker with no quotation
marks and no cue. Many lists are laid out the same way and are no transcript: an arrest log
("Jane Roe: possession of ..."), a game's notes ("Thunder: Host the Lakers on Friday."), a recipe
("Portion Fix Containers: 1 Green"), an advice column ("DEAR ABBY: ..."). So a layout counts only as
a whole, and only for people:

- ``Q:``/``A:`` (or ``Question:``/``Answer:``): at least one question and two answers. The answers
  are the interviewee's: the person the introduction (before the first question) names most often;
  when it names nobody the model knows as a person, the answers are not taken. Questions are not quotes.
- ``NAME:``: the label is a person the article names (its full name, or a word of it, in any case:
  "TAPPER:" for Jake Tapper), at least two people take turns, and one of them speaks twice; an
  arrest log names each person once.
"""

from __future__ import annotations

import re
from collections import Counter

from etl.enrich.quote_context import Found, QuoteContext
from etl.records import Entity

# A paragraph opening with a short label and a colon; the label has no sentence punctuation in it.
_TURN = re.compile(r"^(?P<label>[^\W\d_][^\n:.!?,;\"“”]{0,38}?)\s?:[ \t]+(?P<words>\S[^\n]*)", re.MULTILINE)
QUESTIONS = frozenset({"q", "question"})
ANSWERS = frozenset({"a", "answer"})
MIN_ANSWERS = 2
MAX_LABEL_WORDS = 4
MIN_TURNS = 3  # a question and two answers, or two people of whom one speaks twice: fewer is no layout


def transcript_turns(ctx: QuoteContext) -> list[Found]:
    """The turns of the article's interview or transcript layout, if it has one, as direct quotes."""
    turns = [(m.group("label").strip(), m.start("words"), _end(ctx.text, m.end())) for m in _TURN.finditer(ctx.text)]
    turns = [t for t in turns if len(t[0].split()) <= MAX_LABEL_WORDS]
    if len(turns) < MIN_TURNS:
        return []
    return _interview(ctx, turns) or _named_turns(ctx, turns)


def _interview(ctx: QuoteContext, turns) -> list[Found]:
    answers = [(start, end) for label, start, end in turns if label.lower() in ANSWERS]
    questions = [start for label, start, _ in turns if label.lower() in QUESTIONS]
    if len(answers) < MIN_ANSWERS or not questions:
        return []
    # The introduction names whom the questions are for; people named in the answers are what they talk about.
    introduced = [e for i, e in ctx.entity_of.items() if e.label == "PERSON" and ctx.doc[i].idx < questions[0]]
    interviewee = max(introduced, key=lambda e: e.count, default=None)
    if interviewee is None:  # a speaker is one of the article's entities or nobody, and nobody's answers tell little
        return []
    return [Found("direct", start, end, None, None, interviewee.name, "PERSON") for start, end in answers]


def _named_turns(ctx: QuoteContext, turns) -> list[Found]:
    people = [e for e in _entities(ctx) if e.label == "PERSON"]
    spoken = [(person, start, end) for label, start, end in turns if (person := _person(label, people)) is not None]
    counts = Counter(person.name for person, _, _ in spoken)
    if len(counts) < 2 or max(counts.values()) < 2:
        return []
    return [Found("direct", start, end, None, None, person.name, "PERSON") for person, start, end in spoken]


def _person(label: str, people: list[Entity]) -> Entity | None:
    """The one person ``label`` names: their name or one word of it, ignoring case."""
    key = label.lower()
    matches = {e.name: e for e in people if key == e.name.lower() or key in e.name.lower().split()}
    return next(iter(matches.values())) if len(matches) == 1 else None


def _entities(ctx: QuoteContext) -> list[Entity]:
    return list({id(e): e for e in ctx.entity_of.values()}.values())


def _end(text: str, end: int) -> int:
    """The turn's end without trailing spaces."""
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


def outside_turns(found: list[Found], turns: list[Found]) -> list[Found]:
    """``found`` less what lies inside a turn: one quote per span of words."""
    return [f for f in found if not any(t.start <= f.start and f.end <= t.end for t in turns)]
