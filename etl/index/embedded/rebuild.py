"""Rebuilding an index that an earlier news-etl wrote, in this version's schema.

Every news-etl schema keeps each article whole in its stored blob (``doc``), so an index of any
version can be read back without its schema (``tantivy.Index.open`` takes the one on disk) and
written again: an upgrade costs a re-index of what is there, never the data or a fetch.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import tantivy

from etl.index.embedded.schema import STORED
from etl.records import IndexedDocument

log = logging.getLogger(__name__)

PREVIOUS = ".previous-version"  # where the old folders wait until the rebuild has committed
_PAGE = 1000


def set_aside(path: Path, names: tuple[str, ...]) -> Path:
    """Move the index folders out of the way, into ``path/.previous-version``. A folder left there by
    a rebuild that did not finish is the source again, so a crash mid-rebuild loses nothing."""
    previous = path / PREVIOUS
    if not previous.exists():
        previous.mkdir()
        for name in names:
            if (path / name).exists():
                (path / name).rename(previous / name)
    for name in names:
        shutil.rmtree(path / name, ignore_errors=True)  # a half-built new one
    return previous


def stored_documents(folder: Path) -> Iterator[IndexedDocument]:
    """The articles an old index stores whole, read back with the schema on disk; one that does not
    read as a document is logged and skipped."""
    if not tantivy.Index.exists(str(folder)):
        return
    index = tantivy.Index.open(str(folder))
    searcher = index.searcher()
    total = searcher.num_docs
    for offset in range(0, total, _PAGE):
        for _, address in searcher.search(tantivy.Query.all_query(), _PAGE, offset=offset).hits:
            try:
                yield IndexedDocument.from_dict(json.loads(searcher.doc(address).get_first(STORED)))
            except (TypeError, ValueError, KeyError) as err:
                log.warning("rebuilding %s: a stored document does not read (%s); it is left out", folder, err)
