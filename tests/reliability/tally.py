"""Counters the reliability suite keeps while it runs, printed as a table at the end of the session.

Every test that feeds inputs, injects a fault or checks an index records it here, so the summary
says how much was tried, not only that the tests passed: inputs tried, faults injected, crashes,
documents lost, documents duplicated (the last three must stay 0).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from etl.pipeline import RunSummary, run
from etl.search.query import SearchRequest
from etl.settings import Settings


@dataclass
class Tally:
    inputs: int = 0  # inputs fed to a run (bad, generated or replayed)
    faults: int = 0  # error answers, dropped or stalled connections, kills, held locks
    crashes: int = 0  # runs that died of an unexpected exception or exit status
    lost: int = 0  # documents that should be in the index and are not
    duplicated: int = 0  # extra copies of a document in the index

    def rows(self) -> list[tuple[str, int]]:
        labels = {
            "inputs": "inputs tried",
            "faults": "faults injected",
            "crashes": "crashes",
            "lost": "documents lost",
            "duplicated": "documents duplicated",
        }
        return [(labels[f.name], getattr(self, f.name)) for f in fields(self)]

    def crashed(self, what: str) -> AssertionError:
        """Count a crash and return the error to raise."""
        self.crashes += 1
        return AssertionError(f"crash: {what}")

    def run(self, sources: Iterable[Any], settings: Settings, *, inputs: int, **options: Any) -> RunSummary:
        """``etl.pipeline.run`` over ``inputs`` inputs; an exception escaping it counts as a crash."""
        self.inputs += inputs
        try:
            return run([str(source) for source in sources], settings, **options)
        except Exception as err:
            raise self.crashed(f"run over {[str(s) for s in sources]} raised {err!r}") from err

    def check_exactly_once(self, expected_ids: Iterable[str], stored_ids: Iterable[str]) -> None:
        """Every expected id is in the index exactly once (and nothing else is)."""
        expected = set(expected_ids)
        counts = Counter(stored_ids)
        lost = sorted(expected - counts.keys())
        extra = {doc_id: n - 1 for doc_id, n in counts.items() if n > 1}
        unexpected = sorted(counts.keys() - expected)
        self.lost += len(lost)
        self.duplicated += sum(extra.values())
        assert not lost, f"{len(lost)} documents lost: {lost}"
        assert not extra, f"documents duplicated: {extra}"
        assert not unexpected, f"documents in the index that no input produced: {unexpected}"


def indexed_ids(sink, index: str = "articles") -> list[str]:
    """Every document id in the sink's index, one entry per stored document (duplicates show twice)."""
    return [hit.id for hit in sink.search(SearchRequest(size=1000, index=index)).hits]


TALLY = Tally()
