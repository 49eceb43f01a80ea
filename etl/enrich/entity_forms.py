"""Where a mention really starts and ends, when the model's span took in words around the name (issue 14).

- A hyphenated first part the span left out ("Eva-" of "Eva-Marie Persson") is put back.
- A sentence-initial participle or adverb glued to the name ("Hosting Cook", "Questioning Vindman",
  "Nationally"): news sentences open so, names do not end in -ing/-ly.
- A place before a name the article also gives alone ("Ukraine Kurt Volker" beside "Kurt Volker").
- A possessive inside the span ("Vietnam’s Communist Party", "Trump’s July"): the part after it is the
  mention when the part before names a place or another entity of the article; a month or weekday left
  alone there is a date, not a name.
- Lowercase words trailing a name ("Logar province", "Fortune 500 company"): common nouns about it.
- A colon inside the span ("Jane Roe: Dealing With Grief"): the name ends before it.
- A lowercase verb or noun inside the span ("Garrett hit Rudolph"): two names and a clause, no name.
- A name glued by a hyphen to a short code ("USB-C", "F-150"): a product specification.
- Two names run together by lost markup ("Ilhan OmarIlhan"): one word made of two capitalised words.
"""

from __future__ import annotations

import calendar
import re

from spacy.tokens import Span

from etl.enrich.entity_evidence import gazetteer

DATE_WORDS = frozenset(w.lower() for w in [*calendar.month_name[1:], *calendar.day_name])
# Not a person's name: "OmarIlhan" (two names run together; "McDonald", "LeBron", "MacArthur" have short
# heads) and product names opening in lowercase ("xCloud", "iPhones").
GLUED = re.compile(r"[a-z]{3,}[A-Z][a-z]{3,}|(?:^|\s)[a-z]+[A-Z]")
PRODUCT_UNITS = re.compile(r"[a-z][A-Z][a-z]+s$")  # "iPhones", "iPads": units of a product ("eBay" is a company)
CONNECTORS = frozenset({"of", "de", "du", "da", "la", "le", "von", "van", "der", "and", "&", "for", "on", "the"})
POSSESSIVE_TAILS = ("'s", "’s")


def opening_word(span: Span) -> bool:
    """The span's first word opens the sentence and reads as a participle or adverb ("Hosting", "Nationally")."""
    first = span[0]
    word = first.lower_
    return first.is_sent_start and len(word) > 5 and word.endswith(("ing", "ly")) and first.text[:1].isupper()


def trim_context(span: Span, known: set[str]) -> Span | None:
    """The mention without the context words the model took into it; None when nothing of a name is left.

    ``known`` holds the lowercase forms the model found elsewhere in the article."""
    doc, start, end = span.doc, span.start, span.end
    if span.label_ == "PERSON":
        start = hyphenated_start(doc, start)
    colon = next((tok.i for tok in span[1:] if tok.text == ":"), None)
    if colon is not None:
        end = colon  # "Jane Roe: Living With Loss": a name before a headline's colon
    for tok in span[1:-1]:  # "Comcast/Xfinity", "Hulu, Disney": two names the article also gives apart
        if tok.text in (",", "/") and doc[tok.i + 1 : end].text.lower() in known:
            end = tok.i
            break
    regions, _, cities = gazetteer()
    if opening_word(span) or (  # "Ukraine Kurt Volker": a place before a name the article gives alone
        end - start > 2
        and (doc[start].lower_ in regions or doc[start].lower_ in cities)
        and doc[start + 1 : end].text.lower() in known
    ):
        start += 1
    for i in range(start, end - 1):  # "Vietnam’s Communist Party": the possessive's owner is its own entity
        if doc[i + 1].text in POSSESSIVE_TAILS:
            owner = doc[start : i + 1].text.lower()
            if owner in known or owner.split()[-1] in known or owner in regions or owner in cities:
                start = i + 2
            break
    while end - start > 1 and _common_tail(doc[end - 1]):
        end -= 1
    if any(_common_tail(tok) for tok in doc[start:end]):
        return None  # "Garrett hit Rudolph": a clause, not a name
    if start >= end:
        return None
    trimmed = Span(doc, start, end, label=span.label)
    if len(trimmed) == 1 and trimmed[0].lower_ in DATE_WORDS:
        return None
    glued = trimmed.label_ == "PERSON" and GLUED.search(trimmed.text)
    if _product_code(trimmed) or glued or PRODUCT_UNITS.match(trimmed.text):
        return None
    return trimmed


def hyphenated_start(doc, start: int) -> int:
    """Where a name starts when the span began after a hyphen ("Eva-" of "Eva-Marie Persson")."""
    while start >= 2 and doc[start - 1].text == "-" and not doc[start - 1].whitespace_ and (
        not doc[start - 2].whitespace_ and doc[start - 2].is_title and len(doc[start - 2]) > 1
    ):
        start -= 2
    return start


def _common_tail(tok) -> bool:
    """A lowercase word after the name, not inside it ("Bureau of Prisons") nor a hyphenated part ("Hau-yip")."""
    glued = tok.i > 0 and tok.doc[tok.i - 1].text == "-" and not tok.doc[tok.i - 1].whitespace_
    return tok.is_lower and tok.is_alpha and tok.lower_ not in CONNECTORS and not glued


def _product_code(span: Span) -> bool:
    doc, end = span.doc, span.end
    if end + 1 >= len(doc) or doc[end - 1].whitespace_ or doc[end].text != "-" or doc[end].whitespace_:
        return False
    code = doc[end + 1].text
    return len(code) <= 3 and (code.isupper() or code.isdigit())
