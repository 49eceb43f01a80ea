"""The HTTP API of `news-etl serve`: a thin, read-only shell over the library, like the CLI.

``GET /api/search`` and ``GET /api/quotes`` answer what `news-etl search --json` and `news-etl quotes
--json` print for the same parameters (the request is built by ``etl.search.params`` for both),
``/api/articles/{id}`` what `news-etl get --json` prints, ``/api/stats`` what `news-etl stats --json`
prints. The sink is opened once per app, for reading only; the embedded index reloads its latest
commit on every call, so a run indexing beside the server is seen by the next search.

Errors are JSON ``{"detail": ...}``: 422 for a bad parameter (FastAPI's validation, or the
library's ``SearchError`` in one line), 404 for an unknown article, 503 when the index cannot be
read (not created yet, damaged, Elasticsearch unreachable).
"""

import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict

from etl.errors import brief
from etl.index import open_sink
from etl.index.embedded.index import IndexNotFoundError
from etl.search.dates import INTERVALS
from etl.search.params import (
    DEFAULT_FACET_SIZE,
    DEFAULT_INTERVAL,
    DEFAULT_PAGE,
    DEFAULT_SIZE,
    search_request,
    split_filter,
)
from etl.search.query import INDEX_FACETS, MAX_RESULT_WINDOW, SORTS, SearchError
from etl.search.related import related
from etl.search.trending import trending
from etl.settings import Settings
from etl.stats import index_stats

log = logging.getLogger("news_etl.api")

STATIC = Path(__file__).resolve().parent / "static"
# The page loads its own script and style only; nothing inline, nothing from elsewhere, no framing.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
WHEN = "a date (YYYY-MM-DD), a date-time, today, yesterday, Nd or Nw (days or weeks ago)"


# -- response shapes (documentation: the handlers return the library's dicts as they are) -------------

class Error(BaseModel):
    detail: str


class Hit(BaseModel):
    model_config = ConfigDict(extra="allow")  # plus the index's stored fields (a quote's text, speaker, ...)
    id: str
    title: str | None
    url: str | None
    published_at: str | None
    score: float
    highlights: dict[str, list[str]]


class Bucket(BaseModel):
    value: str
    count: int


class DateBucket(BaseModel):
    date: str
    count: int


class SearchResult(BaseModel):
    total: int
    hits: list[Hit]
    facets: dict[str, list[Bucket]]
    histogram: list[DateBucket]
    histogram_interval: str
    cursor: str | None


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    sink: str
    articles: int | None = None
    detail: str | None = None


ERRORS = {422: {"model": Error, "description": "a bad parameter, said in one line"},
          503: {"model": Error, "description": "the index cannot be read (not created yet, damaged, unreachable)"}}
ARTICLE_EXAMPLE = {"id": "3f2a...", "url": "https://example.com/story", "title": "...", "body": "...",
                   "persons": ["John Kirby"], "quotes": [{"text": "...", "speaker": "John Kirby", "kind": "direct"}]}
STATS_EXAMPLE = {"sink": "embedded", "articles": 40, "quotes": 212,
                 "published": {"first": "2019-10-01", "last": "2020-03-02", "undated": 3},
                 "sources": [{"value": "wsj.com", "count": 5}], "languages": [{"value": "en", "count": 40}],
                 "last_run": None, "rejects": {"total": 0, "file": "var/index/rejected.jsonl"}}


def _params(index: str):
    """The CLI's search options as query parameters, for ``index`` (its fields are the facets allowed)."""
    fields = INDEX_FACETS[index]
    facet_type = Literal[fields]  # type: ignore[valid-type]

    def params(
        q: Annotated[str | None, Query(description="free text (the query language of `news-etl search QUERY`)")] = None,
        filter: Annotated[list[str], Query(description=f"FIELD:VALUE, split at the first ':'; every filter must match. "
                                                       f"Fields: {', '.join(fields)}")] = [],  # noqa: B006 (FastAPI copies it)
        facet: Annotated[list[facet_type], Query(description="count the values of this field")] = [],  # noqa: B006
        facet_size: Annotated[int, Query(ge=1, le=1000, description="values per facet")] = DEFAULT_FACET_SIZE,
        since: Annotated[str | None, Query(description=f"published on or after: {WHEN}")] = None,
        until: Annotated[str | None, Query(description="published on or before (a date: that whole day)")] = None,
        size: Annotated[int, Query(ge=0, le=1000, description="hits per page (0: facets and counts only)")] = DEFAULT_SIZE,
        page: Annotated[int, Query(ge=1, le=MAX_RESULT_WINDOW, description=f"page number, from 1; page x size at most {MAX_RESULT_WINDOW}")] = DEFAULT_PAGE,
        interval: Annotated[Literal[(*INTERVALS, "auto")], Query(description="date histogram interval (auto: picked from the dates found)")] = DEFAULT_INTERVAL,  # type: ignore[valid-type]
        cursor: Annotated[str | None, Query(description="a previous result's cursor: the hits after its page")] = None,
        sort: Annotated[Literal[SORTS] | None, Query(description="relevance or newest first (default: relevance for a query, else newest)")] = None,  # type: ignore[valid-type]
        unique: Annotated[bool, Query(description="hide near-copies of other articles (those with a duplicate_of; articles only)")] = False,
    ) -> dict[str, Any]:
        return {"index": index, "text": q, "filters": [split_filter(f) for f in filter], "facets": facet,
                "facet_size": facet_size, "since": since, "until": until, "size": size, "page": page,
                "interval": interval, "cursor": cursor, "sort": sort, "unique": unique}

    return params


def create_app(settings: Settings) -> FastAPI:
    sink = open_sink(settings)  # read-only; the embedded index opens its folders on first use
    lock = threading.Lock()  # one call at a time into the sink (handlers run in a thread pool)

    def call(method, *args):
        with lock:
            return method(*args)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        try:
            yield
        finally:
            sink.close()

    app = FastAPI(title="news-etl", summary="Read-only search over the news-etl index", lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # the interactive docs load scripts from a CDN, which the CSP forbids

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = CSP
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def error(status: int, err: BaseException) -> JSONResponse:
        return JSONResponse({"detail": brief(err)}, status_code=status)

    @app.exception_handler(SearchError)
    async def bad_request(request: Request, err: SearchError):
        return error(422, err)

    @app.exception_handler(IndexNotFoundError)
    async def no_index(request: Request, err: IndexNotFoundError):
        return error(503, err)

    @app.exception_handler(OSError)  # unreachable cluster, unreadable folder
    @app.exception_handler(RuntimeError)  # damaged index, a request the cluster refused
    async def unavailable(request: Request, err: Exception):
        log.warning("%s %s: %s", request.method, request.url.path, err, exc_info=err)
        return error(503, err)

    @app.get("/api/search", response_model=SearchResult, responses=ERRORS, summary="search articles")
    def search(params: Annotated[dict, Depends(_params("articles"))]):
        """Free text, filters, facets, a date histogram: what `news-etl search --json` prints."""
        return JSONResponse(call(sink.search, search_request(**params).validate()).to_dict())

    @app.get("/api/quotes", response_model=SearchResult, responses=ERRORS, summary="search quotes")
    def quotes(params: Annotated[dict, Depends(_params("quotes"))],
               speaker: Annotated[list[str], Query(description="only quotes by this speaker")] = []):  # noqa: B006
        """What did SPEAKER say about q: what `news-etl quotes --json` prints."""
        return JSONResponse(call(sink.search, search_request(**params, speakers=speaker).validate()).to_dict())

    @app.get("/api/articles/{id}", response_model=dict[str, Any], summary="one stored article, whole",
             responses={**ERRORS, 200: {"content": {"application/json": {"example": ARTICLE_EXAMPLE}}},
                        404: {"model": Error, "description": "no article with this id"}})
    def article(id: str):
        """Metadata, body, entities and quotes: what `news-etl get ID --json` prints."""
        doc = call(sink.get, id)
        if doc is None:
            return JSONResponse({"detail": f"no article with id {id!r} in the {sink.name} index"}, status_code=404)
        return JSONResponse(doc)

    @app.get("/api/articles/{id}/related", response_model=dict[str, Any], summary="the articles most like this one",
             responses={**ERRORS, 404: {"model": Error, "description": "no article with this id"}})
    def related_articles(id: str, size: Annotated[int, Query(ge=1, le=100, description="articles to list")] = 5):
        """``{"id", "hits"}``, most alike first, never the article itself: what `news-etl related ID --json` prints."""
        found = call(related, sink, id, size)
        if found is None:
            return JSONResponse({"detail": f"no article with id {id!r} in the {sink.name} index"}, status_code=404)
        return JSONResponse(found)

    @app.get("/api/trending", response_model=dict[str, Any], responses=ERRORS, summary="what stands out in a date range")
    def trending_values(
        since: Annotated[str | None, Query(description=f"range start: {WHEN} (default: 30 days before the newest article)")] = None,
        until: Annotated[str | None, Query(description="range end (a date: that whole day)")] = None,
        q: Annotated[str | None, Query(description="only articles matching this query in the range")] = None,
        filter: Annotated[list[str], Query(description="FIELD:VALUE; every filter must match")] = [],  # noqa: B006
        field: Annotated[list[Literal[INDEX_FACETS["articles"]]], Query(description="a field to rank (default persons, organizations, locations, speakers)")] = [],  # type: ignore[valid-type]  # noqa: B006
        size: Annotated[int, Query(ge=1, le=1000, description="values per field")] = 10,
    ):
        """Entity values ranked by JLH against the whole index: what `news-etl trending --json` prints."""
        return JSONResponse(call(lambda: trending(sink, since=since, until=until, text=q, filters=[split_filter(f) for f in filter],
                                                  fields=field, size=size)))

    @app.get("/api/stats", response_model=dict[str, Any], summary="what the index holds",
             responses={**ERRORS, 200: {"content": {"application/json": {"example": STATS_EXAMPLE}}}})
    def stats():
        """Counts, date range, top sources and languages, the last run: what `news-etl stats --json` prints."""
        return JSONResponse(call(index_stats, sink))

    @app.get("/healthz", response_model=Health, responses={503: {"model": Health}}, summary="can the index be read")
    def healthz():
        try:
            articles = call(sink.count, "articles")
        except (SearchError, OSError, RuntimeError) as err:
            return JSONResponse({"status": "unavailable", "sink": sink.name, "detail": brief(err)}, status_code=503)
        return {"status": "ok", "sink": sink.name, "articles": articles}

    @app.get("/", include_in_schema=False)
    def page():
        index = STATIC / "index.html"
        if not index.is_file():
            return JSONResponse({"detail": f"no search page at {index}"}, status_code=404)
        return FileResponse(index)

    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    return app
