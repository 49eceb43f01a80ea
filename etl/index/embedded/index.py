"""The embedded sink: two Tantivy indexes on local disk, ``articles/`` and ``quotes/``.

Writes are streaming upserts: each article replaces any earlier version with the same
id, and its quotes replace all quotes previously indexed for that article (so a quote the
article lost disappears). Commits happen every ``settings.commit_every`` articles and at
the end: a crash mid-run leaves the last commit readable, and a re-run overwrites
instead of duplicating. Only one process may write an index at a time (Tantivy's writer
lock); readers never need the lock.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import tantivy

from etl.errors import brief
from etl.index.embedded.analysis import register
from etl.allocator import release_freed_memory
from etl.index.embedded.rebuild import PREVIOUS, set_aside, stored_documents
from etl.index.embedded.rust_panics import held_panic_output, is_panic
from etl.index.embedded.schema import (
    ARTICLES,
    LAYOUTS,
    QUOTES,
    STORED,
    IndexLayout,
    stored,
    to_documents,
)
from etl.index.embedded.search import build_query, related, search
from etl.index.sink import WriteReport
from etl.records import IndexedDocument, Rejected
from etl.search.query import Hit, SearchError, SearchRequest, SearchResult
from etl.settings import Settings

log = logging.getLogger(__name__)

# Indexing memory per writer; Tantivy flushes a segment when it fills. Articles carry the
# long bodies, quotes are short. One thread each: the thread converting records is the slower
# side (20,000 articles: 315/s with one, 304/s with two), and each thread keeps its own buffer
# and table (about 8 MB more at 1,000 articles with two).
_WRITER_HEAP = {"articles": 256_000_000, "quotes": 64_000_000}
_WRITER_THREADS = {"articles": 1, "quotes": 1}


class IndexLockedError(RuntimeError):
    """Another writer (usually another run) holds the index's writer lock."""


class IndexNotFoundError(SearchError):
    """A search on an index that has not been created yet."""


class IndexSchemaError(RuntimeError):
    """The folder holds an index built by another version of news-etl, with a different schema."""


class IndexPermissionError(PermissionError):
    """This user may not read or write the index folder (Tantivy writes a lock file even to search)."""


class IndexUnreadableError(RuntimeError):
    """The folder holds something Tantivy cannot open as this index: damaged, or another program's index."""


class EmbeddedIndex:
    name = "embedded"

    def __init__(self, path: Path, settings: Settings, *, write: bool = False, lock_timeout: float = 5.0):
        self.path = Path(path)
        self.reject_dir = settings.reject_folder  # the runs' files: a default for `news-etl stats`
        self._commit_every = max(1, settings.commit_every)
        self._indexes: dict[str, tantivy.Index] = {}
        self._writers: dict[str, tantivy.IndexWriter] = {}
        self._shadows: list[Path] = []  # private folders of links through which a read-only index is read
        if write:
            try:
                if (self.path / PREVIOUS).exists():  # a rebuild that did not finish
                    self._rebuild(lock_timeout)
                else:
                    try:
                        self._open_writers(lock_timeout)
                    except IndexSchemaError:
                        self.close()
                        self._rebuild(lock_timeout)
            except BaseException:
                self.close()
                raise

    def _open_writers(self, lock_timeout: float) -> None:
        try:
            for layout in (ARTICLES, QUOTES):
                index = self._create(layout)
                self._writers[layout.name] = self._lock(index, layout, lock_timeout)
        except BaseException:
            self.close()
            raise

    def _rebuild(self, lock_timeout: float) -> None:
        """An index an earlier news-etl wrote, rebuilt in this schema from the articles it stores whole
        (their quotes with them); the old folders go once the new index has committed."""
        previous = set_aside(self.path, tuple(LAYOUTS))
        self._open_writers(lock_timeout)
        report = self.write(stored_documents(previous / ARTICLES.name))
        shutil.rmtree(previous)
        log.warning("index %s was built by another version of news-etl; rebuilt it in this version's schema "
                    "from the articles it stored (%d)", self.path, report.indexed)

    # -- opening -------------------------------------------------------------------------

    def _create(self, layout: IndexLayout) -> tantivy.Index:
        """The index to write, opened beside the one ``_index`` reads: the writer's analyzers take
        the words ``to_documents`` found (``analysis.words``), the reader's find them in raw text."""
        folder = self.path / layout.name
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise _folder_error(folder, err) from None
        self._open(layout)
        return register(tantivy.Index(layout.schema, str(folder), reuse=True), split=True)

    def _open(self, layout: IndexLayout, *, read_only: bool = False) -> tantivy.Index:
        """The index in the layout's folder (new if the folder is empty), with this version's schema."""
        folder = self.path / layout.name
        try:
            index = register(tantivy.Index(layout.schema, str(folder), reuse=True))
        except ValueError as err:
            if not (read_only and _lock_refused(str(err))):
                raise _open_error(folder, layout, err) from None
            index = self._open_shadow(folder, layout)
        self._indexes[layout.name] = index
        return index

    def _open_shadow(self, folder: Path, layout: IndexLayout) -> tantivy.Index:
        """A read-only index (a published snapshot, another user's folder) read through a private
        folder of links to its files: Tantivy's reader takes a lock file beside the index, which a
        read-only folder refuses. It shows the commit of the moment it was opened."""
        shadow = Path(tempfile.mkdtemp(prefix="news-etl-read-only-"))
        self._shadows.append(shadow)
        try:
            for entry in folder.iterdir():
                if not entry.name.endswith(".lock"):
                    (shadow / entry.name).symlink_to(entry.resolve())
            return register(tantivy.Index(layout.schema, str(shadow), reuse=True))
        except PermissionError as err:
            raise _permission_error(Path(err.filename or folder)) from None
        except ValueError as err:
            raise _open_error(folder, layout, err) from None

    def _lock(self, index: tantivy.Index, layout: IndexLayout, timeout: float) -> tantivy.IndexWriter:
        """The index's writer, waiting up to ``timeout`` seconds for another writer to finish."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return index.writer(heap_size=_WRITER_HEAP[layout.name], num_threads=_WRITER_THREADS[layout.name])
            except ValueError as err:
                if "LockBusy" not in str(err):
                    raise _open_error(self.path / layout.name, layout, err) from None
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
            try:
                found = folder.is_dir() and tantivy.Index.exists(str(folder))
            except PermissionError as err:  # a folder on the way may not be entered
                raise _permission_error(Path(err.filename or folder)) from None
            if not found:
                raise IndexNotFoundError(f"no {name} index at {folder} yet; index some documents first (news-etl run)")
            # Schema-checked: an older version's index would answer with fields this code misreads.
            index = self._open(layout, read_only=not self._writers)
        self._reading(name, index.reload)
        return index

    def _reading(self, name: str, call):
        """``call()``, with damaged index files said in one line naming the index: Tantivy reports them
        as an IO ValueError or, for some, a Rust panic (pyo3's PanicException, a BaseException)."""
        try:
            with held_panic_output():
                return call()
        except SearchError:
            raise
        except ValueError as err:
            if not _DAMAGED.search(str(err)):
                raise
            raise IndexUnreadableError(f"index {self.path / name} is damaged: {brief(str(err))}") from None
        except BaseException as err:
            if not is_panic(err):
                raise
            raise IndexUnreadableError(
                f"index {self.path / name} is damaged (Tantivy failed reading it: {brief(str(err))}); "
                f"rebuild it by re-running the ingest into an empty folder"
            ) from None

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
        release_freed_memory()  # the flushed segments' buffers, else kept by malloc (see heap)

    # -- reading -------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        request.validate()
        index = self._index(request.index)
        return self._reading(request.index, lambda: search(index, LAYOUTS[request.index], request))

    def count(self, index: str = "articles") -> int:
        found = self._index(index)
        return self._reading(index, lambda: found.searcher().num_docs)

    def get(self, doc_id: str, index: str = "articles") -> dict | None:
        """The stored document with this id, whole, or None."""
        found = self._index(index)

        def read() -> dict | None:
            searcher = found.searcher()
            hits = searcher.search(tantivy.Query.term_query(LAYOUTS[index].schema, "id", doc_id), 1).hits
            return stored(searcher.doc(hits[0][1])) if hits else None

        return self._reading(index, read)

    def related(self, doc_id: str, size: int = 5) -> list[Hit] | None:
        index = self._index("articles")
        return self._reading("articles", lambda: related(index, ARTICLES, doc_id, size))

    def find_by_content_hash(self, content_hash: str) -> str | None:
        """The id of an indexed article whose body hashes to ``content_hash`` (the first found), or None."""
        try:
            found = self._index("articles")
        except IndexNotFoundError:
            return None

        def read() -> str | None:
            searcher = found.searcher()
            hits = searcher.search(tantivy.Query.term_query(ARTICLES.schema, "content_hash", content_hash), 1).hits
            return stored(searcher.doc(hits[0][1]))["id"] if hits else None

        return self._reading("articles", read)

    def prune(self, until) -> dict[str, int]:
        if not self._writers:
            raise RuntimeError(f"index {self.path} was opened for reading; open it with write=True to prune")
        deleted = {}
        for name, writer in self._writers.items():
            layout = LAYOUTS[name]
            query, _ = build_query(layout, SearchRequest(index=name, until=until).validate())
            deleted[name] = self._indexes[name].searcher().search(query, 1).count
            writer.delete_documents_by_query(query)
        self._commit()
        return deleted

    # -- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        """Let background merges finish and release the writer locks (idempotent); ``write`` has committed."""
        writers, self._writers = self._writers, {}
        for writer in writers.values():
            writer.wait_merging_threads()  # consumes the writer, which releases the lock
        shadows, self._shadows = self._shadows, []
        for shadow in shadows:
            shutil.rmtree(shadow, ignore_errors=True)

    def __enter__(self) -> EmbeddedIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# -- what went wrong opening an index folder -------------------------------------------------
# Tantivy reports an unreadable file, a damaged index and a schema mismatch alike, as ValueError
# with a Rust debug string; only a real schema mismatch may advise deleting the index.

_TANTIVY_FILE = re.compile(r'filepath: "([^"]+)"')
_DAMAGED = re.compile(r"IO ?error|corrupt|Failed to open file|magic|VInt|Unsupported", re.IGNORECASE)


def _lock_refused(text: str) -> bool:
    """Whether Tantivy could not create its lock file (a read-only folder), not found it held."""
    return "Failed to acquire Lockfile" in text and "LockBusy" not in text


def _open_error(folder: Path, layout: IndexLayout, err: ValueError) -> Exception:
    text = str(err)
    if "PermissionDenied" in text:
        file = _TANTIVY_FILE.search(text)
        return _permission_error(folder / file[1] if file else folder)
    if "schema does not match" in text:
        fields = _schema_fields(folder)
        # Every schema news-etl ever wrote has its id keys and the stored blob: another version's index.
        if {layout.keys[0], STORED} <= fields:
            return IndexSchemaError(
                f"index {folder} was built by another version of news-etl (its schema differs); "
                f"the next `news-etl run` rebuilds it from the articles it stores"
            )
        return IndexUnreadableError(
            f"{folder} holds a Tantivy index news-etl did not write (fields: {', '.join(sorted(fields)) or '?'}); "
            f"point --index-dir or NEWS_ETL_INDEX_DIR at a news-etl index"
        )
    if "corrupt" in text.lower():
        return IndexUnreadableError(f"index {folder} is damaged or not a news-etl index: {brief(text)}")
    return IndexUnreadableError(f"cannot open index {folder}: {brief(text)}")


def _folder_error(folder: Path, err: OSError) -> OSError:
    """Why an index folder cannot be created, naming the path in the way."""
    if isinstance(err, PermissionError):
        return _permission_error(Path(err.filename or folder))
    blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        return NotADirectoryError(f"cannot create index folder {folder}: {blocker} is a file")
    return err


def _permission_error(path: Path) -> IndexPermissionError:
    return IndexPermissionError(
        f"permission denied on {path}: the embedded index needs read and write access to its folder, "
        f"even to search (Tantivy takes a lock file there)"
    )


def _schema_fields(folder: Path) -> set[str]:
    """The field names in an index's meta.json; empty when it cannot be read."""
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        return {field["name"] for field in meta["schema"]}
    except (OSError, ValueError, KeyError, TypeError):
        return set()
