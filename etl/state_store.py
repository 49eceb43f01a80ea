"""The SQLite files a run keeps beside the index (the fetch state, the near-duplicate signatures):
opened so that no state problem ever stops a run. Also the private database a run keeps what it
has seen in, so that its memory does not grow with its length.

Locked past ``TIMEOUT``, read-only or not creatable: one warning, and the run goes on without it.
Unreadable (not a database, a damaged image): one warning, the file is kept as ``<name>.corrupt``
and a fresh one started, so the next runs remember again.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

TIMEOUT = 30.0  # seconds a run waits for another run's lock on the file


def open_state(path: Path, schema: str, probe: str, what: str, log: logging.Logger) -> sqlite3.Connection | None:
    """``path`` with ``schema`` applied and ``probe`` (a query) run, so a damaged file says so here,
    not mid-run; None when the run must do without it. ``what`` names it in the warnings."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return _connect(path, schema, probe)
    except sqlite3.OperationalError as err:  # locked past TIMEOUT, read-only, cannot be opened
        if "locked" in str(err) or "readonly" in str(err) or "unable to open" in str(err):
            log.warning("%s %s %s; this run remembers nothing", what, path, err)
            return None
        return _start_fresh(path, schema, probe, what, log, err)
    except sqlite3.DatabaseError as err:  # "file is not a database", "database disk image is malformed"
        return _start_fresh(path, schema, probe, what, log, err)
    except OSError as err:
        log.warning("%s %s cannot be created (%s); this run remembers nothing", what, path, err)
        return None


def _start_fresh(path: Path, schema: str, probe: str, what: str, log: logging.Logger,
                 err: Exception) -> sqlite3.Connection | None:
    aside = path.with_name(path.name + ".corrupt")
    log.warning("%s %s is unreadable (%s): starting fresh, the old file kept as %s", what, path, err, aside.name)
    try:
        os.replace(path, aside)
        for suffix in ("-journal", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return _connect(path, schema, probe)
    except (OSError, sqlite3.Error) as again:
        log.warning("%s %s could not be started afresh (%s); this run remembers nothing", what, path, again)
        return None


def _connect(path: Path, schema: str, probe: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=TIMEOUT, check_same_thread=False)
    try:
        conn.execute(schema)
        conn.commit()
        conn.execute(probe).fetchone()
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def private_database(schema: str = "", isolation_level: str | None = "") -> sqlite3.Connection:
    """A database only this connection sees, with ``schema`` applied: on disk, not in memory, so a
    run of millions of articles holds no more than a run of ten, and deleted on close. Nothing in
    it outlives a crash, so it keeps no journal and never syncs."""
    conn = sqlite3.connect("", isolation_level=isolation_level, check_same_thread=False)
    conn.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE;" + schema)
    return conn
