"""The spaCy that `make setup` installs runs without Cython's profiling hooks (etl/spacy_build.py)."""

from __future__ import annotations

import cProfile
import json
import subprocess
import sys

from conftest import ROOT, SEED
from etl.spacy_build import profiling_hooks, warning


def test_make_setup_installs_a_spacy_without_profiling_hooks():
    """With the hooks (spaCy's wheels for Python < 3.12) the entity recognizer and parser take the GIL
    at every step and the model runs about 2 x slower (news-etl enrich 1.7 x); the Makefile builds spaCy without them."""
    assert not profiling_hooks(), warning()
    done = subprocess.run([sys.executable, "-m", "etl.spacy_build"], capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "")


def test_the_probe_leaves_a_running_profiler_alone():
    """cProfile's profiler is not a callable sys.setprofile could put back: the probe once crashed
    ``load_nlp`` under ``python -m cProfile``."""
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        profiling_hooks.__wrapped__()
        assert sys.getprofile() is profiler
    finally:
        profiler.disable()


def test_news_etl_enrich_runs_under_cprofile(tmp_path):
    """A user profiling a run gets the documents and the profile, not a crash at model load."""
    profile = tmp_path / "enrich.prof"
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "etl.cli", "enrich", str(SEED)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    docs = [json.loads(line) for line in done.stdout.splitlines()]
    assert docs and all(doc["entities"] for doc in docs)
    assert profile.stat().st_size > 0
