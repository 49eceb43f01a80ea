"""A page parsed once: one lxml tree for metadata, boilerplate pruning and both trafilatura passes.

Parsing is most of what cleaning costs after trafilatura's own work, so the page is parsed into
one tree (libxml2, as trafilatura would) and pruned in that tree: scripts (JSON-LD excepted),
styles, inline SVG and templates dropped, attribute values too long to be anything but inline
data removed (``<meta>`` values excepted), comments and processing instructions never parsed,
and the text cut after ``max_text`` characters. Everything that reads the page then reads that tree.

Two kinds of page take the streaming pruner (``pruning.prune``) first instead: a page of more than
``_STREAM_FACTOR`` times the text cap (its parse stops once the cap is reached, so a 20 MB page
costs no more than a large one), and, for the body, a page nested deeper than lxml's tree holds
(libxml2 stops at depth 256 and drops the rest; ``whole`` is then False and bs4 reads the markup).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import lxml.html
from lxml import etree

from etl.clean.pruning import MAX_ATTRIBUTE_CHARS, prune

# A page longer than this many times the text cap is pruned by the stream before it is parsed.
_STREAM_FACTOR = 8
_PARSER_OPTIONS = dict(encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False)
_DROPPED = ("style", "svg", "template")  # with everything inside them, as scripts other than JSON-LD
_LONG_ATTRIBUTES = f"//@*[string-length() > {MAX_ATTRIBUTE_CHARS}]"
# Every element an ``HtmlElement`` (what trafilatura asks for), chosen in C: lxml.html's own parser asks
# a Python method for each element it wraps (to give forms and inputs their classes, which nothing
# here uses), a tenth of trafilatura's time on the trees it copies from this one.
_HTML_CLASSES = etree.ElementDefaultClassLookup(element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment)


@dataclass(frozen=True)
class Page:
    html: str  # the decoded page as it came
    max_text: int  # characters of text kept
    tree: lxml.html.HtmlElement | None  # None: nothing parseable (an empty document)
    whole: bool  # False: lxml cut the page short (nesting too deep), only its head is to be trusted

    def drop_head_metadata(self) -> None:
        """Remove the ``<meta>`` and ``<link>`` elements of the head, once the page's metadata is read:
        text extraction never reads them (nor anything void), and trafilatura copies the tree three
        to five times per pass, about 8 % fewer elements each time on real pages."""
        head = self.tree.find("head") if self.tree is not None else None
        if head is not None:
            etree.strip_elements(head, "meta", "link", with_tail=False)

    def markup(self) -> str:
        """The pruned page as markup, for a parser that is not lxml (bs4 reads pages lxml cannot hold)."""
        if self.whole and self.tree is not None:
            return lxml.html.tostring(self.tree, encoding="unicode")
        return prune(self.html, self.max_text)


def parse_page(html: str, max_text: int, utf8: bytes | None = None) -> Page:
    """``html`` parsed and pruned, its text cut after ``max_text`` characters; ``utf8``: ``html`` in
    UTF-8, when the caller has it."""
    source = prune(html, max_text) if len(html) > _STREAM_FACTOR * max_text else html
    if source is not html or utf8 is None:
        utf8 = source.encode("utf-8", "replace")
    parser = etree.HTMLParser(**_PARSER_OPTIONS)  # one per page: its error log is that page's
    parser.set_element_class_lookup(_HTML_CLASSES)
    try:
        tree = lxml.html.document_fromstring(utf8, parser=parser)
    except (etree.ParserError, ValueError):  # an empty document, or markup without any element
        return Page(html, max_text, None, whole=True)
    whole = not any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)
    for script in [script for script in tree.iter("script") if "ld+json" not in (script.get("type") or "").lower()]:
        script.drop_tree()  # keeps the text after it (its tail), as the stream does
    etree.strip_elements(tree, *_DROPPED, with_tail=False)
    for value in tree.xpath(_LONG_ATTRIBUTES):
        if value.getparent().tag != "meta":
            del value.getparent().attrib[value.attrname]
    if len(source) > max_text:  # the text is never longer than the markup it is in
        _cut_text(tree, max_text)
    return Page(html, max_text, tree, whole)


def head_of(tree: lxml.html.HtmlElement, max_text: int) -> lxml.html.HtmlElement:
    """``tree`` itself, or a copy cut after ``max_text`` characters of text when it holds more."""
    if tree.xpath("string-length(string(/))") <= max_text:  # counted in libxml2: no walk, no copy
        return tree
    head = copy.deepcopy(tree)
    _cut_text(head, max_text)
    return head


def _cut_text(tree, max_text: int) -> None:
    """Everything after the first ``max_text`` characters of text removed (JSON-LD not counted)."""
    if len(etree.tostring(tree, method="text", encoding="unicode")) <= max_text:
        return  # nearly every page: no walk in Python
    room = max_text
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        if element.tag == "script":
            continue
        attribute = "text" if event == "start" else "tail"
        text = getattr(element, attribute) or ""
        if len(text) < room:
            room -= len(text)
            continue
        setattr(element, attribute, text[:room])
        if event == "start":
            for child in list(element):
                element.remove(child)
        _drop_following(element, keep_tail=event == "end")
        return


def _drop_following(element, keep_tail: bool) -> None:
    """Remove what comes after ``element`` in the document: its tail (unless kept), later siblings
    and the later siblings and tails of every ancestor."""
    if not keep_tail:
        element.tail = None
    node = element
    while node is not None:
        parent = node.getparent()
        if parent is None:
            break
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
        if node is not element:
            node.tail = None
        node = parent
