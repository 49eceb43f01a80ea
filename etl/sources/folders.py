"""Walking source and drop folders: each real folder once, special files named for rejection.

Links are followed (a folder of links to the day's files is a normal way to drop them), so a
link back up the tree would make the walk endless, and two such links make it branch without end.
The walk remembers every folder it entered by device and inode and enters none twice. FIFOs,
sockets and devices are listed like files: the reader rejects them without opening them
(``special_kind``), since opening a FIFO blocks until someone writes to it and a device never ends.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

_SPECIAL = {
    stat.S_IFIFO: "FIFO",
    stat.S_IFSOCK: "socket",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
}


def walk(folder: Path) -> Iterator[Path]:
    """Entries under ``folder`` that are not folders, depth first in sorted order, hidden ones skipped
    (``folder`` itself when it is not one).

    Iterative (a tree thousands of levels deep is no recursion error) and streaming: only the
    entries of the folders on the current path are held. A folder that cannot be listed
    (permission denied, a path too long to name) is yielded like a file: reading it fails again,
    and its rejected record says why; the walk goes on.
    """
    seen: set[tuple[int, int]] = set()
    stack: list[Iterator[Path]] = [iter([folder])]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
        elif entry.name.startswith(".") and len(stack) > 1:
            continue
        elif is_folder(entry) and (entries := _entries(entry, seen)) is not None:
            stack.append(entries)
        else:  # files, special files, broken links, unlistable folders: each a record, none a silent gap
            yield entry


def is_folder(path: Path) -> bool:
    """Whether ``path`` is a folder (links followed); False when it cannot even be looked at."""
    try:
        return path.is_dir()
    except OSError:  # a path too long to name, ...: not listable, so read (and rejected) as a file
        return False


def _entries(folder: Path, seen: set[tuple[int, int]]) -> Iterator[Path] | None:
    """The folder's entries, sorted; none for a folder seen before; None when it cannot be listed."""
    try:
        info = folder.stat()
        if (info.st_dev, info.st_ino) in seen:
            return iter(())
        entries = sorted(folder.iterdir())
    except OSError:
        return None
    seen.add((info.st_dev, info.st_ino))
    return iter(entries)


def special_kind(path: Path) -> str | None:
    """"FIFO", "socket", "character device" or "block device" for such a file (links followed), else None."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return _SPECIAL.get(stat.S_IFMT(mode))
