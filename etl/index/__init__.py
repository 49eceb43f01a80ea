"""Sinks: where enriched documents go, and the engines that answer searches over them.

Both sinks implement the same small interface (``etl.index.sink.Sink``) so the pipeline, the CLI,
the API and the DAG never branch on the engine. One subpackage per engine: ``elastic/`` and
``embedded/``.
"""

from __future__ import annotations

from etl.index.sink import Sink, WriteReport
from etl.settings import Settings

__all__ = ["Sink", "WriteReport", "open_sink"]


def open_sink(settings: Settings, *, write: bool = False) -> Sink:
    """The configured sink: Elasticsearch when configured, else the embedded Tantivy index."""
    if settings.sink_name == "elasticsearch":
        from etl.index.elastic import ElasticSink

        return ElasticSink(settings)
    if settings.sink_name != "embedded":
        raise ValueError(f"unknown sink {settings.sink_name!r}; expected 'embedded' or 'elasticsearch'")
    from etl.index.embedded import EmbeddedIndex

    return EmbeddedIndex(settings.index_dir, settings, write=write)
