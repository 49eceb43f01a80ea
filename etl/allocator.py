"""glibc's malloc told to keep, rather than hand back and fault in again, the memory of each spaCy batch.

A batch's arrays are freed when it is done and allocated again for the next. With glibc's defaults the
free top of a heap beyond 128 KB goes back to the system and blocks over its (moving) mmap threshold are
mapped afresh, so every batch faults its pages in again: over the 401 pages of the benchmark's large run,
420,000 page faults and 2.9 s of system CPU in one process (7 % of its CPU), 630,000 and 4.4 s with two
workers. With a heap that keeps 256 MB of free top, pads by 64 MB and maps only blocks over 64 MB:
120,000 and 1.0 s, 300,000 and 1.9 s, for 10 MB more peak memory in one process and 10 MB less with
two workers. ``release_freed_memory`` (the embedded index's, after each commit) still hands back what
is free. Only glibc has ``mallopt``; elsewhere this does nothing.
"""

from __future__ import annotations

import ctypes

_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3  # malloc.h
_SETTINGS = {_M_TRIM_THRESHOLD: 256 << 20, _M_TOP_PAD: 64 << 20, _M_MMAP_THRESHOLD: 64 << 20}


def keep_batch_memory() -> None:
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own C library
    except (OSError, AttributeError):  # no mallopt (macOS): the system's defaults stay
        return
    for option, value in _SETTINGS.items():
        mallopt(option, value)
