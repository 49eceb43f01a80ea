"""Bylines as people's names, and the news agency they (or the dateline) name.

A page's author fields hold more than names: several people in one string ("Jane Doe and John
Roe"), lead-ins ("By", "Analysis by"), job titles ("AP National Security Writer", "CNN
Editor-at-large"), the agency or the site itself as a co-author ("Jane Doe, Associated Press",
"Tanza Loudenback, Business Insider"), credentials ("MS, RDN"), dates run into the name ("Jeff
Foust Monday"), site accounts ("Admin", "Staff Reports", "Web Desk") and stray text a page
marked up as its author. ``split_bylines`` cuts the strings into items; ``people_and_agency``
keeps the items that read as a person's name, and the agency named in any item or in the body's
dateline ("WASHINGTON (AP) —").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from etl.clean.agencies import agency_in
from etl.clean.text import one_line

_AUTHOR_SPLIT = re.compile(r"\s*(?:;|\||,|&|\band\b)\s*", re.IGNORECASE)
_BY = re.compile(r"^\s*(by|from|von|par|por|di)\s+", re.IGNORECASE)
_MAX_AUTHOR_WORDS = 6
MAX_NAME_CHARS = 100  # real bylines' names run to about 50 characters; a longer "name" is stray text
# A byline naming more people is a contributors' dump or a broken CMS: its first names are kept,
# and a list (or a megabyte string) of thousands is read only that far.
MAX_AUTHORS = 20
_MAX_ITEMS = 4 * MAX_AUTHORS  # items read before the people among them are picked (roles and agencies drop out)
# "Analysis by", "Opinion by", "Story and photos by": a lead-in of up to three words ending in "by".
_LEAD_IN = re.compile(r"^(?:[\w-]+\s+){1,3}?by\s+", re.IGNORECASE)
_DATE_WORD = (
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june"
    r"|july|august|september|october|november|december)"
)
# A date the page ran into the name ("Carrie Arnold November", "... Published 6:02 p.m.").
_DATE_TAIL = re.compile(rf"(?<=\S)\s+(?:(?:published|updated|posted)\b.*|{_DATE_WORD}\.?)$", re.IGNORECASE)
_ONLY_DATE = re.compile(rf"^{_DATE_WORD}(?:\s+\d{{1,2}})?$", re.IGNORECASE)
# Words of a newsroom role or a site account (plurals too: "AP Business Writers"), never of a person's name.
_ROLE = re.compile(
    r"\b(?:writer|editor\w*|correspondent|reporter|columnist|contributor|producer|analyst|critic|anchor"
    r"|chief|staff|desk|bureau|team|newsroom|reports|services|admin\w*|webmaster|moderator|intern"
    r"|photographer|editorial|wire|agency|media|news|press)s?\b",
    re.IGNORECASE,
)
_DOMAIN = re.compile(r"\w\.[a-z]{2,}\b")  # "Cleveland.com", "NJ.com"
# Lower-case words that belong to names ("Ludwig van Beethoven", "Bashar al-Assad").
_PARTICLES = {"de", "da", "do", "dos", "das", "del", "della", "di", "du", "van", "von", "der", "den", "la",
              "le", "bin", "ibn", "al", "el", "y", "e", "ter", "ten", "st"}
_DATELINE = re.compile(r"^[^\n()]{2,60}?\(([^()\n]{2,40})\)\s*[-—–:]")


def split_bylines(value: Any) -> list[str]:
    """The items of author fields: "By A and B" -> ["A", "B"]; URLs, e-mails and long phrases dropped,
    at most ``_MAX_ITEMS`` of them."""
    raw = value if isinstance(value, list) else [value]
    names: dict[str, None] = {}  # an ordered set
    for item in raw:
        if isinstance(item, dict):  # {"@type": "Person", "name": ...} in an export as in JSON-LD
            item = item.get("name")
        if not isinstance(item, str):
            continue  # a number or an object with no name is no person's name
        for part in _parts(_BY.sub("", one_line(item))):
            name = _BY.sub("", " ".join(part.split())).strip(" .,-")
            if _is_name_sized(name):
                names[name] = None
                if len(names) == _MAX_ITEMS:
                    return list(names)
    return list(names)


def _parts(byline: str) -> Iterator[str]:
    """``_AUTHOR_SPLIT.split(byline)``, lazily: a megabyte of names is cut only as far as it is read."""
    start = 0
    for separator in _AUTHOR_SPLIT.finditer(byline):
        yield byline[start:separator.start()]
        start = separator.end()
    yield byline[start:]


def _is_name_sized(name: str) -> bool:
    return (bool(name) and len(name) <= MAX_NAME_CHARS and len(name.split()) <= _MAX_AUTHOR_WORDS
            and "@" not in name and "://" not in name)


def people_and_agency(items: list[str], site: str | None, host: str | None, body: str = "") -> tuple[list[str], str | None]:
    """(the people among byline ``items``, the agency named), given the site's name and host: the
    site's own name as a byline is no person either."""
    people: list[str] = []
    agency = None
    for item in items:
        mention = agency_in(item)
        if mention:
            agency = agency or mention.agency
            item = f"{item[:mention.start]} {item[mention.end:]}"
        name = _DATE_TAIL.sub("", _LEAD_IN.sub("", " ".join(item.split()))).strip(" .,-–—")
        if _is_person(name, site, host):
            people.append(_display_case(name))
    return list(dict.fromkeys(people))[:MAX_AUTHORS], agency or _dateline_agency(body)


def _is_person(name: str, site: str | None, host: str | None) -> bool:
    words = name.split()
    if not words or not any(c.isalpha() for c in name) or _ONLY_DATE.match(name):
        return False
    if _ROLE.search(name) or _DOMAIN.search(name) or words[0].casefold() == "the":
        return False  # a role, an account, a web address or an organisation ("The Water Coolest")
    if len(words) == 1 and name.isupper():
        return False  # an abbreviation or a credential ("PTI", "MS", "RDN"): a name in capitals has two words
    if any(_is_lower_word(word) for word in words):
        return False  # "The Russian, Syrian defense ministries", "jdadmin": names are capitalised
    return not _names_site(words, site, host)


def _is_lower_word(word: str) -> bool:
    head = re.split(r"[-'’]", word, maxsplit=1)[0]
    return word[0].islower() and head.casefold() not in _PARTICLES


def _names_site(words: list[str], site: str | None, host: str | None) -> bool:
    """Whether the byline is the site's own name: one is the other's first words ("Sky" on Sky News,
    "CNN Business" on CNN), or it is a label of the host ("AppleInsider" on appleinsider.com)."""
    mine = _words(" ".join(words))
    theirs = _words(site or "")
    if theirs and mine[: len(theirs)] == theirs[: len(mine)]:
        return True
    return bool(host) and "".join(mine) in host.casefold().split(".")


def _words(text: str) -> list[str]:
    words = re.findall(r"\w+", text.casefold())
    return words[1:] if words[:1] == ["the"] else words


def _display_case(name: str) -> str:
    """A name written in capitals ("TOM KRISHER", as wire bylines are) in the case people write it."""
    return name.title() if name.isupper() else name


def _dateline_agency(body: str) -> str | None:
    """The agency of a wire dateline opening the body: "WASHINGTON (AP) —", "LONDON (Reuters) -"."""
    match = _DATELINE.match(body)
    mention = agency_in(match.group(1)) if match else None
    return mention.agency if mention else None
