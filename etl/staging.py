"""A run in steps that can each be retried alone: discover -> batch -> stage -> index.

``etl.pipeline.run`` does a whole run in one process. A scheduler (the Airflow DAG in
``dags/``) instead runs it as separate steps: it finds the day's inputs, splits them into
batches, cleans and enriches each batch into staged JSON Lines files, then indexes the
staged files. Steps hand each other paths and counts, never documents, and each step
rewrites its own output, so a retried or re-run step replaces what it wrote before.

The staging folder may be a local path or an object-store URL (``s3://bucket/prefix``, see
``etl.storage``), so the steps of one run can run on different machines; ``storage_options``
carries that store's credentials (None: its standard environment variables).
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any, Mapping

from etl.dedup import DUPLICATES_FILE
from etl.pipeline import DOCUMENTS_FILE, process, tap
from etl.records import IndexedDocument
from etl.redact import redact_url
from etl.run_log import REJECTED_FILE, RunLog
from etl.settings import Settings
from etl.sources import as_source, walk
from etl.storage import (
    Location,
    StorageError,
    check,
    clear,
    is_url,
    join,
    open_text,
    put_files,
)

STAGED_FILES = (REJECTED_FILE, DUPLICATES_FILE, DOCUMENTS_FILE)  # moved into place in this order: documents last


def day_folder(root: Location, day: date) -> Path | str:
    """The folder of one logical date under ``root`` (``<root>/YYYY-MM-DD``): a ``Path``, or a URL for a bucket."""
    check(root, "staging")
    return join(root, day.isoformat())


def discover(drop_dir: Path, day: date, extra_sources: list[str]) -> list[str]:
    """The day's inputs: every file dropped in ``<drop_dir>/<YYYY-MM-DD>/``, then the configured sources.

    Files are listed one by one (sorted, hidden files skipped) so they can be split into
    batches; ``extra_sources`` (feed URLs, URL lists, paths) are passed on as given. A day
    with no drop folder is not an error: the feeds may be all there is. The drop folder is
    local (or a ``file://`` URL): files dropped in a bucket are refused with a ``StorageError``.
    """
    if is_url(drop_dir):
        check(drop_dir, "drop_dir")
        raise StorageError(f"drop_dir {redact_url(str(drop_dir))}: drop folders on object storage are not "
                           "supported; use a folder every worker sees (the staging folder can be a bucket)")
    folder = Path(join(drop_dir, day.isoformat()))
    dropped = [as_source(path) for path in walk(folder)] if folder.is_dir() else []
    return list(dict.fromkeys([*dropped, *extra_sources]))


def split_batches(inputs: list[str], size: int) -> list[list[str]]:
    """Consecutive batches of at most ``size`` inputs."""
    if size < 1:
        raise ValueError(f"batch size must be at least 1, got {size}")
    return [inputs[start : start + size] for start in range(0, len(inputs), size)]


def plan_batches(inputs: list[str], size: int, run_dir: Location,
                 storage_options: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Batches of inputs, each with its own output folder under a fresh ``run_dir``.

    ``run_dir`` is emptied first: running the same day again starts from a clean slate
    instead of mixing in the files of an earlier run that had more batches. In a bucket,
    this is also where a missing bucket or a refused credential shows (``StorageError``).
    """
    batches = split_batches(inputs, size)
    clear(run_dir, storage_options, "staging")
    return [
        {"inputs": batch, "out_dir": str(join(run_dir, f"batch-{number:04d}"))}
        for number, batch in enumerate(batches)
    ]


def stage_batch(batch: list[str], out_dir: Location, settings: Settings, nlp=None,
                storage_options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Clean and enrich one batch into ``out_dir/documents.jsonl``, ``rejected.jsonl`` and ``duplicates.jsonl``.

    The files are written in a scratch folder beside ``out_dir`` and moved into place only
    when the batch is done, so a batch that fails half-way leaves its previous output (or
    none) and a retry replaces it whole; so does a batch stopped by SIGTERM (``StoppedBySignal``).
    In a bucket the scratch folder is a local temporary one, and each file is uploaded whole,
    ``documents.jsonl`` last. Returns the batch's counts and file paths (URLs for a bucket).
    """
    check(out_dir, "staging")
    local_dir = None if is_url(out_dir) else Path(join(out_dir))
    if local_dir is not None:
        local_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=local_dir, prefix=".partial-") as scratch:
        scratch_dir = Path(scratch)
        staged = 0
        with RunLog(scratch_dir, record=False) as run_log, (scratch_dir / DOCUMENTS_FILE).open("w", encoding="utf-8") as out:
            for doc in process(batch, settings, run_log, nlp=nlp):
                out.write(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n")
                staged += 1
        run_log.raise_if_stopped(f"{run_log.summary.read} of the batch's inputs; nothing of it is staged")
        for name in (REJECTED_FILE, DUPLICATES_FILE):
            (scratch_dir / name).touch()  # an empty log says "nothing rejected" or "no duplicates", not "never ran"
        put_files(scratch_dir, list(STAGED_FILES), local_dir or out_dir, storage_options, "staging")
    summary = run_log.summary
    return {
        "documents": str(join(local_dir or out_dir, DOCUMENTS_FILE)),
        "rejected_file": str(join(local_dir or out_dir, REJECTED_FILE)),
        "duplicates_file": str(join(local_dir or out_dir, DUPLICATES_FILE)),
        "read": summary.read,
        "staged": staged,
        "rejected": summary.rejected,
        "duplicates": summary.duplicates,
        "conflicts": summary.conflicts,
        "reasons": dict(summary.reasons.most_common()),
    }


def read_staged(paths: Iterable[Location], storage_options: Mapping[str, Any] | None = None) -> Iterator[IndexedDocument]:
    """The documents of staged ``documents.jsonl`` files (paths or URLs), in order, one at a time."""
    for path in paths:
        with open_text(path, storage_options, "staging") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    yield IndexedDocument.from_dict(json.loads(line))
                except (ValueError, KeyError, TypeError) as err:
                    raise ValueError(f"{redact_url(str(path))}:{number}: not a staged document ({err})") from err


def index_staged(paths: list[Location], settings: Settings,
                 storage_options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Index staged documents into the configured sink, dropping duplicates across batches.

    Each batch was deduplicated on its own; the same article can still sit in two batches
    (one story dropped twice under two names), so ids and content hashes are checked again
    here over the whole run. Documents the engine refuses go to the run's ``rejected.jsonl``,
    duplicates across batches to its ``duplicates.jsonl`` (in ``settings.reject_folder``), and the
    step's counts to its ``runs.jsonl``. Stopped by SIGTERM, it keeps what landed and raises
    ``StoppedBySignal``: ids are stable, so the retry overwrites instead of duplicating.
    """
    from etl.index import open_sink
    from etl.index.registry import canonicalized, open_registry, settle
    from etl.near_duplicates import NearDuplicates

    with RunLog(settings.reject_folder) as run_log, open_sink(settings, write=True) as sink, \
            closing(NearDuplicates.for_run(settings)) as near, closing(open_registry(settings, sink)) as registry:
        run_log.compare_with(sink, near)  # copies of what earlier runs indexed, as `run` does
        sent: list[tuple[str, str]] = []
        docs = (doc for doc in run_log.until_stopped(read_staged(paths, storage_options)) if run_log.admit(doc.article))
        report = sink.write(tap(canonicalized(docs, registry, sink), lambda doc: sent.append((doc.article.origin, doc.article.id))))
        run_log.landed(report)
        failed = {item.origin for item in report.failed}
        near.confirm(doc_id for origin, doc_id in sent if origin not in failed)
        run_log.summary.recanonicalized = settle(registry, sink, (doc_id for origin, doc_id in sent if origin not in failed))
    summary = run_log.summary
    run_log.raise_if_stopped(f"indexing {summary.indexed} documents, which are kept")
    return {
        "indexed": summary.indexed,
        "duplicates": summary.duplicates,
        "conflicts": summary.conflicts,
        "recanonicalized": summary.recanonicalized,
        "failed": summary.rejected,
        "reasons": dict(summary.reasons.most_common()),
    }


class RejectRateExceeded(Exception):
    """More of a run's inputs were rejected than the run allows."""


def summarize(batches: list[dict[str, Any]], indexed: dict[str, Any], max_reject_rate: float) -> dict[str, Any]:
    """One run's counts from its batches and its index step; raises when too much was rejected.

    ``read`` reconciles as indexed + rejected + duplicates, as in ``etl.pipeline.run``:
    rejected adds the documents the engine refused to those the stages rejected, and
    duplicates adds those found across batches to those found within one.
    """
    read = sum(batch["read"] for batch in batches)
    rejected = sum(batch["rejected"] for batch in batches) + indexed["failed"]
    reasons: Counter = Counter()
    for counts in [*batches, indexed]:
        reasons.update(counts.get("reasons", {}))
    report = {
        "read": read,
        "indexed": indexed["indexed"],
        "rejected": rejected,
        "duplicates": sum(batch["duplicates"] for batch in batches) + indexed["duplicates"],
        "conflicts": sum(counts.get("conflicts", 0) for counts in [*batches, indexed]),  # kept, not in the sum
        "recanonicalized": indexed.get("recanonicalized", 0),
        "reject_rate": round(rejected / read, 4) if read else 0.0,
        "reasons": dict(reasons.most_common()),
    }
    if report["reject_rate"] > max_reject_rate:
        raise RejectRateExceeded(
            f"{rejected} of {read} inputs rejected ({report['reject_rate']:.1%}), "
            f"over the allowed {max_reject_rate:.1%}; top reasons: {dict(reasons.most_common(3))}"
        )
    return report
