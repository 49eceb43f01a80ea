"""URLs as they may be shown: without the credentials a user wrote into them.

A source URL can carry a password (``https://user:pw@host/feed``) or a token in its query or
fragment (``?api_key=...``, ``#access_token=...``). The request needs them; nothing else does.
``redact_url`` is applied wherever a URL becomes an origin, a stored URL or a log line, and
``RedactUrls`` does it for the log records of libraries (httpx logs each request's URL).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

MASK = "***"

# Parameter names that hold a secret: exact names, and names ending in one of the suffixes after a
# separator ("refresh_token", "client-secret"), so that "monkey" or "keyword" are left alone.
_SECRET_NAMES = {"key", "apikey", "sig", "auth", "pwd", "passwd", "password", "token", "secret", "signature",
                 "credential", "credentials", "session", "sessionid", "jwt"}
_SECRET_SUFFIX = re.compile(r"[_.\-](key|token|secret|signature|sig|password|passwd|credential)$")
_URL_IN_TEXT = re.compile(r"[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s'\"<>]+")
_USERINFO = re.compile(r"(//)[^/?#@]*@")  # for a URL too broken for urlsplit


def is_secret_name(name: str) -> bool:
    name = unquote_plus(name).strip().lower()
    return name in _SECRET_NAMES or bool(_SECRET_SUFFIX.search(name))


def redact_url(url: str) -> str:
    """``url`` with its user info and credential-looking parameter values replaced by ``***``.

    Everything else is kept exactly as written, so the reader can tell which URL it was;
    text that is not a URL is returned as it is.
    """
    if "://" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:  # a malformed URL ("http://[::1") is still shown, so still redacted
        return _USERINFO.sub(r"\1" + MASK + "@", url, count=1)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = MASK + "@" + netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, _redact_params(parts.query), _redact_params(parts.fragment)))


def redact_urls(text: str) -> str:
    """Every URL in a line of text redacted (a log message, an error that quotes a URL)."""
    return _URL_IN_TEXT.sub(lambda match: redact_url(match.group(0)), text) if "://" in text else text


def _redact_params(query: str) -> str:
    if "=" not in query:
        return query
    pairs = []
    for pair in query.split("&"):
        name, sep, value = pair.partition("=")
        pairs.append(f"{name}={MASK}" if sep and value and is_secret_name(name) else pair)
    return "&".join(pairs)


class RedactUrls(logging.Filter):
    """Redacts the URLs in a record's message and arguments; add it to a library's logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_urls(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_urls(str(arg)) if _may_be_url(arg) else arg for arg in record.args)
        return True


def _may_be_url(value: object) -> bool:
    return not isinstance(value, (int, float)) and "://" in str(value)
