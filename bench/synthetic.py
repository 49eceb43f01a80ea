"""Pre-enriched documents at scale, for the sinks: real enriched articles re-issued under new identities.

The templates are what ``news-etl enrich`` produced in this bench run (real bodies, entities and
quotes); each synthetic document takes one of them with its own id, URL, source and publication
date, so an index of 100,000 of them has realistic text, facets and a two-year date spread
without running the model 100,000 times.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.corpus import DAYS, FIRST_DAY, SOURCES
from etl.records import IndexedDocument

# A name as people type it; brackets, quotes or colons in a name would be read as query syntax.
TYPED_NAME = re.compile(r"[\w .'’&-]+")


def load_templates(enriched_jsonl: Path) -> list[IndexedDocument]:
    with enriched_jsonl.open(encoding="utf-8") as lines:
        return [IndexedDocument.from_dict(json.loads(line)) for line in lines if line.strip()]


def documents(templates: list[IndexedDocument], count: int, seed: int = 8) -> Iterator[IndexedDocument]:
    """``count`` documents with distinct ids, varied sources and dates; streamed, nothing kept."""
    rng = random.Random(seed)
    start = datetime.combine(FIRST_DAY, datetime.min.time(), tzinfo=timezone.utc)
    for n in range(count):
        template = templates[n % len(templates)]
        name, host = SOURCES[rng.randrange(len(SOURCES))]
        published = start + timedelta(days=rng.randrange(DAYS), minutes=rng.randrange(1440))
        article = dataclasses.replace(
            template.article,
            id=f"bench{n:08d}",
            url=f"https://{host}/{published:%Y/%m/%d}/story-{n}",
            source=name,
            published_at=published.isoformat(),
            origin=f"synthetic:{n}",
        )
        yield dataclasses.replace(template, article=article)


def query_words(templates: list[IndexedDocument], count: int, seed: int = 9) -> list[str]:
    """Search texts people would type: entity names and single words from the titles."""
    rng = random.Random(seed)
    names = sorted({e.name for t in templates for e in t.entities
                    if e.label in ("PERSON", "ORG", "GPE") and TYPED_NAME.fullmatch(e.name)})
    words = sorted({w.strip(".,:;!?\"'“”‘’()").lower() for t in templates for w in (t.article.title or "").split() if len(w) > 4})
    pool = names + [w for w in words if w.isalpha()]
    return [rng.choice(pool) for _ in range(count)]
