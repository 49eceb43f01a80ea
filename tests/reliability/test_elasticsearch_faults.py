"""Elasticsearch faults: a server that is not there, that is overloaded, that dies mid-run or that
stalls past the timeout. The faults come from ``FaultProxy`` in front of the osmem-server stand-in;
the pipeline (real spaCy model, real Elasticsearch client) must lose nothing, duplicate nothing and
say exactly which documents did not land.
"""

from __future__ import annotations

import json
import socket
import threading

from etl.cli import main
from etl.index import open_sink
from reliability.corpus import write_articles
from reliability.tally import indexed_ids

ARTICLES = 8  # with es_chunk_size=2: at least four bulk requests per run


def run_pipeline(folder, settings, nlp, tally, sent: dict | None = None):
    """One run; ``sent`` collects article id -> the ids of its parts (article and quotes) sent to the sink."""

    def remember(doc) -> None:
        if sent is not None:
            sent[doc.article.id] = {doc.article.id, *(q["id"] for q in doc.quote_documents())}

    return tally.run([folder], settings, inputs=ARTICLES, nlp=nlp, on_document=remember)


def fully_landed(settings, sent: dict) -> set[str]:
    """Articles that are in Elasticsearch with all their quotes."""
    with open_sink(settings) as sink:
        stored = set(indexed_ids(sink)) | set(indexed_ids(sink, "quotes"))
    return {article_id for article_id, parts in sent.items() if parts <= stored}


def rejected_records(settings) -> list[dict]:
    path = settings.index_dir / "rejected.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_server_at_start_is_a_clear_error_and_nothing_is_recorded(tmp_path, monkeypatch, capsys, tally):
    folder = tmp_path / "in"
    write_articles(folder, 2)
    url = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("ELASTICSEARCH_URL", url)
    tally.inputs += 2
    tally.faults += 1

    code = main(["run", str(folder), "--index-dir", str(tmp_path / "index"), "--json"])

    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""  # no summary: nothing was done
    assert err.startswith("news-etl run: ") and "Elasticsearch at " + url in err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert not (tmp_path / "index" / "rejected.jsonl").exists()


def test_429_and_503_for_a_while_are_retried_with_backoff_and_every_document_lands(tmp_path, fault_proxy, fault_settings, nlp, tally):
    write_articles(tmp_path / "in", ARTICLES)
    settings = fault_settings.with_(es_max_retries=5)
    fault_proxy.inject("status", status=429, times=3)
    # More 503s in a row than the transport retries at once (1 + es_max_retries): the bulk helper must
    # back off and try again. Together the faults stay within the retry budget of one bulk request.
    fault_proxy.inject("status", status=503, times=settings.es_max_retries + 3)

    summary = run_pipeline(tmp_path / "in", settings, nlp, tally)

    assert fault_proxy.injected == 3 + settings.es_max_retries + 3
    assert (summary.read, summary.indexed, summary.rejected) == (ARTICLES, ARTICLES, 0), summary.reasons
    with open_sink(settings) as sink:
        ids = indexed_ids(sink)
        assert sink.count() == ARTICLES
    tally.check_exactly_once(set(ids), ids)
    assert len(set(ids)) == ARTICLES


def test_server_dying_mid_run_reports_exactly_what_did_not_land_and_a_rerun_completes_it(tmp_path, fault_proxy, fault_settings, nlp, tally):
    write_articles(tmp_path / "in", ARTICLES)
    fault_proxy.inject("drop", after=2)  # two bulk requests get through, then every connection is cut

    sent: dict = {}
    summary = run_pipeline(tmp_path / "in", fault_settings, nlp, tally, sent)

    landed = fully_landed(fault_settings, sent)
    records = rejected_records(fault_settings)
    failed = {r["id"] for r in records}
    assert len(sent) == ARTICLES and failed, "the fault should hit the run"
    assert failed == sent.keys() - landed  # exactly what did not land, by id
    assert (summary.indexed, summary.rejected) == (len(landed), len(failed))
    assert summary.read == summary.indexed + summary.rejected + summary.duplicates
    assert all(r["stage"] == "index" and "stopped answering" in r["reason"] and r["origin"].endswith(".txt") for r in records)

    fault_proxy.heal()
    again = run_pipeline(tmp_path / "in", fault_settings, nlp, tally)

    assert (again.indexed, again.rejected) == (ARTICLES, 0)
    with open_sink(fault_settings) as sink:
        tally.check_exactly_once(sent.keys(), indexed_ids(sink))


def test_answers_slower_than_the_timeout_are_retried_then_reported_never_hanging(tmp_path, fault_proxy, fault_settings, nlp, tally):
    write_articles(tmp_path / "in", ARTICLES)
    settings = fault_settings.with_(es_timeout=0.3, es_max_retries=1)
    stall = fault_proxy.inject("stall", stall_s=1.5, after=1)  # the first bulk lands, then the server stalls
    outcome: dict = {}
    sent: dict = {}

    def target() -> None:
        try:
            outcome["summary"] = run_pipeline(tmp_path / "in", settings, nlp, tally, sent)
        except AssertionError as crash:
            outcome["crash"] = crash

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout=120)  # a guard against a hang, not a speed check
    assert not worker.is_alive(), "the run hung on a stalled server"
    if "crash" in outcome:
        raise outcome["crash"]
    summary = outcome["summary"]

    assert stall.injected == settings.es_max_retries + 1  # the stalled bulk was retried, later ones never sent
    failed = {r["id"] for r in rejected_records(settings)}
    landed = fully_landed(settings, sent)
    assert len(sent) == ARTICLES and failed == sent.keys() - landed
    assert (summary.indexed, summary.rejected) == (len(landed), len(failed))

    fault_proxy.heal()
    again = run_pipeline(tmp_path / "in", fault_settings, nlp, tally)
    assert again.indexed == ARTICLES
    with open_sink(fault_settings) as sink:
        tally.check_exactly_once(sent.keys(), indexed_ids(sink))


def test_a_refused_quote_cleanup_is_reported_and_a_refused_refresh_does_not_end_the_run(tmp_path, fault_proxy, fault_settings, nlp, tally):
    write_articles(tmp_path / "in", ARTICLES)
    # 403 is no overload: not retried. The articles land, but quotes they lost could not be removed: say so.
    fault_proxy.inject("status", path="/_delete_by_query", status=403, times=1)
    fault_proxy.inject("status", path="/_refresh", status=403, times=1)
    tally.faults += 2

    summary = run_pipeline(tmp_path / "in", fault_settings, nlp, tally)

    assert fault_proxy.injected == 2
    assert summary.read == summary.indexed + summary.rejected == ARTICLES
    cleanup = [r for r in rejected_records(fault_settings) if "were not removed" in r["reason"]]
    assert cleanup and summary.rejected == len(cleanup)  # only the first batch's articles, each named by id
    assert all(r["id"] and "HTTP 403" in r["reason"] for r in cleanup)
