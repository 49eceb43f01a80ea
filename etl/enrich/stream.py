"""``enrich``: articles in, indexed documents (or rejects) out, streaming through ``nlp.pipe``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language

from etl.parallel import batches
from etl.records import Article, IndexedDocument, Rejected, now_iso
from etl.settings import Settings

STAGE = "enrich"


def enrich(articles: Iterable[Article], nlp: Language, settings: Settings) -> Iterator[IndexedDocument | Rejected]:
    """Entities and quotes for each article, in input order; one bad article becomes a Rejected.

    Non-English articles go through as an empty text: the English-only enrichers would
    produce noise, but the article is still indexed, in order, at no cost. Bodies longer
    than ``max_body_chars`` are enriched on a prefix: spaCy's memory grows with document
    length (its own limit is 1,000,000 characters), and the opening of a news article is
    where its people and quotes are; the body is still indexed whole.
    """
    for chunk in batches(articles, settings.nlp_batch_size):
        yield from _enrich_chunk(chunk, nlp, settings)


def _enrich_chunk(chunk: list[Article], nlp: Language, settings: Settings) -> Iterator[IndexedDocument | Rejected]:
    """One ``nlp.pipe`` batch. An exception inside a model component would end ``nlp.pipe`` (spaCy's
    error handlers cannot be set on its parser), so a failed batch is redone one article at a time,
    and only the article that fails is rejected."""
    texts = [(_text(a, settings), a) for a in chunk if isinstance(a.body, str)]
    try:
        docs = {id(a): doc for doc, a in nlp.pipe(texts, as_tuples=True, batch_size=len(texts) or 1)}
    except Exception:
        docs = None
    for article in chunk:
        if not isinstance(article.body, str):
            yield Rejected(article.origin, STAGE, f"body is {type(article.body).__name__}, not text", id=article.id)
        elif docs is not None:
            yield _document(docs[id(article)], article)
        else:
            try:
                yield _document(nlp(_text(article, settings)), article)
            except Exception as err:
                yield Rejected(article.origin, STAGE, f"spaCy failed: {type(err).__name__}: {err}", id=article.id)


def _text(article: Article, settings: Settings) -> str:
    return article.body[: settings.max_body_chars] if _is_english(article) else ""


def _is_english(article: Article) -> bool:
    return not article.language or article.language.lower().split("-")[0] == "en"


def _document(doc, article: Article) -> IndexedDocument | Rejected:
    if doc._.enrich_error:
        return Rejected(article.origin, STAGE, doc._.enrich_error, id=article.id)
    return IndexedDocument(
        article=article,
        entities=list(doc._.entities or []),
        quotes=list(doc._.quotes or []),
        ingested_at=now_iso(),
    )
