"""Which name groups of one article are one organisation (issue 14).

An article spells an organisation out once and then shortens it: "California Public Utilities
Commission", then "CPUC" or "PUC"; "National Security Council", then "NSC"; "Department of Justice",
then "Justice Department"; "House Intelligence Committee", then "Intelligence Committee". A short form
that fits exactly one spelled-out organisation of the article joins it; one that fits two stays apart.
"""

from __future__ import annotations

import re

FUNCTION_WORDS = frozenset({"of", "the", "and", "&", "for", "on", "in", "de"})
SUFFIXES = frozenset({"co", "co.", "inc", "inc.", "corp", "corp.", "ltd", "ltd.", "llc", "plc"})


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


def merge_organisations(groups: dict) -> None:
    """Fold each short form into the one spelled-out organisation it fits."""
    names = [key for key, group in groups.items() if group.label == "ORG" and len(key.split()) > 1 and "," not in key]
    for key in list(groups):
        group = groups[key]
        if group.known or group.label != "ORG":
            continue
        acronym = any(" " not in form and form.isupper() for form in group.forms)  # "CPUC", "PG&E"
        fits = [full for full in names if full != key and full in groups and (
            (acronym and _acronym_of(key, full)) or _reordered(key, full) or _tail_of(key, full)
        )]
        if len(fits) == 1:
            groups[fits[0]].absorb(groups.pop(key))
