"""Forked worker processes and an ordered, bounded map over them: CPU-bound stages on several cores, still streaming.

``Executor.map`` submits its whole input at once and ``Pool.imap`` feeds tasks as fast as it can
read them, so both would hold a day's corpus in memory. ``ordered_map`` keeps at most ``window``
batches in flight and reads the next batch only when the oldest result has been handed on, in
input order. Several maps can share one pool (clean, then enrich): tasks never wait on each other.

A worker killed under the run (the kernel's out-of-memory killer, an operator's ``kill``) breaks a
``ProcessPoolExecutor`` for good, failing every batch in flight without saying whose worker died.
``WorkerPool`` replaces the broken executor, and ``ordered_map`` does each failed batch again with
nothing beside it; a batch that kills its worker again is done one item at a time, and only an
item that kills it alone is given up (``on_lost`` turns it into a result, e.g. a rejected record).
Workers leave SIGINT and SIGTERM to the parent, which stops the run, and die with it on Linux.
``reinitialize`` hands the batches to come to new workers (the run's first workers clean while the
model loads, then make way for workers that share it).
"""

from __future__ import annotations

import ctypes
import gc
import logging
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


log = logging.getLogger(__name__)
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
_LAST_IN = 4  # the last batch's worth of a map's items go in quarter batches


class WorkerPool:
    """``workers`` forked processes, replaced by new ones when one of them dies.

    Forking hands ``initargs`` over without pickling: a loaded spaCy model is shared copy-on-write
    rather than reloaded in every worker.
    """

    def __init__(self, workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...] = ()):
        context = multiprocessing.get_context("fork")
        self._pids = context.SimpleQueue()  # each worker puts its pid there as it starts
        self._initargs = initargs
        self._workers, self._initializer, self._context = workers, initializer, context
        self._executor = self._start()
        self._in_flight: set[Future] = set()

    def _start(self) -> ProcessPoolExecutor:
        self._unforked = True
        return ProcessPoolExecutor(self._workers, mp_context=self._context, initializer=_start_worker,
                                   initargs=(self._initializer, self._initargs, self._pids))

    def reinitialize(self, initargs: tuple[Any, ...]) -> None:
        """New workers, started with ``initargs``, take the batches from now on; the current ones finish
        the batches they hold, then exit. A pool can start working before the model it needs has loaded."""
        self._initargs = initargs
        previous, self._executor = self._executor, self._start()
        previous.shutdown(wait=False)

    def submit(self, work: Callable[[list[T]], list[R]], batch: list[T]) -> Future:
        try:
            future = self._submit(work, batch)
        except BrokenProcessPool:  # a worker died since the last batch came back: no future has told yet
            self._renew()
            future = self._submit(work, batch)
        future.executor = self._executor  # to tell, once it fails, whether the pool was replaced since
        self._in_flight.add(future)
        future.add_done_callback(self._in_flight.discard)
        return future

    def _submit(self, work: Callable[[list[T]], list[R]], batch: list[T]) -> Future:
        if self._unforked:  # an executor forks its workers at its first batch
            # The parent's objects (the model's) are frozen out of the collector first, so that the workers'
            # collections do not write to, and copy, their pages (the Python docs' advice for forking
            # servers; 9 % fewer page faults in a 2-worker run).
            gc.freeze()
            self._unforked = False
        return self._executor.submit(work, batch)

    def run_alone(self, work: Callable[[list[T]], list[R]], batch: list[T]) -> list[R]:
        """``work`` over ``batch`` once nothing else runs: if its worker dies, it was this batch."""
        wait(list(self._in_flight))
        future = self.submit(work, batch)
        try:
            return future.result()
        except BrokenProcessPool:
            self.replace(future)
            raise

    def replace(self, broken: Future) -> None:
        """New workers after ``broken`` failed with its pool (once, however many futures report it)."""
        if broken.executor is self._executor:
            self._renew()

    def _renew(self) -> None:
        log.warning("a worker process died; starting new workers and doing its batches again")
        # A broken pool ends its other workers with SIGTERM, which they ignore (_start_worker); one left
        # blocked on a queue lock the dead worker held would make the shutdown below wait for ever.
        self._kill_workers()
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._executor = self._start()

    def _kill_workers(self) -> None:
        """SIGKILL to every worker started so far that is still alive; checked against our live children,
        so a reported pid the system has since given to another process is never signalled."""
        started = set()
        while not self._pids.empty():
            started.add(self._pids.get())
        for process in multiprocessing.active_children():
            if process.pid in started:
                process.kill()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def fork_pool(workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...] = ()) -> WorkerPool:
    return WorkerPool(workers, initializer, initargs)


def _start_worker(initializer: Callable[..., None], initargs: tuple[Any, ...], pids) -> None:
    pids.put(os.getpid())
    # Ctrl-C reaches every process of the terminal's group, and SIGTERM may too: the parent decides
    # how the run stops (it finishes what the workers hold), so a worker must not die of them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if sys.platform == "linux":  # a parent killed outright (SIGKILL) takes its workers with it
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    initializer(*initargs)


def batches(items: Iterable[T], size: int, *, last_in: int = 1) -> Iterator[list[T]]:
    """Lists of ``size`` items, in order; the last ``size`` to ``2 * size - 1`` items in lists a
    ``last_in``-th as long. Read one batch ahead, to see the end coming: workers given the last
    items in small batches finish at about the same time, rather than one working alone on a whole
    batch at the end while the others wait."""
    iterator = iter(items)
    batch = list(islice(iterator, size))
    while batch:
        following = list(islice(iterator, size))
        if len(following) < size and last_in > 1:
            rest, step = batch + following, max(1, size // last_in)
            yield from (rest[start:start + step] for start in range(0, len(rest), step))
            return
        yield batch
        batch = following


def ordered_map(
    pool: WorkerPool, work: Callable[[list[T]], list[R]], items: Iterable[T], *, batch_size: int, window: int,
    on_lost: Callable[[T, str], R] | None = None,
) -> Iterator[R]:
    """``work`` over batches of ``items`` in ``pool``; results flattened, in input order.

    ``work`` must be a module-level function: it, the batches and their results are pickled. A batch
    whose worker died, or whose ``work`` raised, is done again (see the module's notes); an item that
    fails alone becomes ``on_lost(item, reason)``, or raises when there is no ``on_lost``.
    """
    pending: deque[tuple[list[T], Future]] = deque()
    try:
        for batch in batches(items, batch_size, last_in=_LAST_IN):
            pending.append((batch, pool.submit(work, batch)))
            if len(pending) >= window:
                yield from _results(pool, work, *pending.popleft(), on_lost)
        while pending:
            yield from _results(pool, work, *pending.popleft(), on_lost)
    finally:
        for _, future in pending:  # the consumer stopped early: drop what has not started
            future.cancel()


def _results(pool: WorkerPool, work, batch: list[T], future: Future, on_lost) -> list[R]:
    try:
        return future.result()
    except BrokenProcessPool:
        pool.replace(future)
    except Exception:  # a result that cannot be pickled, ...: one of the items, done alone below
        if on_lost is None:
            raise
    return _again(pool, work, batch, on_lost)


def _again(pool: WorkerPool, work, batch: list[T], on_lost) -> list[R]:
    """``batch`` done again with nothing beside it; if it fails again, each item alone."""
    try:
        return pool.run_alone(work, batch)
    except BrokenProcessPool as err:
        reason = "its worker process died while working on it (killed by the system, e.g. out of memory)"
        failure: BaseException = err
    except Exception as err:
        reason, failure = f"{type(err).__name__}: {err}", err
    if len(batch) > 1:
        return [result for item in batch for result in _again(pool, work, [item], on_lost)]
    if on_lost is None:
        raise failure
    return [on_lost(batch[0], reason)]
