"""``enrich``: articles in, indexed documents (or rejects) out, streaming through ``nlp.pipe``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from spacy.language import Language

from etl.records import Article, IndexedDocument, Rejected, now_iso
from etl.settings import Settings

STAGE = "enrich"
# Characters per nlp.pipe batch: spaCy holds a whole batch at once, ~3.4 MB per 1,000 characters
# (en_core_web_sm), so eight bodies of 100,000 characters would take 2.7 GB in one batch.
NLP_BATCH_CHARS = 200_000
T = TypeVar("T")


def enrich(articles: Iterable[Article], nlp: Language, settings: Settings) -> Iterator[IndexedDocument | Rejected]:
    """Entities and quotes for each article, in input order; one bad article becomes a Rejected.

    Non-English articles go through as an empty text: the English-only enrichers would
    produce noise, but the article is still indexed, in order, at no cost. spaCy's memory
    grows with the characters of a batch: the cleaner cuts bodies to ``max_body_chars`` (and
    so does ``_text``, for articles that did not come through it), and a batch stops at
    ``NLP_BATCH_CHARS``.
    """
    size = lambda article: len(_text(article, settings)) if isinstance(article.body, str) else 0  # noqa: E731
    for chunk in bounded_batches(articles, settings.nlp_batch_size, cost=size, budget=NLP_BATCH_CHARS):
        yield from _enrich_chunk(chunk, nlp, settings)


def bounded_batches(items: Iterable[T], size: int, *, cost: Callable[[T], int], budget: int) -> Iterator[list[T]]:
    """Batches of at most ``size`` items whose ``cost`` sums to at most ``budget`` (an item that
    alone costs more goes in a batch of its own)."""
    batch: list[T] = []
    spent = 0
    for item in items:
        price = cost(item)
        if batch and (len(batch) >= size or spent + price > budget):
            yield batch
            batch, spent = [], 0
        batch.append(item)
        spent += price
    if batch:
        yield batch


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
