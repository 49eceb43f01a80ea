"""trafilatura's search of the page for an author (``extract_author``), skipped where it cannot find one.

The search copies the whole tree, prunes the copy and runs three XPaths of regular expressions over it:
half of the metadata's cost, spent on pages where the page's own statements (JSON-LD, meta tags,
``rel=author``) give no byline, and on a third of those for nothing. Its XPaths only match an
``<author>`` element, an element with a ``<rel>`` child, or an element whose class, id, rel, itemprop,
data-testid or data-component contains one of ``_MARKS`` (case as written: the XPaths are
case-sensitive); one pass over those attribute values tells whether the page has any. The skip holds
for the XPaths it was read from (``_READ_FROM``): with another trafilatura's, the search always runs.
"""

from __future__ import annotations

import hashlib
import re

from lxml import etree
from lxml.html import HtmlElement
from trafilatura import metadata as tm
from trafilatura.xpaths import AUTHOR_XPATHS

_MARKS = re.compile(
    "uthor|byl|yline|username|BBL|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by"
    "|journalist-name|screenname|writer"
)
_SEARCHED = etree.XPath(
    "//@class | //@id | //@rel | //@itemprop | //@data-testid | //@data-component", smart_strings=False
)
_READ_FROM = "e7cdb233823cbb0a"  # the first 16 hex digits of the SHA-256 of the XPaths' text


def _fingerprint(xpaths) -> str:
    return hashlib.sha256("\n".join(xpath.path for xpath in xpaths).encode()).hexdigest()[:16]


_CAN_SKIP = _fingerprint(AUTHOR_XPATHS) == _READ_FROM


def trafilatura_author(tree: HtmlElement) -> str | None:
    """What ``trafilatura.metadata.extract_author`` finds in ``tree`` (None: nothing)."""
    if _CAN_SKIP and not _may_match(tree):
        return None
    return tm.extract_author(tree)


def _may_match(tree: HtmlElement) -> bool:
    if next(tree.iter("author", "rel"), None) is not None:
        return True
    return _MARKS.search("\n".join(_SEARCHED(tree))) is not None
