"""A page reduced to what extraction reads, by the HTML parser rather than by regexes, as markup.

``page_tree`` prunes most pages in their lxml tree; this streaming pruner takes the pages a tree
cannot: those many times over the text cap, and those nested deeper than lxml's tree holds.

Scripts (JSON-LD excepted: it holds the metadata), styles, inline SVG, templates, comments and
attribute values too long to be anything but inline data (``<meta>`` values excepted) go; then the page is cut after
``max_text`` characters of text, so markup, however heavy, never pushes the article past the cap.

The page is parsed as a stream of events (lxml's parser-target interface, libxml2 underneath,
as for the extractor) and written back out as markup. That is linear in the page whatever it
holds: regexes over raw markup were quadratic on 100,000 unclosed ``<!--``, and read a
``</script`` without its ``>`` as no end, deleting the article after it. Writing events out
keeps pages nested thousands deep whole, which lxml's own tree would cut at depth 256.
"""

from __future__ import annotations

import re
from html import escape

from lxml import etree

_DROPPED = {"script", "style", "svg", "template"}  # with everything inside them
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
MAX_ATTRIBUTE_CHARS = 2048  # longer values are data (data: URIs, hydration state), never what extraction needs
_NAME = re.compile(r"[a-zA-Z][\w:.-]*")  # a tag or attribute name safe to write back out
_FEED_CHARS = 1 << 16  # fed in pieces, so parsing stops soon after the text cap is reached


def prune(html: str, max_text: int) -> str:
    """``html`` without non-content markup, cut after ``max_text`` characters of text."""
    writer = _Writer(max_text)
    parser = etree.HTMLParser(target=writer, recover=True, no_network=True)
    try:
        for start in range(0, len(html), _FEED_CHARS):
            parser.feed(html[start : start + _FEED_CHARS])
            if writer.full:
                break
        parser.close()
    except etree.LxmlError:  # nothing parseable (an empty document): nothing to extract
        pass
    return writer.markup()


class _Writer:
    """Parser target that writes the events it keeps back out as markup."""

    def __init__(self, max_text: int):
        self._out: list[str] = []
        self._open: list[str] = []  # elements written and not yet closed
        self._skipping = 0  # depth inside a dropped element
        self._raw = False  # inside a kept JSON-LD script: its text is written as is
        self._room = max_text
        self.full = False

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if self._skipping or (tag in _DROPPED and not _is_json_ld(tag, attrib)):
            self._skipping += 1
            return
        if self.full or not isinstance(tag, str) or not _NAME.fullmatch(tag):
            return
        kept = "".join(
            f' {name}="{escape(value)}"' for name, value in attrib.items()
            if (len(value) <= MAX_ATTRIBUTE_CHARS or tag == "meta") and _NAME.fullmatch(name)
        )
        self._out.append(f"<{tag}{kept}>")
        if tag not in _VOID:
            self._open.append(tag)
        self._raw = tag == "script"

    def end(self, tag: str) -> None:
        if self._skipping:
            self._skipping -= 1
        elif self._open and self._open[-1] == tag:
            self._out.append(f"</{self._open.pop()}>")
            self._raw = False

    def data(self, text: str) -> None:
        if self._skipping or self.full:
            return
        if self._raw:  # JSON-LD: "</" escaped as JSON allows, so the script cannot end early
            self._out.append(text.replace("</", "<\\/"))
            return
        if len(text) >= self._room:
            text, self.full = text[: self._room], True
        self._room -= len(text)
        self._out.append(escape(text, quote=False))

    def comment(self, text: str) -> None:  # comments are not content
        pass

    def close(self) -> None:
        pass

    def markup(self) -> str:
        return "".join(self._out) + "".join(f"</{tag}>" for tag in reversed(self._open))


def _is_json_ld(tag: str, attrib: dict[str, str]) -> bool:
    return tag == "script" and "ld+json" in attrib.get("type", "").lower()
