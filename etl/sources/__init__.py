"""Ingestion: turn the sources a user names into a stream of RawDocument (or Rejected) records.

A source is a file, a folder (read recursively in sorted order, hidden files skipped), an
http(s) URL of a page or an RSS/Atom feed, or a URL list (a file named ``*.urls``, one URL
per line). Files are read by their suffix (see ``files``). Everything streams: one record
at a time. A source that cannot be read becomes ``Rejected(origin, "source", reason)`` and
the other sources go on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from etl.records import RawDocument, Rejected
from etl.settings import Settings
from etl.sources import files, urls
from etl.sources.feeds import iter_feed
from etl.sources.http import FEED_TYPES, Fetcher, FetchError, as_page, is_url


def iter_sources(sources: Iterable[str], settings: Settings) -> Iterator[RawDocument | Rejected]:
    fetcher = Fetcher(settings)
    try:
        for source in sources:
            source = str(source)
            if is_url(source):
                yield from _from_url(source, fetcher)
                continue
            path = Path(source)
            if path.is_dir():
                for child in walk(path):
                    yield from _guarded(child, settings, fetcher)
            else:
                yield from _guarded(path, settings, fetcher)
    finally:
        fetcher.close()


def walk(folder: Path) -> Iterator[Path]:
    """Files under ``folder``, depth first in sorted order, without holding the tree in memory."""
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from walk(entry)
        elif entry.is_file():
            yield entry


def _guarded(path: Path, settings: Settings, fetcher: Fetcher) -> Iterator[RawDocument | Rejected]:
    try:
        yield from _from_file(path, settings, fetcher)
    except FileNotFoundError:
        yield Rejected(str(path), "source", "no such file or directory")
    except OSError as err:  # unreadable file, corrupt gzip, ...
        yield Rejected(str(path), "source", f"cannot read file: {err.strerror or err}")


def _from_file(path: Path, settings: Settings, fetcher: Fetcher) -> Iterator[RawDocument | Rejected]:
    if not path.exists():
        raise FileNotFoundError(path)
    kind = files.kind(path)
    if path.name.lower().endswith(urls.SUFFIX):
        yield from urls.iter_url_list(path, fetcher)
    elif kind in files.HTML_SUFFIXES:
        yield from files.iter_page(path, "text/html")
    elif kind in files.TEXT_SUFFIXES:
        yield from files.iter_page(path, "text/plain")
    elif kind in files.JSON_SUFFIXES:
        yield from files.iter_json(path, settings)
    elif kind in files.JSONL_SUFFIXES:
        yield from files.iter_jsonl(path, settings)
    elif kind in files.WARC_SUFFIXES:
        yield from files.iter_warc(path)
    elif kind in files.FEED_SUFFIXES:
        yield from iter_feed(files.read_bytes(path), str(path), fetcher)
    else:
        yield Rejected(str(path), "source", f"unsupported file type {kind or '(no suffix)'!r}")


def _from_url(url: str, fetcher: Fetcher) -> Iterator[RawDocument | Rejected]:
    """A page, or a feed whose entries are then fetched (told apart by content type or content)."""
    try:
        response = fetcher.get(url)
    except FetchError as err:
        yield Rejected(url, "source", str(err))
        return
    if response.media_type in FEED_TYPES or _looks_like_feed(response.content):
        yield from iter_feed(response.content, url, fetcher)
    else:
        yield as_page(url, response)


def _looks_like_feed(content: bytes) -> bool:
    head = content[:1024].lstrip().lower()
    return head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head or b"<rdf" in head)
