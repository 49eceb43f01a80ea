"""The real ``news-etl`` console script in a subprocess, as a scheduler runs it, and what it leaves behind."""

from __future__ import annotations

import json
import os
import time

import psutil
import tantivy

from conftest import ROOT

NEWS_ETL = str(ROOT / ".venv" / "bin" / "news-etl")


def news_etl_env(**extra: str) -> dict[str, str]:
    """A clean environment (no stray ELASTICSEARCH_URL from the caller) plus ``extra``."""
    return {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), **extra}


def committed_docs(folder) -> int:
    """Documents in the last commit of a Tantivy index folder (0 before the first commit)."""
    if not (folder.is_dir() and tantivy.Index.exists(str(folder))):
        return 0
    return tantivy.Index.open(str(folder)).searcher().num_docs


def running(pids) -> list[int]:
    """The pids that still run (a zombie has exited: it only waits to be reaped)."""
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


def left_running(index_dir) -> list[int]:
    """Processes still running a ``news-etl`` command on ``index_dir`` (forked workers share its command line)."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if str(index_dir) in (proc.info["cmdline"] or []):
            found.append(proc.pid)
    return running(found)


def article_ids(folder, capsys) -> list[str]:
    """The ids the inputs clean to (no NLP): what the index must hold, each once."""
    from etl.cli import main

    assert main(["clean", str(folder)]) == 0
    return [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()]


def wait_for_first_commit(process, index_dir, log, timeout: float = 300) -> None:
    """Until the run in ``process`` has committed documents to ``index_dir`` and is still working."""
    deadline = time.monotonic() + timeout  # a guard against a hang, not a speed check
    while committed_docs(index_dir / "articles") == 0:
        assert process.poll() is None, "the run ended before it could be stopped: " + log.read_text()
        assert time.monotonic() < deadline, f"no commit after {timeout:g} s: " + log.read_text()
        time.sleep(0.05)
