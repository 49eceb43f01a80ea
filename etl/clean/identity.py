"""Stable identity: canonical URLs, document ids, content hashes, keyword-safe strings."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Elasticsearch refuses a keyword term longer than this many UTF-8 bytes.
KEYWORD_MAX_BYTES = 32_766

# Query parameters that only say how a reader arrived, never which story it is.
_TRACKING_PARAMS = {
    "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid",
    "_ga", "_gl", "ref_src", "ref_url", "cmpid", "ocid", "smid", "sr_share", "spm", "ito",
    "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "wt.mc_id", "at_medium", "at_campaign",
}
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_", "vero_", "__hs")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_url(url: str | None) -> str | None:
    """The canonical form of an http(s) URL, so one story gets one id however it was linked.

    Lower-case scheme and host, no ``www.``, no default port, no fragment, no tracking
    parameters, remaining parameters sorted, no trailing slash. Anything that is not an
    absolute http(s) URL gives None (it cannot identify a story).
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if host.startswith("www."):
        host = host[4:]
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _TRACKING_PARAMS and not k.lower().startswith(_TRACKING_PREFIXES)
    )
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def domain(url: str | None) -> str | None:
    """The site's host without ``www.``, e.g. ``reuters.com``."""
    canonical = normalise_url(url)
    return urlsplit(canonical).hostname if canonical else None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(body: str) -> str:
    """Hash of the clean body with whitespace runs collapsed: equal text, equal hash."""
    return _sha256(" ".join(body.split()))


def article_id(canonical_url: str | None, body_hash: str) -> str:
    """16 hex chars: from the canonical URL when there is one, else from the content."""
    return _sha256(canonical_url)[:16] if canonical_url else _sha256("content:" + body_hash)[:16]


def fit_keyword(value: str | None, max_bytes: int = KEYWORD_MAX_BYTES) -> str | None:
    """``value`` cut to at most ``max_bytes`` UTF-8 bytes without splitting a character."""
    if value is None:
        return None
    data = value.encode("utf-8")
    if len(data) <= max_bytes:
        return value
    return data[:max_bytes].decode("utf-8", errors="ignore").rstrip()
