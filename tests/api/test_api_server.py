"""`news-etl serve` as a client meets it: 422 with a reason for bad parameters, markup returned as text,
the security headers, the page, a missing index, and a run indexing beside a running server."""

from __future__ import annotations

import httpx
import pytest

from api.conftest import HOSTILE_ID, HOSTILE_TITLE, serve
from etl.index.embedded.index import EmbeddedIndex
from etl.records import Article, IndexedDocument
from etl.settings import Settings

# (parameters, the parameter the reason must name)
BAD_SEARCHES = [
    ([("size", "-1")], "size"),
    ([("size", "1001")], "size"),
    ([("size", "ten")], "size"),
    ([("page", "0")], "page"),
    ([("size", "100"), ("page", "101")], "page"),  # past the result window: the library's reason
    ([("facet", "nope")], "facet"),
    ([("facet_size", "0")], "facet_size"),
    ([("since", "last tuesday")], "since"),
    ([("until", "2024-13-45")], "until"),
    ([("since", "2024-06-01"), ("until", "2024-01-01")], "since"),
    ([("interval", "fortnight")], "interval"),
    ([("filter", "persons")], "filter"),
    ([("filter", "persons:")], "filter"),
    ([("filter", "nope:x")], "nope"),  # an unknown field: named by the library
]


@pytest.mark.parametrize(("params", "named"), BAD_SEARCHES, ids=["&".join(f"{k}={v}" for k, v in p) for p, _ in BAD_SEARCHES])
def test_bad_search_parameters_are_a_422_naming_the_parameter(api_server, params, named):
    response = httpx.get(api_server + "/api/search", params=params, timeout=30)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/json"
    detail = response.json()["detail"]
    if isinstance(detail, str):  # the library's SearchError: one line
        assert "\n" not in detail and named in detail, detail
    else:  # FastAPI's validation: where, and why
        assert [named] == [error["loc"][1] for error in detail], detail
        assert all(error["msg"] for error in detail)


@pytest.mark.parametrize("params", [[("facet", "persons")], [("filter", "persons:John Kirby")], [("speaker", "")]])
def test_bad_quote_parameters_are_a_422(api_server, params):
    response = httpx.get(api_server + "/api/quotes", params=params, timeout=30)
    if params == [("speaker", "")]:  # an empty speaker matches no quote; it is no error
        assert response.status_code == 200 and response.json()["total"] == 0
        return
    assert response.status_code == 422 and "persons" in response.text


def test_a_markup_title_comes_back_as_the_literal_text(api_server):
    search = httpx.get(api_server + "/api/search", params={"q": "harbour ferry terminal"}, timeout=30)
    assert search.headers["content-type"] == "application/json"
    assert search.headers["x-content-type-options"] == "nosniff"
    hit = next(hit for hit in search.json()["hits"] if hit["id"] == HOSTILE_ID)
    assert hit["title"] == HOSTILE_TITLE
    for fragments in hit["highlights"].values():  # highlights are the engine's escaped text with <b> marks only
        assert not any("<img" in fragment for fragment in fragments)
    assert '<img src=x onerror=alert(1)>' in search.text  # JSON text, never entity-escaped or rendered
    doc = httpx.get(f"{api_server}/api/articles/{HOSTILE_ID}", timeout=30).json()
    assert doc["title"] == HOSTILE_TITLE and doc["authors"] == ["Jane <b>Doe</b>"]
    quotes = httpx.get(api_server + "/api/quotes", params={"speaker": "Maria Santos"}, timeout=30).json()
    assert "<script>alert(1)</script> the pier is unsafe" in [hit["text"] for hit in quotes["hits"]]


@pytest.mark.parametrize("path", ["/api/search", "/healthz", "/api/articles/nope", "/api/search?size=-1", "/openapi.json"])
def test_every_response_carries_the_security_headers(api_server, path):
    response = httpx.get(api_server + path, timeout=30)
    assert response.headers["x-content-type-options"] == "nosniff"
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp


def test_the_page_and_its_files_are_served(api_server):
    from etl.api.app import STATIC

    if not (STATIC / "index.html").is_file():
        pytest.skip("the search page is not written yet")
    page = httpx.get(api_server + "/", timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for path in sorted(p.name for p in STATIC.iterdir() if p.is_file()):
        assert httpx.get(f"{api_server}/static/{path}", timeout=30).status_code == 200, path
    assert httpx.get(api_server + "/static/no-such-file.js", timeout=30).status_code == 404


def test_openapi_documents_every_endpoint_and_parameter(api_server):
    schema = httpx.get(api_server + "/openapi.json", timeout=30).json()
    assert {"/api/search", "/api/quotes", "/api/articles/{id}", "/api/stats", "/healthz"} <= schema["paths"].keys()
    search = {p["name"]: p for p in schema["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "filter", "facet", "facet_size", "since", "until", "size", "page", "interval", "cursor", "sort", "unique"} == search.keys()
    assert all(p.get("description") for p in search.values())
    quotes = {p["name"] for p in schema["paths"]["/api/quotes"]["get"]["parameters"]}
    assert quotes == search.keys() | {"speaker"}


def make_doc(doc_id: str, title: str) -> IndexedDocument:
    body = f"{title}. " + "The council met on Tuesday to discuss the harbour budget and the new ferry timetable. " * 3
    return IndexedDocument(Article(id=doc_id, url=f"https://news.example.com/{doc_id}", source="news.example.com",
                                   title=title, authors=[], published_at="2024-03-01T09:00:00+00:00", language="en",
                                   body=body, word_count=len(body.split()), content_hash=doc_id, origin=doc_id),
                           [], [], ingested_at="2024-03-02T00:00:00+00:00")


def test_a_run_beside_the_server_is_seen_by_the_next_search(tmp_path):
    """The server reads the latest commit on every call, and holds no writer lock: a run can index meanwhile."""
    settings = Settings.from_env({}).with_(index_dir=tmp_path / "index", sink="embedded")
    with EmbeddedIndex(settings.index_dir, settings, write=True) as index:
        index.write([make_doc("first", "Council approves harbour budget")])
    with serve("--index-dir", str(settings.index_dir), "--sink", "embedded") as url:
        assert httpx.get(url + "/api/search", timeout=30).json()["total"] == 1
        with EmbeddedIndex(settings.index_dir, settings, write=True, lock_timeout=0.5) as index:
            index.write([make_doc("second", "Ferry timetable changes in spring")])
        result = httpx.get(url + "/api/search", params={"q": "timetable spring"}, timeout=30).json()
        assert [hit["id"] for hit in result["hits"]][:1] == ["second"]
        assert httpx.get(url + "/healthz", timeout=30).json()["articles"] == 2
        assert httpx.get(url + "/api/articles/second", timeout=30).json()["title"] == "Ferry timetable changes in spring"


def test_a_missing_index_is_a_503_that_says_so(tmp_path):
    with serve("--index-dir", str(tmp_path / "nothing"), "--sink", "embedded", expect_healthy=False) as url:
        health = httpx.get(url + "/healthz", timeout=30)
        assert health.status_code == 503 and health.json()["status"] == "unavailable"
        for path in ("/api/search?q=x", "/api/quotes", "/api/stats", "/api/articles/x"):
            response = httpx.get(url + path, timeout=30)
            assert response.status_code == 503, path
            assert "no articles index" in response.json()["detail"] or "no quotes index" in response.json()["detail"]
        assert httpx.get(url + "/api/search?size=-1", timeout=30).status_code == 422  # parameters are still checked first
    assert not (tmp_path / "nothing").exists()  # read-only: serving created nothing


def test_serve_refuses_an_unconfigured_elasticsearch(tmp_path):
    import subprocess

    from api.conftest import BASE_ENV, NEWS_ETL

    proc = subprocess.run([str(NEWS_ETL), "serve", "--sink", "elasticsearch", "--port", "1"], check=False, env=BASE_ENV,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "ELASTICSEARCH_URL" in proc.stderr and "Traceback" not in proc.stderr
