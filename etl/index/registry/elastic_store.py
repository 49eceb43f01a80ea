"""The registry of the Elasticsearch sink: an index of its own beside the articles
(``<articles alias>-entity-registry``, see ``etl.index.elastic.indices.registry_index_for``).

One document per (label, key, full name, day, article), its ``_id`` derived from those five, written
with ``op_type: create``: a row already there answers 409, so a re-run adds nothing and the rows
that did land are the new ones (what re-canonicalising starts from). A lookup is one terms
aggregation over (key, name, day) with at most ``EVIDENCE`` articles under each, however many
articles named a person.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from functools import partial

from elasticsearch import Elasticsearch
from elasticsearch.helpers import streaming_bulk

from etl.index.elastic.client import ElasticsearchRequestError, ElasticsearchUnavailable, server_errors
from etl.index.registry.names import EVIDENCE, FullName
from etl.index.registry.registry import Row, Seen
from etl.search.query import MAX_RESULT_WINDOW
from etl.settings import Settings

MAPPINGS = {
    "dynamic": "strict",
    "properties": {name: {"type": "keyword", "ignore_above": 1024} for name in ("label", "key", "name", "day", "article", "entry")},
}
_SEP = "\x1f"  # between the key, name and day of a row's ``entry``, the field lookups aggregate on
_KEYS_PER_QUERY = 500
_CONFLICT = 409

log = logging.getLogger(__name__)


class ElasticNameStore:
    def __init__(self, client: Elasticsearch, index: str, settings: Settings):
        self.client = client
        self.index = index
        self._errors = partial(server_errors, settings, f"use the entity registry {index} on")
        with self._errors():
            if not client.indices.exists(index=index):
                client.options(ignore_status=400).indices.create(index=index, mappings=MAPPINGS)  # 400: a race

    def lookup(self, label: str, keys: Iterable[str]) -> dict[str, Seen]:
        """The full names stored under these keys; none while the registry cannot be read (the article
        keeps its names as written, as with a short form the registry does not know)."""
        try:
            return self._lookup(label, keys)
        except (ElasticsearchUnavailable, ElasticsearchRequestError) as err:
            log.warning("%s; names are indexed as written meanwhile", err)
            return {}

    def _lookup(self, label: str, keys: Iterable[str]) -> dict[str, Seen]:
        found: dict[str, Seen] = {}
        keys = list(keys)
        for start in range(0, len(keys), _KEYS_PER_QUERY):
            query = {"bool": {"filter": [{"term": {"label": label}},
                                         {"terms": {"key": keys[start:start + _KEYS_PER_QUERY]}}]}}
            entries = {"terms": {"field": "entry", "size": MAX_RESULT_WINDOW},
                       "aggs": {"articles": {"terms": {"field": "article", "size": EVIDENCE}}}}
            with self._errors():
                response = self.client.search(index=self.index, query=query, size=0, aggs={"entries": entries})
            for bucket in response.body["aggregations"]["entries"]["buckets"]:
                key, name, day = bucket["key"].split(_SEP)
                articles = {article["key"] for article in bucket["articles"]["buckets"]}
                found.setdefault(key, {})[FullName(label, name, day)] = articles
        return found

    def add(self, rows: Iterable[Row]) -> list[Row]:
        """Store these (key, name, article) rows; returns the ones that were not there yet (none when the
        registry cannot be written: a failed write must not end a run whose articles landed)."""
        try:
            return self._add(rows)
        except (ElasticsearchUnavailable, ElasticsearchRequestError) as err:
            log.warning("%s; this run's names are not remembered", err)
            return []

    def _add(self, rows: Iterable[Row]) -> list[Row]:
        by_id = {_row_id(*row): row for row in rows}
        actions = ({"_op_type": "create", "_index": self.index, "_id": row_id,
                    "_source": {"label": full.label, "key": key, "name": full.name, "day": full.day, "article": article,
                                "entry": _SEP.join((key, full.name, full.day))}}
                   for row_id, (key, full, article) in by_id.items())
        new = []
        with self._errors():
            for ok, item in streaming_bulk(self.client, actions, raise_on_error=False, raise_on_exception=False):
                result = item["create"]
                if ok:
                    new.append(by_id[result["_id"]])
                elif result.get("status") != _CONFLICT:
                    raise ElasticsearchRequestError(f"entity registry {self.index}: a row was refused ({result.get('error')})")
            self.client.indices.refresh(index=self.index)
        return new

    def close(self) -> None:
        """The sink owns the client."""


def _row_id(key: str, full: FullName, article: str) -> str:
    return hashlib.sha1(_SEP.join((full.label, key, full.name, full.day, article)).encode("utf-8")).hexdigest()
