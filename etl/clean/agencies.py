"""The news agencies a byline or a dateline may name, for ``Article.source_agency``.

No package on PyPI lists news agencies, so this is a short hand list of the main wire services,
each under the name it is indexed as, with the forms bylines and datelines write it in. Full
names match in any case; abbreviations ("AP", "dpa") only as written, as whole words, since in
another case they are ordinary words or initials. Names that are also people's or papers' names
alone ("Bloomberg", "CP") are listed only in their unambiguous forms.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_AGENCIES = {
    "Associated Press": ("Associated Press", "AP"),
    "Reuters": ("Thomson Reuters", "Reuters"),
    "Agence France-Presse": ("Agence France-Presse", "Agence France Presse", "AFP"),
    "Bloomberg News": ("Bloomberg News",),
    "United Press International": ("United Press International", "UPI"),
    "Press Trust of India": ("Press Trust of India", "PTI"),
    "Indo-Asian News Service": ("Indo-Asian News Service", "IANS"),
    "Asian News International": ("Asian News International", "ANI"),
    "Deutsche Presse-Agentur": ("Deutsche Presse-Agentur", "dpa"),
    "ANSA": ("ANSA",),
    "EFE": ("Agencia EFE", "EFE"),
    "Europa Press": ("Europa Press",),
    "Xinhua": ("Xinhua News Agency", "Xinhua"),
    "Kyodo News": ("Kyodo News", "Kyodo"),
    "Jiji Press": ("Jiji Press",),
    "Yonhap": ("Yonhap News Agency", "Yonhap"),
    "TASS": ("ITAR-TASS", "TASS"),
    "Interfax": ("Interfax",),
    "Anadolu Agency": ("Anadolu Agency",),
    "Canadian Press": ("The Canadian Press", "Canadian Press"),
    "Australian Associated Press": ("Australian Associated Press", "AAP"),
    "PA Media": ("PA Media", "Press Association"),
}
_CANONICAL = {form.casefold(): name for name, forms in _AGENCIES.items() for form in forms}
AGENCY_NAMES = tuple(_AGENCIES)  # the names agencies are indexed as


def _pattern(forms: list[str], flags: int = 0) -> re.Pattern:
    alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))  # longest first
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", flags)


_ABBREVIATION = re.compile(r"[A-Za-z]{2,5}")
_NAMES = _pattern([f for forms in _AGENCIES.values() for f in forms if not _ABBREVIATION.fullmatch(f)], re.IGNORECASE)
_ABBREVIATIONS = _pattern([f for forms in _AGENCIES.values() for f in forms if _ABBREVIATION.fullmatch(f)])


class Mention(NamedTuple):
    agency: str  # the name it is indexed as
    start: int
    end: int


def agency_in(text: str) -> Mention | None:
    """The first agency ``text`` names, full names before abbreviations; None when it names none."""
    match = _NAMES.search(text) or _ABBREVIATIONS.search(text)
    return Mention(_CANONICAL[match.group().casefold()], match.start(), match.end()) if match else None
