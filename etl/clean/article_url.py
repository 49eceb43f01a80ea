"""Which URL names the article: the first of the candidates, in precedence order, that can identify it.

Candidates come from the page (``<link rel=canonical>``, ``og:url``, the JSON-LD Article's
``url``/``mainEntityOfPage``) and then from the source (the fetched URL, an export's url field).
Each is made absolute against the page's base. Set aside, because many articles of a site
share them and one would overwrite the others under one id:

- a site root (``https://example.com/``, ``/index.html``): never an article's identity;
- a section page (``/auto-industry-news/``) when another candidate of the same site lies under it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from etl.clean.identity import normalise_url
from etl.clean.plain import has_url_characters_only

# A last path segment that only names the folder's default page: "/news/index.html" is "/news".
_INDEX_PAGE = re.compile(r"(index|default|home|homepage)(\.\w+)?", re.IGNORECASE)
# Suffixes that give another rendering of the same page, not a page below it: "/story/amp" is the
# story, so "/story" stays an identity beside it.
_PAGE_VARIANTS = {"amp", "print", "comments", "embed"}


def article_url(
    candidates: Iterable[str | None], page_url: str | None = None, base_href: str | None = None
) -> str | None:
    """The article's URL as the publisher gives it (absolute), or None when no candidate identifies it.

    Relative candidates resolve against ``<base href>``, else the page's own URL, else the first
    candidate that is absolute (a page read from disk knows its address only from itself).
    """
    raw = [c.strip() for c in candidates if isinstance(c, str) and c.strip()]
    base = _base(page_url, base_href, raw)
    absolute = list(dict.fromkeys(url for url in (_absolute(c, base) for c in raw) if url))
    paths = {url: _path(url) for url in absolute}
    for url in absolute:
        site, segments, query = paths[url]
        if not segments and not query:
            continue  # a site root
        if not query and any(_is_below(segments, other, site) for other in paths.values()):
            continue  # a section page of a deeper candidate
        return url
    return None


def _base(page_url: str | None, base_href: str | None, candidates: list[str]) -> str | None:
    page = _absolute(page_url or "", None)
    if page is None:
        page = next((url for url in (_absolute(c, None) for c in candidates) if url), None)
    if base_href:
        return _absolute(base_href.strip(), page) or page
    return page


def _absolute(url: str, base: str | None) -> str | None:
    """``url`` resolved against ``base`` (an absolute one is kept exactly as given); None unless
    that gives an http(s) URL that can identify a story."""
    if not has_url_characters_only(url):
        return None  # markup breaking out of an attribute, or prose: not an address
    if _is_absolute(url):
        return url
    if url.startswith("//") and base is None:
        url = "https:" + url  # protocol-relative: only the scheme is missing
    try:
        resolved = urljoin(base, url) if base else url
    except ValueError:  # a malformed address ("//[bad") names nothing
        return None
    return resolved if _is_absolute(resolved) else None


def _is_absolute(url: str) -> bool:
    return normalise_url(url) is not None  # an absolute http(s) URL with a host and a valid port


def _path(url: str) -> tuple[str, tuple[str, ...], str]:
    """(site, path segments without a trailing index page, query) of a URL, in its normalised form."""
    parts = urlsplit(normalise_url(url) or "")
    segments = [s for s in parts.path.split("/") if s]
    if segments and _INDEX_PAGE.fullmatch(segments[-1]):
        segments.pop()
    return parts.netloc, tuple(segments), parts.query


def _is_below(segments: tuple[str, ...], other: tuple[str, tuple[str, ...], str], site: str) -> bool:
    """Whether ``other`` is a page of ``site`` under the folder ``segments``, not a variant of it."""
    other_site, other_segments, _ = other
    if other_site != site or len(other_segments) <= len(segments) or other_segments[: len(segments)] != segments:
        return False
    extra = other_segments[len(segments):]
    return not all(s.split(".")[0].lower() in _PAGE_VARIANTS for s in extra)
