"""``enrich``: articles in, indexed documents (or rejects) out, streaming through ``nlp.pipe``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from spacy.language import Language
from spacy.tokens import Doc

from etl.enrich.languages import Route, router
from etl.records import Article, IndexedDocument, Rejected, now_iso
from etl.settings import Settings

STAGE = "enrich"
T = TypeVar("T")


def enrich(articles: Iterable[Article], nlp: Language, settings: Settings) -> Iterator[IndexedDocument | Rejected]:
    """Entities and quotes for each article, in input order; one bad article becomes a Rejected.

    ``nlp`` enriches English articles and those of unknown language; another language goes to
    its own pipeline (setting ``models``, see ``languages``), or, without one, is indexed with
    no entities or quotes and the reason in ``enrich_skipped``. spaCy's memory grows with the
    characters of a batch (~3.4 MB per 1,000 with en_core_web_sm), so a batch stops at
    ``nlp_batch_chars``, and a run's peak follows its largest batch, not its length: the longest stories
    go fewer at a time. The cleaner cuts bodies to ``max_body_chars`` (and so does ``_text``, for
    articles that did not come through it).
    """
    route = router(nlp, settings)

    def size(article: Article) -> int:
        return len(_text(article, settings)) if isinstance(article.body, str) and route(article.language).nlp else 0

    for chunk in bounded_batches(articles, settings.nlp_batch_size, cost=size, budget=settings.nlp_batch_chars):
        yield from _enrich_chunk(chunk, route, settings)


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


def _enrich_chunk(
    chunk: list[Article], route: Callable[[str | None], Route], settings: Settings
) -> Iterator[IndexedDocument | Rejected]:
    """One batch: one ``nlp.pipe`` per pipeline its articles need, results in input order.

    An exception inside a model component would end ``nlp.pipe`` (spaCy's error handlers cannot
    be set on its parser), so a failed pipe is redone one article at a time, and only the article
    that fails is rejected."""
    routes = {id(a): route(a.language) for a in chunk if isinstance(a.body, str)}
    groups: dict[int, list[Article]] = {}  # id(pipeline) -> its articles, in input order
    for article in chunk:
        target = routes.get(id(article))
        if target is not None and target.nlp is not None:
            groups.setdefault(id(target.nlp), []).append(article)
    docs: dict[int, Doc] = {}
    for group in groups.values():
        docs.update(_piped(routes[id(group[0])].nlp, group, settings))
    for article in chunk:
        target = routes.get(id(article))
        if target is None:
            yield Rejected(article.origin, STAGE, f"body is {type(article.body).__name__}, not text", id=article.id)
        elif target.nlp is None:
            yield IndexedDocument(article, [], [], now_iso(), enrich_skipped=target.skipped)
        elif id(article) in docs:
            yield _document(docs[id(article)], article, target.name)
        else:
            try:
                yield _document(target.nlp(_text(article, settings)), article, target.name)
            except Exception as err:
                yield Rejected(article.origin, STAGE, f"spaCy failed: {type(err).__name__}: {err}", id=article.id)


def _piped(nlp: Language, group: list[Article], settings: Settings) -> dict[int, Doc]:
    """id(article) -> its Doc, for one pipeline's articles of a batch; empty when the pipe failed."""
    texts = [(_text(a, settings), a) for a in group]
    try:
        return {id(a): doc for doc, a in nlp.pipe(texts, as_tuples=True, batch_size=len(texts))}
    except Exception:  # redone one article at a time by the caller, which rejects only the one that fails
        return {}


def _text(article: Article, settings: Settings) -> str:
    return article.body[: settings.max_body_chars]


def _document(doc: Doc, article: Article, enriched_by: str | None) -> IndexedDocument | Rejected:
    if doc._.enrich_error:
        return Rejected(article.origin, STAGE, doc._.enrich_error, id=article.id)
    return IndexedDocument(
        article=article,
        entities=list(doc._.entities or []),
        quotes=list(doc._.quotes or []),
        ingested_at=now_iso(),
        enriched_by=enriched_by,
    )
