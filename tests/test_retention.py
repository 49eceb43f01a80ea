"""`news-etl index prune --older-than`: the retention of a daily-growing index, on both engines."""

from __future__ import annotations

import json
from datetime import date

import pytest

from etl.cli import main
from etl.index import open_sink
from etl.records import Article, IndexedDocument, Quote
from etl.search.query import SearchRequest


def article(n: int, published: str | None) -> IndexedDocument:
    body = f"Story number {n} about the harbour ferry terminal and its repairs, told at length for the index."
    a = Article(id=f"a{n}", url=f"https://example.com/{n}", source="example.com", title=f"Story {n}", authors=[],
                published_at=published, language="en", body=body, word_count=len(body.split()),
                content_hash=f"h{n}", origin=f"test/{n}")
    quote = Quote(text=f"quote {n} on the pier", speaker="Maria Santos", speaker_label=None, cue="said",
                  kind="direct", start=0, end=5)
    return IndexedDocument(a, [], [quote], ingested_at="2024-06-01T00:00:00+00:00")


DOCS = [article(1, "2024-01-10T08:00:00+00:00"), article(2, "2024-03-01T00:00:00+00:00"),
        article(3, "2024-05-20T12:00:00+00:00"), article(4, None)]


@pytest.fixture(params=["embedded", "elasticsearch"])
def engine(request, tmp_settings):
    settings = request.getfixturevalue("es_settings") if request.param == "elasticsearch" else tmp_settings
    with open_sink(settings, write=True) as sink:
        assert sink.write(DOCS).indexed == len(DOCS)
    return settings


def ids(settings, index: str = "articles") -> set[str]:
    with open_sink(settings) as sink:
        return {h.fields.get("article_id") or h.id for h in sink.search(SearchRequest(index=index, size=100)).hits}


def test_prune_deletes_what_is_older_and_keeps_the_day_itself_and_the_undated(engine, capsys, monkeypatch):
    monkeypatch.setattr("etl.cli.Settings.from_env", lambda **_: engine)
    assert main(["index", "prune", "--older-than", "2024-03-01", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report == {"older_than": "2024-03-01", "deleted": {"articles": 1, "quotes": 1}}
    assert ids(engine) == {"a2", "a3", "a4"}  # 2024-03-01 itself is not older than 2024-03-01
    assert ids(engine, "quotes") == {"a2", "a3", "a4"}


def test_prune_by_age_and_a_rerun_deletes_nothing_more(engine, capsys, monkeypatch):
    monkeypatch.setattr("etl.cli.Settings.from_env", lambda **_: engine)
    days = (date.today() - date(2024, 4, 1)).days
    assert main(["index", "prune", "--older-than", f"{days}d"]) == 0
    assert "deleted 2 articles and 2 quotes published before 2024-04-01" in capsys.readouterr().out
    assert main(["index", "prune", "--older-than", f"{days}d", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["deleted"] == {"articles": 0, "quotes": 0}
    assert ids(engine) == {"a3", "a4"}


def test_a_bad_age_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["index", "prune", "--older-than", "last tuesday"])
    assert exit_.value.code == 2
    assert "--older-than" in capsys.readouterr().err
