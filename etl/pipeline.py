"""The stages composed: sources -> clean -> dedup -> enrich -> sink.

Every function streams; nothing holds the corpus in memory. A record that fails a
stage becomes ``Rejected`` and flows on beside the good ones; the run's ``RunLog``
(``etl.run_log``) takes them out of the stream, writes them to its ``rejected.jsonl`` and
counts them, so the counts always reconcile: read = indexed + rejected + duplicates + unchanged
(pages the fetch state knew and found the same: ``etl.sources.fetch_state``).
Duplicates (and id conflicts, which are kept) go with both origins to ``duplicates.jsonl`` beside it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, closing
from functools import partial

from etl.allocator import keep_batch_memory
from etl.clean import clean, preload
from etl.enrich import enrich, load_nlp
from etl.records import Article, IndexedDocument, RawDocument, Rejected, RejectedInput
from etl.redact import redact_url
from etl.run_log import RunLog, RunSummary
from etl.settings import Settings
from etl.sources import FetchState, iter_sources

DOCUMENTS_FILE = "documents.jsonl"
LOG_EVERY = 100  # documents between two progress lines in the log

log = logging.getLogger(__name__)


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


def process(
    sources: Iterable[str], settings: Settings, run_log: RunLog | None = None, nlp=None,
    state: FetchState | None = None,
) -> Iterator[IndexedDocument]:
    """Read, clean, deduplicate and enrich; yields enriched documents, reporting every input to ``run_log``.

    ``run_log`` (see ``etl.run_log``) counts what is read, logs rejects and duplicates, and ends the
    reading when a stop signal comes; without one, they are counted and forgotten. Anything raised
    while reading, cleaning or enriching one input is that input's rejected record.
    With ``settings.workers`` > 1, cleaning and enrichment run in that many processes around the
    same deduplication here (so a duplicate is never enriched): documents, counts and rejects are
    those of one process. ``state``: pages are fetched conditionally, and unchanged ones only counted.
    """
    run_log = run_log or RunLog(None)
    keep_batch_memory()
    with ExitStack() as stack:
        clean_stage, enrich_stage = _stages(settings, nlp, stack)
        raws = run_log.until_stopped(iter_sources(sources, settings, state))
        raws = (item for item in raws if not run_log.skip_unchanged(item))
        articles = (item for item in clean_stage(raws) if run_log.admit(item))
        for item in enrich_stage(articles):
            if isinstance(item, Rejected):
                run_log.reject(item)
            else:
                run_log.enriched(item)
                yield item


# --- workers: clean and enrich in several processes --------------------------------------------

_BATCHES_PER_WORKER = 2  # in flight: one being processed, one queued, so no worker waits for the parent
_worker_state: dict = {}  # a worker's model and settings, set once when it starts


def _stages(settings: Settings, nlp, stack: ExitStack) -> tuple[Callable, Callable]:
    """The clean and enrich stages (stream in, stream out, input order kept), here or in worker processes.

    Without a model given, the workers start cleaning at once, and the model loads here once the first
    articles are clean: the workers are then replaced by ones that share it, so that loading it (about
    0.6 s) costs no core its time."""
    if settings.workers <= 1:
        nlp = nlp or load_nlp(settings)
        return partial(clean_stream, settings=settings), partial(enrich, nlp=nlp, settings=settings)
    from etl.parallel import fork_pool, ordered_map

    preload(settings)  # before the fork: the workers share the language identifier and the HTML stack (0.5 s of CPU each)
    pool = stack.enter_context(fork_pool(settings.workers, _init_worker, (nlp, settings)))
    in_pool = partial(ordered_map, pool, batch_size=settings.nlp_batch_size)
    window = settings.workers * _BATCHES_PER_WORKER

    def enrich_stage(articles: Iterable[Article]) -> Iterator[IndexedDocument | Rejected]:
        if nlp is None:
            articles = _first_then(articles, lambda: pool.reinitialize((load_nlp(settings), settings)))
        return in_pool(_enrich_batch, articles, window=window, on_lost=partial(_lost, "enrich"))

    # Cleaning, 5 x faster than enriching, can run further ahead: enough to keep the workers busy while the model loads.
    return partial(in_pool, _clean_batch, window=2 * window, on_lost=partial(_lost, "clean")), enrich_stage


def _first_then(items: Iterable, action: Callable[[], None]) -> Iterator:
    """``items``, with ``action`` done once the first has come (and before it is passed on)."""
    iterator = iter(items)
    for first in iterator:
        action()
        yield first
        yield from iterator


def _lost(stage: str, item: RawDocument | Article | Rejected, reason: str) -> Rejected:
    """An input that failed its stage alone in a worker (the worker died, or its result could not come back)."""
    if isinstance(item, Rejected):
        return item
    return Rejected(item.origin, stage, reason, id=getattr(item, "id", None))


def _init_worker(nlp, settings: Settings) -> None:
    _worker_state.update(nlp=nlp, settings=settings)


def _clean_batch(batch: list[RawDocument | Rejected]) -> list[Article | Rejected]:
    return list(clean_stream(batch, _worker_state["settings"]))


def _enrich_batch(batch: list[Article]) -> list[IndexedDocument | Rejected]:
    return list(enrich(batch, _worker_state["nlp"], _worker_state["settings"]))


def run(
    sources: Iterable[str],
    settings: Settings,
    *,
    nlp=None,
    on_document: Callable[[IndexedDocument], None] | None = None,
    on_reject: Callable[[Rejected], None] | None = None,
) -> RunSummary:
    """The whole pipeline into the configured sink; returns the run summary.

    ``on_document`` sees each document on its way to the sink, ``on_reject`` each rejected input
    (a progress bar uses both). A finished run's summary is appended to ``runs.jsonl``; a run
    stopped by SIGTERM or SIGINT commits what it did and says so in ``summary.stopped_by``.
    """
    from etl.index import open_sink
    from etl.index.registry import canonicalized, open_registry, settle
    from etl.near_duplicates import (
        NearDuplicates,  # datasketch takes a second to import: only for runs
    )

    with RunLog(settings.reject_folder, on_reject=on_reject) as run_log, open_sink(settings, write=True) as sink, \
            closing(FetchState.for_run(settings)) as state, closing(NearDuplicates.for_run(settings)) as near, \
            closing(open_registry(settings, sink)) as registry:
        run_log.compare_with(sink, near)  # the same text under a new URL, and near-copies, of earlier runs
        log.info("run %s: %s into the %s index", run_log.run_id, ", ".join(redact_url(str(s)) for s in sources), sink.name)
        docs = _log_progress(process(sources, settings, run_log, nlp=nlp, state=state), run_log.summary)
        docs = canonicalized(docs, registry, sink)  # one name per real entity across the index
        if on_document is not None:
            docs = tap(docs, on_document)
        sent: list[tuple[str, str]] = []  # (origin, id) handed to the sink: what the states may remember once landed
        report = sink.write(tap(docs, lambda doc: sent.append((doc.article.origin, doc.article.id))))
        run_log.landed(report)
        failed = {item.origin for item in report.failed}
        state.confirm(origin for origin, _ in sent if origin not in failed)
        near.confirm(doc_id for origin, doc_id in sent if origin not in failed)
        run_log.summary.recanonicalized = settle(registry, sink, (doc_id for origin, doc_id in sent if origin not in failed))
    summary = run_log.summary
    log.info("run %s: read %d, indexed %d, rejected %d, duplicates %d, unchanged %d, re-canonicalized %d in %.1f s",
             run_log.run_id, summary.read, summary.indexed, summary.rejected, summary.duplicates, summary.unchanged,
             summary.recanonicalized, summary.seconds)
    return summary


def _log_progress(docs: Iterable[IndexedDocument], summary: RunSummary) -> Iterator[IndexedDocument]:
    """A progress line every LOG_EVERY documents (counted here: inputs read run ahead with workers)."""
    for count, doc in enumerate(docs, 1):
        if count % LOG_EVERY == 0:
            log.info("%d documents enriched; %d inputs read, %d rejected, %d duplicates so far",
                     count, summary.read, summary.rejected, summary.duplicates)
        yield doc


def tap(docs: Iterable[IndexedDocument], callback: Callable[[IndexedDocument], None]) -> Iterator[IndexedDocument]:
    for doc in docs:
        callback(doc)
        yield doc
