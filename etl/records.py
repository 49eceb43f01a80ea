"""Typed records that cross stage boundaries.

source -> RawDocument -> clean -> Article -> enrich -> IndexedDocument -> sink.
A failure at any stage becomes a ``Rejected`` record instead of an exception
that would sink the batch. Records are serialised once, at the sink
(``to_dict``), and read back from staged JSON Lines with ``from_dict``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from etl.entity_ids import entity_id


def as_dict(record: Any) -> dict[str, Any]:
    """The fields of one of these flat records as a dict (what ``dataclasses.asdict`` gives).

    ``asdict`` recurses and deep-copies every value, which made it the largest cost of indexing
    (over half of the embedded sink's time); these records hold only scalars and lists of
    strings, so copying the lists one level deep is the same result.
    """
    return {name: list(value) if isinstance(value, list) else value
            for name in record.__dataclass_fields__ for value in (getattr(record, name),)}


def now_iso() -> str:
    """Now in UTC, ISO 8601 to the second: ``ingested_at`` and run ids."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class RejectedInput(Exception):
    """Raised by a stage for one input it cannot process; the pipeline turns it into ``Rejected``."""

    def __init__(self, stage: str, reason: str):
        super().__init__(f"{stage}: {reason}")
        self.stage = stage
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input that failed a stage: where it came from, which stage, and why."""

    origin: str
    stage: str
    reason: str
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return as_dict(self)


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One input as a source yields it, before cleaning.

    ``content`` is bytes for pages (decoded by the cleaner, which knows about
    charsets) and str for text that is already decoded. ``metadata`` carries
    what the source knew besides the content (a feed entry's title, a JSON
    export's authors, ...): the cleaner uses it as a fallback for the page's own.
    """

    origin: str
    content: bytes | str
    media_type: str = "text/html"  # "text/html" or "text/plain"
    url: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Article:
    """A cleaned article: metadata plus clean body text (paragraphs separated by blank lines)."""

    id: str
    url: str | None
    source: str | None
    title: str | None
    authors: list[str]
    published_at: str | None  # ISO 8601 with timezone, or None when unknown
    language: str | None
    body: str
    word_count: int
    content_hash: str
    origin: str
    # ``url`` is the link as the publisher gives it; this is its canonical form (no www., tracking
    # parameters or trailing slash), from which ``id`` derives. Last and optional: it was added
    # after the others, and articles built by position (or without a URL) need not give it.
    normalized_url: str | None = None
    # The id of the earliest indexed article this one is a near-copy of (``etl.near_duplicates``):
    # a wire story republished with an edit is still indexed, and ``search --unique`` hides it.
    duplicate_of: str | None = None
    # The news agency the byline or the dateline names ("Associated Press", "Reuters"); None when none.
    source_agency: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return as_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        return cls(**{name: data.get(name) for name in cls.__dataclass_fields__})


@dataclass(slots=True)
class Entity:
    name: str  # canonical (fullest) form within the article
    label: str  # PERSON, ORG, GPE, ...
    count: int
    mentions: list[str]  # every surface form seen
    # Offices a person is named with here ("vice president" of "former Vice President Joe Biden"): across
    # articles they tell apart two people of one surname ("Vice President Biden" beside Hunter Biden).
    titles: list[str] = field(default_factory=list)

    @property
    def entity_id(self) -> str:
        """Stable across articles, runs and engines (``etl.entity_ids``); derived, so a renamed entity's id follows."""
        return entity_id(self.label, self.name)

    def to_dict(self) -> dict[str, Any]:
        return {**as_dict(self), "entity_id": self.entity_id}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        return cls(data["name"], data["label"], data["count"], data["mentions"], data.get("titles") or [])


@dataclass(slots=True)
class Quote:
    text: str
    speaker: str | None  # canonical name, or None when unattributed
    speaker_label: str | None  # PERSON, ORG, or a role such as "spokesman"
    cue: str | None  # the speech verb or phrase ("said", "according to")
    kind: str  # "direct" | "partial" | "indirect"
    start: int  # character offsets into the article body
    end: int

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Quote:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})  # speaker_id is derived


ENTITY_FACETS = {"persons": ("PERSON",), "organizations": ("ORG",), "locations": ("GPE", "LOC", "FAC")}


@dataclass(slots=True)
class IndexedDocument:
    """An enriched article: the indexed-document contract (README.md, "The indexed document")."""

    article: Article
    entities: list[Entity]
    quotes: list[Quote]
    ingested_at: str
    enriched_by: str | None = None  # the spaCy pipeline that found the entities and quotes ("fr_core_news_sm")
    # Why no pipeline enriched the article ("no spaCy model for language 'pt' ..."); None when one did.
    enrich_skipped: str | None = None

    def facet(self, name: str) -> list[str]:
        labels = ENTITY_FACETS[name]
        return [e.name for e in self.entities if e.label in labels]

    @property
    def speakers(self) -> list[str]:
        return list(dict.fromkeys(q.speaker for q in self.quotes if q.speaker))

    def to_dict(self) -> dict[str, Any]:
        doc = self.article.to_dict()
        doc["ingested_at"] = self.ingested_at
        doc["entities"] = [e.to_dict() for e in self.entities]
        for name in ENTITY_FACETS:
            doc[name] = self.facet(name)
        doc["entity_ids"] = list(dict.fromkeys(e.entity_id for e in self.entities))
        doc["quotes"] = self._quote_dicts()
        doc["speakers"] = self.speakers
        doc["enriched_by"] = self.enriched_by
        doc["enrich_skipped"] = self.enrich_skipped
        return doc

    def _quote_dicts(self) -> list[dict[str, Any]]:
        """The quotes with ``speaker_id``: the id of the article's entity of that name, else one from the
        speaker's label when it is an entity label (a role such as "spokesman" has none)."""
        ids = {e.name: e.entity_id for e in self.entities}
        return [{**as_dict(q), "speaker_id": ids.get(q.speaker) or _speaker_id(q)} for q in self.quotes]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IndexedDocument:
        return cls(
            article=Article.from_dict(data),
            entities=[Entity.from_dict(e) for e in data.get("entities", [])],
            quotes=[Quote.from_dict(q) for q in data.get("quotes", [])],
            ingested_at=data["ingested_at"],
            enriched_by=data.get("enriched_by"),
            enrich_skipped=data.get("enrich_skipped"),
        )

    def quote_documents(self) -> list[dict[str, Any]]:
        """One flat document per quote, for the ``quotes`` index (ids stable by position)."""
        a = self.article
        return [
            {
                "id": f"{a.id}-q{n}",
                "article_id": a.id,
                "title": a.title,
                "url": a.url,
                "source": a.source,
                "published_at": a.published_at,
                "language": a.language,
                **q,
            }
            for n, q in enumerate(self._quote_dicts())
        ]


def _speaker_id(quote: Quote) -> str | None:
    if not quote.speaker or quote.speaker_label not in _ENTITY_LABELS:
        return None
    return entity_id(quote.speaker_label, quote.speaker)


_ENTITY_LABELS = frozenset(label for labels in ENTITY_FACETS.values() for label in labels)
