"""The embedded sink: Tantivy indexes on local disk, the default where no Elasticsearch is configured."""

from etl.index.embedded.index import EmbeddedIndex

__all__ = ["EmbeddedIndex"]
