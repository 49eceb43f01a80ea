"""Shared fixtures: the real spaCy model (loaded once), the seed article, settings on tmp dirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.settings import Settings
from es_server import es_cluster, es_settings  # noqa: F401  (Elasticsearch fixtures: real cluster or osmem-server)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_af0686017c84191f.txt"
SHARED = ROOT.parent / "shared"
EXTRACTION_BENCH = SHARED / "bench" / "extraction"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Project defaults, ignoring the caller's environment (no stray ELASTICSEARCH_URL)."""
    return Settings.from_env({})


@pytest.fixture(scope="session")
def nlp(settings):
    """The real English pipeline, loaded once for the whole session."""
    from etl.enrich import load_nlp

    return load_nlp(settings)


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def tmp_settings(settings, tmp_path) -> Settings:
    """Settings whose embedded index lives in this test's tmp dir."""
    return settings.with_(index_dir=tmp_path / "index", sink="embedded")
