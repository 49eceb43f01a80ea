"""When to try a URL again, and how long to wait first (``tenacity``).

Retried: timeouts, dropped connections, and HTTP 429/500/502/503/504. The wait before retry n is
``http_backoff * 2**(n-1)``, or the server's ``Retry-After`` when that is longer (429 and 503 only,
RFC 9110 §10.2.3: delta-seconds or an HTTP-date). A Retry-After over ``retry_after_max`` gives the
URL up at once (``FetchError`` naming the status and the header), rather than sleeping for hours.
The whole fetch, waits included, stays within one ``fetch_deadline``: a retry whose wait would
end past it is not made.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from etl.settings import Settings

RETRY_STATUS = {429, 500, 502, 503, 504}
RETRY_AFTER_STATUS = {429, 503}  # the statuses RFC 9110 gives Retry-After a meaning for here
_SECONDS = re.compile(r"\d{1,12}")


class FetchError(Exception):
    """A URL that could not be fetched; the message is the reason shown in the rejected record."""


class Retryable(Exception):
    """A failure worth another try; ``retry_after`` is the server's wish in seconds, if it said one."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value ("120" or "Wed, 21 Oct 2026 07:28:00 GMT"); None if unreadable."""
    if not value:
        return None
    value = value.strip()
    if _SECONDS.fullmatch(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def retry_after_error(status: str, raw: str, seconds: float, settings: Settings) -> FetchError | None:
    """The give-up error when a Retry-After asks for more than ``retry_after_max``, else None."""
    if seconds <= settings.retry_after_max:
        return None
    return FetchError(f"{status} with Retry-After {raw.strip()[:60]!r} ({seconds:,.0f} s), over retry_after_max "
                      f"{settings.retry_after_max:g} s: given up rather than waiting")


def retrying(settings: Settings, deadline: Callable[[], float], clock: Callable[[], float]) -> Retrying:
    """The retry policy for one fetch; ``deadline()`` is when it must end (set by its first request)."""
    backoff = wait_exponential(multiplier=settings.http_backoff, exp_base=2)
    limit = f"fetch_deadline {settings.fetch_deadline:g} s"

    def wait(state: RetryCallState) -> float:
        wished = getattr(state.outcome.exception(), "retry_after", None) or 0.0
        return max(backoff(state), wished)

    def out_of_time(state: RetryCallState) -> bool:  # tenacity computes the wait before asking this
        return clock() + state.upcoming_sleep >= deadline()

    def give_up(state: RetryCallState):
        err = state.outcome.exception()
        if state.attempt_number > settings.http_retries:
            raise FetchError(f"{err} (after {state.attempt_number} attempts)") from None
        wished = getattr(err, "retry_after", None)
        asked = f", Retry-After {wished:g} s" if wished else ""
        raise FetchError(f"{err}{asked}; no time left for a retry ({limit})") from None

    return Retrying(
        retry=retry_if_exception_type(Retryable),
        wait=wait,
        stop=stop_after_attempt(settings.http_retries + 1) | out_of_time,
        retry_error_callback=give_up,
    )
