"""Find quoted passages by their quotation marks, tolerating the marks real articles contain.

Marks come in families: double (“ ” " „), guillemets (« » ‹ ›) and single (‘ ’ ' ‚).
Which way a mark faces is read from its surroundings, not its glyph, the way Markdown
decides emphasis: a mark followed by a word can open, one preceded by a word can close.
That copes with straight quotes, with editors' slips such as a closing “ (``do. “``), and
with apostrophes ("Russia’s" has words on both sides, so it neither opens nor closes).

A quote runs to the closing mark of its own family, so marks of other families, and
nested pairs of the same family, are content. Newswire style opens every paragraph of a
multi-paragraph quote and closes only the last one; a quote left open at the end of a
paragraph continues when the next paragraph opens with the same family, and otherwise
stops there, so a missing closing mark never swallows the rest of the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FAMILIES = {
    "“": "double", "”": "double", '"': "double", "„": "double", "‟": "double",
    "«": "guillemet", "»": "guillemet", "‹": "guillemet", "›": "guillemet",
    "‘": "single", "’": "single", "'": "single", "‚": "single",
}
MARKS = re.compile("[" + re.escape("".join(FAMILIES)) + "]")  # the loop below visits the marks only
OPENING_GLYPHS = frozenset("“„‟«‹‘‚")
SPACED_OPENING, SPACED_CLOSING = frozenset("«‹"), frozenset("»›")
# What may stand right before an opening mark, or right after a closing one, besides space.
BEFORE_OPEN = frozenset("([{—–-/:")
AFTER_CLOSE = frozenset(".,;:!?)]}—–-/…")


WORD = re.compile(r"[^\W\d_][\w’'-]*")
# Words a title leaves lower-case ("The Lord of the Rings").
TITLE_SMALL_WORDS = frozenset(["a", "an", "the", "of", "and", "or", "in", "on", "for", "to", "at", "by", "with", "from"])


@dataclass(frozen=True, slots=True)
class QuotedSpan:
    start: int  # first character inside the marks
    end: int  # one past the last character inside the marks
    open_mark: int  # offset of the opening mark
    close_mark: int | None  # offset of the closing mark; None when the quote was never closed


def find_quoted_spans(text: str) -> list[QuotedSpan]:
    """Top-level quoted passages of ``text`` in order (nested quotes are part of their parent)."""
    spans: list[QuotedSpan] = []
    stack: list[tuple[str, int]] = []  # open marks: (family, offset)
    paragraphs = _paragraphs(text)
    for n, (p_start, p_end) in enumerate(paragraphs):
        continued = bool(stack)
        as_double = skip = -1  # a doubled single mark (’’) is one double mark: which glyph is read as it
        for mark in MARKS.finditer(text, p_start, p_end):
            pos, family = mark.start(), FAMILIES[mark.group()]
            if pos == skip:
                continue
            if pos == as_double:
                family = "double"
            elif family == "single" and pos + 1 < p_end and text[pos + 1] == text[pos]:
                # ’’ or '' typed for a double mark (wire copy, old systems), read where it meets the words:
                # the first glyph closes "voters,’’ he said", the second opens ‘‘We ...
                if _flanking(text, pos, p_start, p_end)[1]:
                    family, skip = "double", pos + 1
                else:
                    as_double = pos + 1
                    continue
            if family == "single" and 0 < pos < len(text) - 1 and text[pos - 1].isalnum() and text[pos + 1].isalnum():
                continue  # an apostrophe ("It’s", "don’t"), even inside a single-quoted passage
            if continued and family == stack[0][0] and not text[p_start:pos].strip():
                continued = False  # the reopening mark of a multi-paragraph quote
                continue
            can_open, can_close = _flanking(text, pos, p_start, p_end)
            open_families = [f for f, _ in stack]
            if family in open_families and (can_close or not can_open):
                # Close the innermost open quote of this family (and anything left open inside it).
                depth = len(open_families) - 1 - open_families[::-1].index(family)
                opened = stack[depth][1]
                del stack[depth:]
                if depth == 0:
                    spans.append(_span(text, opened, pos))
            elif can_open and not (can_close and text[pos] not in OPENING_GLYPHS):
                stack.append((family, pos))
        if stack:
            stack = [stack[0]]  # nested quotes never span paragraphs
            family, opened = stack[0]
            next_opens = n + 1 < len(paragraphs) and _opens_with(text, paragraphs[n + 1], family)
            if not next_opens:
                stack.clear()
                if family != "single":  # a lone single mark is far more often an apostrophe
                    spans.append(_span(text, opened, None, p_end))
    return [s for s in spans if s.end > s.start]


def _paragraphs(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for line in text.split("\n"):
        bounds.append((start, start + len(line)))
        start += len(line) + 1
    return [(s, e) for s, e in bounds if text[s:e].strip()]


def _flanking(text: str, pos: int, p_start: int, p_end: int) -> tuple[bool, bool]:
    before = text[pos - 1] if pos > p_start else " "
    after = text[pos + 1] if pos + 1 < p_end else " "
    # French sets guillemets off by a (no-break) space inside, « like this »: the word past it is the neighbour.
    if text[pos] in SPACED_OPENING and after.isspace():
        return _can_open(before, _next_visible(text, pos + 1, p_end, 1)), _can_close(before, after)
    if text[pos] in SPACED_CLOSING and before.isspace():
        return _can_open(before, after), _can_close(_next_visible(text, pos - 1, p_start - 1, -1), after)
    return _can_open(before, after), _can_close(before, after)


def _can_open(before: str, after: str) -> bool:
    # No quotation starts with a full stop or a comma: `does “.` is a closing mark typed the wrong way.
    return (
        not after.isspace()
        and after not in ".,;:!?)]}"
        and (before.isspace() or before in BEFORE_OPEN or before in FAMILIES)
    )


def _can_close(before: str, after: str) -> bool:
    return not before.isspace() and (after.isspace() or after in AFTER_CLOSE or after in FAMILIES)


def _next_visible(text: str, pos: int, stop: int, step: int) -> str:
    """The first character from ``pos`` towards ``stop`` that is not a space; a space if there is none."""
    while pos != stop and text[pos].isspace():
        pos += step
    return text[pos] if pos != stop else " "


def _opens_with(text: str, paragraph: tuple[int, int], family: str) -> bool:
    first = text[paragraph[0] : paragraph[1]].lstrip()[:1]
    return FAMILIES.get(first) == family


def _span(text: str, opened: int, closed: int | None, limit: int | None = None) -> QuotedSpan:
    start, end = opened + 1, closed if closed is not None else limit
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return QuotedSpan(start, end, opened, closed)


def looks_like_title(passage: str) -> bool:
    """A quoted book, film or campaign name ("The Shade Deficit,"), not speech: every word of two or
    more capitalised but the small ones, and no sentence inside."""
    words = WORD.findall(passage)
    if len(words) < 2 or any(mark in passage.rstrip(".,;:!?’'\"”") for mark in ".!?"):
        return False
    return all(w[0].isupper() or w.lower() in TITLE_SMALL_WORDS for w in words) and words[0][0].isupper()
