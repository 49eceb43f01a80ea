"""Elasticsearch faults an operator causes (issue #17, Faults): an alias that is gone, and a server
whose refusal quotes the whole document.

The sink reads and writes only through its aliases (``articles`` -> ``articles-v1``). With the alias
gone, a write to the alias name would make the cluster auto-create a concrete index ``articles``
and the run would report success into an index nobody reads. The sink repairs the alias when exactly
one versioned index exists, refuses with one line otherwise, and never writes to a name that is not
an alias.
"""

from __future__ import annotations

import json

from es_proxy import ProxyResponse
from etl.cli import main
from etl.index import open_sink
from etl.index.elastic.client import make_client
from etl.index.elastic.indices import alias_for, load_templates, put_templates
from reliability.corpus import write_articles
from reliability.tally import indexed_ids

ARTICLES = 4


def _concrete(client, name: str) -> bool:
    """Whether ``name`` is a concrete index (not an alias)."""
    return client.indices.exists(index=name).body and not client.indices.exists_alias(name=name).body


def _without_alias(client, settings, *versions: int) -> None:
    """The templates in place and ``<alias>-vN`` indices with no alias pointing at them (an operator removed it)."""
    for index in ("articles", "quotes"):
        alias = alias_for(settings, index)
        put_templates(client, load_templates(index, alias))
        for version in versions:
            client.indices.create(index=f"{alias}-v{version}")


def test_a_lost_alias_over_one_versioned_index_is_repaired_and_documents_land_behind_it(tmp_path, fault_settings, nlp, tally):
    write_articles(tmp_path / "in", ARTICLES)
    client = make_client(fault_settings)
    _without_alias(client, fault_settings, 1)
    tally.faults += 1

    summary = tally.run([tmp_path / "in"], fault_settings, inputs=ARTICLES, nlp=nlp)

    assert (summary.indexed, summary.rejected) == (ARTICLES, 0), summary.reasons
    articles = alias_for(fault_settings, "articles")
    assert not _concrete(client, articles), "documents went to an auto-created concrete index"
    assert list(client.indices.get_alias(name=articles).body) == [f"{articles}-v1"]
    assert client.count(index=f"{articles}-v1")["count"] == ARTICLES
    with open_sink(fault_settings) as sink:
        ids = indexed_ids(sink)
    tally.check_exactly_once(set(ids), ids)
    client.close()


def test_a_lost_alias_over_two_versions_is_refused_in_one_line(tmp_path, fault_settings, monkeypatch, capsys, tally):
    write_articles(tmp_path / "in", 2)
    client = make_client(fault_settings)
    _without_alias(client, fault_settings, 1, 2)
    tally.inputs += 2
    tally.faults += 1
    monkeypatch.setenv("ELASTICSEARCH_URL", fault_settings.es_url)

    code = main(["run", str(tmp_path / "in"), "--index-dir", str(tmp_path / "index"), "--json"])

    _, err = capsys.readouterr()
    articles = alias_for(fault_settings, "articles")
    assert code == 1
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert f"{articles}-v1" in err and f"{articles}-v2" in err and "alias" in err
    assert not _concrete(client, articles)
    client.close()


def test_a_concrete_index_under_the_alias_name_is_refused_in_one_line(tmp_path, fault_settings, monkeypatch, capsys, tally):
    """What an earlier broken run left: documents auto-created into a concrete ``articles``."""
    write_articles(tmp_path / "in", 2)
    client = make_client(fault_settings)
    articles = alias_for(fault_settings, "articles")
    client.index(index=articles, id="stray", document={"title": "auto-created"}, refresh=True)
    tally.inputs += 2
    tally.faults += 1
    monkeypatch.setenv("ELASTICSEARCH_URL", fault_settings.es_url)

    code = main(["run", str(tmp_path / "in"), "--index-dir", str(tmp_path / "index"), "--json"])

    _, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "concrete index" in err and articles in err
    assert client.count(index=articles)["count"] == 1  # nothing more written beside the alias
    client.close()


def test_an_alias_removed_after_setup_never_becomes_a_concrete_index(tmp_path, fault_settings, nlp, monkeypatch, tally):
    """The alias disappears between the sink's setup and its bulk writes (another job, an operator):
    the writes are refused and reported, never sent to an auto-created index of that name."""
    write_articles(tmp_path / "in", ARTICLES)
    client = make_client(fault_settings)
    articles = alias_for(fault_settings, "articles")
    with open_sink(fault_settings) as sink:
        sink.ensure_indices()
    client.indices.delete_alias(index=f"{articles}-v1", name=articles)
    tally.faults += 1

    from etl.index.elastic import sink as elastic

    monkeypatch.setattr(elastic.ElasticSink, "ensure_indices", lambda self: setattr(self, "_ensured", True) or {})  # set up already
    summary = tally.run([tmp_path / "in"], fault_settings, inputs=ARTICLES, nlp=nlp)

    assert not _concrete(client, articles), "documents went to an auto-created concrete index"
    assert summary.indexed == 0 and summary.rejected == ARTICLES
    client.close()


def test_a_refused_document_is_reported_without_its_whole_body(tmp_path, fault_proxy, fault_settings, nlp, tally):
    """A server whose per-item reason quotes the document (ES's "Preview of field's value", or a
    proxy that echoes it): the rejected record stays a readable line, not a copy of the article."""
    write_articles(tmp_path / "in", 2)

    def echo_the_document(request):
        if "/_bulk" not in request.path:
            return None
        lines = request.body.decode().splitlines()
        items = []
        for action, source in zip(lines[::2], lines[1::2]):
            meta = next(iter(json.loads(action).values()))
            items.append({"index": {"_index": meta.get("_index"), "_id": meta["_id"], "status": 400, "error": {
                "type": "document_parsing_exception", "reason": f"failed to parse document {source}",
                "caused_by": {"type": "illegal_argument_exception", "reason": f"bad value {source}"}}}})
        body = json.dumps({"took": 1, "errors": True, "items": items}).encode()
        return ProxyResponse(200, [("Content-Type", "application/json"), ("X-Elastic-Product", "Elasticsearch")], body)

    original = fault_proxy.intercept
    fault_proxy.intercept = lambda request: echo_the_document(request) or original(request)
    tally.faults += 1

    summary = tally.run([tmp_path / "in"], fault_settings, inputs=2, nlp=nlp)

    assert summary.rejected == 2
    records = [json.loads(line) for line in (fault_settings.index_dir / "rejected.jsonl").read_text().splitlines()]
    assert len(records) == 2
    for record in records:
        assert "document_parsing_exception" in record["reason"]
        assert len(record["reason"]) <= 800, len(record["reason"])
