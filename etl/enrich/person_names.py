"""Which name groups of one article are one person, and which are people at all (issue 14).

The article writes one person several ways: "Patrick W. Carlineo Jr.", "Pat Carlineo", "Carlineo";
"Kathleen Hawk Sawyer" and "Hawk Sawyer". Full names that agree on the surname and whose given names
agree (one opens the other: "Pat"/"Patrick"), or a name that is the tail of one longer name, are one
person, so their surname is no longer ambiguous. A full name the model called an organisation is a
person when its surname alone is voted a person elsewhere ("Diego Schwartzman defeating ..." then
"Schwartzman said"). "The Bidens" beside "Joe Biden" is a family, not an entity. The offices a
person is named with ("former Vice President Joe Biden") are kept with the name: across articles
they say which of two people of one surname a titled surname is.
"""

from __future__ import annotations

from etl.enrich.gazetteer import gazetteer

GENERATIONS = frozenset({"jr", "sr", "ii", "iii", "iv"})
QUALIFIERS = frozenset({"former", "acting", "interim", "late"})  # when someone held the office, not which
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "sir", "dame", "madam"})  # said of anyone
# The longest real offices run to four words ("deputy assistant secretary general"); a run of title
# words longer than that is a list or junk, and the keys and facets made from titles stay few.
MAX_OFFICE_WORDS = 4
MAX_TITLES = 5


def name_words(key: str) -> list[str]:
    """Given name(s) and surname, without a generation suffix or middle initials."""
    words = key.split()
    if len(words) > 2 and words[-1].rstrip(".").rstrip(",") in GENERATIONS:
        words = words[:-1]
    return [w for i, w in enumerate(words) if i in (0, len(words) - 1) or len(w.rstrip(".")) > 1]


def is_person(key: str, group, groups: dict) -> bool:
    """The group is a person: by the variants table, by its votes, or by its surname's votes."""
    if group.known:
        return group.known[1] == "PERSON"
    if group.votes["PERSON"] > 0:
        return True
    words = name_words(key)
    surname = groups.get(words[-1]) if len(words) > 1 else None
    if group.settled_label not in (None, "PERSON") or surname is None or surname is group:
        return False
    regions, _, cities = gazetteer()
    given = key.rsplit(" ", 1)[0]  # "San Francisco Chronicle": a place before the last word names a company
    return given not in regions and given not in cities and surname.votes["PERSON"] > sum(surname.votes.values()) / 2


def _same_person(short: list[str], full: list[str]) -> bool:
    if len(short) < 2 or len(short) > len(full):
        return False
    if short == full[-len(short):]:
        return True  # "hawk sawyer" in "kathleen hawk sawyer"
    return short[-1] == full[-1] and (full[0].startswith(short[0]) or short[0].startswith(full[0]))


def family_names(groups: dict) -> list[str]:
    """One-word groups naming a family by a person's surname ("the Bidens" beside "Joe Biden"): no entity."""
    people = [key for key, group in groups.items() if len(key.split()) > 1 and group.label == "PERSON"]
    surnames = {name_words(key)[-1] for key in people}
    return [key for key in groups if " " not in key and key.endswith("s") and key[:-1] in surnames]


def merge_full_names(groups: dict) -> None:
    """Fold each full name into the one fuller name of the same person (none when two would fit)."""
    people = [key for key, group in groups.items() if len(key.split()) > 1 and is_person(key, group, groups)]
    words = {key: name_words(key) for key in people}
    for key in sorted(people, key=len):
        fuller = [other for other in people if other != key and other in groups and len(other) >= len(key)
                  and _same_person(words[key], words[other])]
        if fuller and not groups[key].known and all(_compatible(words[a], words[b]) for a in fuller for b in fuller):
            target = max(fuller, key=len)  # "Pat Carlineo" -> "Patrick W. Carlineo" / "Patrick Carlineo Jr.": one man
            groups[target].absorb(groups.pop(key))
            groups[target].settled_label = "PERSON"


def _compatible(a: list[str], b: list[str]) -> bool:
    return a == b or _same_person(a, b) or _same_person(b, a)


def titles_of(spans, lexicon) -> list[str]:
    """The offices written right before the mentions, spelt out, in order of first use: "former Vice
    President Joe Biden" and "Vice President Biden" both give "vice president"; "Mr. Biden" none."""
    found: dict[str, None] = {}
    for span in spans:
        doc, i, words = span.doc, span.start - 1, []
        while i >= 0 and len(words) < MAX_OFFICE_WORDS and (word := lexicon.spelled_out(doc[i])) in lexicon.titles:
            if word not in QUALIFIERS and word not in HONORIFICS:
                words.append(word)
            i -= 1
        if words:
            found[" ".join(reversed(words))] = None  # the words nearest the name
        if len(found) == MAX_TITLES:
            break
    return list(found)
