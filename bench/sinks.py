"""The sinks alone: indexing pre-enriched documents, and search latency on a large embedded index."""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

from bench import synthetic
from etl.index import open_sink
from etl.records import IndexedDocument
from etl.search.query import SearchRequest
from etl.settings import Settings

FACETS = ["persons", "organizations", "locations"]


def index_embedded(templates: list[IndexedDocument], count: int, folder: Path, settings: Settings) -> dict:
    """Index ``count`` synthetic documents into a fresh Tantivy index (commits and merges included).

    Besides the rate, the CPU it took per document, split between this thread (turning records
    into Tantivy documents, in Python) and Tantivy's own indexing and merging threads: on a
    2-core machine the rate cannot exceed 2 / (CPU per document).
    """
    if folder.exists():
        shutil.rmtree(folder)
    settings = settings.with_(sink="embedded", index_dir=folder)
    started, cpu, python = time.perf_counter(), time.process_time(), time.thread_time()
    with open_sink(settings, write=True) as sink:
        report = sink.write(synthetic.documents(templates, count))
    python = time.thread_time() - python
    cpu, seconds = time.process_time() - cpu, time.perf_counter() - started
    if report.indexed != count:
        raise RuntimeError(f"embedded index took {report.indexed} of {count} documents: {report.failed[:3]}")
    return {
        "embedded_index_docs_per_s": round(count / seconds),
        "embedded_index_cpu_us_per_doc": {
            "python_records_to_tantivy": round(python / count * 1e6),
            "tantivy_threads": round((cpu - python) / count * 1e6),
        },
    }


def search_latency(folder: Path, settings: Settings, texts: list[str], warmup: int = 10) -> dict[str, float]:
    """p50/p95 (ms) of text + 3 facets + date histogram requests, as ``news-etl search`` makes them."""
    settings = settings.with_(sink="embedded", index_dir=folder)
    warmup = min(warmup, len(texts) // 2)  # a short run (--queries) still times half its requests
    timings = []
    with open_sink(settings) as sink:
        for n, text in enumerate(texts):
            request = SearchRequest(text=text, facets=FACETS, histogram_interval="month")
            started = time.perf_counter()
            sink.search(request)
            if n >= warmup:  # the first requests open the index files and warm the OS cache
                timings.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(timings, n=100)
    return {"search_p50_ms": round(cuts[49], 2), "search_p95_ms": round(cuts[94], 2), "search_queries": len(timings)}


def index_elasticsearch(templates: list[IndexedDocument], count: int, settings: Settings) -> float:
    """Seconds to bulk-index ``count`` synthetic documents through the Elasticsearch sink."""
    started = time.perf_counter()
    with open_sink(settings.with_(sink="elasticsearch"), write=True) as sink:
        report = sink.write(synthetic.documents(templates, count))
    seconds = time.perf_counter() - started
    if report.indexed != count:
        raise RuntimeError(f"Elasticsearch took {report.indexed} of {count} documents: {report.failed[:3]}")
    return seconds
