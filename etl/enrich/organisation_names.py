"""Which name groups of one article are one organisation (issue 14).

An article spells an organisation out once and then shortens it: "California Public Utilities
Commission", then "CPUC" or "PUC"; "National Security Council", then "NSC"; "Department of Justice",
then "Justice Department"; "House Intelligence Committee", then "Intelligence Committee". A short form
that fits exactly one spelled-out organisation of the article joins it; one that fits two stays apart.
So do the bare name after a place ("Chronicle" of "San Francisco Chronicle") and the site's address
("Edmunds.com" beside "Edmunds"), and a capitalised common noun standing for a named body ("the Agency",
"the Court"), which otherwise names no one the facets could show.

A name an organisation of the article owns ("Amazon’s Alexa", "Microsoft’s Project Orion") or opens
before a product noun ("its Apple Arcade subscription") is its product or programme, unless it speaks
itself ("Alphabet’s Google said"): products launch and run, but say nothing.
"""

from __future__ import annotations

import re

from etl.enrich.entity_evidence import FACILITY_WORDS, PRODUCT_NOUNS, PRODUCT_TIERS, SITE_NOUNS
from etl.enrich.gazetteer import gazetteer

FUNCTION_WORDS = frozenset({"of", "the", "and", "&", "for", "on", "in", "de"})
SUFFIXES = frozenset({"co", "co.", "inc", "inc.", "corp", "corp.", "ltd", "ltd.", "llc", "plc"})
# Last words of an organisation's units ("Jet Propulsion Laboratory", "Stern School") and sites.
UNIT_WORDS = FACILITY_WORDS | SITE_NOUNS | {"laboratory", "lab", "school", "college", "museum", "library", "observatory"}


def _initials(key: str) -> str:
    """ "pacific gas & electric co." -> "pge": first letters of the content words."""
    words = [w for w in key.split() if w not in FUNCTION_WORDS and w not in SUFFIXES]
    return "".join(w[0] for w in words if w[:1].isalpha())


def _acronym_of(short: str, full: str) -> bool:
    """ "cpuc" and "puc" for "california public utilities commission": all or the trailing initials."""
    letters = re.sub(r"[^a-z]", "", short)
    initials = _initials(full)
    return len(letters) >= 2 and len(initials) >= 2 and initials.endswith(letters) and len(letters) >= len(initials) - 1


def _reordered(short: str, full: str) -> bool:
    """ "justice department" for "department of justice"."""
    words = full.split()
    return len(words) == 3 and words[1] == "of" and short == f"{words[2]} {words[0]}"


def _tail_of(short: str, full: str) -> bool:
    """ "intelligence committee" in "house intelligence committee"."""
    words, tail = full.split(), short.split()
    return len(tail) >= 2 and len(words) > len(tail) and words[-len(tail):] == tail


def _placed_tail(short: str, full: str) -> bool:
    """ "chronicle" of "san francisco chronicle": the last word, after a place that qualifies it."""
    place, _, last = full.rpartition(" ")
    regions, _, cities = gazetteer()
    return last == short and (place in regions or place in cities)


def merge_short_names(groups: dict) -> None:
    """Fold a one-word mention into the one organisation whose name it opens ("Harlow" -> "Harlow Foods")."""
    by_first: dict[str, str | None] = {}
    for key, group in groups.items():
        words = key.split()
        if len(words) > 1 and group.label == "ORG":
            by_first[words[0]] = None if words[0] in by_first else key
    for key in list(groups):
        full = by_first.get(key)
        if full and not groups[key].known:
            groups[full].absorb(groups.pop(key))
            groups[full].settled_label = "ORG"


def merge_organisations(groups: dict) -> None:
    """Fold each short form into the one spelled-out organisation it fits, and a bare name into its web address."""
    names = [key for key, group in groups.items() if group.label == "ORG" and len(key.split()) > 1 and "," not in key]
    for key in list(groups):
        group = groups[key]
        if group.known or group.label != "ORG":
            continue
        acronym = any(" " not in form and form.isupper() for form in group.forms)  # "CPUC", "PG&E"
        fits = [full for full in names if full != key and full in groups and (
            (acronym and _acronym_of(key, full)) or _reordered(key, full) or _tail_of(key, full)
            or _placed_tail(key, full)
        )]
        if len(fits) == 1:
            groups[fits[0]].absorb(groups.pop(key))
    for key in list(groups):
        site = re.fullmatch(r"(.+)\.(?:com|org|net)", key)
        bare = site and groups.get(site.group(1))
        if bare and not bare.known and groups[key].label == "ORG":
            groups[key].absorb(groups.pop(site.group(1)))


def bare_organisation_nouns(groups: dict, nouns: frozenset[str]) -> list[str]:
    """ "the Agency" joins the one organisation of the article whose name ends in it; the keys of those
    that fit none or several, which are no facet value."""
    unresolved = []
    for key in list(groups):
        group = groups[key]
        if group.known or " " in key or key not in nouns or group.label != "ORG":
            continue
        fits = [full for full, other in groups.items() if full.endswith(f" {key}") and other.label == "ORG"]
        if len(fits) == 1:
            groups[fits[0]].absorb(groups.pop(key))
        else:
            unresolved.append(key)
    return unresolved


def maker_products(groups: dict, organisation_words: frozenset[str], speech_verb) -> list[str]:
    """The keys of the groups that name a product or programme of an organisation of the article, with the
    rest of its name named alone ("Alexa" beside "Amazon Alexa"); ``speech_verb(token)``: the language's
    speech verbs, whose subjects speak, as products do not."""
    organisations = {key for key, group in groups.items() if group.label == "ORG"}
    products: dict[str, None] = {}
    for key, group in groups.items():
        makers = {maker for span in group.spans if (maker := _maker(span, key, organisations))}
        if makers and _product(key, group, organisation_words, speech_verb):
            products[key] = None
            head, _, tail = key.partition(" ")
            products.update({part: None for part in (head, tail) if part and part not in makers})
    return [key for key in products if key in groups and _product(key, groups[key], organisation_words, speech_verb)]


def _product(key: str, group, organisation_words: frozenset[str], speech_verb) -> bool:
    """Not a unit, a site or a tier, and never speaking ("Alphabet’s Google said": a company of its own)."""
    last = key.split()[-1]  # "Stadia Pro": a tier of the line, which the product rules drop with it
    if group.known or group.label != "ORG" or last in organisation_words or last in PRODUCT_TIERS:
        return False
    if last in UNIT_WORDS:
        return False  # "NASA’s Jet Propulsion Laboratory", "Chelsea’s Stamford Bridge": a unit or a site
    return not any(span.root.dep_ == "nsubj" and speech_verb(span.root.head) for span in group.spans)


def _maker(span, key: str, organisations: set[str]) -> str | None:
    """The organisation that owns the mention ("Amazon’s Alexa") or opens it before a product noun."""
    doc, start = span.doc, span.start
    if start >= 2 and doc[start - 1].text in ("'s", "’s"):
        owners = (doc[first : start - 1].text.lower() for first in range(max(start - 5, 0), start - 1))
        owner = next((name for name in owners if name in organisations and name != key), None)
        if owner:
            return owner  # "Amazon’s Alexa", "Blue Origin’s Blue Moon"
    first = key.split(" ", 1)[0]
    if first != key and first in organisations and span.root.dep_ == "compound" and (
        span.root.head.lower_ in PRODUCT_NOUNS
    ):
        return first
    return None
