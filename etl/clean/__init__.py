"""Clean stage: a RawDocument (page or plain text) -> an Article with metadata and clean body.

``clean`` raises ``RejectedInput("clean", reason)`` for input that holds no article
(binary, empty, no article text); the pipeline turns that into a Rejected record.
Metadata comes from the page itself first and from what the source knew
(``RawDocument.metadata``: a feed entry, a JSON export) second; nothing is invented.
``url`` is the article's link as the publisher gives it (``article_url`` picks it);
``normalized_url`` is its canonical form, from which the id derives.
"""

from __future__ import annotations

import re
from typing import Any

from etl.clean.article_url import article_url
from etl.clean.authors import people_and_agency, split_bylines
from etl.clean.identity import (
    article_id,
    content_hash,
    domain,
    fit_keyword,
    normalise_url,
)
from etl.clean.language import article_language, language_code, load_identifier
from etl.clean.limits import OverBudget, cap_body, time_budget
from etl.clean.text import (
    decode,
    decode_page,
    lines_to_paragraphs,
    normalise,
    one_line,
    word_count,
)
from etl.clean.values import FIELDS, as_text, parse_date
from etl.records import Article, RawDocument, RejectedInput
from etl.settings import Settings

TITLE_MAX_CHARS = 200  # a title taken from plain text is cut here, on a word boundary
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def preload(settings: Settings) -> None:
    """What cleaning loads on first use, loaded now: before workers are forked, so that they share it
    instead of each loading it again."""
    load_identifier(settings.cache_dir)
    _html_stack()


def clean(raw: RawDocument, settings: Settings) -> Article:
    """The article in ``raw``, within ``settings.clean_budget`` seconds (else rejected), its body
    cut to ``settings.max_body_chars``."""
    load_identifier(settings.cache_dir)  # once per process, and not at the first page's expense
    try:
        with time_budget(settings.clean_budget):
            return _clean(raw, settings)
    except OverBudget:
        raise RejectedInput("clean", f"took longer than the clean_budget of {settings.clean_budget:g} s") from None


def _clean(raw: RawDocument, settings: Settings) -> Article:
    if raw.media_type == "text/plain":
        body, found = _plain_text(raw)
    else:
        body, found = _page(raw, settings)
    body = cap_body(body, settings.max_body_chars, raw.origin)
    words = word_count(body)
    if words < settings.min_article_words:
        raise RejectedInput("clean", f"no article text found ({words} words of text)")
    return _article(raw, body, words, _with_fallbacks(found, raw.metadata))


def _html_stack():
    """The modules that read pages: trafilatura, htmldate and bs4 take about 0.5 s to import, which a run
    over plain text (a researcher's export, ``news-etl enrich`` on text files) need not pay."""
    from etl.clean import html, metadata

    return html, metadata


def _page(raw: RawDocument, settings: Settings) -> tuple[str, dict[str, Any]]:
    html, metadata = _html_stack()
    text, utf8 = decode_page(raw.content, raw.metadata.get("charset"), origin=raw.origin)
    page = html.prepare(text, settings.max_html_chars, utf8)
    found = metadata.page_metadata(page.tree)
    page.drop_head_metadata()
    body = html.extract_body(page, _one_line(found.get("title") or raw.metadata.get("title")))
    page_url = _page_url(raw)
    found["url"] = article_url([*found.pop("urls", []), *_known_urls(raw)], page_url, found.pop("base_href", None))
    return body, found


def _page_url(raw: RawDocument) -> str | None:
    """Where the page was read from, when that is a web address (after redirects)."""
    return raw.url or (raw.origin if raw.origin.lower().startswith(("http://", "https://")) else None)


def _known_urls(raw: RawDocument) -> list[str | None]:
    """The article's URLs as the source knew them: weaker than the page's own statement."""
    return [_page_url(raw), raw.metadata.get("url")]


def _plain_text(raw: RawDocument) -> tuple[str, dict[str, Any]]:
    """Plain text has no metadata of its own; the title is its first line, unless the source gave one."""
    text = decode(raw.content, raw.metadata.get("charset"), is_html=False, origin=raw.origin)
    body = normalise(text) if "\n\n" in text.replace("\r", "") else lines_to_paragraphs(text)
    url = article_url(_known_urls(raw))
    if raw.metadata.get("title") or not body:
        return body, {"url": url}
    first, _, rest = body.partition("\n\n")
    if len(first) <= TITLE_MAX_CHARS and rest:
        return rest, {"title": first, "url": url}  # a headline line, not part of the story
    return body, {"title": _first_sentence(first), "url": url}


def _first_sentence(paragraph: str) -> str:
    sentence = _SENTENCE_END.split(paragraph, maxsplit=1)[0]
    if len(sentence) <= TITLE_MAX_CHARS:
        return sentence
    return sentence[:TITLE_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _with_fallbacks(found: dict[str, Any], known: dict[str, Any]) -> dict[str, Any]:
    merged = dict(found)
    for name in FIELDS:
        # Not the url: article_url already weighed the source's URLs after the page's own.
        if name != "url" and not merged.get(name) and known.get(name):
            merged[name] = known[name]
    return merged


def _article(raw: RawDocument, body: str, words: int, found: dict[str, Any]) -> Article:
    url = found.get("url")
    normalized = normalise_url(url)
    body_hash = content_hash(body)
    source = _one_line(found.get("source")) or domain(url)
    authors, agency = people_and_agency(split_bylines(found.get("authors")), source, domain(url), body)
    return Article(
        id=article_id(normalized, body_hash),
        url=fit_keyword(url),
        normalized_url=fit_keyword(normalized),
        source=fit_keyword(source),
        title=fit_keyword(_one_line(found.get("title"))),
        authors=[fit_keyword(name) for name in authors],
        source_agency=agency,
        published_at=parse_date(found.get("published_at"), raw.origin),
        language=article_language(language_code(found.get("language")), body),
        body=body,
        word_count=words,
        content_hash=body_hash,
        origin=raw.origin,
    )


def _one_line(value: Any) -> str | None:
    """A text field as one line; a number (a numeric title) as its digits, other types None."""
    text = as_text(value)
    return (one_line(text) or None) if text else None
