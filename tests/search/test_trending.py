"""What's trending (etl.search.trending): the same answer from both engines on the 181 real pages, and
JLH ranking a value concentrated in the range above one spread across the whole index."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from etl.index import open_sink
from etl.records import Article, Entity, IndexedDocument
from etl.search.query import SearchError, SearchRequest
from etl.search.trending import DEFAULT_FIELDS, jlh, trending


def busiest_month(sink) -> tuple[date, date]:
    """The calendar month with the most articles: a range with plenty in it and plenty outside it."""
    result = sink.search(SearchRequest(size=0, histogram_interval="month"))
    start = date.fromisoformat(max(result.histogram, key=lambda b: (b.count, b.date)).date)
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return start, end


def test_jlh_rewards_what_is_more_common_in_the_range_and_rare_overall():
    assert jlh(5, 10, 6, 1000) > jlh(5, 10, 300, 1000) > 0
    assert jlh(5, 10, 500, 1000) == 0.0  # 50% in the range, 50% overall: not trending
    assert jlh(1, 10, 900, 1000) == 0.0 and jlh(0, 0, 5, 10) == 0.0


def test_trending_is_the_same_in_both_engines(embedded, elastic):
    since, until = busiest_month(embedded)
    cases = [{"since": since, "until": until}, {}, {"since": since, "until": until, "text": "said"},
             {"since": since, "until": until, "fields": ["source", "persons"], "size": 3}]
    for case in cases:
        mine, theirs = trending(embedded, **case), trending(elastic, **case)
        assert mine == theirs, case
    month = trending(embedded, since=since, until=until)
    assert 0 < month["articles"] < month["background_articles"]
    assert list(month["fields"]) == list(DEFAULT_FIELDS)
    assert any(month["fields"].values()), month  # something stands out in the busiest month


def test_trending_rows_are_ranked_and_consistent(embedded):
    since, until = busiest_month(embedded)
    found = trending(embedded, since=since, until=until, size=50)
    for name, rows in found["fields"].items():
        assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True), name
        for row in rows:
            assert 2 <= row["count"] <= row["background_count"] and row["score"] > 0
            in_range = embedded.search(SearchRequest(filters=[(name, row["value"])], since=since, until=until, size=0))
            assert in_range.total >= row["count"], row  # a filter also finds the value's other spellings (case)


def test_an_empty_range_is_empty_lists_not_an_error(embedded):
    found = trending(embedded, since=date(1990, 1, 1), until=date(1990, 1, 31))
    assert found["articles"] == 0 and all(rows == [] for rows in found["fields"].values())
    assert found["since"] == "1990-01-01" and found["until"] == "1990-01-31"


def test_unknown_fields_and_sizes_are_refused(embedded):
    with pytest.raises(SearchError, match="unknown field 'title'"):
        trending(embedded, fields=["title"])
    with pytest.raises(SearchError, match="since"):
        trending(embedded, since="last tuesday")
    with pytest.raises(SearchError, match="size"):
        trending(embedded, size=0)


def _article(n: int, day: date, persons: list[str]) -> IndexedDocument:
    body = f"Story number {n} about the harbour and the town council, published on {day.isoformat()}."
    article = Article(id=f"trend-{n:03d}", url=f"https://news.example.com/{n}", source="news.example.com",
                      title=f"Story {n}", authors=[], published_at=f"{day.isoformat()}T09:00:00+00:00", language="en",
                      body=body, word_count=len(body.split()), content_hash=f"hash-{n}", origin=f"tests/trend/{n}")
    return IndexedDocument(article, [Entity(name, "PERSON", 1, [name]) for name in persons], [],
                           ingested_at="2024-06-01T00:00:00+00:00")


def concentrated_and_even() -> list[IndexedDocument]:
    """60 articles over 12 months; "Alice Novak" only in May (4 of its 5), "Bob Even" in 4 of every month's 5."""
    docs = []
    for month in range(1, 13):
        for k in range(5):
            n = month * 10 + k
            persons = ["Bob Even"] if k < 4 else []
            if month == 5 and k > 0:
                persons.append("Alice Novak")
            docs.append(_article(n, date(2023, month, 1 + 5 * k), persons))
    return docs


@pytest.mark.parametrize("engine", ["embedded", "elasticsearch"])
def test_a_value_concentrated_in_the_range_ranks_above_one_spread_evenly(engine, settings, tmp_path, request):
    if engine == "elasticsearch":
        engine_settings = request.getfixturevalue("es_settings")
    else:
        engine_settings = settings.with_(sink="embedded", index_dir=tmp_path / "index")
    with open_sink(engine_settings, write=True) as sink:
        assert sink.write(concentrated_and_even()).indexed == 60
        if engine == "elasticsearch":
            sink.client.indices.refresh(index="_all")
        found = trending(sink, since="2023-05-01", until="2023-05-31", fields=["persons"])
    rows = {row["value"]: row for row in found["fields"]["persons"]}
    assert found["articles"] == 5 and found["background_articles"] == 60
    assert rows["Alice Novak"] == {"value": "Alice Novak", "score": round(jlh(4, 5, 4, 60), 6), "count": 4, "background_count": 4}
    # Bob is in as many of May's articles, but in 80% of all of them: nothing about him stands out in May.
    assert "Bob Even" not in rows
    assert found["fields"]["persons"][0]["value"] == "Alice Novak"
