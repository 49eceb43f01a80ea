"""A run stopped by SIGTERM or Ctrl-C, and a worker process killed under it (issue #17).

SIGTERM is what Airflow and Kubernetes send before they kill; SIGINT is Ctrl-C. The run must stop
cleanly: commit what is done, print its summary and that a signal stopped it, exit 128 + the
signal's number, and leave no worker process behind. A worker killed by the system (the kernel's
out-of-memory killer) must cost no article: its batch is retried, the run goes on.

Each case drives the real ``news-etl`` console script over enough articles that it is mid-way
when the signal comes (after its first commit).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

import etl.pipeline
import etl.staging
from etl.index import open_sink
from etl.run_log import StoppedBySignal, last_run
from etl.settings import Settings
from etl.staging import index_staged, stage_batch
from reliability.corpus import write_articles
from reliability.news_etl import NEWS_ETL, article_ids, left_running, news_etl_env, running, wait_for_first_commit
from reliability.tally import indexed_ids

ARTICLES = 80
ENV = {"NEWS_ETL_COMMIT_EVERY": "5", "NEWS_ETL_NLP_BATCH_SIZE": "2"}  # small batches: little in flight


@dataclass
class Struck:
    code: int  # the run's exit status
    out: str
    err: str
    index_dir: Path
    expected: list[str]  # the ids of all the articles
    workers: list[int]  # the run's worker processes when it was struck


def run_and_strike(tmp_path, capsys, tally, options: list[str], strike, timeout: float) -> Struck:
    """``news-etl run`` over ARTICLES new articles, struck by ``strike(process, its workers)`` once it
    has committed some documents and is still working on the rest."""
    folder, index_dir = tmp_path / "in", tmp_path / "index"
    write_articles(folder, ARTICLES)
    expected = article_ids(folder, capsys)
    log, err = tmp_path / "run.out", tmp_path / "run.err"  # files, not pipes: a full pipe would stall the run
    with log.open("wb") as out_file, err.open("wb") as err_file:
        process = subprocess.Popen([NEWS_ETL, "run", str(folder), "--index-dir", str(index_dir), *options],
                                   env=news_etl_env(**ENV), stdout=out_file, stderr=err_file,
                                   start_new_session=True)  # its own process group, as a shell's job
    tally.inputs += ARTICLES
    try:
        wait_for_first_commit(process, index_dir, log)
        workers = family(process.pid)
        strike(process, workers)
        tally.faults += 1
        code = process.wait(timeout=timeout)
    finally:
        process.kill()
        process.wait()
    return Struck(code, log.read_text(), err.read_text(), index_dir, expected, workers)


def family(pid: int) -> list[int]:
    return [child.pid for child in psutil.Process(pid).children(recursive=True)]


def check_index(tally, index_dir, expected: list[str], indexed: int) -> None:
    """The index opens and holds ``indexed`` of the expected documents, each once."""
    with open_sink(Settings.from_env({}, sink="embedded", index_dir=index_dir)) as sink:
        stored = indexed_ids(sink)
    extra = {doc_id: n - 1 for doc_id, n in Counter(stored).items() if n > 1}
    tally.duplicated += sum(extra.values())
    assert not extra and set(stored) <= set(expected)
    assert len(stored) == indexed


def to_the_run(signum):
    return lambda process, _workers: process.send_signal(signum)  # Airflow, Kubernetes, kill PID


def to_its_group(signum):
    return lambda process, _workers: os.killpg(process.pid, signum)  # Ctrl-C: the terminal signals the whole job


@pytest.mark.parametrize(
    ("signum", "send", "workers", "as_json"),
    [(signal.SIGTERM, to_the_run, 2, True), (signal.SIGINT, to_its_group, 2, False), (signal.SIGINT, to_the_run, 1, False)],
    ids=["sigterm-2-workers-json", "ctrl-c-2-workers", "sigint-1-worker"],
)
def test_a_signal_mid_run_commits_reports_and_exits_128_plus_its_number(signum, send, workers, as_json, tmp_path, capsys, tally):
    options = ["--workers", str(workers)] + (["--json"] if as_json else [])
    run = run_and_strike(tmp_path, capsys, tally, options, send(signum), timeout=120)
    out, err = run.out, run.err
    if run.code != 128 + signum:
        raise tally.crashed(f"stopped by {signum.name}, exited {run.code}: {out[-1000:]} {err[-2000:]}")
    assert len(run.workers) == (workers if workers > 1 else 0), run.workers
    assert "Traceback" not in err, err
    if as_json:
        summary = json.loads(out)
        assert summary["stopped_by"] == signum.name
        read, indexed = summary["read"], summary["indexed"]
        assert read == indexed + summary["rejected"] + summary["duplicates"]
    else:
        assert "stopped by signal" in out and signum.name in out, out
        first = out.splitlines()[0]
        assert first.startswith("read "), out
        read, indexed = int(first.split()[1].rstrip(",")), int(first.split()[3].rstrip(","))
    assert 0 < indexed <= read < ARTICLES  # it stopped mid-way, after committing what it had
    check_index(tally, run.index_dir, run.expected, indexed)
    assert running(run.workers) == [] and left_running(run.index_dir) == [], "worker processes left running"


def test_a_worker_killed_mid_run_costs_no_article_and_the_run_finishes(tmp_path, capsys, tally):
    def kill_a_worker(_process, workers: list[int]) -> None:
        assert len(workers) == 2, workers
        psutil.Process(workers[0]).send_signal(signal.SIGKILL)  # as the kernel's OOM killer would

    run = run_and_strike(tmp_path, capsys, tally, ["--workers", "2", "--json"], kill_a_worker, timeout=300)
    if run.code != 0:
        raise tally.crashed(f"a worker killed under the run: it exited {run.code}: {run.out[-1000:]} {run.err[-2000:]}")
    summary = json.loads(run.out)
    assert summary["read"] == ARTICLES and summary["rejected"] == 0, summary  # its batch was done again
    assert "a worker process died" in run.err
    with open_sink(Settings.from_env({}, sink="embedded", index_dir=run.index_dir)) as sink:
        tally.check_exactly_once(run.expected, indexed_ids(sink))
    assert running(run.workers) == [] and left_running(run.index_dir) == []  # the new pool's too


# --- the DAG's steps: Airflow sends SIGTERM to a task it stops --------------------------------------

def sigterm_after(count: int, items):
    """``items``, with SIGTERM sent to this process while the one after the first ``count`` is read."""
    for n, item in enumerate(items, start=1):
        yield item
        if n == count:
            signal.raise_signal(signal.SIGTERM)


def test_the_dags_steps_stopped_by_sigterm_keep_what_landed_and_fail_for_a_retry(tmp_path, nlp, tally, monkeypatch):
    settings = Settings.from_env({}, sink="embedded", index_dir=tmp_path / "index")
    paths = [str(p) for p in write_articles(tmp_path / "drop", 6)]
    tally.inputs += 12
    before = signal.getsignal(signal.SIGTERM)

    real_sources = etl.pipeline.iter_sources
    monkeypatch.setattr(etl.pipeline, "iter_sources", lambda *a: sigterm_after(2, real_sources(*a)))
    with pytest.raises(StoppedBySignal, match="SIGTERM"):
        stage_batch(paths, tmp_path / "staging" / "batch-0000", settings, nlp=nlp)
    tally.faults += 1
    assert not (tmp_path / "staging" / "batch-0000" / "documents.jsonl").exists()  # a retry stages it whole
    monkeypatch.setattr(etl.pipeline, "iter_sources", real_sources)
    staged = stage_batch(paths, tmp_path / "staging" / "batch-0000", settings, nlp=nlp)

    real_staged = etl.staging.read_staged
    monkeypatch.setattr(etl.staging, "read_staged", lambda *a: sigterm_after(3, real_staged(*a)))
    with pytest.raises(StoppedBySignal, match="SIGTERM after indexing 4 documents"):  # the one in hand is finished
        index_staged([staged["documents"]], settings)
    tally.faults += 1
    assert signal.getsignal(signal.SIGTERM) is before  # Airflow's own handler is back
    assert (last_run(settings.reject_folder)["stopped_by"], last_run(settings.reject_folder)["indexed"]) == ("SIGTERM", 4)
    with open_sink(settings) as sink:
        assert sink.count() == 4  # committed
    monkeypatch.setattr(etl.staging, "read_staged", real_staged)
    assert index_staged([staged["documents"]], settings)["indexed"] == 6
    with open_sink(settings) as sink:
        tally.check_exactly_once({doc.article.id for doc in real_staged([staged["documents"]])}, indexed_ids(sink))
