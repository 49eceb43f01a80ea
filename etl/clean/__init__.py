"""Clean stage: a RawDocument (page or plain text) -> an Article with metadata and clean body.

``clean`` raises ``RejectedInput("clean", reason)`` for input that holds no article
(binary, empty, no article text); the pipeline turns that into a Rejected record.
Metadata comes from the page itself first and from what the source knew
(``RawDocument.metadata``: a feed entry, a JSON export) second; nothing is invented.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

import py3langid

from etl.clean.html import extract_body, prepare
from etl.clean.identity import article_id, content_hash, domain, fit_keyword, normalise_url
from etl.clean.metadata import FIELDS, clean_authors, language_code, page_metadata, parse_date
from etl.clean.text import decode, lines_to_paragraphs, normalise, word_count
from etl.records import Article, RawDocument, RejectedInput
from etl.settings import Settings

TITLE_MAX_CHARS = 200  # a title taken from plain text is cut here, on a word boundary
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_LANGID_SAMPLE = 1000  # characters of body enough to tell the language (langid time grows with it: 1.8 ms at 5000)


def clean(raw: RawDocument, settings: Settings) -> Article:
    if raw.media_type == "text/plain":
        body, found = _plain_text(raw)
    else:
        body, found = _page(raw, settings)
    if word_count(body) < settings.min_article_words:
        raise RejectedInput("clean", f"no article text found ({word_count(body)} words of text)")
    return _article(raw, body, _with_fallbacks(found, raw.metadata))


def _page(raw: RawDocument, settings: Settings) -> tuple[str, dict[str, Any]]:
    html = prepare(decode(raw.content, raw.metadata.get("charset")), settings.max_html_chars)
    found = page_metadata(html)
    title = found.get("title") or raw.metadata.get("title")
    body = extract_body(html, title)
    if found.get("url") and raw.url:  # canonical links may be relative
        found["url"] = urljoin(raw.url, found["url"])
    found.setdefault("url", raw.url)
    return body, found


def _plain_text(raw: RawDocument) -> tuple[str, dict[str, Any]]:
    """Plain text has no metadata of its own; the title is its first line, unless the source gave one."""
    text = decode(raw.content, raw.metadata.get("charset"), is_html=False)
    body = normalise(text) if "\n\n" in text.replace("\r", "") else lines_to_paragraphs(text)
    if raw.metadata.get("title") or not body:
        return body, {"url": raw.url}
    first, _, rest = body.partition("\n\n")
    if len(first) <= TITLE_MAX_CHARS and rest:
        return rest, {"title": first, "url": raw.url}  # a headline line, not part of the story
    return body, {"title": _first_sentence(first), "url": raw.url}


def _first_sentence(paragraph: str) -> str:
    sentence = _SENTENCE_END.split(paragraph, maxsplit=1)[0]
    if len(sentence) <= TITLE_MAX_CHARS:
        return sentence
    return sentence[:TITLE_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _with_fallbacks(found: dict[str, Any], known: dict[str, Any]) -> dict[str, Any]:
    merged = dict(found)
    for name in FIELDS:
        if not merged.get(name) and known.get(name):
            merged[name] = known[name]
    return merged


def _article(raw: RawDocument, body: str, found: dict[str, Any]) -> Article:
    url = normalise_url(found.get("url"))
    body_hash = content_hash(body)
    language = language_code(found.get("language")) or py3langid.classify(body[:_LANGID_SAMPLE])[0]
    return Article(
        id=article_id(url, body_hash),
        url=fit_keyword(url),
        source=fit_keyword(found.get("source") or domain(url)),
        title=fit_keyword(" ".join(found["title"].split())) if found.get("title") else None,
        authors=[fit_keyword(name) for name in clean_authors(found.get("authors"))],
        published_at=parse_date(found.get("published_at"), raw.origin),
        language=language,
        body=body,
        word_count=word_count(body),
        content_hash=body_hash,
        origin=raw.origin,
    )
