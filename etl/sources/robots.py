"""robots.txt, per host, read once a run (``protego``), and the Crawl-delay between two requests.

The rules follow RFC 9309 as Google reads it (developers.google.com/search/docs/crawling-indexing/
robots/robots_txt), since that is what site owners write them for:

- 2xx: the rules apply, matched against the product token of ``settings.user_agent`` ("news-etl").
- 4xx except 429, or more than 5 redirects: there is no robots.txt, everything is allowed.
- 429, 5xx, a timeout or a dropped connection: the host is treated as disallowed for this run (the
  owner may be overloaded, or hiding rules we cannot read); each page says so in its reason.
- Only the first ``settings.robots_max_bytes`` are read (Google: 500 KiB); the rest is ignored.

robots.txt is an input like any page: the address guard, the timeouts and ``fetch_deadline`` apply
to it too, through a client of its own (one that follows at most 5 redirects). A robots.txt whose
address the guard refuses decides nothing: the page itself is then refused with the guard's reason.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from protego import Protego

from etl.redact import redact_url
from etl.settings import Settings
from etl.sources.address_guard import RefusedAddress, guarded_client

MAX_REDIRECTS = 5  # RFC 9309: follow at least five; past them Google reads "no robots.txt"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HostRules:
    parser: Protego | None = None  # None: everything allowed (no robots.txt, or none we could use)
    refusal: str | None = None  # set: the whole host is disallowed for this run, and why
    delay: float = 0.0  # seconds between two requests, already capped


def product_token(user_agent: str) -> str:
    """What robots.txt groups name: "news-etl" of "news-etl/0.1 (+https://...)"."""
    return (user_agent.split() or [""])[0].split("/")[0]


def robots_url(url: str) -> str | None:
    """The robots.txt of ``url``'s scheme, host and port (never its user:password or query)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:  # a malformed port: the fetch itself will say so
        return None
    if not host:
        return None
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme.lower()}://{host}{f':{port}' if port else ''}/robots.txt"


class Robots:
    """The robots.txt of every host a run fetches from, each fetched once, and their Crawl-delays."""

    def __init__(self, settings: Settings, refuse_odd_redirects):
        self.settings = settings
        self.token = product_token(settings.user_agent)
        self._refuse_odd_redirects = refuse_odd_redirects
        self._client: httpx.Client | None = None  # made at the first robots.txt (an SSL context costs ~0.1 s)
        self._rules: dict[str, HostRules] = {}
        self._host_locks: dict[str, threading.Lock] = {}
        self._next_turn: dict[str, float] = {}  # host -> monotonic time its next request may start
        self._lock = threading.Lock()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = guarded_client(self.settings, "text/plain,*/*;q=0.5", [self._refuse_odd_redirects],
                                              max_redirects=MAX_REDIRECTS)
            return self._client

    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be fetched (a reason naming the robots.txt), or None when it may."""
        where = robots_url(url)
        if where is None or not self.settings.obey_robots_txt:
            return None
        rules = self._rules_for(where)
        if rules.refusal:
            return f"{redact_url(url)}: {rules.refusal}"
        if rules.parser is not None and not rules.parser.can_fetch(url, self.token):
            return f"{redact_url(url)}: disallowed by {where}"
        return None

    def wait_turn(self, url: str) -> None:
        """Sleep until ``url``'s host may take another request (its Crawl-delay since the last one).

        Each caller books the next free slot before sleeping, so threads fetching the same host
        keep the delay between them too.
        """
        where = robots_url(url)
        rules = self._rules.get(where) if where else None
        if rules is None or not rules.delay:
            return
        with self._lock:
            now = time.monotonic()
            turn = max(now, self._next_turn.get(where, 0.0))
            self._next_turn[where] = turn + rules.delay
        if turn > now:
            time.sleep(turn - now)

    def _rules_for(self, where: str) -> HostRules:
        with self._lock:
            if where in self._rules:
                return self._rules[where]
            host_lock = self._host_locks.setdefault(where, threading.Lock())
        with host_lock:  # one fetch per host, however many threads want it
            if where not in self._rules:
                rules = self._fetch(where)
                with self._lock:
                    self._rules[where] = rules
            return self._rules[where]

    def _fetch(self, where: str) -> HostRules:
        try:
            text = self._read(where)
        except _Unreachable as err:
            log.warning("%s; its pages are not fetched this run", err)
            return HostRules(refusal=f"{err}, so the host is treated as disallowed for this run")
        except (RefusedAddress, httpx.TooManyRedirects, httpx.InvalidURL):
            return HostRules()  # refused: the page's own fetch says why; too many redirects: none (Google)
        except Exception as err:  # noqa: BLE001  a redirect the hook refused, an undecodable body ...
            log.info("%s unusable (%s): treated as absent", where, err)
            return HostRules()
        if text is None:
            return HostRules()
        parser = Protego.parse(text)
        delay = parser.crawl_delay(self.token) or 0.0
        if delay > self.settings.crawl_delay_max:
            log.warning("%s asks for Crawl-delay %g s; waiting crawl_delay_max %g s instead", where, delay,
                        self.settings.crawl_delay_max)
            delay = self.settings.crawl_delay_max
        return HostRules(parser=parser, delay=delay)

    def _read(self, where: str) -> str | None:
        """robots.txt's text (its first ``robots_max_bytes``), None when there is none; _Unreachable."""
        deadline = time.monotonic() + self.settings.fetch_deadline
        cap = self.settings.robots_max_bytes
        timeout = min(self.settings.http_timeout, self.settings.fetch_deadline)
        try:
            with self._http().stream("GET", where, timeout=timeout) as response:
                status = response.status_code
                if status == 429 or status >= 500:
                    raise _Unreachable(f"{where} answered HTTP {status} {response.reason_phrase}")
                if status >= 300:  # 4xx: no robots.txt; a redirect left unfollowed: none found
                    return None
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) >= cap:  # the rest is ignored, not read: a 10 GB robots.txt costs 512 KB
                        break
                    if time.monotonic() > deadline:
                        raise _Unreachable(f"{where} took longer than fetch_deadline {self.settings.fetch_deadline:g} s")
        except httpx.TimeoutException:
            raise _Unreachable(f"{where} timed out") from None
        except httpx.UnsupportedProtocol:
            raise  # a redirect to a scheme httpx cannot fetch: no robots.txt there
        except httpx.TransportError as err:
            raise _Unreachable(f"{where} could not be fetched ({type(err).__name__}: {err})") from None
        return bytes(body[:cap]).decode("utf-8", "replace")


class _Unreachable(Exception):
    """robots.txt could not be had for a reason that means "do not crawl": 429, 5xx, network failure."""
