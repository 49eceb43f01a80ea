"""RSS/Atom feeds (feedparser): each entry's page is fetched; the entry's own fields are fallbacks.

An entry without a link but with content in the feed is read from the feed itself.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import feedparser

from etl.records import RawDocument, Rejected
from etl.sources.http import Fetcher, is_url


def iter_feed(data: bytes, origin: str, fetcher: Fetcher) -> Iterator[RawDocument | Rejected]:
    feed = feedparser.parse(data)
    if not feed.entries:
        reason = f"malformed feed: {feed.bozo_exception}" if feed.bozo else "feed has no entries"
        yield Rejected(origin, "source", reason)
        return
    site = feed.feed.get("title")
    to_fetch = []
    for n, entry in enumerate(feed.entries):
        metadata = _entry_metadata(entry, site)
        link = entry.get("link")
        if link and is_url(link):
            to_fetch.append((link, metadata))
        elif entry.get("content") or entry.get("summary"):
            html = entry["content"][0]["value"] if entry.get("content") else entry["summary"]
            yield RawDocument(origin=f"{origin}#{n}", content=html, metadata=metadata)
        else:
            yield Rejected(f"{origin}#{n}", "source", "feed entry has neither a link nor content")
    yield from fetcher.pages(to_fetch)


def _entry_metadata(entry: Any, site: str | None) -> dict[str, Any]:
    authors = [a.get("name") for a in entry.get("authors", []) if a.get("name")]
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    published = (
        datetime.fromtimestamp(calendar.timegm(parsed), timezone.utc).isoformat()
        if parsed
        else entry.get("published")
    )
    return {
        "title": entry.get("title"),
        "authors": authors or entry.get("author"),
        "published_at": published,
        "source": site,
    }
