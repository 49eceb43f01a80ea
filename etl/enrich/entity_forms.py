"""Where a mention really starts and ends, when the model's span took in words around the name (issue 14).

- A hyphenated first part the span left out ("Eva-" of "Eva-Marie Persson"), and a given name left out
  before a one-word name ("Brock" of "Brock Nelson's goal"), are put back.
- A sentence-initial participle or adverb glued to the name ("Hosting Cook", "Questioning Vindman",
  "Nationally"): news sentences open so, names do not end in -ing/-ly.
- A country or state before a name the article also gives alone ("Ukraine Kurt Volker" beside "Kurt Volker"
  or "Volker"), and a team the article names alone or a position code before a player ("Browns DL Sheldon
  Richardson").
- A possessive inside the span ("Vietnam’s Communist Party", "Trump’s July"): the part after it is the
  mention when the part before names a place or another entity of the article; a month or weekday left
  alone there is a date, not a name. When the part before is an organisation by its last word ("Vox
  Media’s Code Media", "the Health Authority’s Opioid Prevention"), it is the mention: what follows is
  its programme, product or event.
- Lowercase words trailing a name ("Logar province", "Fortune 500 company"): common nouns about it.
- A leading article, a trailing possessive, edge punctuation and a score or year after the name ("the",
  "Biden’s", "Uchiyama 6-2") are no part of it.
- A colon inside the span ("Jane Roe: Dealing With Grief"): the name ends before it.
- A lowercase verb or noun inside the span ("Garrett hit Rudolph", "Viera d. Rockledge"): two names and a
  clause, no name; a hashtag's word before a name ("#Browns Greedy Williams") is no part of it.
- A name glued by a hyphen to a short code ("USB-C", "F-150"): a product specification.
- Two names run together by lost markup ("Ilhan OmarIlhan"): one word made of two capitalised words.
- An organisation's name the model split into an organisation and a "person" ("Lockheed" + "Martin" in
  "Intuitive Machines, Lockheed Martin, Masten Space Systems"): one organisation.
- A role's office the span stopped short of ("U.S." of "U.S. Attorney’s Office", "Westminster Magistrate"
  of "Westminster Magistrate's Court"): the name runs on through the possessive to the institution noun,
  and through the model's entity that starts there ("Governor's" + "Office of Emergency Services").
"""

from __future__ import annotations

import calendar
import re

from spacy.tokens import Span

from etl.enrich.entity_doc import facts
from etl.enrich.gazetteer import gazetteer

DATE_WORDS = frozenset(w.lower() for w in [*calendar.month_name[1:], *calendar.day_name])
# Not a person's name: "OmarIlhan" (two names run together; "McDonald", "LeBron", "MacArthur" have short
# heads) and product names opening in lowercase ("xCloud", "iPhones").
GLUED = re.compile(r"[a-z]{3,}[A-Z][a-z]{3,}|(?:^|\s)[a-z]+[A-Z]")
PRODUCT_UNITS = re.compile(r"[a-z][A-Z][a-z]+s$")  # "iPhones", "iPads": units of a product ("eBay" is a company)
CONNECTORS = frozenset({"of", "de", "du", "da", "la", "le", "von", "van", "der", "and", "&", "for", "on", "the"})
POSSESSIVE_TAILS = ("'s", "’s")
POSSESSIVES = (*POSSESSIVE_TAILS, "'", "’")
OPENING = {"(": ")", "[": "]", "{": "}"}


def clean_mention(span: Span) -> Span | None:
    """The mention without a leading article, a trailing possessive or edge punctuation."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and _leading(doc[start]):
        start += 1  # "’s Haqqani": the tail of the word before
    for i in range(start, end):
        if doc[i].text in OPENING and not any(doc[j].text == OPENING[doc[i].text] for j in range(i + 1, end)):
            end = i  # "Shanghai Composite (SHCOMP": the model stopped inside a bracket; the name is before it
            break
    while end > start and _trailing(doc[end - 1]):
        end -= 1  # "Uchiyama 6-2": a score or a year after a name
    if start == end:
        return None
    trimmed = Span(doc, start, end, label=span.label)
    text = facts(doc).text_of(trimmed)
    for suffix in POSSESSIVES:  # the tokenizer keeps "Biden’s" whole in some contexts
        if text.endswith(suffix) and len(text) > len(suffix):
            return doc.char_span(trimmed.start_char, trimmed.end_char - len(suffix), label=span.label) or trimmed
    return trimmed


def _leading(tok) -> bool:
    return tok.lower_ == "the" or tok.is_punct or tok.text in POSSESSIVES


def _trailing(tok) -> bool:
    text = tok.text
    return text in POSSESSIVES or tok.is_punct or (any(ch.isdigit() for ch in text) and not any(ch.isalpha() for ch in text))


def opening_word(span: Span) -> bool:
    """The span's first word opens the sentence and reads as a participle or adverb ("Hosting", "Nationally")."""
    first = span[0]
    word = first.lower_
    return first.is_sent_start and len(word) > 5 and word.endswith(("ing", "ly")) and first.text[:1].isupper()


def trim_context(span: Span, known: dict[str, str], organisation_words: frozenset[str] = frozenset()) -> Span | None:
    """The mention without the context words the model took into it; None when nothing of a name is left.

    ``known`` maps the lowercase forms the model found in the article to its label; ``organisation_words``
    the last words that make a name an organisation ("media", "authority"), from the language's lexicon."""
    doc, start, end = span.doc, span.start, span.end
    if span.label_ == "PERSON":
        start = given_name_start(doc, hyphenated_start(doc, start), end, known)
    colon = next((tok.i for tok in span[1:] if tok.text == ":"), None)
    if colon is not None:
        end = colon  # "Jane Roe: Living With Loss": a name before a headline's colon
    for tok in span[1:-1]:  # "Comcast/Xfinity", "Hulu, Disney": two names the article also gives apart
        if tok.text in (",", "/") and doc[tok.i + 1 : end].text.lower() in known:
            end = tok.i
            break
    regions, _, cities = gazetteer()
    if opening_word(span) or _place_before_name(doc, start, end, known):
        start += 1
    if span.label_ == "PERSON" and end - start > 2 and start and doc[start - 1].text == "#":
        start += 1  # "#Browns Greedy Williams": a hashtag before the name
    while span.label_ == "PERSON" and end - start > 2 and _team_or_code(doc[start], known):
        start += 1  # "Browns DL Sheldon Richardson": a team and a position before the player
    for i in range(start, end - 1):  # "Vietnam’s Communist Party": the possessive's owner is its own entity
        if doc[i + 1].text in POSSESSIVE_TAILS:
            owner = doc[start : i + 1].text.lower()
            if i > start and doc[i].lower_ in organisation_words:
                end = i + 1
            elif owner in known or owner.split()[-1] in known or owner in regions or owner in cities:
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
    text = facts(doc).text_of(trimmed)
    glued = trimmed.label_ == "PERSON" and GLUED.search(text)
    if _product_code(trimmed) or glued or PRODUCT_UNITS.match(text):
        return None
    return trimmed


def _place_before_name(doc, start: int, end: int, known: dict[str, str]) -> bool:
    """ "Ukraine Kurt Volker": a country or state before a name the article gives alone, or before a given
    name and a surname the article gives alone."""
    regions, _, _ = gazetteer()  # a country or state: many cities are given names too ("Luz Contreras Arroyo")
    if end - start <= 2 or doc[start].lower_ not in regions:
        return False
    if doc[start + 1 : end].text.lower() in known:
        return True
    given, surname = doc[start + 1], doc[end - 1]
    named = all(tok.is_title and tok.is_alpha for tok in (given, surname))
    return end - start == 3 and named and surname.lower_ in known


def _team_or_code(tok, known: dict[str, str]) -> bool:
    """A short code in capitals ("DL", "QB"), or a plural name the article gives alone as an organisation or
    before such a code ("Browns")."""
    if _code(tok):
        return True
    label = known.get(tok.lower_)
    plural = tok.text.endswith("s") and tok.is_title
    return plural and (label in ("ORG", "NORP") or (label is not None and _code(tok.doc[tok.i + 1])))


def _code(tok) -> bool:
    """ "DL", "QB": a position or role abbreviation in capitals."""
    return tok.is_upper and tok.is_alpha and 2 <= len(tok) <= 3


def role_office(span: Span, nouns: frozenset[str]) -> Span:
    """The span run on to the office of a role named after it, labelled ORG; else the span itself.

    Two words at least before the possessive: "Microsoft’s Office" is a product of one company."""
    doc = span.doc
    if span.label_ == "PERSON":
        return span  # "Trump’s Office": a person's
    first = span.end - 1 if span[-1].text in POSSESSIVE_TAILS else span.end  # "Westminster Magistrate's"
    for i in range(first, min(span.end + 3, len(doc) - 1)):
        if doc[i].text in POSSESSIVE_TAILS:
            noun = doc[i + 1]
            if i - span.start < 2 or not (noun.is_title and noun.lower_ in nouns and doc[i - 1].is_title):
                return span
            end = next((ent.end for ent in facts(doc).ents if ent.start == noun.i), noun.i + 1)
            return Span(doc, span.start, end, label="ORG")
        if not (doc[i].is_title and doc[i].is_alpha):
            return span
    return span


def joined_organisations(ents) -> list[Span]:
    """The model's entities with an organisation followed at once by a one-word "person" that its last word
    modifies joined into one organisation ("Lockheed| Martin"): a person's surname never follows a
    company's name with nothing between ("Google CEO Sundar Pichai", "Sabres captain Jack Eichel" have a role)."""
    joined: list[Span] = []
    for ent in ents:
        last = joined[-1] if joined else None
        if last is not None and last.label_ == "ORG" and ent.label_ == "PERSON" and len(ent) == 1 and (
            ent.start == last.end and last[-1].whitespace_ == " " and last[-1].dep_ == "compound"
            and last[-1].head.i == ent.start and ent[0].is_title and ent[0].is_alpha
        ):
            joined[-1] = Span(ent.doc, last.start, ent.end, label="ORG")
        else:
            joined.append(ent)
    return joined


def given_name_start(doc, start: int, end: int, known: dict[str, str]) -> int:
    """Where a one-word person's name starts when the model left out the given name opening the sentence
    ("Brock| Nelson's second goal", "He| Jianxiong said"): a capitalised proper noun outside every entity,
    compounded with a surname the article names again, that is neither a place ("Pittsburgh Nelson") nor a name
    the article gives alone ("Google| Stadia")."""
    if end - start != 1 or start == 0:
        return start
    given = doc[start - 1]
    regions, _, cities = gazetteer()
    if given.is_sent_start and given.pos_ == "PROPN" and given.is_title and given.is_alpha and given.dep_ == "compound" and (
        given.head.i == start and given.whitespace_ == " " and not given.ent_type_
        and given.lower_ not in regions and given.lower_ not in cities and given.lower_ not in known
    ) and sum(ent.text == doc[start].text for ent in facts(doc).ents) > 1:  # "Rival| Lowe's was lower": once, a company's
        return start - 1
    return start


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
    word = tok.text.removesuffix(".")  # "Viera d. Rockledge": a result, "d." defeated
    return tok.is_lower and word.isalpha() and tok.lower_ not in CONNECTORS and not glued


def _product_code(span: Span) -> bool:
    doc, end = span.doc, span.end
    if end + 1 >= len(doc) or doc[end - 1].whitespace_ or doc[end].text != "-" or doc[end].whitespace_:
        return False
    code = doc[end + 1].text
    return len(code) <= 3 and (code.isupper() or code.isdigit())
