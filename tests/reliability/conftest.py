"""Fixtures of the reliability suite (issue #9) and its session summary table.

The Elasticsearch faults are injected by ``FaultProxy`` (faults.py), the shared ``EsProxy`` with
scripted faults, in front of a clone of the session's osmem-server (es_server.py). They need the
stand-in: against a real cluster (ELASTICSEARCH_URL set) those tests are skipped, since the proxy
speaks plain HTTP to its upstream.
"""

from __future__ import annotations

import pytest

from reliability.faults import FaultProxy
from reliability.tally import TALLY, Tally


@pytest.fixture(scope="session")
def tally() -> Tally:
    return TALLY


@pytest.fixture
def es_upstream(es_cluster):
    """The URL of a fresh osmem-server clone for this test."""
    if es_cluster.osmem is None:
        pytest.skip("fault injection needs the osmem-server stand-in (ELASTICSEARCH_URL points at a real cluster)")
    clone = es_cluster.osmem.clone()
    yield clone.url
    clone.close()


@pytest.fixture
def fault_proxy(es_upstream):
    with FaultProxy(es_upstream) as proxy:
        yield proxy
    TALLY.faults += proxy.injected


@pytest.fixture
def fault_settings(fault_proxy, tmp_path):
    """Settings for the Elasticsearch sink through the fault proxy: small bulks, short waits."""
    from etl.settings import Settings

    return Settings.from_env(
        {},
        sink="elasticsearch",
        es_url=fault_proxy.url,
        index_dir=tmp_path / "index",
        es_chunk_size=2,
        es_max_retries=3,
        es_timeout=2.0,
        es_retry_backoff=0.05,
    )


def pytest_terminal_summary(terminalreporter) -> None:
    if TALLY == Tally():  # the suite did not run
        return
    terminalreporter.write_sep("=", "reliability (issue #9)")
    for label, value in TALLY.rows():
        must_be_zero = label in ("crashes", "documents lost", "documents duplicated")
        flag = "  <-- must be 0" if must_be_zero and value else ""
        terminalreporter.write_line(f"  {label:<22} {value:>6}{flag}")
