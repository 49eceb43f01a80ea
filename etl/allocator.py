"""glibc's malloc: memory kept for the next spaCy batch, and memory handed back after an index commit.

``keep_batch_memory``: a batch's arrays are freed when it is done and allocated again for the next.
With glibc's defaults the free top of a heap beyond 128 KB goes back to the system and blocks over its
(moving) mmap threshold are mapped afresh, so every batch faults its pages in again: over the 401 pages
of the benchmark's large run, 421,000 page faults and 2.9 s of system CPU in one process (7 % of its
CPU), 631,000 and 4.4 s with two workers. With a heap that keeps 256 MB of free top, pads by 64 MB and
maps only blocks over 64 MB: 121,000 and 0.8 s in one process, 261,000 and 2.5 s with two workers
(forked after ``gc.freeze()``, ``etl.parallel``), for 10 MB more peak memory in one process.

``release_freed_memory``: the embedded index's writer buffers a segment's postings in 1 MB pages and
frees them when it writes the segment out; glibc keeps them in its heaps, and a run's resident memory
grew by 10-25 MB a commit (10,000 articles, a commit every 2,000: 129 MB anonymous at the end, 83 MB
with this). ``malloc_trim`` returns the free pages of every heap, whatever the settings above.

Only glibc has ``mallopt`` and ``malloc_trim``; elsewhere both do nothing.
"""

from __future__ import annotations

import ctypes

_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3  # malloc.h
_SETTINGS = {_M_TRIM_THRESHOLD: 256 << 20, _M_TOP_PAD: 64 << 20, _M_MMAP_THRESHOLD: 64 << 20}


def _libc(name: str):
    try:
        return getattr(ctypes.CDLL(None), name)  # the process's own C library
    except (OSError, AttributeError):  # not glibc (musl, macOS): the system's defaults stay
        return None


_MALLOPT, _MALLOC_TRIM = _libc("mallopt"), _libc("malloc_trim")


def keep_batch_memory() -> None:
    if _MALLOPT is not None:
        for option, value in _SETTINGS.items():
            _MALLOPT(option, value)


def release_freed_memory() -> None:
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
