"""Embedded index faults (issue #17, Faults): an index folder the reader may not write to, and
damaged index files.

A published, read-only index (a mounted snapshot, a folder owned by the indexing user) must be
searchable by anyone who can read it: Tantivy's reader takes a lock file in the folder, which a
read-only folder refuses. Damaged files must give a one-line error naming the index, never a Rust
panic traceback (pyo3's PanicException is a BaseException, which ``except Exception`` lets through).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from reliability.corpus import write_articles
from reliability.news_etl import NEWS_ETL, news_etl_env

ARTICLES = 3
NOBODY = 65534


@pytest.fixture(scope="module")
def built(tmp_path_factory, nlp, tally):
    """An index of a few articles: (root, index folder)."""
    from etl.settings import Settings

    root = tmp_path_factory.mktemp("embedded-faults")
    write_articles(root / "in", ARTICLES)
    settings = Settings.from_env({}, sink="embedded", index_dir=root / "index")
    summary = tally.run([root / "in"], settings, inputs=ARTICLES, nlp=nlp)
    assert summary.indexed == ARTICLES
    return root, root / "index"


def search(index_dir, *args) -> subprocess.CompletedProcess:
    """The real console script, as an operator runs it: a panic would show as a traceback on stderr."""
    return subprocess.run([NEWS_ETL, "search", *args, "--index-dir", str(index_dir), "--json"], env=news_etl_env(),
                          capture_output=True, text=True, timeout=120, cwd=index_dir.parent)


def _copy(src, dst) -> None:
    subprocess.run(["cp", "-a", str(src), str(dst)], check=True)


def _search_as(user: int, index_dir) -> tuple[int, str, str]:
    """``news-etl search`` in a forked child running as ``user`` (the venv's interpreter is root's, so
    a fresh process cannot start as another user): (exit status, stdout, stderr)."""
    import contextlib
    import io

    from etl.cli import main

    import etl.index.embedded  # noqa: F401  (imported before the fork: the child may not read root's files)
    import etl.index.embedded.search  # noqa: F401

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code, out, err = 99, io.StringIO(), io.StringIO()
        try:
            os.close(read_fd)
            os.setgid(user)
            os.setuid(user)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["search", "Istanbul", "--index-dir", str(index_dir), "--json"])
        except BaseException as crash:  # noqa: BLE001
            err.write(f"crash: {crash!r}")
        finally:
            os.write(write_fd, json.dumps([code, out.getvalue(), err.getvalue()]).encode())
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return tuple(json.loads(data))


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to search as another user")
def test_a_read_only_index_can_be_searched(built, tally):
    _, index_dir = built
    shelf = Path(tempfile.mkdtemp(prefix="read-only-shelf-"))  # pytest's tmp folders are root's alone (0700)
    _copy(index_dir, shelf / "index")
    subprocess.run(["chmod", "-R", "a-w,a+rX", str(shelf)], check=True)  # readable by all, writable by none
    before = sorted(os.listdir(shelf / "index" / "articles"))
    from etl.cli import main

    main(["search", "Istanbul", "--index-dir", str(index_dir)])  # imports what the child needs while it may read them
    tally.faults += 1

    try:
        code, out, err = _search_as(NOBODY, shelf / "index")
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(shelf)], check=True)
        after = sorted(os.listdir(shelf / "index" / "articles"))
        shutil.rmtree(shelf)

    assert code == 0, err
    assert json.loads(out)["total"] == ARTICLES
    assert after == before  # nothing written into it


def _damage(folder, suffix: str) -> None:
    """Zero the first half of every file with this suffix (a torn write, a bad disk block)."""
    for path in sorted(folder.iterdir()):
        if path.name.endswith(suffix):
            data = path.read_bytes()
            path.write_bytes(bytes(len(data) // 2) + data[len(data) // 2 :])


@pytest.mark.parametrize("suffix", [".store", ".idx", ".term", ".pos", ".fast", ".fieldnorm", "meta.json"])
def test_damaged_index_files_give_a_one_line_error_not_a_panic(built, tmp_path, suffix, tally):
    _, index_dir = built
    _copy(index_dir, tmp_path / "index")
    _damage(tmp_path / "index" / "articles", suffix)
    tally.faults += 1

    done = search(tmp_path / "index", "Istanbul")

    assert "Traceback" not in done.stderr and "panicked" not in done.stderr, done.stderr
    if done.returncode != 0:  # some damage goes unread by this query: an answer is fine then
        assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert str(tmp_path / "index") in done.stderr
