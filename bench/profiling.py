"""Where a run's time goes: cProfile over ``pipeline.run``, own time summed by component.

Built-in functions (C calls such as ``str.split`` or a numpy product) are charged to the
component that called them, so "clean" includes the lxml parsing it asked for and "model"
the matrix products thinc asked for.
"""

from __future__ import annotations

import cProfile
import pstats
import shutil
from collections import Counter
from pathlib import Path

from etl.pipeline import run
from etl.settings import Settings

COMPONENTS = [  # first match wins, on the function's file path
    ("enrich (our entity + quote components)", ("/etl/enrich/",)),
    ("clean (etl.clean, trafilatura, lxml, bs4)", (
        "/etl/clean/", "/trafilatura/", "/lxml/", "/bs4/", "/justext/", "/htmldate/", "/courlan/",
        "/py3langid/", "/dateutil/", "/charset_normalizer/", "/soupsieve/",
    )),
    ("index (Tantivy sink)", ("/etl/index/", "tantivy")),
    ("model (spaCy, thinc, numpy)", ("/spacy/", "/thinc/", "/numpy/", "/blis/", "/srsly/", "spacy", "thinc", "numpy")),
    ("pipeline, sources, records", ("/etl/",)),
]
OTHER = "other (stdlib, json, ...)"


def component(filename: str, funcname: str) -> str | None:
    """The component of a profiled function; None for a built-in to charge to its caller."""
    where = funcname if filename == "~" else filename
    for name, markers in COMPONENTS:
        if any(marker in where for marker in markers):
            return name
    return None if filename == "~" else OTHER


def shares(stats: pstats.Stats) -> Counter:
    """Own seconds per component."""
    seconds: Counter = Counter()
    for (filename, _, funcname), (_, _, own, _, callers) in stats.stats.items():
        name = component(filename, funcname)
        if name is not None:
            seconds[name] += own
            continue
        for (caller_file, _, caller_func), caller_stats in callers.items():
            seconds[component(caller_file, caller_func) or OTHER] += caller_stats[2]  # own time when called from there
    return seconds


def top_outside_model(stats: pstats.Stats, count: int = 12) -> list[tuple[str, float]]:
    """The functions with the most own time that are not the model's."""
    rows = []
    for (filename, line, funcname), (_, _, own, _, _) in stats.stats.items():
        if component(filename, funcname) != "model (spaCy, thinc, numpy)":
            short = filename.split("site-packages/")[-1].split("/work/main/")[-1]
            rows.append((f"{short}:{line}({funcname})", own))
    return sorted(rows, key=lambda row: -row[1])[:count]


def profile_run(folder: Path, work: Path, nlp, settings: Settings) -> dict:
    """Profile one ``run`` over ``folder`` into a fresh embedded index (the model loaded beforehand)."""
    index = work / "index" / "profile"
    if index.exists():
        shutil.rmtree(index)
    profiler = cProfile.Profile()
    profiler.enable()
    summary = run([str(folder)], settings.with_(sink="embedded", index_dir=index, workers=1), nlp=nlp)
    profiler.disable()
    stats = pstats.Stats(profiler)
    seconds = shares(stats)
    total = sum(seconds.values()) or 1.0
    return {
        "docs": summary.read,
        "seconds": round(total, 2),
        "share": {name: round(s / total, 3) for name, s in seconds.most_common()},
        "top_outside_model": [(name, round(s, 3)) for name, s in top_outside_model(stats)],
    }


def describe(profile: dict) -> str:
    lines = [f"Profile of `run` over {profile['docs']} documents ({profile['seconds']} s under cProfile):"]
    lines += [f"  {share:6.1%}  {name}" for name, share in profile["share"].items()]
    lines.append("  most own time outside the model:")
    lines += [f"    {seconds:7.3f} s  {name}" for name, seconds in profile["top_outside_model"]]
    return "\n".join(lines)
