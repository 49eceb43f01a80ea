"""Fetching pages over HTTP(S) with httpx: timeouts, retries with backoff, politeness per host.

Redirects are followed and the final URL kept. Responses that are not HTML (or a feed, when
asked for) are rejected with the content type as the reason; bodies larger than
``settings.http_max_bytes`` are rejected rather than read into memory. A fetch ends within
``settings.fetch_deadline`` of its first request, retries included: the per-read timeout alone
never stops a server that trickles a byte a second, and so an in-order ``pages`` stream waits
for a slow URL no longer than that (waiting for a free slot of its host is not counted).

Every connection goes through the address guard (``address_guard``): only public addresses,
and what ``settings.allow_private_hosts`` lists, are connected to, redirect hops included; a
redirect to anything but http(s) is refused. Proxies from the environment are not used, since
the guard must see the address it connects to. URLs are redacted (``etl.redact``) in origins,
stored URLs, reasons and httpx's log lines; the request itself keeps its credentials.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from etl.records import RawDocument, Rejected
from etl.redact import RedactUrls, redact_url, redact_urls
from etl.settings import Settings
from etl.sources.address_guard import GuardedTransport, RefusedAddress

HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml")
_RETRY_STATUS = {429, 500, 502, 503, 504}

logging.getLogger("httpx").addFilter(RedactUrls())  # it logs every request's URL at INFO (news-etl -v)


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
            transport=GuardedTransport(settings),
            trust_env=False,  # no proxy from the environment: it would connect where the guard cannot see
            event_hooks={"response": [_refuse_odd_redirects]},
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
            # One deadline for the whole fetch, retries and their waits included, from its first request.
            deadline = time.monotonic() + self.settings.fetch_deadline
            for attempt in range(self.settings.http_retries + 1):
                try:
                    return self._get_once(url, deadline)
                except _Retryable as err:
                    wait = self.settings.http_backoff * 2**attempt
                    if attempt == self.settings.http_retries:
                        raise FetchError(f"{err} (after {attempt + 1} attempts)") from None
                    if time.monotonic() + wait >= deadline:
                        raise FetchError(f"{err}; no time left for a retry ({self._deadline})") from None
                    time.sleep(wait)
        raise AssertionError("unreachable")

    @property
    def _deadline(self) -> str:
        return f"fetch_deadline {self.settings.fetch_deadline:g} s"

    def _get_once(self, url: str, deadline: float) -> Response:
        # The per-read timeout, shortened to what is left: a server that stalls ends at the deadline.
        timeout = max(min(self.settings.http_timeout, deadline - time.monotonic()), 0.01)
        try:
            with self._client.stream("GET", url, timeout=timeout) as response:
                if response.status_code in _RETRY_STATUS:
                    raise _Retryable(f"HTTP {response.status_code} {response.reason_phrase}")
                if response.status_code >= 400:
                    raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}")
                content = bytearray()
                for chunk in response.iter_bytes():
                    content += chunk
                    if len(content) > self.settings.http_max_bytes:
                        raise FetchError(f"response larger than {self.settings.http_max_bytes} bytes")
                    if time.monotonic() > deadline:  # a byte a second never trips the read timeout
                        raise FetchError(f"gave up after {len(content):,} bytes ({self._deadline})")
                media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                return Response(str(response.url), bytes(content), media_type, response.charset_encoding)
        except RefusedAddress as err:  # refused before connecting: final, never retried
            raise FetchError(str(err)) from None
        except httpx.TimeoutException:
            if time.monotonic() >= deadline:
                raise FetchError(f"timed out ({self._deadline})") from None
            raise _Retryable(f"timed out after {timeout:.3g} s") from None
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
            return rejected(url, err)
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


def _refuse_odd_redirects(response: httpx.Response) -> None:
    """A redirect may lead to another http(s) URL only (whose address the guard then checks).

    Called by httpx for every response, before it follows one: httpx would try ``file:``, ``ftp:``
    or ``gopher:`` and fail with a transport error, which reads as worth retrying; this refuses once.
    """
    if not response.has_redirect_location:
        return
    location = response.headers["location"]
    try:
        target = urljoin(str(response.url), location)
        scheme = urlsplit(target).scheme.lower()
        httpx.URL(target)
    except (ValueError, httpx.InvalidURL) as err:
        raise FetchError(f"refused redirect to {redact_url(location)[:200]!r}: not a valid URL ({err})") from None
    if scheme not in ("http", "https"):  # (a data: URL can be long: the reason shows its start)
        raise FetchError(f"refused redirect to {redact_url(target)[:200]}: not an http(s) URL")


def rejected(url: str, err: Exception) -> Rejected:
    """The rejected record of a URL that could not be fetched, URLs redacted in origin and reason."""
    return Rejected(redact_url(url), "source", redact_urls(str(err)))


def as_page(url: str, response: Response, metadata: dict[str, Any] | None = None) -> RawDocument | Rejected:
    """A fetched response as a RawDocument, or Rejected when it is not an HTML page."""
    if response.media_type and response.media_type not in HTML_TYPES:
        return Rejected(redact_url(url), "source", f"not an HTML page (content-type {response.media_type})")
    return RawDocument(
        origin=redact_url(url),
        content=response.content,
        url=redact_url(response.url),
        metadata={**(metadata or {}), "charset": response.charset},
    )


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))
