"""What one document may cost the cleaner: a time budget (``clean_budget``) and a body length
(``max_body_chars``).

The budget is a real-time alarm (SIGALRM) where the cleaner runs in a process's main thread, as
the CLI, the DAG's tasks and the pool's workers do: extraction is Python code over lxml, so the
alarm stops it mid-page. It raises ``OverBudget``, a BaseException, because extractors catch
``Exception`` broadly and would swallow a timeout. Elsewhere (a thread) signals cannot be used,
and the budget is only checked when cleaning ends.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)


class OverBudget(BaseException):
    """The document's clean time ran out."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise ``OverBudget`` in the block once ``seconds`` have passed (0 or less: no budget)."""
    if seconds <= 0:
        yield
        return
    started = time.monotonic()
    if not _can_alarm():
        yield
        if time.monotonic() - started > seconds:
            raise OverBudget()
        return
    previous = signal.signal(signal.SIGALRM, _ring)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # someone else's alarm was pending: give it back what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 0.001))


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _ring(signum, frame) -> None:
    raise OverBudget()


def cap_body(body: str, max_chars: int, origin: str) -> str:
    """``body`` cut to at most ``max_chars`` characters at the last paragraph end (else word end)
    before the cap, with a warning naming ``origin``: a body past this costs spaCy gigabytes."""
    if len(body) <= max_chars:
        return body
    head = body[:max_chars]
    for boundary in ("\n\n", " "):
        cut = head.rfind(boundary)
        if cut > max_chars // 2:
            head = head[:cut]
            break
    head = head.rstrip()
    log.warning("%s: body cut from %d to %d characters (max_body_chars)", origin, len(body), len(head))
    return head
