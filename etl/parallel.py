"""Forked worker processes and an ordered, bounded map over them: CPU-bound stages on several cores, still streaming.

``Executor.map`` submits its whole input at once and ``Pool.imap`` feeds tasks as fast as it can
read them, so both would hold a day's corpus in memory. ``ordered_map`` keeps at most ``window``
batches in flight and reads the next batch only when the oldest result has been handed on, in
input order. Several maps can share one pool (clean, then enrich): tasks never wait on each other.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def fork_pool(workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...] = ()) -> ProcessPoolExecutor:
    """``workers`` forked processes. Forking hands ``initargs`` over without pickling: a loaded spaCy
    model is shared copy-on-write rather than reloaded in every worker."""
    return ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=initializer, initargs=initargs
    )


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def ordered_map(
    pool: Executor, work: Callable[[list[T]], list[R]], items: Iterable[T], *, batch_size: int, window: int
) -> Iterator[R]:
    """``work`` over batches of ``items`` in ``pool``; results flattened, in input order.

    ``work`` must be a module-level function: it, the batches and their results are pickled.
    """
    pending: deque = deque()
    try:
        for batch in batches(items, batch_size):
            pending.append(pool.submit(work, batch))
            if len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        for future in pending:  # the consumer stopped early: drop what has not started
            future.cancel()
