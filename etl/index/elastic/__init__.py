"""The Elasticsearch sink: client, versioned indices behind aliases, query DSL, Kibana objects."""

from etl.index.elastic.sink import ElasticSink

__all__ = ["ElasticSink"]
