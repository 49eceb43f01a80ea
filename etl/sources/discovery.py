"""Feed discovery: the SOURCE ``discover:https://site/`` fetches that home page, finds the feeds it
links (``<link rel="alternate" type="application/rss+xml">``, or ``atom+xml``; relative hrefs resolved
against the page's final URL), and reads each as a feed source (each entry's page fetched).

At most ``discover_max_feeds`` feeds a page, in page order, each fetched once. A page that links no
feed falls back on the ``Sitemap:`` lines of the site's robots.txt (read as one sitemap walk); with
neither, it is one rejected record. Every request goes through the Fetcher (address guard, robots, caps).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from etl.records import RawDocument, Rejected
from etl.redact import redact_url
from etl.sources.feeds import iter_feed
from etl.sources.http import Fetcher, FetchError, is_url, rejected
from etl.sources.robots import robots_url
from etl.sources.sitemaps import iter_listed_sitemaps

PREFIX = "discover:"
LINKED_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


def is_discovery(source: str) -> bool:
    return source.lower().startswith(PREFIX)


def iter_discovered(source: str, fetcher: Fetcher) -> Iterator[RawDocument | Rejected]:
    url = source[len(PREFIX):].strip()
    if not is_url(url):
        yield Rejected(redact_url(source), "source", f"{PREFIX} needs an http(s) URL of a home page")
        return
    try:
        response = fetcher.get(url)
    except FetchError as err:
        yield rejected(url, err)
        return
    feeds = linked_feeds(response.content, response.url)[: fetcher.settings.discover_max_feeds]
    if not feeds:
        sitemaps = _robots_sitemaps(response.url, fetcher)
        if sitemaps:
            yield from iter_listed_sitemaps(sitemaps, redact_url(url), fetcher)
            return
        yield Rejected(redact_url(url), "source", 'no feed found: the page links no <link rel="alternate" '
                       'type="application/rss+xml"> or atom+xml, and its robots.txt lists no Sitemap')
        return
    for feed in feeds:
        try:
            answer = fetcher.get(feed)
        except FetchError as err:
            yield rejected(feed, err)
            continue
        yield from iter_feed(answer.content, redact_url(feed), fetcher)


def _robots_sitemaps(url: str, fetcher: Fetcher) -> list[str]:
    """The ``Sitemap:`` URLs of the site's robots.txt (fetched like any URL: guard, caps), at most sitemap_max_sitemaps."""
    where = robots_url(url)
    try:
        text = fetcher.get(where).content.decode("utf-8", "replace") if where else ""
    except FetchError:
        return []
    found = []
    for line in text.splitlines():
        field, _, value = line.partition(":")
        value = value.split("#")[0].strip()
        if field.strip().lower() == "sitemap" and is_url(value) and value not in found:
            found.append(value)
    return found[: fetcher.settings.sitemap_max_sitemaps]


def linked_feeds(html: bytes, base: str) -> list[str]:
    """The http(s) URLs of the RSS/Atom feeds an HTML page links, absolute, once each, in page order."""
    if not html.strip():
        return []
    try:
        tree = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    found: list[str] = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in LINKED_FEED_TYPES and href:
            target = urljoin(base, href)
            if is_url(target) and target not in found:
                found.append(target)
    return found
