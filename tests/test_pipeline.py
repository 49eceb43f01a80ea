"""Composition of the stages: counts reconcile, duplicates are dropped and reported, rejects are logged."""

from __future__ import annotations

import json
import logging

from conftest import FIXTURES, SEED, input_folder
from etl.pipeline import process, run
from etl.run_log import RejectLog, RunLog
from etl.records import Rejected


def test_reject_log_appends_readable_records(tmp_path):
    log = RejectLog(tmp_path, run_id="r1")
    log.write(Rejected("x.html", "clean", "no article text"))
    log.close()
    RejectLog(tmp_path, run_id="r2").write(Rejected("y.json#L3", "source", "invalid JSON"))
    records = [json.loads(line) for line in (tmp_path / "rejected.jsonl").read_text().splitlines()]
    assert [(r["run_id"], r["origin"], r["reason"]) for r in records] == [
        ("r1", "x.html", "no article text"), ("r2", "y.json#L3", "invalid JSON"),
    ]


def test_same_text_twice_in_one_batch_is_one_document_and_one_duplicate(tmp_path, tmp_settings, nlp):
    folder = input_folder(tmp_path, {"a.txt": SEED, "b.txt": SEED})
    with RunLog(tmp_path) as run_log:
        docs = list(process([str(folder)], tmp_settings, run_log, nlp=nlp))
    summary = run_log.summary
    assert len(docs) == 1
    assert (summary.read, summary.duplicates, summary.rejected) == (2, 1, 0)
    assert summary.duplicate_ids == [docs[0].article.id]


def test_run_counts_reconcile(tmp_path, tmp_settings, nlp):
    folder = input_folder(tmp_path, {"a.txt": SEED, "copy.txt": SEED, "blank.txt": "   \n\n "})
    summary = run([str(folder)], tmp_settings, nlp=nlp)
    assert summary.read == summary.indexed + summary.rejected + summary.duplicates == 3
    assert (summary.indexed, summary.rejected, summary.duplicates) == (1, 1, 1)
    assert summary.to_dict()["docs_per_s"] > 0


def test_two_workers_give_the_same_documents_counts_and_rejects_as_one(tmp_path, tmp_settings, nlp):
    folder = input_folder(tmp_path, {
        "a.txt": SEED, "b-copy.txt": SEED, "c-blank.txt": "   \n\n ",
        "d-page.html": (FIXTURES / "article_council.html").read_text(),
        "e-half.txt": "\n".join(SEED.read_text().splitlines()[:6]),
    })
    outputs = {}
    # 2 workers with the model given, and with the model loaded by the run (the workers clean first and
    # are replaced by ones with the model once it has loaded).
    for name, workers, model in [("1", 1, nlp), ("2", 2, nlp), ("2-loading-the-model", 2, None)]:
        # Batches of 2 so that several batches cross between processes and must come back in order.
        settings = tmp_settings.with_(workers=workers, nlp_batch_size=2)
        with RunLog(tmp_path / f"rejects-{name}", record=False) as run_log:
            docs = [doc.to_dict() for doc in process([str(folder)], settings, run_log, nlp=model)]
        for doc in docs:
            doc.pop("ingested_at")
        rejects = [{**json.loads(line), "run_id": None} for line in (run_log.folder / "rejected.jsonl").read_text().splitlines()]
        outputs[name] = (docs, run_log.summary.to_dict() | {"seconds": None, "docs_per_s": None}, rejects)
    assert outputs["2"] == outputs["1"] == outputs["2-loading-the-model"]
    docs, summary, _ = outputs["2"]
    assert (summary["read"], summary["duplicates"], summary["rejected"], len(docs)) == (5, 1, 1, 3)
    assert [doc["origin"].rsplit("/", 1)[-1] for doc in docs] == ["a.txt", "d-page.html", "e-half.txt"]


def test_verbose_logs_a_progress_line_every_so_many_documents(tmp_path, tmp_settings, nlp, caplog, monkeypatch):
    import etl.pipeline

    monkeypatch.setattr(etl.pipeline, "LOG_EVERY", 2)
    folder = input_folder(tmp_path, {f"{n}.txt": SEED.read_text(encoding="utf-8") + f"\n\nVariant {n}." for n in range(5)})
    with caplog.at_level(logging.INFO, logger="etl.pipeline"):
        run([str(folder)], tmp_settings, nlp=nlp)
    progress = [r.getMessage() for r in caplog.records if "documents enriched" in r.getMessage()]
    assert [line.split(" ", 1)[0] for line in progress] == ["2", "4"]
