"""Elasticsearch for the tests: a real cluster when ``ELASTICSEARCH_URL`` is set, else osmem-server.

osmem-server (PyPI) is an in-memory OpenSearch-compatible server; one process serves the session and
every test gets its own copy-on-write clone behind an ``EsProxy`` (see es_proxy.py), so tests can use
the default alias names and never see each other's documents. Against a real cluster each test uses
aliases with a unique prefix and deletes what it created.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from es_proxy import EsProxy
from etl.settings import Settings

REAL_CLUSTER_ENV = ("ELASTICSEARCH_URL", "ELASTICSEARCH_CLOUD_ID")


@dataclass
class EsCluster:
    """Where the session's Elasticsearch is: a real cluster's settings, or an osmem-server process."""

    real: Settings | None = None
    osmem: object | None = None  # osmem_server.OsmemServer


@pytest.fixture(scope="session")
def es_cluster() -> Iterator[EsCluster]:
    if any(os.environ.get(name) for name in REAL_CLUSTER_ENV):
        yield EsCluster(real=Settings.from_env({k: v for k, v in os.environ.items() if k.startswith("ELASTICSEARCH_")}))
        return
    try:
        from osmem_server import OsmemServer

        server = OsmemServer.start(japanese=False)
    except Exception as err:  # no binary for this platform, or it would not start
        pytest.skip(
            f"no Elasticsearch to test against: ELASTICSEARCH_URL is not set and osmem-server is unavailable ({err})"
        )
    try:
        yield EsCluster(osmem=server)
    finally:
        server.close()


@pytest.fixture
def es_settings(es_cluster: EsCluster, tmp_path) -> Iterator[Settings]:
    """Settings for the Elasticsearch sink on an empty cluster of this test's own."""
    if es_cluster.real is not None:
        prefix = f"test-{uuid.uuid4().hex[:8]}"
        settings = es_cluster.real.with_(
            sink="elasticsearch",
            index_dir=tmp_path / "index",
            es_articles_alias=f"{prefix}-articles",
            es_quotes_alias=f"{prefix}-quotes",
        )
        yield settings
        _delete_prefixed(settings, prefix)
        return
    clone = es_cluster.osmem.clone()
    with EsProxy(clone.url) as proxy:
        yield Settings(sink="elasticsearch", es_url=proxy.url, index_dir=tmp_path / "index")
    clone.close()


def _delete_prefixed(settings: Settings, prefix: str) -> None:
    from etl.index.elastic.client import make_client

    with make_client(settings) as client:
        client.options(ignore_status=404).indices.delete(index=f"{prefix}-*", expand_wildcards="all")
        client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-*")
        client.options(ignore_status=404).cluster.delete_component_template(name=f"{prefix}-*")
