"""Tables a process builds at start-up from package data, kept on disk so the next process reads them.

The language identifier's model (an LZMA file, 0.6 s to unpack) and the gazetteer's tables (a
package's JSON of 30,000 cities, about a second to read and index) are the same in every run; a
pickle of what was built loads in a tenth of the time. A cache file is named by what it was built
from: the packages' versions given by the caller and the source of the module that builds it, so
an upgrade or an edit of the code builds it afresh. It is only ever written by this project in a
folder of the user's (setting ``cache_dir``), so it is trusted as the code is. A cache that cannot
be read is built again; one that cannot be written is skipped, with a debug line: a cache never
fails a run.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


def cached(folder: Path | None, name: str, build: Callable[[], T], *versions: str) -> T:
    """``build()``, or what an earlier call with the same ``name``, ``versions`` and builder source
    kept in ``folder`` (None: no cache)."""
    if folder is None:
        return build()
    path = Path(folder) / f"{name}-{_key(build, versions)}.pickle"
    try:
        with path.open("rb") as f:
            return pickle.load(f)
    except FileNotFoundError:
        pass
    except Exception as err:  # a truncated or foreign file: built again and replaced
        log.debug("cache %s unreadable (%s), building it again", path, err)
    value = build()
    _write(path, value)
    return value


def _key(build: Callable, versions: tuple[str, ...]) -> str:
    source = Path(sys.modules[build.__module__].__file__).read_bytes()
    digest = hashlib.sha256(source)
    for part in (build.__qualname__, *versions, f"python {sys.version_info[:2]}"):
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()[:16]


def _write(path: Path, value: object) -> None:
    """Written whole or not at all (a process reading meanwhile sees the old file or none); the
    files of earlier versions go."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as err:
        log.debug("cache %s not written: %s", path, err)
        return
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError as err:
        log.debug("cache %s not written: %s", path, err)
        Path(temporary).unlink(missing_ok=True)
        return
    name = path.name.rsplit("-", 1)[0]
    for old in path.parent.glob(f"{name}-*.pickle"):
        if old != path and "-" not in old.stem[len(name) + 1:]:  # not another name's file
            old.unlink(missing_ok=True)
