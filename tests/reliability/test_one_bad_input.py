"""One bad input never sinks a run (issue #17): whatever is raised while reading, cleaning or
enriching one input becomes that input's rejected record, and the articles beside it are indexed.

Each case is a real run (real model, real Tantivy index) over hostile inputs next to good articles,
as they would sit in one drop folder. Two faults cannot be made for real here: the tests run as
root, whom no file mode denies, and a real MemoryError needs the machine's memory. Those are
injected where the operating system raises them (listing a folder, opening a file): that is all
the pipeline ever sees of them. A real unreadable folder is made too, one too deep to be named.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
from datetime import date
from pathlib import Path

import pytest

from etl.index import open_sink
from etl.settings import Settings
from reliability.corpus import article_text, write_articles
from reliability.tally import indexed_ids

GOOD = 3  # ordinary articles beside the hostile ones
PATH_MAX = os.pathconf("/", "PC_PATH_MAX")


def run_folder(tally, folder: Path, index_dir: Path, nlp, *, inputs: int, **overrides):
    """One run over ``folder``: (summary, documents by file name, rejected records by file name)."""
    settings = Settings.from_env({}, sink="embedded", index_dir=index_dir).with_(**overrides)
    docs: dict = {}
    summary = tally.run([folder], settings, inputs=inputs, nlp=nlp, on_document=lambda d: docs.setdefault(name_of(d.article.origin), d))
    path = index_dir / "rejected.jsonl"
    lines = path.read_bytes().decode("utf-8").splitlines() if path.exists() else []  # strict: the log is UTF-8
    rejected = {name_of(record["origin"]): record for record in map(json.loads, lines)}
    assert summary.read == summary.indexed + summary.rejected + summary.duplicates
    assert summary.rejected == len(rejected)
    with open_sink(settings) as sink:
        tally.check_exactly_once({d.article.id for d in docs.values()}, indexed_ids(sink))
    return summary, docs, rejected


def name_of(origin: str) -> str:
    return Path(origin).name  # with its "#L2" for a line of a file


def good_names(count: int = GOOD) -> set[str]:
    return {f"dispatch-{n:03d}.txt" for n in range(count)}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- structures too deep to parse ------------------------------------------------------------------

def test_deeply_nested_json_documents_and_lines_are_rejected_and_the_rest_indexed(tmp_path, nlp, tally):
    folder = tmp_path / "in"
    write_articles(folder, GOOD)
    near_limit = sys.getrecursionlimit() - 60  # parses, but a recursive walk over it runs out of stack
    (folder / "deep.json").write_text(nested(100_000), encoding="utf-8")
    (folder / "deep-field.json").write_text(json.dumps({"title": "Deep", "text": article_text(50), "tags": json.loads(nested(near_limit))}))
    lines = [
        json.dumps({"url": "https://news.example.org/a", "title": "First", "text": article_text(60)}),
        '{"url": "https://news.example.org/deep", "text": ' + nested(100_000) + "}",
        '{"title": "Near", "text": "x", "tags": ' + nested(near_limit) + "}",
        json.dumps({"url": "https://news.example.org/b", "title": "Last", "text": article_text(61)}),
    ]
    (folder / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    summary, docs, rejected = run_folder(tally, folder, tmp_path / "index", nlp, inputs=GOOD + 6)

    assert good_names() | {"export.jsonl#L1", "export.jsonl#L4"} <= set(docs)  # the line after the deep ones too
    for name in ("deep.json", "export.jsonl#L2", "export.jsonl#L3"):
        assert rejected[name]["stage"] == "source" and "nested too deeply" in rejected[name]["reason"]
    assert summary.read == GOOD + 6


# --- folders that cannot be listed ---------------------------------------------------------------

def test_a_sub_folder_that_cannot_be_listed_is_one_rejected_record_and_the_rest_is_indexed(tmp_path, nlp, tally, monkeypatch):
    folder = tmp_path / "in"
    write_articles(folder / "a-good", GOOD)
    locked = folder / "locked"
    write_articles(locked, 2)  # there, but not for this user
    (folder / "z-after").mkdir()
    (folder / "z-after" / "later.txt").write_text(article_text(30), encoding="utf-8")
    # As root no mode bit denies a folder: the EACCES a normal user gets is raised where the OS would.
    denied = str(locked)
    for name in ("listdir", "scandir"):
        real = getattr(os, name)

        def refuse(path=".", *args, _real=real, **kwargs):
            if os.fspath(path) == denied:
                raise PermissionError(13, "Permission denied", denied)
            return _real(path, *args, **kwargs)

        monkeypatch.setattr(os, name, refuse)
    tally.faults += 1

    summary, docs, rejected = run_folder(tally, folder, tmp_path / "index", nlp, inputs=GOOD + 2)

    assert set(docs) == good_names() | {"later.txt"}  # the folders after the locked one are read on
    assert rejected["locked"]["stage"] == "source" and "permission denied" in rejected["locked"]["reason"].lower()
    assert summary.rejected == 1


def test_a_folder_too_deep_to_name_and_broken_links_are_rejected_not_fatal(tmp_path, nlp, tally):
    folder = tmp_path / "in"
    write_articles(folder, GOOD)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)  # built relative to a descriptor: no path is that long
    try:
        for level in range(PATH_MAX // 200 + 2):
            name = f"{level:03d}-" + "d" * 196
            os.mkdir(name, dir_fd=fd)
            child = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = child
        with os.fdopen(os.open("lost.txt", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w") as out:
            out.write(article_text(70))
    finally:
        os.close(fd)
    os.symlink(tmp_path / "gone", folder / "moved-away")  # a sub-folder link whose target was removed
    os.symlink("loop.txt", folder / "loop.txt")  # a link to itself

    summary, docs, rejected = run_folder(tally, folder, tmp_path / "index", nlp, inputs=GOOD + 3)

    assert set(docs) == good_names()
    assert rejected.keys() - {"moved-away", "loop.txt"}, "the folder too deep to name is not among the rejects"
    assert all(r["stage"] == "source" and r["reason"] for r in rejected.values())
    assert {"moved-away", "loop.txt"} <= rejected.keys()
    assert summary.rejected == 3


# --- names that are not UTF-8 --------------------------------------------------------------------

def bad_names(folder: Path) -> None:
    """An article and an empty page whose names are Latin-1 bytes, and an article in such a folder."""
    root = os.fsencode(folder)
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, b"caf\xe9.txt"), "w", encoding="utf-8") as out:
        out.write(article_text(80))
    open(os.path.join(root, b"r\xe9sum\xe9.html"), "wb").close()
    os.mkdir(os.path.join(root, b"d\xe9p\xeaches"))
    with open(os.path.join(root, b"d\xe9p\xeaches", b"wire.txt"), "w", encoding="utf-8") as out:
        out.write(article_text(81))


def utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def test_file_names_that_are_not_utf8_are_read_and_named_readably(tmp_path, nlp, tally):
    folder = tmp_path / "in"
    write_articles(folder, GOOD)
    bad_names(folder)

    summary, docs, rejected = run_folder(tally, folder, tmp_path / "index", nlp, inputs=GOOD + 3)

    assert (summary.indexed, summary.rejected) == (GOOD + 2, 1)
    for origin in [d.article.origin for d in docs.values()] + [r["origin"] for r in rejected.values()]:
        assert utf8(origin), repr(origin)
    assert any("caf" in origin for origin in (d.article.origin for d in docs.values()))
    assert any("wire.txt" in d.article.origin for d in docs.values())


def test_a_staged_batch_with_a_name_that_is_not_utf8_stages_and_indexes(tmp_path, nlp, tally):
    from etl.staging import discover, index_staged, plan_batches, stage_batch

    day = date(2025, 3, 14)
    drop = tmp_path / "drop" / day.isoformat()
    write_articles(drop, GOOD)
    bad_names(drop)
    settings = Settings.from_env({}, sink="embedded", index_dir=tmp_path / "index")
    # To the next task as JSON over HTTP (Airflow's XCom), which takes UTF-8 only.
    inputs = json.loads(json.dumps(discover(tmp_path / "drop", day, []), ensure_ascii=False).encode("utf-8"))
    tally.inputs += len(inputs)
    try:
        staged = [stage_batch(b["inputs"], b["out_dir"], settings, nlp=nlp) for b in plan_batches(inputs, 2, tmp_path / "staging")]
        indexed = index_staged([b["documents"] for b in staged], settings)
    except Exception as err:
        raise tally.crashed(f"staging a batch with a non-UTF-8 name raised {err!r}") from err
    assert indexed["indexed"] == GOOD + 2
    assert sum(b["rejected"] for b in staged) == 1


# --- out of memory ---------------------------------------------------------------------------------

def test_a_memory_error_reading_one_file_rejects_that_file_only(tmp_path, nlp, tally, monkeypatch):
    folder = tmp_path / "in"
    write_articles(folder, GOOD)
    (folder / "hog.jsonl").write_text(json.dumps({"title": "Hog", "text": article_text(90)}) + "\n", encoding="utf-8")
    # A real one needs gigabytes; where it strikes is the read of the one input, so it is raised there.
    real_open = io.open

    def open_or_fail(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.fspath(file).endswith("hog.jsonl"):
            raise MemoryError()
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", open_or_fail)
    monkeypatch.setattr("builtins.open", open_or_fail)
    tally.faults += 1

    summary, docs, rejected = run_folder(tally, folder, tmp_path / "index", nlp, inputs=GOOD + 1)

    assert set(docs) == good_names()
    assert "MemoryError" in rejected["hog.jsonl"]["reason"] or "memory" in rejected["hog.jsonl"]["reason"]


# --- a worker process killed -------------------------------------------------------------------------

def poison_clean(real):
    def clean(raw, settings):
        if "poison" in raw.origin:
            os.kill(os.getpid(), signal.SIGKILL)  # what the kernel's OOM killer does to a worker
        return real(raw, settings)
    return clean


def poison_enrich(real):
    def enrich(articles, nlp, settings):
        articles = list(articles)
        if any("poison" in a.origin for a in articles):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(articles, nlp, settings)
    return enrich


@pytest.mark.parametrize(("stage", "wrap"), [("clean", poison_clean), ("enrich", poison_enrich)])
def test_a_worker_killed_on_one_input_rejects_that_input_and_the_run_goes_on(stage, wrap, tmp_path, nlp, tally, monkeypatch):
    import etl.pipeline

    folder = tmp_path / "in"
    write_articles(folder, 12)
    (folder / "dispatch-005-poison.txt").write_text(article_text(95), encoding="utf-8")
    monkeypatch.setattr(etl.pipeline, stage, wrap(getattr(etl.pipeline, stage)))  # forked workers inherit it
    tally.faults += 1

    summary, docs, rejected = run_folder(tally, folder, tmp_path / "index", nlp, inputs=13, workers=2, nlp_batch_size=2)

    assert set(docs) == good_names(12)  # the batch-mates of the poison were retried, not thrown away
    assert list(rejected) == ["dispatch-005-poison.txt"]
    assert rejected["dispatch-005-poison.txt"]["stage"] == stage
    assert "worker" in rejected["dispatch-005-poison.txt"]["reason"]
