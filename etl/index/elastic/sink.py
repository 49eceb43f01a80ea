"""The Elasticsearch sink: bulk writes into ``articles`` and ``quotes`` through their aliases, and search.

Every article is written with ``_id`` = its document id (re-runs overwrite), and each of its quotes into
``quotes`` with ``<article id>-q<position>``; quotes an article no longer has are deleted, so a
re-indexed article that lost a quote loses it in ``quotes`` too. A document the server refuses
becomes a ``Rejected`` record with the server's reason; it never stops the batch.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from elasticsearch import ApiError, NotFoundError, TransportError
from elasticsearch.helpers import streaming_bulk

from etl.errors import brief
from etl.index.elastic.client import (
    RETRY_ON_STATUS,
    ElasticsearchRequestError,
    api_reason,
    make_client,
    server_errors,
)
from etl.index.elastic.indices import (
    MAPPINGS_DIR,
    alias_for,
    ensure_index,
    load_templates,
)
from etl.index.elastic.query import (
    related_body,
    related_hits,
    search_body,
    search_result,
)
from etl.index.sink import WriteReport
from etl.records import IndexedDocument, Rejected
from etl.search.query import Hit, SearchError, SearchRequest, SearchResult
from etl.search.vocabulary import ARTICLES, QUOTES
from etl.settings import Settings

log = logging.getLogger(__name__)

QuotesOf = dict[str, list[dict[str, Any]]]  # article id -> its quote documents
STAGE = "index"
# What the sink adds to a document's _source for search alone, left out of what `get` returns.
_DERIVED = {"articles": ["quote_text", *ARTICLES.copy_fields], "quotes": list(QUOTES.copy_fields)}
MAX_BACKOFF = 60.0  # seconds: the longest wait between two retries of a 429


class ElasticSink:
    name = "elasticsearch"

    def __init__(self, settings: Settings, *, mappings_dir: Path = MAPPINGS_DIR):
        self.settings = settings
        self.reject_dir = settings.reject_folder  # the runs' files: a default for `news-etl stats`
        self.mappings_dir = mappings_dir
        self.client = make_client(settings)
        self.articles = alias_for(settings, "articles")
        self.quotes = alias_for(settings, "quotes")
        self._ensured = False

    # -- writing --------------------------------------------------------------------------------

    def ensure_indices(self) -> dict[str, str]:
        """Templates in place and an index behind each alias (created on first use); alias -> index."""
        found = {}
        for index in ("articles", "quotes"):
            templates = load_templates(index, alias_for(self.settings, index), self.mappings_dir)
            with server_errors(self.settings, f"set up {templates.alias} on"):
                found[templates.alias] = ensure_index(self.client, templates)
        self._ensured = True
        return found

    def write(self, docs: Iterable[IndexedDocument]) -> WriteReport:
        if not self._ensured:
            self.ensure_indices()
        report = WriteReport()
        quotes = 0
        started = time.perf_counter()
        down: str | None = None  # set when the server stops answering: later batches are reported, not sent
        docs = iter(docs)
        while batch := list(islice(docs, self.settings.es_chunk_size)):
            if down:
                report.failed.extend(Rejected(doc.article.origin, STAGE, f"not sent: {down}", doc.article.id) for doc in batch)
                continue
            quotes_of = {doc.article.id: doc.quote_documents() for doc in batch}  # built once per batch
            landed, failed, down = self._write_batch(batch, quotes_of)
            report.failed.extend(failed)
            try:
                self._delete_lost_quotes(landed, quotes_of)
            except TransportError as err:
                down = f"Elasticsearch stopped answering: {err}"
            except ApiError as err:  # the articles landed, but quotes they lost may still be in `quotes`: say so
                report.failed.extend(
                    Rejected(doc.article.origin, STAGE, f"quotes it no longer has were not removed: {api_reason(err)}", doc.article.id)
                    for doc in landed
                )
                landed = []
            report.indexed += len(landed)
            quotes += sum(len(doc.quotes) for doc in landed)
        if down:
            log.error("elasticsearch: %s; the %d articles not written are in the rejected records", down, len(report.failed))
        else:
            try:
                self.client.indices.refresh(index=[self.articles, self.quotes])
            except (ApiError, TransportError) as err:  # only visibility: the cluster refreshes on its own
                log.warning("elasticsearch: refresh after the bulk failed (%s); new documents show within a second", err)
        seconds = time.perf_counter() - started
        log.info(
            "elasticsearch: %d articles and %d quotes landed in %s/%s, %d rejected, %.1f s (%.0f docs/s)",
            report.indexed, quotes, self.articles, self.quotes, len(report.failed), seconds,
            report.indexed / seconds if seconds else 0.0,
        )  # fmt: skip
        return report

    def _actions(self, batch: list[IndexedDocument], quotes_of: QuotesOf) -> Iterator[dict[str, Any]]:
        for doc in batch:
            source = doc.to_dict()
            # What the quotes say, flat, for search and highlights (the quotes themselves are nested),
            # and the text again for its language's analysis (``body_fr``): sent, so in _source, where
            # updates and reindexing find them; `get`, hits and highlights leave them out.
            source["quote_text"] = [quote["text"] for quote in source.get("quotes") or []]
            source.update(ARTICLES.language_copies(source))
            yield {"_index": self.articles, "_id": doc.article.id, "_source": source}
            for quote in quotes_of[doc.article.id]:
                yield {"_index": self.quotes, "_id": quote["id"], "_source": {**quote, **QUOTES.language_copies(quote)}}

    def _write_batch(self, batch: list[IndexedDocument], quotes_of: QuotesOf) -> tuple[list[IndexedDocument], list[Rejected], str | None]:
        """Bulk one batch; an article counts as landed only when it and all its quotes did.

        The third value says why the server stopped answering mid-batch (gone, or slower than the
        timeout through all the client's retries), else None: every article not confirmed by then fails.
        """
        by_id = {doc.article.id: doc for doc in batch}
        owner = {q["id"]: article_id for article_id, quotes in quotes_of.items() for q in quotes}
        errors: dict[str, list[str]] = {}
        confirmed: set[str] = set()
        down = None
        try:
            for ok, item in self._bulk(batch, quotes_of):
                result = next(iter(item.values()))
                doc_id = result.get("_id")
                if ok:
                    confirmed.add(doc_id)
                    continue
                article_id = doc_id if doc_id in by_id else owner.get(doc_id, doc_id)
                part = "article" if doc_id in by_id else f"quote {doc_id}"
                errors.setdefault(article_id, []).append(f"{part}: {_reason(result)}")
        except TransportError as err:
            down = f"Elasticsearch stopped answering: {err}"
            for doc in batch:
                parts = {doc.article.id, *(q["id"] for q in quotes_of[doc.article.id])}
                if doc.article.id not in errors and not parts <= confirmed:
                    errors[doc.article.id] = [f"not confirmed: {down}"]
        landed = [doc for doc in batch if doc.article.id not in errors]
        failed = [
            Rejected(by_id[aid].article.origin if aid in by_id else str(aid), STAGE, _joined(reasons), aid)
            for aid, reasons in errors.items()
        ]
        return landed, failed, down

    def _bulk(self, batch: list[IndexedDocument], quotes_of: QuotesOf) -> Iterator[tuple[bool, dict[str, Any]]]:
        return streaming_bulk(
            self.client,
            self._actions(batch, quotes_of),
            chunk_size=self.settings.es_chunk_size,
            max_retries=self.settings.es_max_retries,
            initial_backoff=self.settings.es_retry_backoff,
            max_backoff=MAX_BACKOFF,
            retry_on_status=(429, *RETRY_ON_STATUS),  # an overloaded or restarting cluster: back off, try again
            raise_on_error=False,
            raise_on_exception=False,
            # Only ever through the alias: with it gone, the cluster would auto-create a concrete index of
            # that name (whatever action.auto_create_index says for it) and the run would report success.
            require_alias=True,
        )

    def _delete_lost_quotes(self, landed: list[IndexedDocument], quotes_of: QuotesOf) -> None:
        """Delete quotes of these articles whose position no longer exists (the article lost quotes)."""
        if not landed:
            return
        keep = [q["id"] for doc in landed for q in quotes_of[doc.article.id]]
        self.client.delete_by_query(
            index=self.quotes,
            query={"bool": {"filter": [{"terms": {"article_id": [d.article.id for d in landed]}}], "must_not": [{"ids": {"values": keep}}]}},
            conflicts="proceed",
        )

    # -- reading --------------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        request.validate()
        alias = alias_for(self.settings, request.index)
        try:
            with server_errors(self.settings, f"search {alias} on"):
                response = self.client.search(index=alias, **search_body(request))
        except ElasticsearchRequestError as err:
            if not isinstance(err.__cause__, NotFoundError):
                raise
            raise SearchError(
                f"Elasticsearch has no index {alias!r} yet; index some articles first (news-etl run ... --sink elasticsearch)"
            ) from None
        return search_result(request, response.body)

    def count(self, index: str = "articles") -> int:
        alias = alias_for(self.settings, index)
        with server_errors(self.settings, f"count {alias} on"):
            return self.client.options(ignore_status=404).count(index=alias).body.get("count", 0)

    def get(self, doc_id: str, index: str = "articles") -> dict[str, Any] | None:
        """The stored document with this id, whole (its ``_source``), or None."""
        alias = alias_for(self.settings, index)
        with server_errors(self.settings, f"get from {alias} on"):
            response = self.client.options(ignore_status=404).get(index=alias, id=doc_id, source_excludes=_DERIVED[index])
        return response.body.get("_source") if response.body.get("found") else None

    def related(self, doc_id: str, size: int = 5) -> list[Hit] | None:
        """The articles most like ``doc_id`` (``more_like_this`` on title and body), never itself; None: no such id."""
        with server_errors(self.settings, f"find articles related to {doc_id!r} in {self.articles} on"):
            if not self.client.options(ignore_status=404).exists(index=self.articles, id=doc_id):
                return None
            response = self.client.search(index=self.articles, **related_body(self.articles, doc_id, size))
        return related_hits(response.body)

    def find_by_content_hash(self, content_hash: str) -> str | None:
        """The id of an indexed article whose body hashes to ``content_hash`` (the first found), or None."""
        alias = alias_for(self.settings, "articles")
        with server_errors(self.settings, f"search {alias} on"):
            response = self.client.options(ignore_status=404).search(
                index=alias, query={"term": {"content_hash": content_hash}}, size=1, source=False,
                sort=[{"id": "asc"}])
        hits = response.body.get("hits", {}).get("hits", [])
        return hits[0]["_id"] if hits else None

    def prune(self, until) -> dict[str, int]:
        deleted = {}
        for name in ("articles", "quotes"):
            alias = alias_for(self.settings, name)
            query = search_body(SearchRequest(index=name, until=until).validate())["query"]
            with server_errors(self.settings, f"prune {alias} on"):
                response = self.client.options(ignore_status=404).delete_by_query(
                    index=alias, query=query, conflicts="proceed", refresh=True)
            deleted[name] = response.body.get("deleted", 0)
        return deleted

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> ElasticSink:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _reason(result: dict[str, Any]) -> str:
    """The server's reason for a failed bulk item, e.g. ``mapper_parsing_exception: failed to parse ...``,
    on one line and cut short: servers quote the value they refused (ES's "Preview of field's value"),
    which for a body field is the whole article."""
    error = result.get("error")
    if isinstance(error, dict):
        caused_by = error.get("caused_by")
        cause = caused_by.get("reason") if isinstance(caused_by, dict) else None
        text = f"{error.get('type')}: {error.get('reason')}"
        return brief(f"{text} ({cause})" if cause else text)
    return brief(f"status {result.get('status')}: {error or result.get('exception', 'unknown error')}")


_MAX_REASONS = 2  # per article: its own and its quotes' refusals beyond these are counted, not quoted


def _joined(reasons: list[str]) -> str:
    shown = "; ".join(reasons[:_MAX_REASONS])
    return f"{shown}; and {len(reasons) - _MAX_REASONS} more" if len(reasons) > _MAX_REASONS else shown
