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
the guard must see the address it connects to.

Politeness: each host's robots.txt is read once a run (``robots``) and a disallowed URL is refused
before any request; its Crawl-delay is kept between two requests to the host. Retries and their
waits, ``Retry-After`` included, are the policy of ``retries`` (tenacity). With a ``FetchState``,
pages are asked for conditionally and an unchanged one is ``Unchanged`` (``fetch_state``).
URLs are redacted (``etl.redact``) in origins, stored URLs, reasons and httpx's log lines; the
request itself keeps its credentials.
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
from etl.sources.address_guard import RefusedAddress, guarded_client
from etl.sources.fetch_state import FetchState, Remembered, Unchanged, body_hash
from etl.sources.retries import (
    RETRY_AFTER_STATUS,
    RETRY_STATUS,
    FetchError,
    Retryable,
    parse_retry_after,
    retry_after_error,
    retrying,
)
from etl.sources.robots import Robots

HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml")
__all__ = ["FetchError", "Fetcher", "Response", "as_page", "is_url", "rejected"]  # FetchError: where it always was

logging.getLogger("httpx").addFilter(RedactUrls())  # it logs every request's URL at INFO (news-etl -v)


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # after redirects
    content: bytes
    media_type: str  # "text/html", without parameters
    charset: str | None
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None


class Fetcher:
    """One HTTP client for a run; at most ``settings.http_per_host`` requests at a time per host."""

    def __init__(self, settings: Settings, state: FetchState | None = None):
        self.settings = settings
        self.state = state  # None: no conditional requests (``news-etl clean``/``enrich``, staged batches)
        self.robots = Robots(settings, _refuse_odd_redirects)
        self._client: httpx.Client | None = None  # made at the first fetch: a run over files makes none
        self._hosts: defaultdict[str, threading.BoundedSemaphore] = defaultdict(
            lambda: threading.BoundedSemaphore(settings.http_per_host)
        )
        self._lock = threading.Lock()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        self.robots.close()

    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:  # its SSL contexts cost ~0.1 s of CPU
                self._client = guarded_client(self.settings, "text/html,application/xhtml+xml,*/*;q=0.8",
                                              [_refuse_odd_redirects, self._robots_on_redirect],
                                              timeout=self.settings.http_timeout)
            return self._client

    def _robots_on_redirect(self, response: httpx.Response) -> None:
        """A redirect hop is a request too: its host's robots.txt must allow it before httpx follows it."""
        if response.has_redirect_location:
            refusal = self.robots.refusal(urljoin(str(response.url), response.headers["location"]))
            if refusal:
                raise FetchError(f"redirected to {refusal}")

    def known(self, url: str) -> Remembered | None:
        """What the fetch state remembers of ``url`` (by its redacted form, as stored)."""
        return self.state.lookup(redact_url(url)) if self.state is not None else None

    def get(self, url: str, known: Remembered | None = None) -> Response:
        """The response at ``url``; FetchError says why not. ``known``: ask only if it changed (may be a 304)."""
        refusal = self.robots.refusal(url)  # before any request to the page, even the first
        if refusal:
            raise FetchError(refusal)
        headers = {}
        if known is not None and known.etag:
            headers["If-None-Match"] = known.etag
        if known is not None and known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        with self._lock:
            host = self._hosts[urlsplit(url).hostname or ""]
        client = self._http()  # before the host's turn starts, so its making does not eat the Crawl-delay
        with host:
            # One deadline for the whole fetch, retries and their waits included, from its first request
            # (waiting for the host's Crawl-delay before that first one is not counted).
            deadline: list[float] = []

            def attempt() -> Response:
                self.robots.wait_turn(url)
                if not deadline:
                    deadline.append(time.monotonic() + self.settings.fetch_deadline)
                return self._get_once(client, url, deadline[0], headers)

            return retrying(self.settings, lambda: deadline[0], time.monotonic)(attempt)

    @property
    def _deadline(self) -> str:
        return f"fetch_deadline {self.settings.fetch_deadline:g} s"

    def _get_once(self, client: httpx.Client, url: str, deadline: float, headers: dict[str, str]) -> Response:
        # The per-read timeout, shortened to what is left: a server that stalls ends at the deadline.
        timeout = max(min(self.settings.http_timeout, deadline - time.monotonic()), 0.01)
        try:
            with client.stream("GET", url, timeout=timeout, headers=headers) as response:
                if response.status_code in RETRY_STATUS:
                    raise _retryable(response, self.settings)
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
                return Response(str(response.url), bytes(content), media_type, response.charset_encoding,
                                response.status_code, response.headers.get("etag"), response.headers.get("last-modified"))
        except RefusedAddress as err:  # refused before connecting: final, never retried
            raise FetchError(str(err)) from None
        except httpx.TimeoutException:
            if time.monotonic() >= deadline:
                raise FetchError(f"timed out ({self._deadline})") from None
            raise Retryable(f"timed out after {timeout:.3g} s") from None
        except httpx.TransportError as err:
            raise Retryable(f"{type(err).__name__}: {err}") from None
        except httpx.InvalidURL as err:
            raise FetchError(f"invalid URL: {err}") from None
        except httpx.HTTPError as err:  # redirect loops, undecodable bodies: this page only, no retry
            raise FetchError(f"{type(err).__name__}: {err}") from None

    def page(self, url: str, metadata: dict[str, Any] | None = None) -> RawDocument | Rejected | Unchanged:
        """The HTML page at ``url`` as a RawDocument, why it could not be had, or that it is unchanged."""
        known = self.known(url)
        try:
            response = self.get(url, known)
        except FetchError as err:
            return rejected(url, err)
        return self.as_remembered_page(url, response, known, metadata)

    def as_remembered_page(self, url: str, response: Response, known: Remembered | None,
                           metadata: dict[str, Any] | None = None) -> RawDocument | Rejected | Unchanged:
        """``as_page``, but Unchanged when the state knew this page and it is the same (304 or same body)."""
        origin = redact_url(url)
        digest = None if response.status == 304 else body_hash(response.content)
        if known is not None and (response.status == 304 or digest == known.content_hash):
            self.state.remember(origin, response.etag or known.etag, response.last_modified or known.last_modified,
                                known.content_hash, unchanged=True)
            return Unchanged(origin, "304 Not Modified" if response.status == 304 else "same content")
        page = as_page(url, response, metadata)
        if self.state is not None and isinstance(page, RawDocument) and digest is not None:
            self.state.remember(origin, response.etag, response.last_modified, digest)
        return page

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


def _retryable(response: httpx.Response, settings: Settings) -> Exception:
    """A 429/5xx as the error to raise: worth a retry, with the server's Retry-After if it gave one,
    or final (FetchError) when that Retry-After is longer than ``retry_after_max``."""
    status = f"HTTP {response.status_code} {response.reason_phrase}"
    raw = response.headers.get("retry-after") if response.status_code in RETRY_AFTER_STATUS else None
    seconds = parse_retry_after(raw)
    if seconds is None:
        return Retryable(status)
    return retry_after_error(status, raw, seconds, settings) or Retryable(status, retry_after=seconds)


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
