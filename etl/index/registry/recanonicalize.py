"""Rewriting indexed articles that a run's new full names resolve.

Yesterday's article says only "Trump"; today's names "Donald Trump". The rows new to the registry
say which short forms may now resolve (their keys are the folded short forms themselves), so the
articles still indexed with such a form in their facet are found by a filter, read back whole,
resolved again and rewritten. A form still ambiguous stays as it is indexed; one resolved before
is never touched again, so nothing flips back and forth.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from etl.index.registry.names import facet_value
from etl.index.registry.registry import EntityRegistry, Form, rename
from etl.index.sink import Sink
from etl.records import ENTITY_FACETS, IndexedDocument
from etl.search.query import MAX_RESULT_WINDOW, SearchRequest

FACET_OF = {label: facet for facet, labels in ENTITY_FACETS.items() for label in labels}
PAGE = 1000
WRITE_CHUNK = 200  # rewritten documents per write

log = logging.getLogger(__name__)


def recanonicalize(sink: Sink, registry: EntityRegistry, changed: Iterable[Form]) -> int:
    """Rewrite the indexed articles that the new names of these short forms (label, key) resolve;
    returns how many were rewritten."""
    forms = sorted({(FACET_OF[label], facet_value(key)) for label, key in changed})
    ids = sorted({doc_id for facet, value in forms for doc_id in _ids_with(sink, facet, value)})
    rewritten, docs = 0, []
    for doc_id in ids:
        stored = sink.get(doc_id)
        if stored is None:
            continue
        doc = IndexedDocument.from_dict(stored)
        renames = registry.resolutions(doc, previous=lambda stored=stored: stored)
        if renames:
            docs.append(rename(doc, renames))
        if len(docs) >= WRITE_CHUNK:  # whole documents: a few hundred in memory at a time, however many change
            rewritten, docs = rewritten + _write(sink, docs), []
    return rewritten + _write(sink, docs) if docs else rewritten


def _write(sink: Sink, docs: list[IndexedDocument]) -> int:
    report = sink.write(docs)
    for failed in report.failed:
        log.warning("re-canonicalising %s: the rewrite was refused (%s); it keeps its earlier names",
                    failed.id, failed.reason)
    return report.indexed


def _ids_with(sink: Sink, facet: str, value: str) -> list[str]:
    """The ids of the articles whose ``facet`` holds ``value`` (case and accents aside)."""
    ids: list[str] = []
    for page in range(1, MAX_RESULT_WINDOW // PAGE + 1):
        result = sink.search(SearchRequest(filters=[(facet, value)], size=PAGE, page=page, facets=[]))
        ids.extend(hit.id for hit in result.hits)
        if len(result.hits) < PAGE:
            break
    return ids
