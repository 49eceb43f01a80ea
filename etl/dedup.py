"""One story, one document, within a run: duplicates are dropped, id conflicts are kept apart.

- The same id with the same text (one story linked twice) is a duplicate, "same url".
- The same text under another id (one story under two names) is a duplicate, "same content".
- The same text as an article an earlier run indexed, under another id, is a duplicate of it,
  "same content as an indexed article" (when the run is given the sink's lookup: ``stored``); the
  line gives both URLs. The same id (a re-run of the same input) is no duplicate: it overwrites.
- The same id with different text is a conflict, not a duplicate: two stories claim one URL (a
  CMS that gives every article its section's canonical link). Overwriting one with the other
  would lose a story silently, so the second is kept under its content id, with a warning.

Each of these is a ``Collision``, written with both origins to the run's ``duplicates.jsonl``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.clean.identity import article_id
from etl.jsonl_log import JsonLinesLog
from etl.records import Article, as_dict
from etl.state_store import private_database

DUPLICATES_FILE = "duplicates.jsonl"
SAME_URL = "same url"
SAME_CONTENT = "same content"
URL_CONFLICT = "same url, different content"
SAME_CONTENT_INDEXED = "same content as an indexed article"  # indexed by an earlier run

_SCHEMA = """CREATE TABLE by_id (id TEXT PRIMARY KEY, hash TEXT NOT NULL, origin TEXT);
CREATE TABLE by_hash (hash TEXT PRIMARY KEY, id TEXT NOT NULL, origin TEXT);
CREATE TABLE indexed (hash TEXT PRIMARY KEY, id TEXT NOT NULL, origin TEXT, url TEXT)"""  # copies earlier runs indexed
# content hash -> (id, origin, url) of an indexed article with that body, or None
StoredLookup = Callable[[str], "tuple[str, str | None, str | None] | None"]


@dataclass(frozen=True, slots=True)
class Collision:
    """An article whose id or text another article of the run already had."""

    id: str  # the id the article came with
    origin: str
    duplicate_of_id: str
    duplicate_of_origin: str
    reason: str  # SAME_URL | SAME_CONTENT | URL_CONFLICT
    indexed_as: str | None = None  # a conflict's new (content) id; None: dropped as a duplicate
    url: str | None = None  # both URLs, for a duplicate of an article indexed by an earlier run
    duplicate_of_url: str | None = None

    @property
    def dropped(self) -> bool:
        return self.indexed_as is None

    def to_dict(self) -> dict[str, Any]:
        out = as_dict(self)
        for name in ("indexed_as", "url", "duplicate_of_url"):
            if out[name] is None:
                del out[name]
        return out


class Deduplicator:
    """Remembers each id and text of a run (with where it came from) to judge the next article.

    Kept in a private temporary SQLite database (on disk, deleted when the run's judge goes), not in
    dicts: a run of millions of articles holds no more memory than a run of ten."""

    def __init__(self, stored: StoredLookup | None = None) -> None:
        self.stored = stored  # the index's lookup by content hash: what earlier runs indexed
        self._db = private_database(_SCHEMA, isolation_level=None)

    def admit(self, article: Article) -> Collision | None:
        """None for a new article; else what it collides with. A dropped one is not remembered; a
        conflicting one is given its content id (``article.id`` changes) and remembered under it."""
        claimed, conflict = article.id, None
        first = self._db.execute("SELECT hash, origin FROM by_id WHERE id = ?", (claimed,)).fetchone()
        if first is not None:
            first_hash, first_origin = first
            if first_hash == article.content_hash:
                reason = SAME_URL if article.normalized_url else SAME_CONTENT
                return Collision(claimed, article.origin, claimed, first_origin, reason)
            article.id = article_id(None, article.content_hash)
            conflict = Collision(claimed, article.origin, claimed, first_origin, URL_CONFLICT, indexed_as=article.id)
        same_text = self._db.execute("SELECT id, origin FROM by_hash WHERE hash = ?", (article.content_hash,)).fetchone()
        if same_text is not None:
            return Collision(claimed, article.origin, same_text[0], same_text[1], SAME_CONTENT)
        indexed = self._indexed_copy(article)
        if indexed is not None:
            return Collision(claimed, article.origin, indexed[0], indexed[1] or "", SAME_CONTENT_INDEXED,
                             url=article.url, duplicate_of_url=indexed[2])
        self._db.execute("INSERT OR REPLACE INTO by_id VALUES (?, ?, ?)", (article.id, article.content_hash, article.origin))
        self._db.execute("INSERT OR REPLACE INTO by_hash VALUES (?, ?, ?)", (article.content_hash, article.id, article.origin))
        return conflict

    def _indexed_copy(self, article: Article) -> tuple[str, str | None, str | None] | None:
        """An article of an earlier run with this text under another id (a re-run of one input is none)."""
        found = self._db.execute("SELECT id, origin, url FROM indexed WHERE hash = ?", (article.content_hash,)).fetchone()
        if found is None and self.stored is not None:
            found = self.stored(article.content_hash)
            if found is not None:  # asked once per text: the sink is a search away
                self._db.execute("INSERT INTO indexed VALUES (?, ?, ?, ?)", (article.content_hash, *found))
        return found if found is not None and found[0] != article.id else None


class DuplicateLog(JsonLinesLog):
    """The run's ``duplicates.jsonl`` in ``folder``: one line per collision, dropped or kept."""

    def __init__(self, folder: Path, run_id: str):
        super().__init__(Path(folder) / DUPLICATES_FILE, run_id)

    def write(self, collision: Collision) -> None:
        self.append(collision.to_dict())
