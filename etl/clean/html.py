"""Main article text out of a page: trafilatura first, bs4 when trafilatura finds nothing.

The method, in order:
1. trafilatura in precision mode (no comments). Precision mode sometimes throws the article
   away with the boilerplate (a paywall notice survives, the story does not); when its text is
   short and under a quarter of the balanced mode's, the balanced text is taken instead. The
   balanced mode's fast variant is asked first, so the full balanced pass runs only on the pages
   where it could win (on the 181 benchmark pages: 2 of the 16 short ones, instead of all 16).
2. When trafilatura finds nothing, bs4 reads the ``<p>`` paragraphs of the page's
   ``<article>``/``<main>``/``<body>`` with navigation, forms and scripts removed. bs4 builds
   its tree without recursion, so pages nested thousands of levels deep still come out (lxml,
   under trafilatura, silently stops at depth 256).
3. One paragraph per line, separated by blank lines. Leftover boilerplate is dropped: the
   headline repeated as the first paragraph (it is the title field), "Read more:"/"Related:"
   teasers and the link lists under them, share/follow/subscribe calls and "Click to tweet" pull
   quotes. No filter for copyright lines or one-word "Comments"/"Advertisement" furniture: the
   first deleted short paragraphs of stories about copyright (more story than boilerplate on the
   benchmark), the second only caught what trafilatura already removes.

Pages are parsed once, pruned and capped (``prepare``, see ``page_tree``) before extraction: both
trafilatura passes and the metadata read that one tree, so a 20 MB page costs no more than a large
one and hostile markup no more than plain markup.
"""

from __future__ import annotations

import re
import warnings

import trafilatura
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

from etl.clean.page_tree import Page, parse_page
from etl.clean.text import lines_to_paragraphs
from etl.logs import quiet_unless_verbose

# trafilatura logs "empty HTML tree", "discarding data" ... for a page without text, naming no page;
# the page's rejected record says so with its origin. bs4 warns (a dozen lines) that markup looks
# like a URL or like XML: a page is parsed as HTML on purpose, whatever it looks like.
quiet_unless_verbose("trafilatura")
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)

# Precision-mode text under this share of the balanced text means precision mode lost the story.
_LOST_STORY_RATIO = 0.25
# The fast probe may find less than the balanced mode: it is trusted only this far.
_PROBE_MARGIN = 2
# Precision-mode text this long is a story in its own right; the balanced mode is not consulted.
_SURE_STORY_WORDS = 150

# A paragraph that starts like this is a teaser for another page, not this story.
_TEASER = re.compile(
    r"^(related( post| stories| articles| coverage)?|read (more|also|next)|see (more|also)|more( (from|on|about) [^:]{1,40})?"
    r"|also( read| on [\w.]+)?|recommended|watch|listen|most read[^:]*|trending|don'?t miss|you may also like"
    r"|filed under|tags)\s*[:|]",
    re.IGNORECASE,
)
# Calls to action; only short paragraphs are considered, so a story that mentions them survives.
_CALL_TO_ACTION = re.compile(
    r"^(sign up|subscribe|follow (us|@|\w+( \w+){0,4} on)|share (this|it)|like this (story|article)|get (the|our) "
    r"(latest|day|best|top)|have a tip|download (the|our)|join us|listen to)"
    r"|click to tweet$",
    re.IGNORECASE,
)
_SHORT_WORDS = 40


def prepare(html: str, max_chars: int, utf8: bytes | None = None) -> Page:
    """The page parsed once, scripts, styles, inline SVG, comments and inline data removed, its text
    cut after ``max_chars`` characters (huge pages); markup does not count, so it never pushes the
    story out. ``utf8``: ``html`` in UTF-8, when the caller has it (``decode_page``)."""
    return parse_page(html, max_chars, utf8)


def extract_body(page: Page, title: str | None = None) -> str:
    """The article text of a page (paragraphs separated by blank lines); "" when there is none."""
    text = _trafilatura(page) or _paragraphs_by_bs4(page.markup())
    return _drop_boilerplate(lines_to_paragraphs(text), title)


def _trafilatura(page: Page) -> str:
    if page.tree is None or not page.whole:  # a page cut short would give a story cut short
        return ""
    # trafilatura copies a tree it is given, so both passes read the same parse.
    precise = trafilatura.extract(page.tree, favor_precision=True, include_comments=False) or ""
    if len(precise.split()) >= _SURE_STORY_WORDS:
        return precise
    # The balanced mode's fast variant (without its fallback extractors, a third of the cost) says
    # first whether the balanced text could be that much longer; with a margin, as it can be shorter.
    probe = trafilatura.extract(page.tree, include_comments=False, fast=True) or ""
    if len(precise) >= _PROBE_MARGIN * _LOST_STORY_RATIO * len(probe):
        return precise
    balanced = trafilatura.extract(page.tree, include_comments=False) or ""
    return balanced if len(precise) < _LOST_STORY_RATIO * len(balanced) else precise


def _paragraphs_by_bs4(html: str) -> str:
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "button"]):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    paragraphs = [p.get_text(" ", strip=True) for p in root.find_all("p")]
    if not any(paragraphs):
        paragraphs = root.get_text("\n", strip=True).split("\n")
    return "\n\n".join(p for p in paragraphs if p)


def _drop_boilerplate(body: str, title: str | None) -> str:
    kept: list[str] = []
    in_teaser_list = False
    for paragraph in body.split("\n\n"):
        lines = []
        for line in paragraph.split("\n"):
            is_item = line.startswith(("- ", "• ", "* "))
            if in_teaser_list and is_item:
                continue
            in_teaser_list = bool(_TEASER.match(line))
            if in_teaser_list or _is_call_to_action(line):
                continue
            lines.append(line)
        if lines:
            kept.append("\n".join(lines))
    if kept and title and _same_text(kept[0], title):
        kept.pop(0)
    return "\n\n".join(kept)


def _is_call_to_action(line: str) -> bool:
    return len(line.split()) <= _SHORT_WORDS and bool(_CALL_TO_ACTION.search(line))


def _same_text(a: str, b: str) -> bool:
    words = lambda s: re.findall(r"\w+", s.casefold())  # noqa: E731
    return words(a) == words(b)
