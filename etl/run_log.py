"""The bookkeeping of one run: its counts, its rejects and duplicates, how it ended.

``news-etl run`` (``etl.pipeline.run``) and the DAG's steps (``etl.staging``) open one the same
way, ``with RunLog(settings.reject_folder) as run_log:``, and the stages report to it as they go:
each input read (``admit``), each rejected (``reject``), what the sink took (``landed``). Its files
are the run's, not the sink's: ``rejected.jsonl`` and ``duplicates.jsonl`` in the run's folder, and
a line per finished run in ``runs.jsonl`` there (``news-etl stats`` shows the last one).

While it is open, SIGTERM (what Airflow and Kubernetes send) and SIGINT (Ctrl-C) ask the run to
stop: no new input is taken (``until_stopped``), what is in hand is finished and committed, and
``summary.stopped_by`` names the signal. A second signal stops at once, as if none had been caught.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from etl.dedup import Deduplicator, DuplicateLog
from etl.jsonl_log import JsonLinesLog
from etl.records import Article, Rejected, now_iso
from etl.sources.fetch_state import Unchanged

REJECTED_FILE = "rejected.jsonl"
RUNS_FILE = "runs.jsonl"  # one summary line per finished run, for `news-etl stats`
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(slots=True)
class RunSummary:
    read: int = 0
    indexed: int = 0
    rejected: int = 0
    duplicates: int = 0
    unchanged: int = 0  # pages fetched before and found the same (304, or the same body): not processed again
    conflicts: int = 0  # articles that claimed an id another story of the run had; indexed under their content id
    recanonicalized: int = 0  # indexed articles the entity registry rewrote with full names this run brought
    not_enriched: Counter = field(default_factory=Counter)  # language -> articles indexed without entities and quotes
    seconds: float = 0.0
    reasons: Counter = field(default_factory=Counter)  # "stage: reason" -> count
    duplicate_ids: list[str] = field(default_factory=list)
    stopped_by: str | None = None  # "SIGTERM", "SIGINT": the signal that stopped the run before its end

    @property
    def docs_per_s(self) -> float:
        return round(self.read / self.seconds, 2) if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["seconds"] = round(self.seconds, 3)
        out["docs_per_s"] = self.docs_per_s
        out["reasons"] = dict(self.reasons.most_common())
        out["not_enriched"] = dict(self.not_enriched.most_common())
        return out


class StoppedBySignal(Exception):
    """A scheduled step stopped by a signal: what it finished is kept, and a retry does the rest."""


class RejectLog(JsonLinesLog):
    """Appends rejected records, one JSON line each, to ``rejected.jsonl`` in a folder."""

    def __init__(self, folder: Path, run_id: str):
        super().__init__(Path(folder) / REJECTED_FILE, run_id)

    def write(self, rejected: Rejected) -> None:
        self.append(rejected.to_dict())


class RunLog:
    """One run's counts, rejects, duplicates and stop signal, open for the length of the run.

    ``folder`` None keeps no files (``news-etl enrich`` reports rejects through ``on_reject`` only).
    ``record``: append the finished run to ``runs.jsonl`` (a staged batch is not a run of its own).
    """

    def __init__(self, folder: Path | None, *, on_reject: Callable[[Rejected], None] | None = None, record: bool = True):
        self.run_id = now_iso()
        self.summary = RunSummary()
        self.folder = None if folder is None else Path(folder)
        self._on_reject = on_reject
        self._record = record and self.folder is not None
        self._rejects = None if self.folder is None else RejectLog(self.folder, self.run_id)
        self._duplicates = None if self.folder is None else DuplicateLog(self.folder, self.run_id)
        self._dedup = Deduplicator()
        self._near = None  # etl.near_duplicates.NearDuplicates, when the run compares with earlier runs
        self._previous_handlers: dict[int, Any] = {}
        self._started = time.perf_counter()

    # -- what the stages report ---------------------------------------------------------------

    def admit(self, item: Article | Rejected) -> bool:
        """Count one input read; whether it goes on (a reject is logged, a duplicate logged and dropped)."""
        self.summary.read += 1
        if isinstance(item, Rejected):
            self.reject(item)
            return False
        return not self._is_duplicate(item)

    def skip_unchanged(self, item: Any) -> bool:
        """Count one input read that is ``Unchanged`` since the last run; whether it is (and so skipped)."""
        if not isinstance(item, Unchanged):
            return False
        self.summary.read += 1
        self.summary.unchanged += 1
        log.debug("unchanged %s (%s)", item.origin, item.reason)
        return True

    def reject(self, item: Rejected) -> None:
        log.info("rejected %s at %s: %s", item.origin, item.stage, item.reason)
        self.summary.rejected += 1
        self.summary.reasons[f"{item.stage}: {item.reason}"] += 1
        if self._on_reject is not None:
            self._on_reject(item)
        if self._rejects is not None:
            self._rejects.write(item)

    def enriched(self, doc) -> None:
        """Count an ``IndexedDocument`` its language's model did not enrich (``enrich_skipped`` says why)."""
        if doc.enrich_skipped:
            self.summary.not_enriched[doc.article.language or "unknown"] += 1

    def landed(self, report) -> None:
        """What the sink's ``WriteReport`` says: documents that landed, and those it refused."""
        self.summary.indexed += report.indexed
        for failed in report.failed:
            self.reject(failed)

    def compare_with(self, sink=None, near=None) -> None:
        """Judge articles against what earlier runs kept too: ``sink`` (its ``find_by_content_hash``) for
        the same text under a new URL, a duplicate; ``near`` (``NearDuplicates``) for near-copies, which
        are kept with ``duplicate_of`` set."""
        if sink is not None:
            self._dedup.stored = partial(_indexed_copy, sink)
        self._near = near

    def _is_duplicate(self, article: Article) -> bool:
        """Whether to drop the article; a conflict is kept (under its content id) and warned about."""
        collision = self._dedup.admit(article)
        if collision is None:
            self._mark_near_copy(article)
            return False
        if self._duplicates is not None:
            self._duplicates.write(collision)
        if not collision.dropped:
            self.summary.conflicts += 1
            log.warning("%s claims the id %s (%s) of %s with other text; indexed as %s instead",
                        collision.origin, collision.id, article.normalized_url, collision.duplicate_of_origin,
                        collision.indexed_as)
            self._mark_near_copy(article)
            return False
        self.summary.duplicates += 1
        self.summary.duplicate_ids.append(collision.id)
        return True

    def _mark_near_copy(self, article: Article) -> None:
        if self._near is not None:
            article.duplicate_of = self._near.admit(article)
            if article.duplicate_of:
                log.info("%s is a near-copy of %s", article.origin, article.duplicate_of)

    # -- stopping -------------------------------------------------------------------------------

    def until_stopped(self, items: Iterable[T]) -> Iterator[T]:
        """``items`` until a stop signal comes; then no further one is taken (those in hand go on)."""
        iterator = iter(items)
        try:
            while self.summary.stopped_by is None:
                try:
                    item = next(iterator)
                except StopIteration:
                    return
                yield item
            log.warning("run %s: stopped by %s after %d inputs read", self.run_id, self.summary.stopped_by, self.summary.read)
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:  # a source's own cleanup (its HTTP client) runs now, not at collection
                close()

    def raise_if_stopped(self, done: str) -> None:
        """For a scheduled step: a stopped step fails (so that it is retried), saying what it kept."""
        if self.summary.stopped_by:
            raise StoppedBySignal(f"stopped by {self.summary.stopped_by} after {done}; a retry does the rest")

    def _on_signal(self, signum: int, _frame) -> None:
        if self.summary.stopped_by is None:
            self.summary.stopped_by = signal.Signals(signum).name
            log.warning("%s: finishing what is in hand, then stopping (send it again to stop at once)",
                        self.summary.stopped_by)
            return
        self._release_signals()
        signal.raise_signal(signum)  # the second one: as if the run had never caught the first

    def _catch_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
            return
        for signum in STOP_SIGNALS:
            self._previous_handlers[signum] = signal.signal(signum, self._on_signal)

    def _release_signals(self) -> None:
        for signum, previous in self._previous_handlers.items():
            signal.signal(signum, signal.SIG_DFL if previous is None else previous)
        self._previous_handlers.clear()

    # -- the run's span ---------------------------------------------------------------------------

    def __enter__(self) -> RunLog:
        self._started = time.perf_counter()
        self._catch_signals()
        return self

    def __exit__(self, exc_type, *_exc) -> None:
        self._release_signals()
        for run_log in (self._rejects, self._duplicates):
            if run_log is not None:
                run_log.close()
        self.summary.seconds = time.perf_counter() - self._started
        if exc_type is None and self._record:
            record_run(self.folder, self.run_id, self.summary)


def _indexed_copy(sink, content_hash: str) -> tuple[str, str | None, str | None] | None:
    """(id, origin, url) of an article the sink holds with this body hash, or None."""
    doc_id = sink.find_by_content_hash(content_hash)
    if doc_id is None:
        return None
    doc = sink.get(doc_id) or {}
    return doc_id, doc.get("origin"), doc.get("url")


def record_run(folder: Path, run_id: str, summary: RunSummary) -> None:
    """Append the finished run's counts (not its duplicate ids: they can be many) to ``runs.jsonl``."""
    counts = {k: v for k, v in summary.to_dict().items() if k != "duplicate_ids"}
    line = json.dumps({"run_id": run_id, "finished_at": now_iso(), **counts}, ensure_ascii=False)
    Path(folder).mkdir(parents=True, exist_ok=True)
    with (Path(folder) / RUNS_FILE).open("a", encoding="utf-8", errors="backslashreplace") as file:
        file.write(line + "\n")


def last_run(folder: Path) -> dict[str, Any] | None:
    """The newest line of ``runs.jsonl`` in ``folder``, or None when no run finished there."""
    path = Path(folder) / RUNS_FILE
    if not path.is_file():
        return None
    last = None
    with path.open(encoding="utf-8") as file:
        for line in file:  # small: one line a run
            if line.strip():
                last = line
    return json.loads(last) if last else None
