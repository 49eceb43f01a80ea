"""Rust panics inside Tantivy, said once, in the caller's words.

A panic in the Rust engine (a damaged index file read out of bounds) reaches Python as pyo3's
``PanicException``, a BaseException that the caller turns into a one-line error; but Rust's panic
hook first prints ``thread '<unnamed>' panicked at ...`` and a backtrace hint straight to file
descriptor 2. ``held_panic_output`` holds fd 2 while Tantivy reads and gives back everything
written there except those panic lines, so stderr carries only the one-line error.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_PANIC = re.compile(r"^thread '.*' (?:\(\d+\) )?panicked at .*$")
_HINT = re.compile(r"^note: run with `RUST_BACKTRACE=1`")

_lock = threading.Lock()
_holders = 0
_saved: int | None = None
_held = None


def is_panic(err: BaseException) -> bool:
    return type(err).__name__ == "PanicException"


@contextmanager
def held_panic_output() -> Iterator[None]:
    """Within the block, fd 2 goes to a private file; at its end what is not a panic report is written back.

    Reentrant and shared between threads: fd 2 is the process's, so the first holder redirects it
    and the last one restores it (other output in that window is delayed, never lost).
    """
    global _holders, _saved, _held
    with _lock:
        if _holders == 0:
            try:
                sys.stderr.flush()
                _held = tempfile.TemporaryFile()
                _saved = os.dup(2)
                os.dup2(_held.fileno(), 2)
            except (OSError, ValueError):  # no fd 2 to hold (a closed stderr): let the hook print, if it can
                _held, _saved = None, None
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _saved is not None and _held is not None:
                try:
                    sys.stderr.flush()
                except (OSError, ValueError):
                    pass
                os.dup2(_saved, 2)
                os.close(_saved)
                _held.seek(0)
                kept = _without_panics(_held.read().decode("utf-8", "replace"))
                _held.close()
                _saved, _held = None, None
                if kept:
                    os.write(2, kept.encode())


def _without_panics(text: str) -> str:
    lines = text.splitlines(keepends=True)
    kept, skip_next = [], False
    for line in lines:
        if skip_next:  # the panic's message, on the line after "panicked at"
            skip_next = False
            continue
        if _PANIC.match(line.rstrip("\n")):
            skip_next = True
            continue
        if _HINT.match(line):
            continue
        kept.append(line)
    return "".join(kept)
