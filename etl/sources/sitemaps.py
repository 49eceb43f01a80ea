"""Sitemaps and news sitemaps: each ``<url><loc>`` is fetched as a page, like a feed's entries.

A sitemap is told by its name (``*sitemap*.xml``, ``*.xml.gz``) or by its XML root (``urlset``,
``sitemapindex``); a gzipped one is inflated up to ``http_max_bytes``. ``<lastmod>``,
``news:publication_date``, ``news:title`` and ``news:name`` are kept as fallback metadata.
A sitemap index is followed at most ``MAX_DEPTH`` levels down, each sitemap read once a source
(a sitemap listing itself, or A -> B -> A, ends), at most ``sitemap_max_sitemaps`` child sitemaps
and ``sitemap_max_urls`` page URLs a source: what is past a cap is skipped with a warning.
Every child sitemap and page goes through the Fetcher (address guard, robots.txt, size caps).
"""

from __future__ import annotations

import gzip
import io
import logging
import zlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from etl.records import RawDocument, Rejected
from etl.redact import redact_url, redact_urls
from etl.sources.files import TooLarge, read_capped
from etl.sources.http import Fetcher, FetchError, is_url, rejected

log = logging.getLogger(__name__)

MAX_DEPTH = 2  # the source is depth 0: an index, its child index, that one's sitemaps
ROOTS = ("urlset", "sitemapindex")
GZIP_TYPES = ("application/gzip", "application/x-gzip")
_SITEMAP_NS = ("", "http://www.sitemaps.org/schemas/sitemap/0.9", "http://www.google.com/schemas/sitemap/0.84")


def is_sitemap_url(url: str) -> bool:
    name = urlsplit(url).path.rsplit("/", 1)[-1].lower()
    return name.endswith(".xml.gz") or ("sitemap" in name and name.endswith(".xml"))


def looks_like_sitemap(content: bytes, media_type: str = "") -> bool:
    """A gzip body, or XML whose root element is ``urlset`` or ``sitemapindex`` (seen in its first KiB)."""
    if content[:2] == b"\x1f\x8b" or media_type in GZIP_TYPES:
        return True
    head = content[:1024].lower()
    return any(f"<{root}".encode() in head or f":{root}".encode() in head for root in ROOTS)


def iter_sitemap(data: bytes, origin: str, fetcher: Fetcher) -> Iterator[RawDocument | Rejected]:
    """The pages a sitemap (or index) lists, fetched; its problems as rejected records, in stream order."""
    problems: list[Rejected] = []
    for item in fetcher.pages(_Walk(fetcher, problems).entries(data, origin)):
        yield from _drain(problems)
        yield item
    yield from _drain(problems)


def iter_listed_sitemaps(urls: list[str], origin: str, fetcher: Fetcher) -> Iterator[RawDocument | Rejected]:
    """The pages of several sitemaps (a robots.txt's ``Sitemap:`` lines), one walk: the caps are shared."""
    problems: list[Rejected] = []
    walk = _Walk(fetcher, problems)
    walk.seen_sitemaps.add(origin)
    entries = (entry for url in urls for entry in walk._child(url, origin, 1))
    for item in fetcher.pages(entries):
        yield from _drain(problems)
        yield item
    yield from _drain(problems)


class _Walk:
    """One source's walk: the sitemaps read so far, the page URLs handed out, and the caps."""

    def __init__(self, fetcher: Fetcher, problems: list[Rejected]):
        self.fetcher, self.problems = fetcher, problems
        self.settings = fetcher.settings
        self.seen_sitemaps: set[str] = set()
        self.seen_pages: set[str] = set()
        self.children = 0
        self.warned: set[str] = set()

    def entries(self, data: bytes, origin: str, depth: int = 0) -> Iterator[tuple[str, dict[str, Any] | None]]:
        self.seen_sitemaps.add(origin)
        items = _parse(data, self.settings.http_max_bytes)
        try:
            yield from self._listed(items, origin, depth)
        except TooLarge as err:  # an inflated .gz past http_max_bytes
            self.problems.append(Rejected(origin, "source", str(err)))
        except (etree.XMLSyntaxError, OSError, zlib.error, EOFError, ValueError) as err:
            self.problems.append(Rejected(origin, "source", f"malformed sitemap: {_one_line(err)}"))
        finally:
            items.close()

    def _listed(self, items: Iterator, origin: str, depth: int) -> Iterator[tuple[str, dict[str, Any] | None]]:
        root = next(items, None)
        if root not in ROOTS:
            found = f"XML root is <{root}>" if root else "no XML"
            self.problems.append(Rejected(origin, "source", f"not a sitemap: {found}, not <urlset> or <sitemapindex>"))
            return
        for loc, metadata in items:
            if not is_url(loc):
                self.problems.append(Rejected(origin, "source", f"sitemap entry is not an http(s) URL: {redact_urls(loc[:200])!r}"))
            elif root == "urlset":
                if loc in self.seen_pages:
                    continue
                if len(self.seen_pages) >= self.settings.sitemap_max_urls:
                    self._warn("sitemap_max_urls", origin, f"more than {self.settings.sitemap_max_urls:,} page URLs")
                    return
                self.seen_pages.add(loc)
                yield loc, metadata
            else:
                yield from self._child(loc, origin, depth + 1)

    def _child(self, url: str, parent: str, depth: int) -> Iterator[tuple[str, dict[str, Any] | None]]:
        origin = redact_url(url)
        if len(self.seen_pages) >= self.settings.sitemap_max_urls:  # full: no more sitemaps fetched for nothing
            return
        if origin in self.seen_sitemaps:
            log.info("sitemap %s: %s already read, not again (a loop)", parent, origin)
            return
        if depth > MAX_DEPTH:
            self.problems.append(Rejected(origin, "source", f"sitemap nested more than {MAX_DEPTH} levels deep: not read"))
            return
        if self.children >= self.settings.sitemap_max_sitemaps:
            self._warn("sitemap_max_sitemaps", parent, f"more than {self.settings.sitemap_max_sitemaps:,} child sitemaps")
            return
        self.children += 1
        self.seen_sitemaps.add(origin)
        try:
            response = self.fetcher.get(url)
        except FetchError as err:
            self.problems.append(rejected(url, err))
            return
        yield from self.entries(response.content, origin, depth)

    def _warn(self, setting: str, origin: str, what: str) -> None:
        if setting not in self.warned:
            self.warned.add(setting)
            log.warning("sitemap %s: %s; the rest skipped (%s)", origin, what, setting)


def _parse(data: bytes, limit: int) -> Iterator[str | tuple[str, dict[str, Any]]]:
    """The root element's local name, then each (loc, fallback metadata), read as a stream (a million
    entries are never held at once); entities are never resolved nor fetched. Raises on bad XML."""
    if data[:2] == b"\x1f\x8b":  # inflated up to the cap: a gzip bomb is refused, never inflated whole
        data = read_capped(gzip.GzipFile(fileobj=io.BytesIO(data)), limit, "decompressed sitemap")
    events = etree.iterparse(io.BytesIO(data), events=("start", "end"), resolve_entities=False, no_network=True,
                             load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True)
    depth = 0
    for event, element in events:
        depth += 1 if event == "start" else -1
        if depth == 1 and event == "start":
            yield etree.QName(element).localname  # the root
        elif depth == 1 and event == "end" and etree.QName(element).localname in ("url", "sitemap"):
            fields: dict[str, str] = {}
            for child in element.iter():
                namespace = etree.QName(child).namespace or ""
                if child.text and child.text.strip() and (namespace in _SITEMAP_NS or "news" in namespace):
                    fields.setdefault(etree.QName(child).localname, child.text.strip())
            element.clear()
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:  # what was read is let go
                del parent[0]
            if "loc" in fields:
                yield fields["loc"], _metadata(fields)


def _metadata(fields: dict[str, str]) -> dict[str, Any]:
    found = {"title": fields.get("title"), "published_at": fields.get("publication_date") or fields.get("lastmod"),
             "source": fields.get("name")}
    return {key: value for key, value in found.items() if value}


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())[:300] or type(err).__name__


def _drain(problems: list[Rejected]) -> Iterator[Rejected]:
    while problems:
        yield problems.pop(0)
