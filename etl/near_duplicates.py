"""Near-copies across runs: a story republished with an edit is indexed, and says whose copy it is.

Each article's body is normalised (lower-cased words), cut into shingles of ``SHINGLE_WORDS``
words, and summarised by a MinHash signature; an LSH index (``datasketch``) finds the stored
articles whose signatures are close, and those whose estimated Jaccard similarity reaches
``settings.near_duplicate_threshold`` (0.8 by default) are copies. The article gets
``duplicate_of`` = the earliest of them (the copy of a copy points at the original), and is still
indexed; ``search --unique`` hides it.

The signatures live in SQLite (``near_duplicates.sqlite3``, in the fetch state's folder,
``settings.state_folder``), so later runs compare with earlier ones; within a run, every article
admitted is compared with the ones before it. Only articles that landed in the index are written
(``confirm``), as the fetch state does. As with the fetch state, a file that cannot be used is a
warning and a run that remembers less (only its own articles), never a failed run.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH

from etl.records import Article
from etl.settings import Settings
from etl.state_store import open_state

FILE = "near_duplicates.sqlite3"
NUM_PERM = 128  # hash functions per signature: 1 KiB each; the estimate's error is about 0.035 at 0.8
SHINGLE_WORDS = 5
SEED = 1  # the same hash functions in every run, so signatures compare across runs
SCHEME, DTYPE = "affine32", np.uint32  # datasketch's hashing scheme, named so stored values are read as such
_WORD = re.compile(r"\w+")
_SCHEMA = """CREATE TABLE IF NOT EXISTS signatures (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, duplicate_of TEXT, hashvalues BLOB NOT NULL)"""
_UPSERT = """INSERT INTO signatures (id, seq, duplicate_of, hashvalues) VALUES (?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET duplicate_of = excluded.duplicate_of, hashvalues = excluded.hashvalues"""

log = logging.getLogger(__name__)


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The body's runs of ``size`` words, lower-cased (punctuation and spacing ignored)."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words)}
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


def signature(text: str) -> MinHash:
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    minhash.update_batch([shingle.encode("utf-8") for shingle in shingles(text)])
    return minhash


class NearDuplicates:
    """The signatures of indexed articles (and of this run's), and the judge of the next article."""

    def __init__(self, folder: Path | None, threshold: float = 0.8):
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"setting near_duplicate_threshold: expected a number in (0, 1], got {threshold}")
        self.threshold = threshold
        self.path = None if folder is None else Path(folder) / FILE
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._known: dict[str, tuple[int, str | None, MinHash]] = {}  # id -> (order, duplicate_of, signature)
        self._pending: dict[str, tuple[int, str | None, MinHash]] = {}  # this run's, until confirmed
        self._next = 1  # the order of the next new article
        self._conn = self._open()

    @classmethod
    def for_run(cls, settings: Settings) -> NearDuplicates:
        return cls(settings.state_folder, settings.near_duplicate_threshold)

    def admit(self, article: Article) -> str | None:
        """The id of the earliest article this one is a near-copy of, or None; either way it is remembered."""
        minhash = signature(article.body)
        original, first = None, None
        for candidate in self._lsh.query(minhash):
            if candidate == article.id:
                continue
            seq, root, stored = self._known[candidate]
            root = root or candidate
            if root == article.id or stored.jaccard(minhash) < self.threshold:
                continue
            order = self._known[root][0] if root in self._known else seq
            if first is None or order < first:
                original, first = root, order
        previous = self._known.get(article.id)
        if previous is not None:  # the same article again (a re-run): its new text replaces the old
            self._lsh.remove(article.id)
        seq = previous[0] if previous is not None else self._next
        self._next = max(self._next, seq + 1)
        self._lsh.insert(article.id, minhash)
        self._known[article.id] = self._pending[article.id] = (seq, original, minhash)
        return original

    def confirm(self, ids: Iterable[str]) -> None:
        """Keep the signatures of these articles (the ones that landed in the index) for later runs."""
        rows = [(i, *self._pending[i][:2], self._pending[i][2].hashvalues.astype(DTYPE).tobytes())
                for i in dict.fromkeys(ids) if i in self._pending]
        self._pending.clear()
        if self._conn is None or not rows:
            return
        try:
            with self._conn:
                self._conn.executemany(_UPSERT, rows)
        except sqlite3.Error as err:
            log.warning("near-duplicate state %s: could not be written (%s); this run's articles are not remembered",
                        self.path, err)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _open(self) -> sqlite3.Connection | None:
        if self.path is None:
            return None
        conn = open_state(self.path, _SCHEMA, "SELECT count(*) FROM signatures", "near-duplicate state", log)
        if conn is None:
            return None
        try:
            rows = conn.execute("SELECT id, seq, duplicate_of, hashvalues FROM signatures ORDER BY seq").fetchall()
        except sqlite3.Error as err:
            log.warning("near-duplicate state %s: cannot be used (%s); this run compares its own articles only",
                        self.path, err)
            conn.close()
            return None
        with self._lsh.insertion_session() as session:
            for doc_id, seq, duplicate_of, hashvalues in rows:
                minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME,
                                  hashvalues=np.frombuffer(hashvalues, dtype=DTYPE))
                session.insert(doc_id, minhash)
                self._known[doc_id] = (seq, duplicate_of, minhash)
                self._next = max(self._next, seq + 1)
        return conn
