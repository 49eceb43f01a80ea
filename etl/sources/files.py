"""Local files: .txt, .html/.htm (also gzipped), .json, .jsonl/.ndjson, WARC, RSS/Atom.

Each reader yields one record at a time. Origins: the path for a file, ``path#L12`` for a
JSON Lines line, ``path#3`` for an item of a JSON array or a WARC record.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

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


def read_bytes(path: Path) -> bytes:
    with open_bytes(path) as stream:
        return stream.read()


def iter_page(path: Path, media_type: str) -> Iterator[RawDocument | Rejected]:
    content = read_bytes(path)
    if not content.strip():
        yield Rejected(str(path), "source", "empty file")
        return
    yield RawDocument(origin=str(path), content=content, media_type=media_type)


def iter_json(path: Path, settings: Settings) -> Iterator[RawDocument | Rejected]:
    """A JSON object (one article) or an array of them. The file is parsed whole: JSON has no lines."""
    try:
        data = json.loads(read_bytes(path))
    except (ValueError, UnicodeDecodeError) as err:
        yield Rejected(str(path), "source", f"invalid JSON: {err}")
        return
    if isinstance(data, dict):
        yield from_record(data, str(path), settings)
    elif isinstance(data, list):
        for n, item in enumerate(data):
            yield from_record(item, f"{path}#{n}", settings)
    else:
        yield Rejected(str(path), "source", f"JSON is a {type(data).__name__}, expected an object or an array")


def iter_jsonl(path: Path, settings: Settings) -> Iterator[RawDocument | Rejected]:
    with open_bytes(path) as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            origin = f"{path}#L{number}"
            try:
                record = json.loads(line)
            except (ValueError, UnicodeDecodeError) as err:
                yield Rejected(origin, "source", f"invalid JSON line: {err}")
                continue
            yield from_record(record, origin, settings)


def from_record(record: Any, origin: str, settings: Settings) -> RawDocument | Rejected:
    """One exported article (field names from settings) -> RawDocument; its fields become metadata."""
    if not isinstance(record, dict):
        return Rejected(origin, "source", f"expected a JSON object, got {type(record).__name__}")
    record = _without_surrogates(record)
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


def iter_warc(path: Path) -> Iterator[RawDocument | Rejected]:
    """HTML ``response`` records of a WARC (gzipped or not); other records are skipped."""
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
                yield RawDocument(
                    origin=origin, content=record.content_stream().read(), url=url, metadata={"charset": charset}
                )
        except ArchiveLoadFailed as err:
            yield Rejected(str(path), "source", f"not a readable WARC file: {err}")
