"""Where a run's time goes: cProfile over ``pipeline.run``, own time summed by component.

Built-in functions (C calls such as ``str.split`` or a numpy product) are charged to the
component that called them, so "clean" includes the lxml parsing it asked for and "model"
the matrix products thinc asked for.
"""

from __future__ import annotations

import cProfile
import pstats
import resource
import shutil
import time
from collections import Counter
from pathlib import Path

from bench.processes import ROOT
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


def top_by_component(stats: pstats.Stats, count: int = 5) -> dict[str, list[tuple[str, float]]]:
    """Each stage's functions with the most own time (built-ins under the stage of their costliest caller)."""
    rows: dict[str, list[tuple[str, float]]] = {}
    for (filename, line, funcname), (_, _, own, _, callers) in stats.stats.items():
        name = component(filename, funcname)
        if name is None:
            costliest = max(callers.items(), key=lambda caller: caller[1][2], default=None)
            name = component(*costliest[0][::2]) or OTHER if costliest else OTHER
        short = filename.split("site-packages/")[-1].split(str(ROOT) + "/")[-1]
        rows.setdefault(name, []).append((f"{short}:{line}({funcname})", own))
    return {name: sorted(found, key=lambda row: -row[1])[:count] for name, found in rows.items()}


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
        "top": {name: [(where, round(s, 3)) for where, s in found]
                for name, found in sorted(top_by_component(stats).items(), key=lambda item: -seconds[item[0]])},
    }


def parent_load(folder: Path, work: Path, nlp, settings: Settings, workers: int = 2) -> dict:
    """CPU the parent of a ``workers``-process run spends itself (reading, deduplication, indexing, the
    registry), against the run's wall time: the serial share that two workers on two cores compete with."""
    index = work / "index" / "parent-load"
    if index.exists():
        shutil.rmtree(index)
    started, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    summary = run([str(folder)], settings.with_(sink="embedded", index_dir=index, workers=workers), nlp=nlp)
    end = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.perf_counter() - started
    parent = end.ru_utime - cpu.ru_utime + end.ru_stime - cpu.ru_stime
    return {"docs": summary.read, "wall_s": round(wall, 2), "parent_cpu_s": round(parent, 2),
            "parent_cores": round(parent / wall, 3)}


def describe(profile: dict) -> str:
    lines = [f"Profile of `run` over {profile['docs']} documents ({profile['seconds']} s under cProfile):"]
    lines += [f"  {share:6.1%}  {name}" for name, share in profile["share"].items()]
    for name, found in profile["top"].items():
        lines.append(f"  most own time in {name}:")
        lines += [f"    {seconds:7.3f} s  {where}" for where, seconds in found]
    parent = profile.get("parent_of_2_workers")
    if parent:
        lines.append(f"A 2-worker run over {parent['docs']} documents: {parent['wall_s']} s, {parent['parent_cpu_s']} s of CPU "
                     f"in the parent itself ({parent['parent_cores']:.2f} of a core).")
    return "\n".join(lines)
