"""Ingestion: turn the sources a user names into a stream of RawDocument (or Rejected) records.

A source is a file, a folder (read recursively in sorted order, hidden files skipped), an
http(s) URL of a page, an RSS/Atom feed or a sitemap (``sitemaps``), ``discover:`` and a home page's
URL (its linked feeds are read, ``discovery``), or a URL list (a file named ``*.urls``, one URL
per line). Files are read by their suffix (see ``files``). Everything streams: one record
at a time. A source that cannot be read becomes ``Rejected(origin, "source", reason)`` and
the other sources go on: whatever reading one file raises is that file's rejected record.
Origins are text that can be written anywhere (logs, JSON Lines, an index): a file name that
is not UTF-8 has its undecodable bytes escaped (``caf\\xe9.txt``).

With a ``FetchState`` (``etl.pipeline.run`` opens one per run), a page fetched before and found
unchanged is yielded as ``Unchanged`` instead of a RawDocument; files and folders never are.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

from etl.records import RawDocument, Rejected
from etl.redact import redact_url
from etl.settings import Settings
from etl.sources import files, urls
from etl.sources.discovery import is_discovery, iter_discovered
from etl.sources.feeds import iter_feed
from etl.sources.fetch_state import FetchState, Unchanged
from etl.sources.folders import is_folder, special_kind, walk
from etl.sources.http import FEED_TYPES, Fetcher, FetchError, is_url, rejected
from etl.sources.sitemaps import is_sitemap_url, iter_sitemap, looks_like_sitemap

__all__ = ["FetchState", "Unchanged", "as_source", "iter_sources"]


def iter_sources(sources: Iterable[str], settings: Settings,
                 state: FetchState | None = None) -> Iterator[RawDocument | Rejected | Unchanged]:
    fetcher = Fetcher(settings, state)
    try:
        for source in sources:
            source = str(source)
            if is_discovery(source):
                yield from iter_discovered(source, fetcher)
                continue
            if is_url(source):
                yield from _from_url(source, fetcher)
                continue
            for path in walk(_local_path(source)):  # a file is its own walk
                yield from _guarded(path, settings, fetcher)
    finally:
        fetcher.close()


def as_source(path: Path) -> str:
    """``path`` as a source that JSON can carry (Airflow hands sources between tasks as JSON, over
    HTTP): itself, or a ``file:`` URI when its name is not UTF-8 (the URI escapes the bytes)."""
    try:
        str(path).encode("utf-8")
        return str(path)
    except UnicodeEncodeError:
        return path.absolute().as_uri()


def _local_path(source: str) -> Path:
    if source.startswith("file://"):  # as ``as_source`` gives a name that is not UTF-8
        return Path(os.fsdecode(unquote_to_bytes(urlsplit(source).path)))
    return Path(source)


def _guarded(path: Path, settings: Settings, fetcher: Fetcher) -> Iterator[RawDocument | Rejected]:
    """The records of one file; what reading it raises becomes its rejected record."""
    try:
        for item in _from_file(path, settings, fetcher):
            yield _readable(item)
    except Exception as err:  # one bad file never sinks the run
        yield _readable(Rejected(str(path), "source", _unreadable(path, err)))


def _unreadable(path: Path, err: Exception) -> str:
    """Why a file could not be read, in a few words."""
    if isinstance(err, FileNotFoundError):
        return f"broken link (to {os.readlink(path)})" if path.is_symlink() else "no such file or directory"
    if isinstance(err, OSError):  # unreadable file or folder, corrupt gzip, a path too long to name ...
        return f"cannot read {'folder' if is_folder(path) else 'file'}: {err.strerror or err}"
    if isinstance(err, MemoryError):
        return "out of memory reading it (MemoryError)"
    if isinstance(err, RecursionError):
        return "nested too deeply to read (RecursionError)"
    return f"unexpected {type(err).__name__}: {err}"


def _readable(item: RawDocument | Rejected) -> RawDocument | Rejected:
    """``item`` with an origin that UTF-8 can carry: bytes of a file name that did not decode are escaped."""
    try:
        item.origin.encode("utf-8")
    except UnicodeEncodeError:
        try:
            raw = os.fsencode(item.origin)  # its surrogates stand for the bytes of an OS name
        except UnicodeEncodeError:
            raw = item.origin.encode("utf-8", "surrogatepass")
        return dataclasses.replace(item, origin=raw.decode("utf-8", "backslashreplace"))
    return item


def _from_file(path: Path, settings: Settings, fetcher: Fetcher) -> Iterator[RawDocument | Rejected]:
    if not path.exists():
        raise FileNotFoundError(path)
    if path.is_dir():  # a folder the walk could not list: listing it again says why
        os.listdir(path)
        yield from (item for child in walk(path) for item in _guarded(child, settings, fetcher))
        return
    special = special_kind(path)
    if special:  # never opened: a FIFO's open blocks, a device never ends
        yield Rejected(str(path), "source", f"not a regular file: {special}")
        return
    kind = files.kind(path)
    if path.name.lower().endswith(urls.SUFFIX):
        yield from urls.iter_url_list(path, fetcher)
    elif kind in files.HTML_SUFFIXES:
        yield from files.iter_page(path, "text/html", settings)
    elif kind in files.TEXT_SUFFIXES:
        yield from files.iter_page(path, "text/plain", settings)
    elif kind in files.JSON_SUFFIXES:
        yield from files.iter_json(path, settings)
    elif kind in files.JSONL_SUFFIXES:
        yield from files.iter_jsonl(path, settings)
    elif kind in files.WARC_SUFFIXES:
        yield from files.iter_warc(path, settings)
    elif kind in files.FEED_SUFFIXES:
        data = files.read_bytes(path, settings.http_max_bytes)
        read = iter_sitemap if looks_like_sitemap(data) else iter_feed  # a saved sitemap: its pages are fetched
        yield from read(data, str(path), fetcher)
    else:
        yield Rejected(str(path), "source", f"unsupported file type {kind or '(no suffix)'!r}")


def _from_url(url: str, fetcher: Fetcher) -> Iterator[RawDocument | Rejected]:
    """A page, or a feed whose entries are then fetched (told apart by content type or content)."""
    known = fetcher.known(url)  # only pages have an entry: a feed is always read whole
    try:
        response = fetcher.get(url, known)
    except FetchError as err:
        yield rejected(url, err)
        return
    if response.status != 304 and (is_sitemap_url(url) or looks_like_sitemap(response.content, response.media_type)):
        yield from iter_sitemap(response.content, redact_url(url), fetcher)
    elif response.status != 304 and (response.media_type in FEED_TYPES or _looks_like_feed(response.content)):
        yield from iter_feed(response.content, redact_url(url), fetcher)
    else:
        yield fetcher.as_remembered_page(url, response, known)


def _looks_like_feed(content: bytes) -> bool:
    head = content[:1024].lstrip().lower()
    return head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head or b"<rdf" in head)
