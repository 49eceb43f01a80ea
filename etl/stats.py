"""What an index holds, for `news-etl stats`: counts, date range, top sources and languages, the last run.

Read through the sink's own search (facets and the daily histogram), so both engines answer alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from etl.run_log import REJECTED_FILE, last_run
from etl.search.query import SearchRequest

TOP = 10


def index_stats(sink, top: int = TOP) -> dict[str, Any]:
    overview = sink.search(SearchRequest(size=0, facets=["source", "language"], facet_size=top, histogram_interval="day"))
    days = [bucket.date for bucket in overview.histogram]
    dated = sum(bucket.count for bucket in overview.histogram)
    rejects = Path(sink.reject_dir) / REJECTED_FILE
    return {
        "sink": getattr(sink, "name", type(sink).__name__),
        "articles": overview.total,
        "quotes": sink.count("quotes"),
        "published": {"first": days[0] if days else None, "last": days[-1] if days else None,
                      "undated": overview.total - dated},
        "sources": [{"value": b.value, "count": b.count} for b in overview.facets["source"]],
        "languages": [{"value": b.value, "count": b.count} for b in overview.facets["language"]],
        "last_run": last_run(sink.reject_dir),
        "rejects": {"total": _lines(rejects), "file": str(rejects)},
    }


def _lines(path: Path) -> int:
    if not path.is_file():
        return 0
    with path.open("rb") as file:
        return sum(1 for line in file if line.strip())
