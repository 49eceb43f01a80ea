"""What every sink is: the interface the pipeline, the CLI, the API and the DAG write and search
through, and the report of a write. Engines import it from here, never from the package."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from etl.records import IndexedDocument, Rejected
from etl.search.query import Hit, SearchRequest, SearchResult


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

    def prune(self, until) -> dict[str, int]:
        """Delete the articles and quotes published on or before ``until`` (as ``SearchRequest.until``);
        undated ones are kept. Returns how many of each went."""
        ...

    # The articles most like this one by title and body (see etl.search.related), never itself; None: no such id.
    def related(self, doc_id: str, size: int = 5) -> list[Hit] | None: ...

    def find_by_content_hash(self, content_hash: str) -> str | None: ...  # an indexed article with this body

    def close(self) -> None: ...

    def __enter__(self) -> Sink: ...

    def __exit__(self, *exc) -> None: ...
