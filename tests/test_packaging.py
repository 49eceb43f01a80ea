"""A regular install works, not only an editable one: the wheel carries the index definitions and the
Kibana objects, and `news-etl index setup` runs from it with the checkout out of reach.

Slow-ish (pip builds the wheel in an isolated environment, about 10 s, and needs the package index for
setuptools): `pytest -m "not slow"` leaves these out.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from etl.index.elastic.client import make_client
from etl.settings import Settings

pytestmark = pytest.mark.slow

# What building the package reads: the Dockerfile copies the same into the image.
BUILD_INPUTS = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "etl", "mappings")
SOURCE_MAPPINGS = ROOT / "mappings"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel pip builds from a copy of the build inputs (so the working tree gets no build/ folder)."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in BUILD_INPUTS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, src / name)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(work / "dist"), str(src)],
        capture_output=True, text=True, cwd=work, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    [built] = (work / "dist").glob("news_etl-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The wheel installed into a folder of its own, as `pip install` would into site-packages."""
    target = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return target


def test_wheel_holds_the_index_definitions_and_kibana_objects_as_package_data(wheel):
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        sources = [p for p in SOURCE_MAPPINGS.rglob("*") if p.is_file()]
        for path in sources:
            packaged = f"etl/mappings/{path.relative_to(SOURCE_MAPPINGS).as_posix()}"
            assert packaged in names
            assert whl.read(packaged) == path.read_bytes(), packaged
    assert "etl/mappings/kibana/saved_objects.ndjson" in names
    assert {"etl/mappings/index_templates/articles.json", "etl/mappings/index_templates/quotes.json"} <= names
    assert [n for n in names if not n.startswith(("etl/", "news_etl-"))] == []  # nothing outside the package


def test_installed_wheel_finds_its_mappings_and_kibana_objects_not_the_checkout(installed, tmp_path):
    probe = ("from etl.index.elastic.indices import MAPPINGS_DIR; from etl.index.elastic.kibana import SAVED_OBJECTS; "
             "print(MAPPINGS_DIR); print(SAVED_OBJECTS.is_file())")
    proc = run_installed([sys.executable, "-c", probe], installed, tmp_path, {})
    assert proc.returncode == 0, proc.stderr
    mappings_dir, objects_found = proc.stdout.split()
    assert Path(mappings_dir) == installed / "etl" / "mappings"
    assert objects_found == "True"


def test_index_setup_from_the_installed_wheel(installed, tmp_path, es_settings):
    """The console script of the installed wheel, run from a folder where no mappings/ is in reach."""
    proc = run_installed([str(installed / "bin" / "news-etl"), "index", "setup", "--json"], installed, tmp_path,
                         es_env(es_settings))
    assert proc.returncode == 0, proc.stderr
    articles, quotes = es_settings.es_articles_alias, es_settings.es_quotes_alias
    assert json.loads(proc.stdout) == {articles: f"{articles}-v1", quotes: f"{quotes}-v1"}
    with make_client(es_settings) as client:
        mapping = client.indices.get_mapping(index=articles).body[f"{articles}-v1"]["mappings"]
    assert mapping["dynamic"] == "strict" and "speakers" in mapping["properties"]


def test_the_dockerfile_copies_what_the_build_reads_and_installs_non_editable():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    copied = {source for line in re.findall(r"^COPY (?:--\S+ )*(.+) \S+$", dockerfile, re.M) for source in line.split()}
    assert set(BUILD_INPUTS) <= copied
    assert not re.search(r"pip install[^\n]*\s-e\s", dockerfile)


def run_installed(argv: list[str], site: Path, tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """``argv`` with the installed package first on the path, from a folder outside the checkout."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(exist_ok=True)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("NEWS_ETL_", "ELASTICSEARCH_", "PYTHON"))}
    return subprocess.run(argv, cwd=elsewhere, env={**base, "PYTHONPATH": str(site), **env},
                          capture_output=True, text=True, check=False, timeout=120)


def es_env(settings: Settings) -> dict[str, str]:
    """The environment that gives the CLI these Elasticsearch settings."""
    names = {
        "es_url": "ELASTICSEARCH_URL", "es_cloud_id": "ELASTICSEARCH_CLOUD_ID", "es_username": "ELASTICSEARCH_USERNAME",
        "es_password": "ELASTICSEARCH_PASSWORD", "es_api_key": "ELASTICSEARCH_API_KEY",
        "es_ca_certs": "ELASTICSEARCH_CA_CERTS", "es_verify_certs": "ELASTICSEARCH_VERIFY_CERTS",
        "es_articles_alias": "NEWS_ETL_ES_ARTICLES_ALIAS", "es_quotes_alias": "NEWS_ETL_ES_QUOTES_ALIAS",
    }
    values = {env: getattr(settings, name) for name, env in names.items()}
    return {env: str(value) for env, value in values.items() if value is not None}
