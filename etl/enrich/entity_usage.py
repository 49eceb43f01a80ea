"""How an article uses a name, beyond its label: with an article or a possessive pronoun of its own, with a
class letter, in a list, as a nationality word or as a party's members in a place (issue 14).

These read the parse only (and the article's other entities), so they hold for any language whose
model gives dependencies; the few function words they need are per language.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Span

from etl.clean.agencies import AGENCY_NAMES, agency_in
from etl.enrich.entity_doc import facts
from etl.enrich.gazetteer import city_alternate_names, city_regions, gazetteer

DESIGNATION = re.compile(r"[A-H]|[IVX]{2,4}")  # "Group A", "Schedule IV" ("I" is a pronoun)
INDEFINITE_ARTICLES = {"en": frozenset({"a", "an"}), "fr": frozenset({"un", "une"})}


def usage_label(name: str, label: str, spans: list[Span], speech_verb) -> str | None:
    """The label the article's use of a name gives it, or None; ``speech_verb(token)``: the language's
    speech verbs ("said"), whose subjects are people."""
    if label in ("GPE", "LOC") and demonym(name, spans):
        return "NORP"  # "relayed to the Ukrainian": a nationality, beside the article's "Ukraine"
    if label == "PERSON" and " " not in name and (
        listed_with_organisations(spans, speech_verb) or news_outlet(name, spans)
    ):
        return "ORG"
    if label == "PERSON" and " " not in name and local_place(name, spans, speech_verb):
        return "GPE"
    return None


# Words that make their subject, object or owner a news outlet ("Bloomberg reported", "told Reuters",
# "according to Kyodo", "an interview with Xinhua", "Bloomberg's report"), by language.
OUTLET_HEADS = {"en": {
    "nsubj": frozenset({"reported", "reports", "report", "revealed"}),
    "dobj": frozenset({"told", "tells", "tell"}),
    "poss": frozenset({"report", "reports", "reporting", "story"}),
}}
OUTLET_PREPS = {"en": {"to": frozenset({"according"}), "by": frozenset({"reported"}), "with": frozenset({"interview"})}}
OUTLET_WORDS = frozenset({"news", "press", "agency", "media", "service"})  # what an agency's name adds to its own


def news_outlet(name: str, spans: list[Span]) -> bool:
    """ "Bloomberg reported", "told Reuters": a one-word "person" that is a news agency, or the distinctive
    word of one ("Bloomberg" of "Bloomberg News", which is also a person's name), used as an outlet."""
    if not spans or not (agency_in(name) or name.lower() in _agency_words()):
        return False
    lang = spans[0].doc.lang_
    heads, preps = OUTLET_HEADS.get(lang, {}), OUTLET_PREPS.get(lang, {})
    for span in spans:
        root = span.root
        if root.head.lower_ in heads.get(root.dep_, ()):
            return True
        if root.dep_ == "pobj" and root.head.head.lower_ in preps.get(root.head.lower_, ()):
            return True
    return False


@lru_cache(maxsize=1)
def _agency_words() -> frozenset[str]:
    """ "bloomberg" of "Bloomberg News", "jiji" of "Jiji Press": an agency's name without its generic words."""
    words = (name.lower().split() for name in AGENCY_NAMES)
    return frozenset(w[0] for w in words if len(w) == 2 and w[1] in OUTLET_WORDS)


def local_place(name: str, spans: list[Span], speech_verb) -> bool:
    """ "Viera defeats Rockledge" beside Titusville and Melbourne: a one-word "person" that is a city of the
    region of another city the article names, never speaking and never after a title or a given name
    ("Coach Davis", "Mr. Nelson"), is that town. A city the gazetteer knows alone is not enough: "Davis 17
    points" in the same Florida roundup is a player (Davis is a Californian city)."""
    regions = city_regions().get(name.lower())
    if not regions or not spans:
        return False
    for span in spans:
        before = span.doc[span.start - 1] if span.start else None
        if (before is not None and before.text[:1].isupper() and before.text.rstrip(".").isalpha()) or (
            span.root.dep_ == "nsubj" and speech_verb(span.root.head)
        ):
            return False
    others = {ent.text.lower() for ent in facts(spans[0].doc).ents} - {name.lower()}
    return any(regions & city_regions().get(other, frozenset()) for other in others)


def common_use(spans: list[Span]) -> bool:
    """Every mention takes an indefinite article or a possessive pronoun of its own ("a good Samaritan", "my
    Complete and Total Endorsement", "your Alexa"): a common noun or a thing one owns, not a name."""
    articles = INDEFINITE_ARTICLES.get(spans[0].doc.lang_, frozenset()) if spans else frozenset()

    def marked(span: Span) -> bool:
        if span.root.dep_ == "compound":
            return False  # "a lost Christopher Marlowe play": the article is the noun's
        before = [c for c in span.root.children if c.i < span.start]
        return any((c.dep_ == "det" and c.lower_ in articles) or (c.dep_ == "poss" and c.pos_ == "PRON") for c in before)

    return bool(spans) and all(marked(span) for span in spans)


def designation(spans: list[Span]) -> bool:
    """ "Group A", "a Schedule IV substance": a class named by a letter or a Roman numeral, no organisation."""
    for span in spans:
        doc = span.doc
        mark = span[-1] if len(span) > 1 else doc[span.end] if span.end < len(doc) else None
        if mark is not None and DESIGNATION.fullmatch(mark.text):
            return True
    return False


def listed_with_organisations(spans: list[Span], speech_verb) -> bool:
    """ "the Tennis Federation and Kosmos", "such as Quillsoft and Take-Two Interactive": a one-word name in
    a list of organisations and common nouns only, never the subject of a speech verb, is an organisation too."""
    if any(span.root.dep_ == "nsubj" and speech_verb(span.root.head) for span in spans):
        return False
    for span in spans:
        labels = {tok.ent_type_ for tok in _listed(span.root) if tok.i not in range(span.start, span.end)}
        if labels == {"ORG"} or labels == {"ORG", ""}:  # "the Logan Act, Mueller, Stormy, Cohen": a mixed list
            return True
    return False


def _listed(tok) -> list:
    """The words of the list ``tok`` stands in: its conjunct chain up and down."""
    while tok.dep_ == "conj" and tok.head is not tok:
        tok = tok.head
    found, todo = [], [tok]
    while todo:
        word = todo.pop()
        found.append(word)
        todo.extend(c for c in word.children if c.dep_ == "conj")
    return found


def people_of_a_place(name: str, spans: list[Span]) -> bool:
    """A place and a group of people the model calls a nationality or party elsewhere ("Ohio Republicans"
    beside "Republicans")."""
    place, _, group = name.rpartition(" ")
    regions, _, cities = gazetteer()
    if not place or not (place.lower() in regions or place.lower() in cities):
        return False
    return any(ent.label_ == "NORP" and ent[-1].text == group for ent in facts(spans[0].doc).ents)


# Endings of nationality words made from a place's name ("Ukrain-ian", "Nepal-ese", "Pol-ish", "Iraq-i").
DEMONYM_ENDINGS = ("ian", "ean", "an", "ese", "ish", "i")


def demonym(name: str, spans: list[Span]) -> bool:
    """A one-word "place" the gazetteer does not know, made of a place the article names and a nationality
    ending ("Ukrainian" beside "Ukraine"): a nationality word the model took for a place."""
    regions, _, cities = gazetteer()
    key = name.lower()
    if " " in name or not spans or key in regions or key in cities or key in city_alternate_names():
        return False
    stems = [key[: -len(end)] for end in DEMONYM_ENDINGS if key.endswith(end) and len(key) - len(end) >= 4]
    places = {ent.text.lower() for ent in facts(spans[0].doc).ents if ent.label_ == "GPE"}
    return any(place != key and place.startswith(stem[:-1]) and len(place) <= len(stem) + 2
               for stem in stems for place in places)
