"""Local files: .txt, .html/.htm (also gzipped), .json, .jsonl/.ndjson, WARC, RSS/Atom.

Each reader yields one record at a time. Origins: the path for a file, ``path#L12`` for a
JSON Lines line, ``path#3`` for an item of a JSON array or a WARC record.

Nothing is read past ``settings.http_max_bytes`` (the cap on an HTTP response): not a file,
not what a ``.gz`` or a WARC payload inflates to, not a JSON line. A 1 MB file that inflates
to 1 GB costs the cap in memory and becomes a rejected record naming it.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from etl.records import RawDocument, Rejected
from etl.settings import Settings
from etl.sources.http import HTML_TYPES

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TEXT_SUFFIXES = {".txt", ".text"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
WARC_SUFFIXES = {".warc", ".arc"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}


def kind(path: Path) -> str:
    """The suffix that decides how a file is read, ignoring a trailing ``.gz``."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def open_bytes(path: Path) -> BinaryIO:
    return gzip.open(path, "rb") if path.suffix.lower() == ".gz" else path.open("rb")


class TooLarge(OSError):
    """More bytes than the cap: read no further. The message is the rejected record's reason."""


def read_bytes(path: Path, limit: int) -> bytes:
    what = "decompressed content" if path.suffix.lower() == ".gz" else "file"
    with open_bytes(path) as stream:
        return read_capped(stream, limit, what)


def read_capped(stream: BinaryIO, limit: int, what: str) -> bytes:
    parts, size = [], 0
    while size <= limit and (part := stream.read(limit + 1 - size)):  # a read may return less than asked
        parts.append(part)
        size += len(part)
    if size > limit:
        raise TooLarge(f"{what} larger than {limit:,} bytes (http_max_bytes)")
    return b"".join(parts)


def iter_page(path: Path, media_type: str, settings: Settings) -> Iterator[RawDocument | Rejected]:
    content = read_bytes(path, settings.http_max_bytes)
    if not content.strip():
        yield Rejected(str(path), "source", "empty file")
        return
    yield RawDocument(origin=str(path), content=content, media_type=media_type)


def iter_json(path: Path, settings: Settings) -> Iterator[RawDocument | Rejected]:
    """A JSON object (one article) or an array of them. The file is parsed whole: JSON has no lines."""
    try:
        data = json.loads(read_bytes(path, settings.http_max_bytes))
    except _JSON_ERRORS as err:
        yield Rejected(str(path), "source", f"invalid JSON: {_json_error(err)}")
        return
    if isinstance(data, dict):
        yield from_record(data, str(path), settings)
    elif isinstance(data, list):
        for n, item in enumerate(data):
            yield from_record(item, f"{path}#{n}", settings)
    else:
        yield Rejected(str(path), "source", f"JSON is a {type(data).__name__}, expected an object or an array")


def iter_jsonl(path: Path, settings: Settings) -> Iterator[RawDocument | Rejected]:
    limit = settings.http_max_bytes
    with open_bytes(path) as stream:
        for number, line in enumerate(_lines(stream, limit), start=1):
            origin = f"{path}#L{number}"
            if line is None:
                yield Rejected(origin, "source", f"line longer than {limit:,} bytes (http_max_bytes)")
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except _JSON_ERRORS as err:
                yield Rejected(origin, "source", f"invalid JSON line: {_json_error(err)}")
                continue
            yield from_record(record, origin, settings)


_JSON_ERRORS = (ValueError, UnicodeDecodeError, RecursionError)  # RecursionError: nesting deeper than the stack


def _json_error(err: Exception) -> str:
    return "nested too deeply to parse" if isinstance(err, RecursionError) else str(err)


def _lines(stream: BinaryIO, limit: int) -> Iterator[bytes | None]:
    """The lines of ``stream``; None for a line longer than ``limit``, which is skipped, never held."""
    while line := stream.readline(limit + 1):
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
            pass
        yield None


def from_record(record: Any, origin: str, settings: Settings) -> RawDocument | Rejected:
    """One exported article (field names from settings) -> RawDocument; its fields become metadata."""
    if not isinstance(record, dict):
        return Rejected(origin, "source", f"expected a JSON object, got {type(record).__name__}")
    try:
        record = _without_surrogates(record)
    except RecursionError:  # parsed, but nested deeper than a walk over it can go
        return Rejected(origin, "source", "record nested too deeply to read")
    pick = lambda names: next((record[n] for n in names.split(",") if record.get(n)), None)  # noqa: E731
    html, text = pick(settings.json_html_fields), pick(settings.json_text_fields)
    content = html or text
    if not isinstance(content, str) or not content.strip():
        fields = f"{settings.json_html_fields},{settings.json_text_fields}"
        return Rejected(origin, "source", f"record has no text (looked for fields: {fields})")
    url = pick(settings.json_url_fields)
    metadata = {
        "title": pick(settings.json_title_fields),
        "authors": pick(settings.json_author_fields),
        "published_at": pick(settings.json_date_fields),
        "url": url,
    }
    return RawDocument(
        origin=origin,
        content=content,
        media_type="text/html" if html else "text/plain",
        url=url if isinstance(url, str) else None,
        metadata={k: v for k, v in metadata.items() if v},
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(value: Any) -> Any:
    """Lone UTF-16 surrogates dropped: a broken export's ``\\ud800`` escapes decode to them, and
    they cannot be encoded as UTF-8, so no index would take the article."""
    if isinstance(value, str):
        return _SURROGATE.sub("", value)
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_surrogates(item) for key, item in value.items()}
    return value


def iter_warc(path: Path, settings: Settings) -> Iterator[RawDocument | Rejected]:
    """HTML ``response`` records of a WARC (gzipped or not); other records are skipped."""
    from warcio.archiveiterator import ArchiveIterator  # 0.15 s to import, for WARC input only
    from warcio.exceptions import ArchiveLoadFailed

    with path.open("rb") as stream:
        try:
            for n, record in enumerate(ArchiveIterator(stream)):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                content_type = record.http_headers.get_header("Content-Type") or ""
                media_type = content_type.split(";")[0].strip().lower()
                if media_type not in HTML_TYPES:
                    continue  # images, scripts, robots.txt: a crawl holds far more than articles
                origin = f"{path}#{n}"
                status = record.http_headers.get_statuscode()
                if not status.startswith("2"):
                    yield Rejected(origin, "source", f"archived response is HTTP {status} ({url})")
                    continue
                charset = content_type.partition("charset=")[2].strip(" \"'") or None
                try:  # the payload as served: a gzip Content-Encoding inflates here
                    content = read_capped(record.content_stream(), settings.http_max_bytes, "archived response")
                except TooLarge as err:
                    yield Rejected(origin, "source", f"{err} ({url})")
                    continue
                missing = _missing_bytes(record)
                if missing:
                    yield Rejected(origin, "source", f"truncated WARC record: {missing:,} bytes of the record missing ({url})")
                    continue
                yield RawDocument(origin=origin, content=content, url=url, metadata={"charset": charset})
        except ArchiveLoadFailed as err:
            yield Rejected(str(path), "source", f"not a readable WARC file: {err}")


def _missing_bytes(record: Any) -> int:
    """How many bytes of the record's block (its WARC Content-Length) the file does not hold: a WARC
    cut short (a crawl killed mid-write, a partial copy) ends in a record that would otherwise read as
    complete. The rest of the block is read (compressed bytes, bounded by the file) to find out."""
    raw = record.raw_stream
    while raw.read(1 << 16):
        pass
    return max(getattr(raw, "limit", 0) or 0, 0)
