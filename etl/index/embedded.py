"""The embedded sink: two Tantivy indexes on local disk, ``articles/`` and ``quotes/``.

Writes are streaming upserts: each article replaces any earlier version with the same
id, and its quotes replace all quotes previously indexed for that article (so a quote the
article lost disappears). Commits happen every ``settings.commit_every`` articles and at
the end: a crash mid-run leaves the last commit readable, and a re-run overwrites
instead of duplicating. Only one process may write an index at a time (Tantivy's writer
lock); readers never need the lock.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

import tantivy

from etl.index import WriteReport
from etl.index.tantivy_schema import ARTICLES, LAYOUTS, QUOTES, IndexLayout, to_documents
from etl.index.tantivy_search import search
from etl.records import IndexedDocument, Rejected
from etl.search.query import SearchError, SearchRequest, SearchResult
from etl.settings import Settings

# Indexing memory per writer; Tantivy flushes a segment when it fills. Articles carry the
# long bodies, quotes are short. Threads: the machines this runs on have few cores.
_WRITER_HEAP = {"articles": 256_000_000, "quotes": 64_000_000}
_WRITER_THREADS = {"articles": 2, "quotes": 1}


class IndexLockedError(RuntimeError):
    """Another writer (usually another run) holds the index's writer lock."""


class IndexNotFoundError(SearchError):
    """A search on an index that has not been created yet."""


class IndexSchemaError(RuntimeError):
    """The folder holds an index built with a different schema (an older version of this code)."""


class EmbeddedIndex:
    def __init__(self, path: Path, settings: Settings, *, write: bool = False, lock_timeout: float = 5.0):
        self.path = Path(path)
        self.reject_dir = self.path
        self._commit_every = max(1, settings.commit_every)
        self._indexes: dict[str, tantivy.Index] = {}
        self._writers: dict[str, tantivy.IndexWriter] = {}
        if write:
            try:
                for layout in (ARTICLES, QUOTES):
                    index = self._create(layout)
                    self._writers[layout.name] = self._lock(index, layout, lock_timeout)
            except BaseException:
                self.close()
                raise

    # -- opening -------------------------------------------------------------------------

    def _create(self, layout: IndexLayout) -> tantivy.Index:
        (self.path / layout.name).mkdir(parents=True, exist_ok=True)
        return self._open(layout)

    def _open(self, layout: IndexLayout) -> tantivy.Index:
        """The index in the layout's folder (new if the folder is empty), with this version's schema."""
        folder = self.path / layout.name
        try:
            index = tantivy.Index(layout.schema, str(folder), reuse=True)
        except ValueError as err:
            raise IndexSchemaError(
                f"index {folder} cannot be opened with this version's schema ({err}); "
                f"delete the folder and re-run to rebuild it"
            ) from None
        self._indexes[layout.name] = index
        return index

    def _lock(self, index: tantivy.Index, layout: IndexLayout, timeout: float) -> tantivy.IndexWriter:
        """The index's writer, waiting up to ``timeout`` seconds for another writer to finish."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return index.writer(heap_size=_WRITER_HEAP[layout.name], num_threads=_WRITER_THREADS[layout.name])
            except ValueError as err:
                if "LockBusy" not in str(err):
                    raise
                if time.monotonic() >= deadline:
                    raise IndexLockedError(
                        f"index {self.path} is being written by another run (writer lock held on "
                        f"{layout.name}/, waited {timeout:g}s); wait for it to finish or point "
                        f"NEWS_ETL_INDEX_DIR elsewhere"
                    ) from None
                time.sleep(0.1)

    def _index(self, name: str) -> tantivy.Index:
        """An index for reading, opened on first use and refreshed to its latest commit."""
        layout = LAYOUTS.get(name)
        if layout is None:
            raise SearchError(f"unknown index {name!r}; expected one of {sorted(LAYOUTS)}")
        index = self._indexes.get(name)
        if index is None:
            folder = self.path / name
            if not (folder.is_dir() and tantivy.Index.exists(str(folder))):
                raise IndexNotFoundError(f"no {name} index at {folder} yet; index some documents first (news-etl run)")
            # Schema-checked: an older version's index would answer with fields this code misreads.
            index = self._open(layout)
        index.reload()
        return index

    # -- writing -------------------------------------------------------------------------

    def write(self, docs: Iterable[IndexedDocument]) -> WriteReport:
        if not self._writers:
            raise RuntimeError(f"index {self.path} was opened for reading; open it with write=True to index")
        articles, quotes = self._writers["articles"], self._writers["quotes"]
        report = WriteReport()
        pending = 0
        try:
            for doc in docs:
                doc_id = doc.article.id
                try:
                    # Convert first: a refused value must not leave the old version half-deleted.
                    article_doc, quote_docs = to_documents(doc)
                except (ValueError, TypeError, OverflowError) as err:
                    report.failed.append(Rejected(doc.article.origin, "index", str(err), id=doc_id))
                    continue
                articles.delete_documents_by_term("id", doc_id)
                articles.add_document(article_doc)
                quotes.delete_documents_by_term("article_id", doc_id)
                for quote_doc in quote_docs:
                    quotes.add_document(quote_doc)
                report.indexed += 1
                pending += 1
                if pending >= self._commit_every:
                    self._commit()
                    pending = 0
        finally:
            # Whatever was added is whole documents: keep it even if the stream broke.
            self._commit()
        return report

    def _commit(self) -> None:
        for name, writer in self._writers.items():
            writer.commit()
            self._indexes[name].reload()

    # -- reading -------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        request.validate()
        return search(self._index(request.index), LAYOUTS[request.index], request)

    def count(self, index: str = "articles") -> int:
        return self._index(index).searcher().num_docs

    # -- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        """Let background merges finish and release the writer locks (idempotent); ``write`` has committed."""
        writers, self._writers = self._writers, {}
        for writer in writers.values():
            writer.wait_merging_threads()  # consumes the writer, which releases the lock

    def __enter__(self) -> EmbeddedIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
