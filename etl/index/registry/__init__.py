"""The entity registry across articles: one name per real entity over the whole index.

What the pipeline (and any other writer) does with it, in three narrow steps:
``open_registry`` beside the sink, ``registry.canonicalize`` each document on its way to the sink,
and ``settle`` the landed ones afterwards (stores their names, rewrites the indexed articles they
resolve). Kept in SQLite inside the embedded index's folder, or in an Elasticsearch index of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path

from etl.index.registry.recanonicalize import recanonicalize
from etl.index.registry.registry import EntityRegistry
from etl.index.sink import Sink
from etl.records import IndexedDocument
from etl.settings import Settings

__all__ = ["EntityRegistry", "canonicalized", "open_registry", "settle"]

log = logging.getLogger(__name__)


def open_registry(settings: Settings, sink: Sink) -> EntityRegistry:
    if sink.name == "elasticsearch":
        from etl.index.elastic.indices import registry_index_for
        from etl.index.registry.elastic_store import ElasticNameStore

        store = ElasticNameStore(sink.client, registry_index_for(settings), settings)
    else:
        from etl.index.registry.sqlite_store import SqliteNameStore

        store = SqliteNameStore(Path(settings.index_dir))
    return EntityRegistry(store, settings.entity_window_days, partial(_people, sink))


def canonicalized(docs: Iterable[IndexedDocument], registry: EntityRegistry, sink: Sink) -> Iterator[IndexedDocument]:
    """Each document on its way to ``sink`` with its short forms as their full names; its indexed
    version (asked only for a form now ambiguous) keeps the name it was indexed under."""
    for doc in docs:
        yield registry.canonicalize(doc, partial(_indexed, sink, doc.article.id))


def _indexed(sink: Sink, doc_id: str) -> dict | None:
    try:
        return sink.get(doc_id)
    except ConnectionError as err:  # ElasticsearchUnavailable: the write that follows reports the article
        log.warning("%s; %s keeps its names as written", err, doc_id)
        return None


def _people(sink: Sink, doc_id: str) -> list[str]:
    """The persons facet of an indexed article: which story a full name was seen in."""
    return (_indexed(sink, doc_id) or {}).get("persons") or []


def settle(registry: EntityRegistry, sink: Sink, landed: Iterable[str]) -> int:
    """Store the names of the landed articles and rewrite the indexed ones they resolve; returns
    how many indexed articles were re-canonicalised. A sink that stops answering meanwhile ends
    the rewriting with a warning, not the run: its articles have landed."""
    new = registry.confirm(landed)
    try:
        return recanonicalize(sink, registry, new)
    except ConnectionError as err:  # ElasticsearchUnavailable
        log.warning("%s; indexed articles were not re-canonicalised with this run's names", err)
        return 0
