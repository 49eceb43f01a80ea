"""Stable entity ids: the same real entity has the same id in every article, run and engine.

An id is derived from the entity's label and its canonical name, folded (case, accents, dots and
spacing ignored), so "Donald J. Trump" and "DONALD J TRUMP" are one id and apps can link and
filter on it without a lookup table. The label is part of it: "Jordan" the country and "Jordan"
the person are two entities.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
_DOTS = re.compile(r"\.")
_SPACE = re.compile(r"[\s\-‐‑–—]+")
ID_LENGTH = 16  # hex digits: 64 bits, no collision in any index this runs


def fold_name(name: str) -> str:
    """``name`` lower-cased, accents removed, dots dropped and spacing collapsed: what two ways of
    writing one name share."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_APOSTROPHES))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACE.sub(" ", _DOTS.sub("", bare)).strip().casefold()


@lru_cache(maxsize=65_536)  # a document's ids are asked for by its facets, its id list and its quotes; names repeat
def entity_id(label: str, name: str) -> str:
    """The id of the entity ``name`` with this label (PERSON, ORG, GPE, ...)."""
    key = f"{label.upper()}\x1f{fold_name(name)}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:ID_LENGTH]
