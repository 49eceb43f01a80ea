"""What runs remember of the pages they fetched: validators and a body hash per URL, in SQLite.

The next run asks with ``If-None-Match``/``If-Modified-Since``; a 304, or a 200 whose body hashes
to the stored sha256, is ``Unchanged``: counted, and never cleaned, enriched or indexed again.

A URL's entry is written only once its page was indexed or found unchanged (``confirm``, at the
end of the run), so a page that failed anywhere downstream is fetched whole next time. Keys are
redacted URLs (the origins), so no credential lands in the file. Feeds, files and folders have no
entry: only pages do.

The file may be shared by runs at once (SQLite locks it; writers wait up to ``etl.state_store.TIMEOUT``). Whatever
goes wrong with it is one warning and a run that remembers less, never a failed run: a corrupt
file is moved aside (``*.corrupt``) and a fresh one started; a file locked too long, or one that
cannot be written, leaves this run without memory.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from etl.settings import Settings
from etl.state_store import open_state

FILE = "fetch_state.sqlite3"
_SCHEMA = """CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, last_fetch TEXT NOT NULL, content_hash TEXT)"""
_UPSERT = """INSERT INTO pages (url, etag, last_modified, last_fetch, content_hash) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
    last_fetch = excluded.last_fetch, content_hash = excluded.content_hash"""

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Remembered:
    etag: str | None
    last_modified: str | None
    content_hash: str | None


@dataclass(frozen=True, slots=True)
class Unchanged:
    """A page found as it was when last indexed: counted in the summary, not processed again."""

    origin: str
    reason: str  # "304 Not Modified" or "same content"


def body_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class FetchState:
    """One run's view of the state file: lookups while fetching, writes of confirmed pages at the end."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / FILE
        self._lock = threading.Lock()  # fetch threads share the one connection
        self._pending: dict[str, tuple[str, str | None, str | None, str, str | None]] = {}
        self._unchanged: dict[str, tuple[str, str | None, str | None, str, str | None]] = {}
        self._conn = self._open()

    @classmethod
    def for_run(cls, settings: Settings) -> FetchState:
        return cls(settings.state_folder)

    def lookup(self, url: str) -> Remembered | None:
        if self._conn is None:
            return None
        with self._lock:
            try:
                row = self._conn.execute("SELECT etag, last_modified, content_hash FROM pages WHERE url = ?",
                                         (url,)).fetchone()
            except sqlite3.Error as err:
                self._give_up(f"cannot be read ({err})")
                return None
        return Remembered(*row) if row else None

    def remember(self, url: str, etag: str | None, last_modified: str | None, content_hash: str | None,
                 *, unchanged: bool = False) -> None:
        """Note what was fetched; it is written only if ``confirm`` names ``url`` later (an unchanged
        page is written by any ``confirm``: it is still what was indexed before)."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            (self._unchanged if unchanged else self._pending)[url] = (url, etag, last_modified, now, content_hash)

    def confirm(self, urls: Iterable[str]) -> None:
        """Write the entries of these URLs (pages indexed) and of the unchanged ones, in one transaction."""
        with self._lock:
            rows = [self._pending.pop(url) for url in urls if url in self._pending] + list(self._unchanged.values())
            self._unchanged.clear()
            if not rows or self._conn is None:
                return
            try:
                with self._conn:
                    self._conn.executemany(_UPSERT, rows)
            except sqlite3.Error as err:
                self._give_up(f"cannot be written ({err}); the next run fetches {len(rows)} page(s) whole")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _open(self) -> sqlite3.Connection | None:
        return open_state(self.path, _SCHEMA, "SELECT count(*) FROM pages", "fetch state", log)

    def _give_up(self, why: str) -> None:
        log.warning("fetch state %s %s; the rest of this run remembers nothing", self.path, why)
        try:
            self._conn.close()
        except sqlite3.Error:
            pass
        self._conn = None

