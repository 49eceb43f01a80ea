"""URL lists: a file whose name ends in ``.urls`` holds one http(s) URL per line.

Blank lines and lines starting with ``#`` are skipped; any other line that is not an
http(s) URL is rejected (``path#L<n>``) and the rest of the list goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from etl.records import RawDocument, Rejected
from etl.redact import redact_urls
from etl.sources.http import Fetcher, is_url

SUFFIX = ".urls"


def iter_url_list(path: Path, fetcher: Fetcher) -> Iterator[RawDocument | Rejected]:
    rejected: list[Rejected] = []

    def requests() -> Iterator[tuple[str, dict[str, Any] | None]]:
        with path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, start=1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                if is_url(line):
                    yield line, None
                else:
                    rejected.append(Rejected(f"{path}#L{number}", "source", f"not an http(s) URL: {redact_urls(line[:200])!r}"))

    for item in fetcher.pages(requests()):
        yield from _drain(rejected)
        yield item
    yield from _drain(rejected)


def _drain(rejected: list[Rejected]) -> Iterator[Rejected]:
    while rejected:
        yield rejected.pop(0)
