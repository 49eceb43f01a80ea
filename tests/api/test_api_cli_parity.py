"""`news-etl serve` answers what the CLI prints: /api/search = `search --json`, /api/quotes = `quotes --json`,
/api/articles/{id} = `get --json`, /api/stats = `stats --json`, for the embedded index and for Elasticsearch."""

from __future__ import annotations

import json
import os
from unittest.mock import patch

import httpx
import pytest

from api.conftest import BASE_ENV, Engine
from etl.cli import main


@pytest.fixture(scope="module", params=["embedded", "elasticsearch"])
def engine(request) -> Engine:
    return request.getfixturevalue("embedded_api" if request.param == "embedded" else "es_api")


def cli_json(capsys, engine: Engine, *argv: str):
    """What `news-etl ARGV --json` prints for the engine's index (run in this process, its environment only)."""
    capsys.readouterr()
    with patch.dict(os.environ, {**BASE_ENV, **engine.env}, clear=True):
        code = main([*argv, *engine.cli_args, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def api_json(engine: Engine, path: str, params=()):
    response = httpx.get(engine.url + path, params=list(params), timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


@pytest.fixture(scope="module")
def top(engine) -> dict[str, str]:
    """The most frequent value of some facets, and the date range: filter values that match something."""
    articles = api_json(engine, "/api/search", [("facet", "persons"), ("facet", "source"), ("facet", "organizations")])
    quotes = api_json(engine, "/api/quotes", [("facet", "speaker"), ("facet", "kind")])
    stats = api_json(engine, "/api/stats")
    assert articles["total"] >= 15 and quotes["total"] >= 10
    return {
        "person": articles["facets"]["persons"][0]["value"], "source": articles["facets"]["source"][0]["value"],
        "org": articles["facets"]["organizations"][0]["value"], "speaker": quotes["facets"]["speaker"][0]["value"],
        "kind": quotes["facets"]["kind"][0]["value"], "first": stats["published"]["first"], "last": stats["published"]["last"],
    }


# (API query parameters, CLI arguments), values in {braces} filled from ``top``
SEARCHES = [
    ([], []),
    ([("q", "said")], ["said"]),
    ([("q", "government"), ("size", "3"), ("page", "2")], ["government", "--size", "3", "--page", "2"]),
    ([("facet", "persons"), ("facet", "organizations"), ("facet", "language"), ("facet_size", "3")],
     ["--facet", "persons", "--facet", "organizations", "--facet", "language", "--facet-size", "3"]),
    ([("filter", "persons:{person}"), ("facet", "locations")], ["--filter", "persons={person}", "--facet", "locations"]),
    ([("filter", "source:{source}"), ("filter", "organizations:{org}")], ["--filter", "source={source}", "--filter", "organizations={org}"]),
    ([("filter", "source:no:such:site")], ["--filter", "source=no:such:site"]),  # split at the first ':'
    ([("since", "{first}"), ("until", "{last}"), ("interval", "month")], ["--since", "{first}", "--until", "{last}", "--interval", "month"]),
    ([("since", "{last}"), ("interval", "day")], ["--since", "{last}", "--interval", "day"]),
    ([("until", "{first}T23:59:59"), ("interval", "week")], ["--until", "{first}T23:59:59", "--interval", "week"]),
    ([("size", "0"), ("interval", "year"), ("facet", "authors")], ["--size", "0", "--interval", "year", "--facet", "authors"]),
    ([("q", "harbour ferry")], ["harbour ferry"]),
]
QUOTES = [
    ([], []),
    ([("q", "said"), ("facet", "speaker")], ["said", "--facet", "speaker"]),
    ([("speaker", "{speaker}"), ("facet", "kind")], ["--speaker", "{speaker}", "--facet", "kind"]),
    ([("filter", "kind:{kind}"), ("size", "5"), ("page", "2"), ("interval", "month")],
     ["--filter", "kind={kind}", "--size", "5", "--page", "2", "--interval", "month"]),
    ([("speaker", "{speaker}"), ("speaker", "Nobody Atall")], ["--speaker", "{speaker}", "--speaker", "Nobody Atall"]),
]


def filled(items, top):
    return [(k, v.format(**top)) for k, v in items] if items and isinstance(items[0], tuple) else [a.format(**top) for a in items]


@pytest.mark.parametrize(("params", "argv"), SEARCHES, ids=[" ".join(a) or "everything" for _, a in SEARCHES])
def test_search_answers_what_the_cli_prints(engine, top, capsys, params, argv):
    api = api_json(engine, "/api/search", filled(params, top))
    assert api == cli_json(capsys, engine, "search", *filled(argv, top))
    assert {"total", "hits", "facets", "histogram", "histogram_interval", "cursor"} == api.keys()


def test_the_parameter_sets_do_find_things(engine, top):
    """The comparisons above are not of empty results: filters on the top values match, paging pages."""
    person = api_json(engine, "/api/search", [("filter", f"persons:{top['person']}")])
    assert person["total"] >= 1
    assert all(top["person"] in api_json(engine, f"/api/articles/{hit['id']}")["persons"] for hit in person["hits"])
    first, second = (api_json(engine, "/api/search", [("size", "3"), ("page", str(n))]) for n in (1, 2))
    assert len(first["hits"]) == len(second["hits"]) == 3
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    monthly = api_json(engine, "/api/search", [("interval", "month"), ("size", "0")])
    assert monthly["histogram_interval"] == "month" and monthly["histogram"]
    assert all(bucket["date"].endswith("-01") for bucket in monthly["histogram"])


@pytest.mark.parametrize(("params", "argv"), QUOTES, ids=[" ".join(a) or "everything" for _, a in QUOTES])
def test_quotes_answer_what_the_cli_prints(engine, top, capsys, params, argv):
    api = api_json(engine, "/api/quotes", filled(params, top))
    assert api == cli_json(capsys, engine, "quotes", *filled(argv, top))


def test_speaker_parameter_keeps_that_speakers_quotes(engine, top):
    result = api_json(engine, "/api/quotes", [("speaker", top["speaker"]), ("size", "50")])
    assert result["total"] >= 1 and {hit["speaker"] for hit in result["hits"]} == {top["speaker"]}
    assert {"text", "speaker", "kind", "article_id"} <= result["hits"][0].keys()


def test_article_is_what_get_prints(engine, capsys):
    for hit in api_json(engine, "/api/search", [("size", "3")])["hits"]:
        doc = api_json(engine, f"/api/articles/{hit['id']}")
        assert doc == cli_json(capsys, engine, "get", hit["id"])
        assert doc["id"] == hit["id"] and doc["body"]


def test_unknown_article_is_a_404_json(engine):
    response = httpx.get(engine.url + "/api/articles/no-such-article", timeout=30)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert "no-such-article" in response.json()["detail"]


def test_stats_are_what_stats_prints(engine, capsys):
    stats = api_json(engine, "/api/stats")
    assert stats == cli_json(capsys, engine, "stats")
    assert stats["sink"] == engine.name and stats["articles"] >= 15 and stats["quotes"] >= 10


def test_healthz_names_the_sink_and_counts_the_articles(engine):
    health = api_json(engine, "/healthz")
    assert health["status"] == "ok" and health["sink"] == engine.name
    assert health["articles"] == api_json(engine, "/api/stats")["articles"]



@pytest.mark.parametrize("text", [None, "said"])
def test_a_cursor_is_passed_through_to_the_engine(engine, text):
    """The hits after a cursor are the library's for the same request (the CLI has no --cursor yet)."""
    from etl.index import open_sink
    from etl.search.params import search_request

    search = [("size", "3"), *([("q", text)] if text else [])]
    first = api_json(engine, "/api/search", search)
    if first["cursor"] is None:
        pytest.skip(f"the {engine.name} engine returns no cursor")
    after = api_json(engine, "/api/search", [*search, ("cursor", first["cursor"])])
    with open_sink(engine.settings) as sink:
        expected = sink.search(search_request(text=text, size=3, cursor=first["cursor"]).validate()).to_dict()
    assert after == expected and after["hits"]
    if text is None:  # newest first, no scores: the next hits are the second page
        assert not {h["id"] for h in after["hits"]} & {h["id"] for h in first["hits"]}
        page_two = api_json(engine, "/api/search", [*search, ("page", "2")])
        assert [hit["id"] for hit in after["hits"]] == [hit["id"] for hit in page_two["hits"]]
