"""The entity variant table as search synonyms: ``Kiev`` also finds Kyiv, ``"United States"`` U.S.

Expanded once in the query tree, so neither engine needs a synonym setup of its own and both match
the same documents. A word or phrase that is a name in the table becomes an OR of all its names.
Short all-capital forms (US, UK, EU, UN) are matched only as typed and never added: search ignores
case, and as words they are "us", "uk" and "un".
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from etl.search.language import Match, Node, Not, Or, parse

# The enrichers' table (read here as JSON: importing the enrichers would load spaCy into every search).
VARIANTS = Path(__file__).resolve().parent.parent / "enrich" / "entity_variants.json"

_ACRONYM = re.compile(r"[A-Z]{2,3}")


@lru_cache(maxsize=1)
def _groups() -> dict[str, tuple[str, ...]]:
    """Each name's folded form -> every name of its entity (canonical first)."""
    data = json.loads(VARIANTS.read_text(encoding="utf-8"))
    groups: dict[str, tuple[str, ...]] = {}
    for canonical, entry in data.items():
        if canonical.startswith("_"):
            continue
        names = tuple(dict.fromkeys([canonical, *entry.get("variants", [])]))
        for name in names:
            groups[_key(name)] = names
    return groups


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def query_tree(text: str | None, index: str) -> Node | None:
    """What both engines compile: the query parsed for ``index``, its names expanded."""
    return expand(parse(text or "", index))


def expand(node: Node | None) -> Node | None:
    if node is None:
        return None
    if isinstance(node, Match):
        return _expand_match(node)
    if isinstance(node, Not):
        return Not(expand(node.part))
    return type(node)(tuple(expand(p) for p in node.parts))


def _expand_match(match: Match) -> Node:
    text = match.text.strip()
    names = _groups().get(_key(text))
    if not names or (_ACRONYM.fullmatch(_key(text).upper()) and not _ACRONYM.fullmatch(text)):
        return match  # not a name in the table, or "us" typed in lower case
    others = [n for n in names if _key(n) != _key(text) and not _ACRONYM.fullmatch(n)]
    if not others:
        return match
    return Or((match, *(Match(n, match.field, phrase=True) for n in others)))

