"""The registry of the embedded sink: a SQLite file inside the index folder, beside the Tantivy indexes.

One row per (label, key, full name, day, article): an article seen again adds nothing, so a re-run
writes no new rows. A lookup reads at most ``EVIDENCE`` articles per name and day, what deciding needs. Opened like the run's other state files (``etl.state_store``): a file
that cannot be used is a warning and a run that resolves only against its own names.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from etl.index.registry.names import EVIDENCE, FullName
from etl.index.registry.registry import Row, Seen
from etl.state_store import open_state

FILE = "entity_registry.sqlite3"
_SCHEMA = """CREATE TABLE IF NOT EXISTS full_names (
    label TEXT NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL, day TEXT NOT NULL, article TEXT NOT NULL,
    PRIMARY KEY (label, key, name, day, article)) WITHOUT ROWID"""
_LOOKUP = """SELECT key, name, day, article FROM (
    SELECT key, name, day, article, row_number() OVER (PARTITION BY key, name, day) AS n
    FROM full_names WHERE label = ? AND key IN ({keys})) WHERE n <= ?"""
_PROBE = "SELECT label, key, name, day, article FROM full_names LIMIT 1"  # the columns it reads: another layout is unusable
_BATCH = 500  # keys per lookup query (SQLite's default limit is 999 parameters)

log = logging.getLogger(__name__)


class SqliteNameStore:
    def __init__(self, folder: Path):
        self.path = Path(folder) / FILE
        self._conn = open_state(self.path, _SCHEMA, _PROBE, "entity registry", log)

    def lookup(self, label: str, keys: Iterable[str]) -> dict[str, Seen]:
        found: dict[str, Seen] = {}
        if self._conn is None:
            return found
        keys = list(keys)
        try:
            for start in range(0, len(keys), _BATCH):
                part = keys[start:start + _BATCH]
                rows = self._conn.execute(_LOOKUP.format(keys=",".join("?" * len(part))), [label, *part, EVIDENCE])
                for key, name, day, article in rows:
                    found.setdefault(key, {}).setdefault(FullName(label, name, day), set()).add(article)
        except sqlite3.Error as err:  # a file damaged under the run: names stay as written, the run goes on
            log.warning("entity registry %s: could not be read (%s); names stay as the articles write them",
                        self.path, err)
            return {}
        return found

    def add(self, rows: Iterable[Row]) -> list[Row]:
        """Store these (key, name, article) rows; returns the ones that were not there yet."""
        if self._conn is None:
            return []
        new = []
        try:
            with self._conn:
                for key, full, article in rows:
                    cursor = self._conn.execute("INSERT OR IGNORE INTO full_names VALUES (?, ?, ?, ?, ?)",
                                                (full.label, key, full.name, full.day, article))
                    if cursor.rowcount:
                        new.append((key, full, article))
        except sqlite3.Error as err:
            log.warning("entity registry %s: could not be written (%s); this run's names are not remembered",
                        self.path, err)
            return []
        return new

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
