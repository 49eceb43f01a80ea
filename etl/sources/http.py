"""Fetching pages over HTTP(S) with httpx: timeouts, retries with backoff, politeness per host.

Redirects are followed and the final URL kept. Responses that are not HTML (or a feed, when
asked for) are rejected with the content type as the reason; bodies larger than
``settings.http_max_bytes`` are rejected rather than read into memory.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from etl.records import RawDocument, Rejected
from etl.settings import Settings

HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml")
_RETRY_STATUS = {429, 500, 502, 503, 504}


class FetchError(Exception):
    """A URL that could not be fetched; the message is the reason shown in the rejected record."""


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # after redirects
    content: bytes
    media_type: str  # "text/html", without parameters
    charset: str | None


class Fetcher:
    """One HTTP client for a run; at most ``settings.http_per_host`` requests at a time per host."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._client = httpx.Client(
            follow_redirects=True,
            timeout=settings.http_timeout,
            headers={"User-Agent": settings.user_agent, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
        )
        self._hosts: defaultdict[str, threading.BoundedSemaphore] = defaultdict(
            lambda: threading.BoundedSemaphore(settings.http_per_host)
        )
        self._lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str) -> Response:
        with self._lock:
            host = self._hosts[urlsplit(url).hostname or ""]
        with host:
            for attempt in range(self.settings.http_retries + 1):
                try:
                    return self._get_once(url)
                except _Retryable as err:
                    if attempt == self.settings.http_retries:
                        raise FetchError(f"{err} (after {attempt + 1} attempts)") from None
                    time.sleep(self.settings.http_backoff * 2**attempt)
        raise AssertionError("unreachable")

    def _get_once(self, url: str) -> Response:
        try:
            with self._client.stream("GET", url) as response:
                if response.status_code in _RETRY_STATUS:
                    raise _Retryable(f"HTTP {response.status_code} {response.reason_phrase}")
                if response.status_code >= 400:
                    raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}")
                content = bytearray()
                for chunk in response.iter_bytes():
                    content += chunk
                    if len(content) > self.settings.http_max_bytes:
                        raise FetchError(f"response larger than {self.settings.http_max_bytes} bytes")
                media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                return Response(str(response.url), bytes(content), media_type, response.charset_encoding)
        except httpx.TimeoutException:
            raise _Retryable(f"timed out after {self.settings.http_timeout:g} s") from None
        except httpx.TransportError as err:
            raise _Retryable(f"{type(err).__name__}: {err}") from None
        except httpx.InvalidURL as err:
            raise FetchError(f"invalid URL: {err}") from None
        except httpx.HTTPError as err:  # redirect loops, undecodable bodies: this page only, no retry
            raise FetchError(f"{type(err).__name__}: {err}") from None

    def page(self, url: str, metadata: dict[str, Any] | None = None) -> RawDocument | Rejected:
        """The HTML page at ``url`` as a RawDocument, or why it could not be had."""
        try:
            response = self.get(url)
        except FetchError as err:
            return Rejected(url, "source", str(err))
        return as_page(url, response, metadata)

    def pages(self, requests: Iterable[tuple[str, dict[str, Any] | None]]) -> Iterator[RawDocument | Rejected]:
        """``page`` for each (url, metadata), several at a time, yielded in input order.

        Only a small window of requests is in flight, so a list of a million URLs streams.
        """
        workers = max(1, self.settings.http_workers)
        with ThreadPoolExecutor(workers, thread_name_prefix="fetch") as pool:
            window: deque = deque()
            for url, metadata in requests:
                window.append(pool.submit(self.page, url, metadata))
                if len(window) >= 2 * workers:
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()


class _Retryable(Exception):
    """A failure worth another try: timeouts, dropped connections, 429 and 5xx."""


def as_page(url: str, response: Response, metadata: dict[str, Any] | None = None) -> RawDocument | Rejected:
    """A fetched response as a RawDocument, or Rejected when it is not an HTML page."""
    if response.media_type and response.media_type not in HTML_TYPES:
        return Rejected(url, "source", f"not an HTML page (content-type {response.media_type})")
    return RawDocument(
        origin=url,
        content=response.content,
        url=response.url,
        metadata={**(metadata or {}), "charset": response.charset},
    )


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))
