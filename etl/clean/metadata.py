"""Article metadata from a page: JSON-LD, OpenGraph/``article:`` meta, plain meta tags, ``<time>``.

Each field takes the first value found in that order (the publisher's structured data is
the most deliberate statement); trafilatura's own metadata extraction fills what is still
missing. Values are returned raw; dates are parsed by ``parse_date``.

The article's URL is the exception: ``urls`` lists every URL the page gives for itself, in the
order ``article_url`` weighs them (canonical link, ``og:url``, then the JSON-LD Article's), with
``base_href`` to resolve relative ones: the choice needs the page's address, which only the
cleaner knows.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from lxml.html import HtmlElement
from htmldate import find_date
from trafilatura import metadata as tm
from trafilatura.settings import set_date_params

from etl.clean.author_search import trafilatura_author
from etl.clean.authors import split_bylines
from etl.clean.page_tree import head_of
from etl.clean.values import as_text, date_text, read_date

log = logging.getLogger(__name__)

_MERGED = ("title", "authors", "published_at", "source", "language")  # first found wins; urls are all kept

_ARTICLE_TYPES = {
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "reviewnewsarticle", "backgroundnewsarticle", "blogposting", "liveblogposting", "socialmediaposting",
    "scholarlyarticle", "techarticle", "report",
}
_META = {  # field -> meta property/name/itemprop values, in order of preference (lower case)
    "title": ("og:title", "twitter:title", "dc.title", "headline"),
    "authors": ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl"),
    "published_at": (
        "article:published_time", "og:article:published_time", "datepublished", "parsely-pub-date",
        "sailthru.date", "pubdate", "publishdate", "publish-date", "dc.date.issued", "dcterms.created",
        "dc.date", "date", "article.published", "originalpublicationdate",
    ),
    "source": ("og:site_name", "application-name", "publisher"),
    "language": ("content-language", "og:locale", "dc.language", "inlanguage"),
}
# htmldate's extensive search runs regular expressions over the whole page, each one C call the clean
# budget cannot interrupt (seconds on a 12 MB page); a page's date is in its first characters.
DATE_SEARCH_CHARS = 1_000_000


def page_metadata(tree: HtmlElement | None) -> dict[str, Any]:
    """``{field: value}`` for the fields found in the page's tree (authors as a clean list), plus
    ``urls`` (the page's URLs for itself, in precedence order) and ``base_href``."""
    if tree is None:
        return {}
    found: dict[str, Any] = {}
    sources = (_json_ld(tree), _meta_tags(tree), _markup(tree))
    for source in sources:
        _merge(found, source)
    missing = [name for name in ("title", "authors", "published_at", "source") if not _has(found, name)]
    if missing:
        _merge(found, _trafilatura(tree, missing))
    found["authors"] = split_bylines(found.get("authors"))
    json_ld, meta, markup = sources
    found["urls"] = [*markup.get("urls", []), *meta.get("urls", []), *json_ld.get("urls", [])]
    found["base_href"] = markup.get("base_href")
    return found


def _has(found: dict[str, Any], name: str) -> bool:
    """Whether ``found`` holds ``name``; a date that cannot be read (a "0001-01-01" placeholder) is none."""
    value = found.get(name)
    return bool(value) and (name != "published_at" or read_date(str(value)) is not None)


def _merge(found: dict[str, Any], source: dict[str, Any]) -> None:
    """Fill what is still missing; a date that cannot be read (a "0001-01-01" placeholder) counts as missing
    when this source has a readable one."""
    for name, value in source.items():
        if not value or name not in _MERGED:
            continue
        if not found.get(name):
            found[name] = value
        elif name == "published_at" and read_date(str(found[name])) is None and read_date(str(value)) is not None:
            found[name] = value


def _json_ld(tree) -> dict[str, Any]:
    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]'):
        try:
            data = json.loads(script.text_content(), strict=False)
        except ValueError:
            continue  # a broken JSON-LD block is the page's problem; the other sources still apply
        for node in _nodes(data):
            types = node.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and t.lower() in _ARTICLE_TYPES for t in types):
                publisher = node.get("publisher")
                page = node.get("mainEntityOfPage")
                page_urls = [page.get("@id"), page.get("url")] if isinstance(page, dict) else [page]
                return {
                    "title": _text(node.get("headline") or node.get("name")),
                    "authors": _names(node.get("author")),
                    "published_at": date_text(node.get("datePublished") or node.get("dateCreated")),
                    # Only the Article's own URLs: a publisher's or a site's node names the site, not the story.
                    "urls": [url for url in map(_text, [node.get("url"), *page_urls]) if url],
                    "source": _text(publisher.get("name")) if isinstance(publisher, dict) else None,
                    "language": _text(node.get("inLanguage")),
                }
    return {}


def _nodes(data: Any) -> Iterator[dict]:
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item)
    elif isinstance(data, dict):
        yield data
        yield from _nodes(data.get("@graph", []))


def _names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    if isinstance(value, dict):
        return _names(value.get("name"))
    return [value] if isinstance(value, str) else []


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    return as_text(value)


def _meta_tags(tree) -> dict[str, Any]:
    values: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv") or "")
        content = (meta.get("content") or "").strip()
        if key and content:
            values.setdefault(key.strip().lower(), []).append(content)
    found: dict[str, Any] = {}
    for name, keys in _META.items():
        for key in keys:
            if name == "authors":
                authors = [v for v in values.get(key, []) if not v.startswith(("http://", "https://"))]
                if authors:
                    found[name] = authors
                    break
            elif values.get(key):
                found[name] = values[key][0]
                break
    found["urls"] = values.get("og:url", [])[:1]
    return found


def _markup(tree) -> dict[str, Any]:
    """What plain HTML says: <link rel=canonical>, <base href>, <html lang>, <time datetime>, <title>,
    <a rel=author>: the first of each in the page (authors: all), in one walk of the tree and one XPath."""
    found: dict[str, Any] = {"urls": [], "base_href": None, "language": tree.get("lang") or tree.get("xml:lang")}
    times: dict[str, str] = {}  # "pubdate": the first <time pubdate datetime>, "any": the first <time datetime>
    title = None
    for element in tree.iter("link", "base", "time", "title"):
        tag = element.tag
        if tag == "link":
            href = (element.get("href") or "").strip()
            if not found["urls"] and href and "canonical" in (element.get("rel") or "").lower().split():
                found["urls"] = [href]
        elif tag == "time":
            when = element.get("datetime")
            if when is not None:
                times.setdefault("any", when)
                if element.get("pubdate") is not None:
                    times.setdefault("pubdate", when)
        elif tag == "base":
            if found["base_href"] is None and element.get("href") is not None:
                found["base_href"] = element.get("href")
        elif tag == "title" and title is None:
            title = element
    if times:
        found["published_at"] = times.get("pubdate", times["any"])
    if title is not None:
        found["title"] = title.text_content().strip()
    authors = [a.text_content().strip() for a in tree.xpath('//a[@rel="author"]')]
    found["authors"] = [a for a in authors if a]
    return found


_FROM_JSON_LD = frozenset({"title", "authors", "source"})  # what trafilatura's JSON-LD reading can add


def _trafilatura(tree: HtmlElement, missing: list[str]) -> dict[str, Any]:
    """trafilatura's own search for the fields still missing, and only those (it reads the tree without
    changing it): its whole ``extract_metadata`` also looks for categories, tags and a licence, a third
    of its time on pages that lack only an author, and none of them is used here."""
    meta = tm.examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None  # a one-word meta author is a site account more often than a name (trafilatura's rule)
    if _FROM_JSON_LD.intersection(missing):  # a date needs none of it: its JSON-LD was read already, and
        meta = tm.extract_meta_json(tree, meta)  # a hostile 1 MB author list there costs trafilatura seconds
    found: dict[str, Any] = {}
    if "title" in missing:
        found["title"] = meta.title or tm.extract_title(tree)
    if "authors" in missing:
        author = meta.author or trafilatura_author(tree)
        found["authors"] = author.split(";") if author else []
    if "published_at" in missing:
        url = meta.url or tm.extract_url(tree)
        found["published_at"] = find_date(head_of(tree, DATE_SEARCH_CHARS), **{**set_date_params(True), "url": url})
    if "source" in missing:
        site = (meta.sitename or tm.extract_sitename(tree) or "").lstrip("@")  # "@NYTimes": a Twitter handle
        found["source"] = site.title() if site and "." not in site and not site[0].isupper() else site
    return found
