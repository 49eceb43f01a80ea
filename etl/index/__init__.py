"""Sinks: where enriched documents go, and the engines that answer searches over them.

Both sinks implement the same small interface (``Sink``) so the pipeline, the CLI
and the DAG never branch on the engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from etl.records import IndexedDocument, Rejected
from etl.search.query import SearchRequest, SearchResult
from etl.settings import Settings


@dataclass(slots=True)
class WriteReport:
    indexed: int = 0
    failed: list[Rejected] = field(default_factory=list)  # per-document failures, with the engine's reason


class Sink(Protocol):
    name: str  # "embedded" | "elasticsearch"
    reject_dir: Path  # where runs keep rejected.jsonl and runs.jsonl (settings.reject_folder), for stats

    def write(self, docs: Iterable[IndexedDocument]) -> WriteReport: ...

    def search(self, request: SearchRequest) -> SearchResult: ...

    def count(self, index: str = "articles") -> int: ...

    def get(self, doc_id: str, index: str = "articles") -> dict | None: ...

    def close(self) -> None: ...

    def __enter__(self) -> Sink: ...

    def __exit__(self, *exc) -> None: ...


def open_sink(settings: Settings, *, write: bool = False) -> Sink:
    """The configured sink: Elasticsearch when configured, else the embedded Tantivy index."""
    if settings.sink_name == "elasticsearch":
        from etl.index.elastic import ElasticSink

        return ElasticSink(settings)
    if settings.sink_name != "embedded":
        raise ValueError(f"unknown sink {settings.sink_name!r}; expected 'embedded' or 'elasticsearch'")
    from etl.index.embedded import EmbeddedIndex

    return EmbeddedIndex(settings.index_dir, settings, write=write)
