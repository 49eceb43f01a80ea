"""One story, one document, within a run: duplicates are dropped, id conflicts are kept apart.

- The same id with the same text (one story linked twice) is a duplicate, "same url".
- The same text under another id (one story under two names) is a duplicate, "same content".
- The same id with different text is a conflict, not a duplicate: two stories claim one URL (a
  CMS that gives every article its section's canonical link). Overwriting one with the other
  would lose a story silently, so the second is kept under its content id, with a warning.

Each of these is a ``Collision``, written with both origins to the run's ``duplicates.jsonl``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.clean.identity import article_id
from etl.jsonl_log import JsonLinesLog
from etl.records import Article, as_dict

DUPLICATES_FILE = "duplicates.jsonl"
SAME_URL = "same url"
SAME_CONTENT = "same content"
URL_CONFLICT = "same url, different content"


@dataclass(frozen=True, slots=True)
class Collision:
    """An article whose id or text another article of the run already had."""

    id: str  # the id the article came with
    origin: str
    duplicate_of_id: str
    duplicate_of_origin: str
    reason: str  # SAME_URL | SAME_CONTENT | URL_CONFLICT
    indexed_as: str | None = None  # a conflict's new (content) id; None: dropped as a duplicate

    @property
    def dropped(self) -> bool:
        return self.indexed_as is None

    def to_dict(self) -> dict[str, Any]:
        out = as_dict(self)
        if self.dropped:
            del out["indexed_as"]
        return out


class Deduplicator:
    """Remembers each id and text of a run (with where it came from) to judge the next article."""

    def __init__(self) -> None:
        self._by_id: dict[str, tuple[str, str]] = {}  # id -> (content hash, origin)
        self._by_hash: dict[str, tuple[str, str]] = {}  # content hash -> (id, origin)

    def admit(self, article: Article) -> Collision | None:
        """None for a new article; else what it collides with. A dropped one is not remembered; a
        conflicting one is given its content id (``article.id`` changes) and remembered under it."""
        claimed, conflict = article.id, None
        first = self._by_id.get(claimed)
        if first is not None:
            first_hash, first_origin = first
            if first_hash == article.content_hash:
                reason = SAME_URL if article.normalized_url else SAME_CONTENT
                return Collision(claimed, article.origin, claimed, first_origin, reason)
            article.id = article_id(None, article.content_hash)
            conflict = Collision(claimed, article.origin, claimed, first_origin, URL_CONFLICT, indexed_as=article.id)
        same_text = self._by_hash.get(article.content_hash)
        if same_text is not None:
            return Collision(claimed, article.origin, same_text[0], same_text[1], SAME_CONTENT)
        self._by_id[article.id] = (article.content_hash, article.origin)
        self._by_hash[article.content_hash] = (article.id, article.origin)
        return conflict


class DuplicateLog(JsonLinesLog):
    """The run's ``duplicates.jsonl`` in ``folder``: one line per collision, dropped or kept."""

    def __init__(self, folder: Path, run_id: str):
        super().__init__(Path(folder) / DUPLICATES_FILE, run_id)

    def write(self, collision: Collision) -> None:
        self.append(collision.to_dict())
