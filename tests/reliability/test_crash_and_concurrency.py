"""A run killed with SIGKILL half-way, and two runs on one embedded index at once.

Both drive the real ``news-etl`` console script in subprocesses, as a scheduler would.
"""

from __future__ import annotations

import json
import signal
import subprocess
from collections import Counter

from conftest import SEED
from etl.index import open_sink
from etl.search.query import SearchRequest
from etl.settings import Settings
from reliability.corpus import write_articles
from reliability.news_etl import NEWS_ETL, article_ids, news_etl_env, wait_for_first_commit
from reliability.tally import indexed_ids

ARTICLES = 60
COMMIT_EVERY = 5


def test_sigkill_half_way_leaves_an_index_that_opens_and_a_rerun_holds_every_document_once(tmp_path, capsys, tally):
    folder, index_dir = tmp_path / "in", tmp_path / "index"
    write_articles(folder, ARTICLES)
    expected = article_ids(folder, capsys)
    assert len(set(expected)) == ARTICLES
    command = [NEWS_ETL, "run", str(folder), "--index-dir", str(index_dir), "--json"]
    env = news_etl_env(NEWS_ETL_COMMIT_EVERY=str(COMMIT_EVERY))

    tally.inputs += ARTICLES
    log = tmp_path / "victim.log"  # a file, not a pipe: a full pipe would stall the run before its commit
    with log.open("wb") as out:
        victim = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_first_commit(victim, index_dir, log)  # kill it while it works through the rest
        victim.send_signal(signal.SIGKILL)
    finally:
        victim.kill()
        victim.wait()
    tally.faults += 1
    assert victim.returncode == -signal.SIGKILL

    settings = Settings.from_env({}, sink="embedded", index_dir=index_dir)
    with open_sink(settings) as sink:  # the index opens: the last commit is intact
        partial = indexed_ids(sink)
    assert 0 < len(partial) < ARTICLES
    assert not [doc_id for doc_id, n in Counter(partial).items() if n > 1]

    tally.inputs += ARTICLES
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if rerun.returncode != 0:
        raise tally.crashed(f"re-run after SIGKILL exited {rerun.returncode}: {rerun.stderr[-2000:]}")
    assert json.loads(rerun.stdout)["indexed"] == ARTICLES
    with open_sink(settings) as sink:
        tally.check_exactly_once(expected, indexed_ids(sink))
        assert sink.count() == ARTICLES


def test_a_second_run_on_a_locked_index_refuses_with_a_clear_message_and_corrupts_nothing(tmp_path, nlp, tally):
    settings = Settings.from_env({}, sink="embedded", index_dir=tmp_path / "index")
    assert tally.run([SEED], settings, inputs=1, nlp=nlp).indexed == 1
    folder = tmp_path / "in"
    write_articles(folder, 3)

    tally.inputs += 3
    tally.faults += 1
    with open_sink(settings, write=True):  # a first run is still writing
        second = subprocess.run(
            [NEWS_ETL, "run", str(folder), "--index-dir", str(settings.index_dir)],
            env=news_etl_env(), capture_output=True, text=True, timeout=120,
        )

    assert second.returncode == 1
    assert "is being written by another run" in second.stderr and str(settings.index_dir) in second.stderr
    assert "Traceback" not in second.stderr
    with open_sink(settings) as sink:  # still the first run's index, whole
        assert sink.count() == 1 and sink.search(SearchRequest("Kyiv")).total == 1
