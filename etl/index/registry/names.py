"""Which short forms a full name answers to, and which full name a short form means.

A full name is filed under the folded short forms people write for it ("keys"):

- a person of two words or more under the bare surname ("Donald J. Trump" -> ``trump``) and,
  when it has middle names or initials, under given name + surname (``donald trump``), and under
  each office it was named with and the surname (``vice president: biden``), which a titled bare
  surname ("Vice President Biden") is looked up by when the surname alone is ambiguous;
  a generation suffix is part of the name ("Robert Quill Jr." is not "Robert Quill") but a bare
  surname is filed for both, so "Quill" beside the two of them stays "Quill";
- an organisation under its acronym when every significant word is capitalised ("Federal Bureau
  of Investigation" -> ``FBI``, matched only by a form written in capitals) and under its name
  without a legal suffix ("Harlow Foods Inc." -> ``harlow foods``).

Places are not filed: "Georgia" and "Paris" name several places, and the per-article rules
already settle their forms. A short form resolves when exactly one full name (after folding away
the ones that are short forms of another: "Donald Trump" beside "Donald J. Trump") answers to it,
and that name is attested: seen in the same article, or in ``EVIDENCE`` articles, or in one article that
tells the same story (``SHARED_PEOPLE`` other people's surnames named in both: "Adam Schiff" in one impeachment
piece names the "Schiff" of another, "Noam Cohen" of a science piece not the "Cohen" of a political one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from etl.entity_ids import fold_name

REGISTERED_LABELS = ("PERSON", "ORG")
GENERATIONS = frozenset({"jr", "sr", "ii", "iii", "iv"})
LEGAL_SUFFIXES = frozenset({"inc", "corp", "corporation", "co", "ltd", "llc", "plc", "ag", "sa", "nv", "gmbh"})
ACRONYM_STOPWORDS = frozenset({"of", "the", "and", "for", "on", "in", "&", "de", "du", "des", "la", "le", "to"})
EVIDENCE = 2  # articles a full name must be seen in to name a short form in another article
SHARED_PEOPLE = 2  # other people's surnames two articles share to tell one story
ACRONYM = "^"  # marks an acronym key, so "Fox" never finds the "Federation of Xylophonists"
OFFICE = ": "  # between an office and a surname in a key; no folded name holds it


@dataclass(frozen=True, slots=True)
class FullName:
    """A full name as the registry keeps it: seen on ``day`` (ISO date, "" when undated)."""

    label: str
    name: str
    day: str


def filed_keys(label: str, name: str, titles: Iterable[str] = ()) -> list[str]:
    """The keys a full name (a person named with these offices) is filed under; none when ``name`` is
    not a full name."""
    if label == "PERSON":
        keys = _person_keys(name)
        return keys + [f"{title}{OFFICE}{keys[0]}" for title in titles] if keys else keys
    if label == "ORG":
        return _organisation_keys(name)
    return []


def lookup_key(label: str, name: str) -> str | None:
    """The key a written form is looked up by, or None when the label is not registered."""
    if label not in REGISTERED_LABELS:
        return None
    folded = fold_name(name)
    letters = name.replace(".", "").replace("&", "")
    if label == "ORG" and letters.isalpha() and letters.isupper() and 2 <= len(letters) <= 6:
        return ACRONYM + folded.replace(" ", "")
    return folded


def titled_keys(label: str, name: str, titles: Iterable[str]) -> list[str]:
    """The keys a bare surname written with these offices is also looked up by."""
    folded = fold_name(name)
    if label != "PERSON" or " " in folded:
        return []
    return [f"{title}{OFFICE}{folded}" for title in titles]


def facet_value(key: str) -> str:
    """The facet value a document holds for a short form with this key (what re-canonicalising searches)."""
    return key.removeprefix(ACRONYM).rpartition(OFFICE)[2]


def pick(label: str, key: str, candidates: dict[FullName, set[str]], written: str, article: str,
         same_story: Callable[[set[str]], bool] | None = None) -> str | None:
    """The one full name the short form ``written`` in ``article`` means among ``candidates`` (the
    names filed under its key within the date window, each with the articles it was seen in), or None.

    None when no name or several answer (unless the articles of only one of them tell the story of this
    one, as ``same_story`` says), and when the one that does was seen neither in ``article``
    itself nor in ``EVIDENCE`` articles nor in an article ``same_story`` says tells the story of this
    one: a name mentioned once in a story about something else ("Noam Cohen" in a science piece) says
    little about who "Cohen" is in a political one. A two-letter acronym needs the ``EVIDENCE`` articles
    even beside its spelt-out name.
    """
    forms: dict[str, list[FullName]] = {}
    for candidate in candidates:
        forms.setdefault(fold_name(candidate.name), []).append(candidate)
    forms.pop(fold_name(written), None)  # a full name is not its own short form
    keys = {folded: set(filed_keys(label, seen[0].name)) for folded, seen in forms.items()}
    # Several ways of writing one name ("Donald Trump", "Donald J. Trump") are one candidate: the fullest,
    # seen in the articles of them all (with one fullest left, every other form is a short form of it).
    fullest = [folded for folded in forms if not any(folded in keys[other] for other in forms if other != folded)]
    if len(fullest) > 1 and same_story:  # "Warren": the one of several whose articles tell this story
        told = [f for f in fullest if same_story(_seen_in(candidates, {f}) - {article})]
        fullest = told if len(told) == 1 else fullest
    if len(fullest) != 1:
        return None
    seen_in = _seen_in(candidates, set(forms))
    # Two letters spell some capitalised phrase of almost any article ("AC" routers beside "Amazon Credit").
    in_article = article in seen_in and not (key.startswith(ACRONYM) and len(key) <= len(ACRONYM) + 2)
    if not in_article and len(seen_in) < EVIDENCE and not (same_story and same_story(seen_in - {article})):
        return None
    return _display([found.name for found in forms[fullest[0]]])


def _seen_in(candidates: dict[FullName, set[str]], folded: set[str]) -> set[str]:
    """The articles the candidates of these folded names were seen in."""
    return {doc for found, docs in candidates.items() if fold_name(found.name) in folded for doc in docs}


def _display(spellings: list[str]) -> str:
    """One spelling of a name, the same whatever order they came in: not all capitals if it can be."""
    return min(spellings, key=lambda name: (name.isupper(), name))


def _person_keys(name: str) -> list[str]:
    words = fold_name(name).split()
    suffix = [words.pop()] if len(words) > 2 and words[-1] in GENERATIONS else []
    if len(words) < 2 or not all(any(ch.isalpha() for ch in w) for w in words):
        return []
    keys = [words[-1]]
    if len(words) > 2:
        keys.append(" ".join([words[0], words[-1], *suffix]))
    return keys


def _organisation_keys(name: str) -> list[str]:
    words = name.replace(",", " ").split()
    if len(words) < 2:
        return []
    keys = []
    if fold_name(words[-1]) in LEGAL_SUFFIXES:
        keys.append(fold_name(" ".join(words[:-1])))
    significant = [w for w in words if w.lower() not in ACRONYM_STOPWORDS and fold_name(w) not in LEGAL_SUFFIXES]
    if len(significant) >= 2 and all(w[0].isupper() and w[0].isalpha() for w in significant):
        keys.append(ACRONYM + "".join(fold_name(w)[0] for w in significant))
    return keys
