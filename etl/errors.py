"""How what stops a command is worded: one line, with the address but never its credentials.

The Elasticsearch sink and the Kibana import report the same kinds of failure (no connection, a
timeout, TLS, refused credentials) to the same user; the embedded index quotes Tantivy's errors.
"""

from __future__ import annotations

import ssl
from urllib.parse import urlsplit

# A server's error text (an HTML error page, a stack of causes) is cut here: enough to see what it says.
MAX_DETAIL_CHARS = 300
CREDENTIALS_HINT = "set ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD, or ELASTICSEARCH_API_KEY"


def safe_url(url: str) -> str:
    """The URL as it can be shown: without any ``user:password@``."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def brief(text: object) -> str:
    """Any error text on one line (whitespace runs collapsed), cut to ``MAX_DETAIL_CHARS``."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= MAX_DETAIL_CHARS else flat[: MAX_DETAIL_CHARS - 1] + "…"


def unauthorized(service: str, url: str, has_credentials: bool, detail: str | None = None) -> str:
    """The message for a 401: the server refused the credentials given, or wants some."""
    why = f"401: {brief(detail)}" if detail else "401"
    if has_credentials:
        return f"{service} at {url} refused the credentials ({why})"
    return f"{service} at {url} asks for credentials ({why}); {CREDENTIALS_HINT}"


def network_reason(err: BaseException, timeout: float | None = None) -> str:
    """Why a connection failed, in a few words ("connection refused", "no answer within 2 s").

    HTTP clients wrap the socket's error in two or three layers of their own, each repeating the
    address; the root cause, found down the exception chain, is what the user can act on.
    """
    seen: set[int] = set()
    cause: BaseException | None = err
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, TimeoutError):  # an OSError without a strerror: checked first
            return f"no answer within {timeout:g} s" if timeout else "timed out"
        if isinstance(cause, ssl.SSLError):
            return f"TLS: {brief(cause)}"
        if isinstance(cause, OSError) and cause.strerror:  # refused, unknown host, no route, reset ...
            return cause.strerror[0].lower() + cause.strerror[1:]
        cause = cause.__cause__ or cause.__context__
    return brief(err)
