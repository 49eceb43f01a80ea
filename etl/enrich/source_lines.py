"""Attribution by a source line rather than a verb: a quote followed by a dash and a name
(`“…” — Jane Doe`, `“…” ― Jane Doe, mayor of X`), as pulled quotes, op-eds and social posts print it."""

from __future__ import annotations

from spacy.tokens import Doc, Token

from etl.records import Entity

SOURCE_DASHES = frozenset({"—", "―", "–", "-", "--"})
MAX_GAP = 2  # tokens (spaces, a closing comma) between the closing mark and the dash


def dash_source(doc: Doc, after: int, entity_of: dict[int, Entity], titles: frozenset[str]) -> Token | None:
    """The name right after a dash that follows the quote (``after``: first token index past the quote):
    a person or organisation the NER found, else two or more proper nouns it missed ("― Carl Obi,")."""
    i = after
    while i < len(doc) and i - after < MAX_GAP and (doc[i].is_space or doc[i].text in (",", ".")):
        i += 1
    if i >= len(doc) or doc[i].text not in SOURCE_DASHES or "\n" in doc[i].text:
        return None
    i += 1
    while i < len(doc) and doc[i].is_space and "\n" not in doc[i].text:
        i += 1
    while i < len(doc) and doc[i].lower_.rstrip(".") in titles:  # "— Sen. Joan Park"
        i += 1
    entity = entity_of.get(i) if i < len(doc) else None
    if entity is None:
        end = i
        while end < len(doc) and doc[end].pos_ == "PROPN" and entity_of.get(end) is None:
            end += 1
        return doc[end - 1] if end - i >= 2 else None
    if entity.label not in ("PERSON", "ORG"):
        return None
    while i + 1 < len(doc) and entity_of.get(i + 1) is entity:  # the name's last word
        i += 1
    return doc[i]
