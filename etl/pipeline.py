"""The stages composed: sources -> clean -> dedup -> enrich -> sink.

Every function streams; nothing holds the corpus in memory. A record that fails a
stage becomes ``Rejected`` and flows on beside the good ones; ``divert_rejects``
takes them out of the stream, writes them to the run's ``rejected.jsonl`` and
counts them, so the counts always reconcile: read = indexed + rejected + duplicates.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from etl.clean import clean
from etl.enrich import enrich, load_nlp
from etl.records import Article, IndexedDocument, RawDocument, Rejected, RejectedInput, now_iso
from etl.settings import Settings
from etl.sources import iter_sources

DOCUMENTS_FILE = "documents.jsonl"
REJECTED_FILE = "rejected.jsonl"


@dataclass(slots=True)
class RunSummary:
    read: int = 0
    indexed: int = 0
    rejected: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    reasons: Counter = field(default_factory=Counter)  # "stage: reason" -> count
    duplicate_ids: list[str] = field(default_factory=list)

    @property
    def docs_per_s(self) -> float:
        return round(self.read / self.seconds, 2) if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["seconds"] = round(self.seconds, 3)
        out["docs_per_s"] = self.docs_per_s
        out["reasons"] = dict(self.reasons.most_common())
        return out


class RejectLog:
    """Appends rejected records, one JSON line each, to ``rejected.jsonl`` in a folder."""

    def __init__(self, folder: Path, run_id: str):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / REJECTED_FILE
        self.run_id = run_id
        self._file: TextIO | None = None

    def write(self, rejected: Rejected) -> None:
        if self._file is None:
            self._file = self.path.open("a", encoding="utf-8")
        record = {"run_id": self.run_id, **rejected.to_dict()}
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def clean_stream(raws: Iterable[RawDocument | Rejected], settings: Settings) -> Iterator[Article | Rejected]:
    for raw in raws:
        if isinstance(raw, Rejected):
            yield raw
            continue
        try:
            yield clean(raw, settings)
        except RejectedInput as err:
            yield Rejected(raw.origin, err.stage, err.reason)
        except Exception as err:  # one broken page never sinks the batch
            yield Rejected(raw.origin, "clean", f"unexpected {type(err).__name__}: {err}")


class Deduplicator:
    """Drops a second article with an id or a body already seen in this run."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._hashes: dict[str, str] = {}

    def check(self, article: Article) -> str | None:
        """The id of the article this one duplicates, or None (and remember it)."""
        if article.id in self._ids:
            return article.id
        first = self._hashes.get(article.content_hash)
        if first is not None:
            return first
        self._ids.add(article.id)
        self._hashes[article.content_hash] = article.id
        return None


def process(
    sources: Iterable[str],
    settings: Settings,
    summary: RunSummary,
    reject_log: RejectLog,
    nlp=None,
) -> Iterator[IndexedDocument]:
    """Read, clean, deduplicate and enrich; yields enriched documents, diverting rejects and duplicates.

    With ``settings.workers`` > 1, cleaning and enrichment run in that many processes around the
    same deduplication here (so a duplicate is never enriched): documents, counts and rejects are
    those of one process.
    """
    nlp = nlp or load_nlp(settings)
    dedup = Deduplicator()
    with ExitStack() as stack:
        clean_stage, enrich_stage = _stages(settings, nlp, stack)

        def articles() -> Iterator[Article]:
            for item in clean_stage(iter_sources(sources, settings)):
                summary.read += 1
                if isinstance(item, Rejected):
                    _reject(item, summary, reject_log)
                elif not _is_duplicate(item, dedup, summary):
                    yield item

        for item in enrich_stage(articles()):
            if isinstance(item, Rejected):
                _reject(item, summary, reject_log)
            else:
                yield item


def _is_duplicate(article: Article, dedup: Deduplicator, summary: RunSummary) -> bool:
    if dedup.check(article) is None:
        return False
    summary.duplicates += 1
    summary.duplicate_ids.append(article.id)
    return True


# --- workers: clean and enrich in several processes --------------------------------------------

_BATCHES_PER_WORKER = 2  # in flight: one being processed, one queued, so no worker waits for the parent
_worker_state: dict = {}  # a worker's model and settings, set once when it starts


def _stages(settings: Settings, nlp, stack: ExitStack) -> tuple[Callable, Callable]:
    """The clean and enrich stages (stream in, stream out, input order kept), here or in worker processes."""
    if settings.workers <= 1:
        return partial(clean_stream, settings=settings), partial(enrich, nlp=nlp, settings=settings)
    from etl.parallel import fork_pool, ordered_map

    pool = stack.enter_context(fork_pool(settings.workers, _init_worker, (nlp, settings)))
    in_pool = partial(ordered_map, pool, batch_size=settings.nlp_batch_size,
                      window=settings.workers * _BATCHES_PER_WORKER)
    return partial(in_pool, _clean_batch), partial(in_pool, _enrich_batch)


def _init_worker(nlp, settings: Settings) -> None:
    _worker_state.update(nlp=nlp, settings=settings)


def _clean_batch(batch: list[RawDocument | Rejected]) -> list[Article | Rejected]:
    return list(clean_stream(batch, _worker_state["settings"]))


def _enrich_batch(batch: list[Article]) -> list[IndexedDocument | Rejected]:
    return list(enrich(batch, _worker_state["nlp"], _worker_state["settings"]))


def _reject(item: Rejected, summary: RunSummary, reject_log: RejectLog) -> None:
    summary.rejected += 1
    summary.reasons[f"{item.stage}: {item.reason}"] += 1
    reject_log.write(item)


def run(
    sources: Iterable[str],
    settings: Settings,
    *,
    nlp=None,
    on_document: Callable[[IndexedDocument], None] | None = None,
) -> RunSummary:
    """The whole pipeline into the configured sink; returns the run summary."""
    from etl.index import open_sink

    started = time.perf_counter()
    summary = RunSummary()
    with open_sink(settings, write=True) as sink:
        reject_log = RejectLog(sink.reject_dir, run_id=now_iso())
        try:
            docs = process(sources, settings, summary, reject_log, nlp=nlp)
            if on_document is not None:
                docs = _tap(docs, on_document)
            write(docs, sink, summary, reject_log)
        finally:
            reject_log.close()
    summary.seconds = time.perf_counter() - started
    return summary


def write(docs: Iterable[IndexedDocument], sink, summary: RunSummary, reject_log: RejectLog) -> None:
    """Write to the sink, counting what landed and logging what it refused."""
    report = sink.write(docs)
    summary.indexed += report.indexed
    for failed in report.failed:
        _reject(failed, summary, reject_log)


def drop_duplicates(docs: Iterable[IndexedDocument], dedup: Deduplicator, summary: RunSummary) -> Iterator[IndexedDocument]:
    """Documents whose article was not seen before by ``dedup``; the others are counted as duplicates."""
    return (doc for doc in docs if not _is_duplicate(doc.article, dedup, summary))


def _tap(docs: Iterable[IndexedDocument], callback: Callable[[IndexedDocument], None]) -> Iterator[IndexedDocument]:
    for doc in docs:
        callback(doc)
        yield doc
