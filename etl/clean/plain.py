"""Untrusted metadata made inert: titles, bylines and site names as plain text, URLs as URLs.

Whatever reads the index shows these fields, and a page, feed or export can put anything in them
(``<title>&lt;script&gt;...``, an author ``<a href=javascript:...>``, a canonical link that breaks
out of its attribute). Tags, comments and the content of ``<script>``/``<style>`` are removed from
the text; a ``<`` that starts no tag ("Profits < forecasts") stays. Every pattern is linear in the
text, however hostile: no nested repetition, and each match succeeds or stops at the next ``<``.
"""

from __future__ import annotations

import re

_TAGS = re.compile(
    r"<(script|style)\b[^<>]*>.*?(?:</\1\s*>|$)"  # code, content and all (to the end if never closed)
    r"|<!--.*?(?:-->|$)"  # a comment
    r"|</?[a-z][^<>]*(?:>|$)"  # a tag, or what is left of one cut off at the end
    r"|<[!?][^<>]*(?:>|$)",  # a declaration or processing instruction
    re.IGNORECASE | re.DOTALL,
)
# Characters no URL has unencoded (RFC 3986): a "URL" with them is markup breaking out of an
# attribute ('https://a.example/x"><script>') or prose, never an address to store.
_NOT_IN_URLS = re.compile(r"[\s\"<>`\\\x00-\x1f\x7f]")


def strip_tags(text: str) -> str:
    """``text`` without tags, comments, scripts and styles (each replaced by a space)."""
    return _TAGS.sub(" ", text) if "<" in text else text


def has_url_characters_only(url: str) -> bool:
    """Whether ``url`` is made only of characters a URL can have (percent-encoded ones included)."""
    return not _NOT_IN_URLS.search(url.strip())
