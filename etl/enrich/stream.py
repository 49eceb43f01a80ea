"""``enrich``: articles in, indexed documents (or rejects) out, streaming through ``nlp.pipe``."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone

from spacy.language import Language

from etl.records import Article, IndexedDocument, Rejected
from etl.settings import Settings

STAGE = "enrich"
LOST = "spaCy failed on the batch holding this article"


def enrich(articles: Iterable[Article], nlp: Language, settings: Settings) -> Iterator[IndexedDocument | Rejected]:
    """Entities and quotes for each article, in input order; one bad article becomes a Rejected.

    Non-English articles go through as an empty text: the English-only enrichers would
    produce noise, but the article is still indexed, in order, at no cost. Bodies longer
    than ``max_body_chars`` are enriched on a prefix: spaCy's memory grows with document
    length (its own limit is 1,000,000 characters), and the opening of a news article is
    where its people and quotes are; the body is still indexed whole.
    """
    # Articles in the order they went into the pipe, with a reason when they never did.
    # spaCy drops a doc whose batch failed inside a model component; comparing what comes
    # out with this queue turns such a loss into a Rejected instead of a silent gap.
    pending: deque[tuple[Article, str | None]] = deque()

    def texts() -> Iterator[tuple[str, Article]]:
        for article in articles:
            if not isinstance(article.body, str):
                pending.append((article, f"body is {type(article.body).__name__}, not text"))
                continue
            pending.append((article, None))
            yield (article.body[: settings.max_body_chars] if _is_english(article) else ""), article

    for doc, article in nlp.pipe(texts(), as_tuples=True, batch_size=settings.nlp_batch_size):
        while pending and pending[0][0] is not article:
            yield _rejected(*pending.popleft())
        pending.popleft()
        yield _document(doc, article)
    while pending:
        yield _rejected(*pending.popleft())


def _is_english(article: Article) -> bool:
    return not article.language or article.language.lower().split("-")[0] == "en"


def _document(doc, article: Article) -> IndexedDocument | Rejected:
    if doc._.enrich_error:
        return Rejected(article.origin, STAGE, doc._.enrich_error, id=article.id)
    return IndexedDocument(
        article=article,
        entities=list(doc._.entities or []),
        quotes=list(doc._.quotes or []),
        ingested_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


def _rejected(article: Article, reason: str | None) -> Rejected:
    return Rejected(article.origin, STAGE, reason or LOST, id=article.id)
