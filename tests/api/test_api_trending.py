"""GET /api/trending and GET /api/articles/{id}/related over real pages: exactly what the CLI prints."""

from __future__ import annotations

import json
import subprocess

import httpx

from api.conftest import BASE_ENV, NEWS_ETL


def cli(engine, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(NEWS_ETL), *args, *engine.cli_args], env={**BASE_ENV, **engine.env},
                          capture_output=True, text=True, timeout=120, check=False)


def test_trending_json_is_the_clis(embedded_api):
    for params, flags in [({}, []), ({"since": "2019-01-01", "until": "2020-12-31", "field": ["persons", "source"], "size": "3"},
                                     ["--since", "2019-01-01", "--until", "2020-12-31", "--field", "persons", "--field", "source", "--size", "3"])]:
        response = httpx.get(embedded_api.url + "/api/trending", params=params, timeout=60)
        assert response.status_code == 200, response.text
        done = cli(embedded_api, "trending", *flags, "--json")
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == response.json()
        assert set(response.json()) >= {"since", "until", "fields"}


def test_an_empty_range_is_empty_lists(embedded_api):
    body = httpx.get(embedded_api.url + "/api/trending", params={"since": "1990-01-01", "until": "1990-01-02"}, timeout=60).json()
    assert body["articles"] == 0 and all(rows == [] for rows in body["fields"].values())
    done = cli(embedded_api, "trending", "--since", "1990-01-01", "--until", "1990-01-02")
    assert done.returncode == 0 and "no articles in this range" in done.stdout


def test_a_bad_since_is_422_and_one_line(embedded_api):
    response = httpx.get(embedded_api.url + "/api/trending", params={"since": "last tuesday"}, timeout=60)
    assert response.status_code == 422 and "since" in response.json()["detail"]
    assert httpx.get(embedded_api.url + "/api/trending", params={"field": "title"}, timeout=60).status_code == 422
    done = cli(embedded_api, "trending", "--since", "last tuesday")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()[-1:]) == 1 and "--since" in done.stderr


def test_related_is_the_clis_and_unknown_is_404(embedded_api):
    some = httpx.get(embedded_api.url + "/api/search", params={"size": 1}, timeout=60).json()["hits"][0]["id"]
    response = httpx.get(f"{embedded_api.url}/api/articles/{some}/related", params={"size": 3}, timeout=60)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == some and some not in [hit["id"] for hit in body["hits"]] and len(body["hits"]) <= 3
    done = cli(embedded_api, "related", some, "--size", "3", "--json")
    assert done.returncode == 0 and json.loads(done.stdout) == body
    assert httpx.get(embedded_api.url + "/api/articles/no-such-id/related", timeout=60).status_code == 404
    assert cli(embedded_api, "related", "no-such-id").returncode == 1
