"""Near-copies across runs: a story republished with an edit is indexed, and says whose copy it is.

Each article's body is normalised (lower-cased words), cut into shingles of ``SHINGLE_WORDS``
words, and summarised by a MinHash signature (``datasketch``). Locality-sensitive hashing finds the
stored articles whose signatures are close: the signature is cut into bands (datasketch's choice for
the threshold), and an article sharing a whole band with the new one is a candidate. Those whose
estimated Jaccard similarity reaches ``settings.near_duplicate_threshold`` (0.8 by default) are
copies. The article gets ``duplicate_of`` = the earliest of them (the copy of a copy points at the
original), and is still indexed; ``search --unique`` hides it.

The signatures and their band keys live in SQLite (``near_duplicates.sqlite3``, in the fetch
state's folder, ``settings.state_folder``), indexed by key, and each article queries them: memory
stays flat however many articles the index holds. Later runs compare with earlier ones; within a
run, every article admitted is compared with the ones before it, kept in temporary tables of the
connection until ``confirm`` writes those that landed in the index, as the fetch state does. As with
the fetch state, a file that cannot be used is a warning and a run that remembers less (only its
own articles, in a private temporary database), never a failed run.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH

from etl.records import Article
from etl.settings import Settings
from etl.state_store import open_state, private_database

FILE = "near_duplicates.sqlite3"
NUM_PERM = 128  # hash functions per signature: 1 KiB each; the estimate's error is about 0.035 at 0.8
SHINGLE_WORDS = 5
SEED = 1  # the same hash functions in every run, so signatures compare across runs
SCHEME, DTYPE = "affine32", np.uint32  # datasketch's hashing scheme, named so stored values are read as such
VERSION = 1  # PRAGMA user_version: 1 = band keys stored beside the signatures (0: signatures only, loaded whole)
_WORD = re.compile(r"\w+")
_SIGNATURES = """CREATE TABLE IF NOT EXISTS {db}signatures (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, duplicate_of TEXT, hashvalues BLOB NOT NULL)"""
_BANDS = "CREATE TABLE IF NOT EXISTS {db}bands (key INTEGER NOT NULL, id TEXT NOT NULL, PRIMARY KEY (key, id)) WITHOUT ROWID"
_UPSERT = """INSERT INTO main.signatures (id, seq, duplicate_of, hashvalues)
    SELECT id, seq, duplicate_of, hashvalues FROM temp.signatures WHERE id IN (SELECT id FROM temp.landed)
    ON CONFLICT(id) DO UPDATE SET duplicate_of = excluded.duplicate_of, hashvalues = excluded.hashvalues"""
# This run's version of an article (temp) hides the stored one: a re-run's new text replaces the old.
_CANDIDATES = """SELECT id, seq, duplicate_of, hashvalues FROM temp.signatures
    WHERE id IN (SELECT id FROM temp.bands WHERE key IN ({keys}))
    UNION ALL SELECT id, seq, duplicate_of, hashvalues FROM main.signatures
    WHERE id IN (SELECT id FROM main.bands WHERE key IN ({keys})) AND id NOT IN (SELECT id FROM temp.signatures)"""
_RECORD = """SELECT seq, duplicate_of, hashvalues FROM temp.signatures WHERE id = :id
    UNION ALL SELECT seq, duplicate_of, hashvalues FROM main.signatures WHERE id = :id LIMIT 1"""

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
        # The bands datasketch's LSH would use at this threshold: the same candidates as its index.
        self._bands = MinHashLSH(threshold=threshold, num_perm=NUM_PERM).hashranges
        self._conn = self._open()
        self._next = 1 + (self._conn.execute("SELECT max(seq) FROM main.signatures").fetchone()[0] or 0)

    @classmethod
    def for_run(cls, settings: Settings) -> NearDuplicates:
        return cls(settings.state_folder, settings.near_duplicate_threshold)

    def admit(self, article: Article) -> str | None:
        """The id of the earliest article this one is a near-copy of, or None; either way it is remembered."""
        values = signature(article.body).hashvalues.astype(DTYPE)
        keys = self._keys(values)
        marks = ",".join("?" * len(keys))
        original, first = None, None
        for candidate, seq, root, stored in self._conn.execute(_CANDIDATES.format(keys=marks), keys + keys):
            if candidate == article.id:
                continue
            root = root or candidate
            if root == article.id or _similarity(stored, values) < self.threshold:
                continue
            found = self._record(root)
            order = found[0] if found is not None else seq
            if first is None or order < first:
                original, first = root, order
        previous = self._record(article.id)
        seq = previous[0] if previous is not None else self._next
        self._next = max(self._next, seq + 1)
        with self._conn:
            if previous is not None:  # the same article again: its new text replaces an earlier one of this run
                self._conn.executemany("DELETE FROM temp.bands WHERE key = ? AND id = ?",
                                       ((key, article.id) for key in self._keys(np.frombuffer(previous[2], DTYPE))))
            self._conn.execute("INSERT OR REPLACE INTO temp.signatures VALUES (?, ?, ?, ?)",
                               (article.id, seq, original, values.tobytes()))
            self._conn.executemany("INSERT OR IGNORE INTO temp.bands VALUES (?, ?)", ((key, article.id) for key in keys))
        return original

    def confirm(self, ids: Iterable[str]) -> None:
        """Keep the signatures of these articles (the ones that landed in the index) for later runs;
        this run's others are forgotten."""
        conn = self._conn
        try:
            with conn:
                conn.executemany("INSERT OR IGNORE INTO temp.landed VALUES (?)", ((i,) for i in ids))
                replaced = conn.execute("SELECT id, hashvalues FROM main.signatures WHERE id IN "
                                        "(SELECT id FROM temp.landed JOIN temp.signatures USING (id))")
                conn.executemany("DELETE FROM main.bands WHERE key = ? AND id = ?",
                                 ((key, i) for i, old in replaced for key in self._keys(np.frombuffer(old, DTYPE))))
                conn.execute(_UPSERT)
                conn.execute("INSERT OR IGNORE INTO main.bands SELECT key, id FROM temp.bands "
                             "WHERE id IN (SELECT id FROM temp.landed)")
        except sqlite3.Error as err:
            log.warning("near-duplicate state %s: could not be written (%s); this run's articles are not remembered",
                        self.path, err)
        with conn:
            for table in ("landed", "signatures", "bands"):
                conn.execute(f"DELETE FROM temp.{table}")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _keys(self, values: np.ndarray) -> list[int]:
        """One key per band: a 64-bit digest of the band's values and its place (two bands never share a key)."""
        return [int.from_bytes(hashlib.blake2b(values[start:end].tobytes(), digest_size=8, salt=bytes([band])).digest(),
                               "big", signed=True)
                for band, (start, end) in enumerate(self._bands)]

    def _record(self, doc_id: str) -> tuple[int, str | None, bytes] | None:
        """(order, duplicate_of, signature bytes) of an article of this run or a stored one."""
        return self._conn.execute(_RECORD, {"id": doc_id}).fetchone()

    def _open(self) -> sqlite3.Connection:
        conn = None
        if self.path is not None:
            conn = open_state(self.path, _SIGNATURES.format(db=""), "SELECT count(*) FROM signatures",
                              "near-duplicate state", log)
        if conn is not None:
            try:
                self._upgrade(conn)
            except sqlite3.Error as err:
                log.warning("near-duplicate state %s: cannot be used (%s); this run compares its own articles only",
                            self.path, err)
                conn.close()
                conn = None
        if conn is None:
            conn = private_database()
            self._upgrade(conn)
        conn.execute("PRAGMA temp_store = FILE")  # this run's tables spill to disk past SQLite's page cache
        for schema in (_SIGNATURES, _BANDS, "CREATE TABLE {db}landed (id TEXT PRIMARY KEY)"):
            conn.execute(schema.format(db="temp."))
        return conn

    def _upgrade(self, conn: sqlite3.Connection) -> None:
        """The tables, the band keys filled once from the signatures a file of the earlier layout holds."""
        if conn.execute("PRAGMA user_version").fetchone()[0] >= VERSION:
            return
        with conn:
            for schema in (_SIGNATURES, _BANDS):
                conn.execute(schema.format(db="main."))
            count = 0
            for doc_id, hashvalues in conn.execute("SELECT id, hashvalues FROM main.signatures"):  # streamed
                conn.executemany("INSERT OR IGNORE INTO main.bands VALUES (?, ?)",
                                 ((key, doc_id) for key in self._keys(np.frombuffer(hashvalues, DTYPE))))
                count += 1
            conn.execute(f"PRAGMA user_version = {VERSION}")
        if count:
            log.warning("near-duplicate state %s: indexed the LSH bands of its %d signatures (written by an earlier "
                        "version; done once)", self.path, count)


def _similarity(stored: bytes, values: np.ndarray) -> float:
    """The estimated Jaccard similarity of two signatures: the share of hash functions on which they agree."""
    return np.count_nonzero(np.frombuffer(stored, DTYPE) == values) / NUM_PERM
