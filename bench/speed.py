"""Throughput of the commands a user runs: the model alone, ``clean``, ``enrich`` and ``run``.

Every figure comes from a child process (``bench.processes.measure``). ``clean`` and ``enrich``
stream their output, so their start-up (interpreter, imports, model load) is measured once on a
single tiny input and taken off: what is left is the per-document cost the model's own time is
compared with. ``enrich`` also gives its whole process's time, for the comparison with a whole
process of the model's full pipeline (``raw_full``). ``run`` reports its own time in its ``--json`` summary.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.processes import NEWS_ETL, measure, measure_together

PROBE_TEXT = (
    "The probe article is one short paragraph so that starting the command costs everything and "
    "the article itself almost nothing, said the benchmark's author on Monday in London."
)


@dataclass(frozen=True)
class RunFigures:
    docs: int
    seconds: float  # the run's own summary: model load, reading, cleaning, enrichment, indexing
    rss_mb: float
    cpu_seconds: float
    summary: dict


class Speed:
    def __init__(self, work: Path):
        self.work = work
        self.logs = work / "logs"
        self.probe = work / "probe"
        if self.probe.exists():
            shutil.rmtree(self.probe)
        self.probe.mkdir(parents=True)
        (self.probe / "probe.txt").write_text(PROBE_TEXT, encoding="utf-8")
        self._startup: dict[str, float] = {}

    def startup(self, command: str) -> float:
        """Seconds ``news-etl <command>`` takes on one tiny input: its fixed cost."""
        if command not in self._startup:
            self._startup[command] = measure([NEWS_ETL, command, str(self.probe)], self.logs, f"{command}-startup").seconds
        return self._startup[command]

    def clean(self, folder: Path) -> tuple[float, Path]:
        """(seconds of per-document work, the JSON Lines of clean articles) of ``news-etl clean``."""
        done = measure([NEWS_ETL, "clean", str(folder)], self.logs, "clean")
        return done.seconds - self.startup("clean"), done.stdout

    def enrich(self, folder: Path, name: str = "enrich") -> tuple[float, float, Path]:
        """(seconds of the whole process, seconds less its start-up, the JSON Lines of documents) of ``news-etl enrich``."""
        done = measure([NEWS_ETL, "enrich", "--workers", "1", str(folder)], self.logs, name)
        return done.seconds, done.seconds - self.startup("enrich"), done.stdout

    def raw_full(self, folder: Path, name: str = "raw-full") -> tuple[int, float]:
        """(documents, seconds of the whole process) of the model's full pipeline over the folder's ``.txt`` files."""
        done = measure([sys.executable, "-m", "bench.raw_nlp", "--full", str(folder)], self.logs, name)
        return json.loads(done.stdout.read_text())["docs"], done.seconds

    def raw_nlp(self, folder: Path, name: str = "raw-nlp") -> tuple[int, float, dict[str, float]]:
        """(documents, seconds, and CPU seconds: the model's and each of our enrichers' after it) of
        ``nlp.pipe`` alone over the folder's clean bodies."""
        done = measure([sys.executable, "-m", "bench.raw_nlp", str(folder)], self.logs, name)
        figures = json.loads(done.stdout.read_text())
        return figures["docs"], figures["seconds"], {"model": figures["cpu_seconds"], **figures["enrichers_cpu_seconds"]}

    def raw_nlp_pair(self, halves: tuple[Path, Path], name: str) -> float:
        """Seconds of ``nlp.pipe`` alone over two halves of the bodies in two processes at once (the
        slower one's): what two cores give the model itself, the ceiling of a two-worker run's speedup."""
        done = measure_together([([sys.executable, "-m", "bench.raw_nlp", str(half)], f"{name}-{n}")
                                 for n, half in enumerate(halves, 1)], self.logs)
        return max(json.loads(d.stdout.read_text())["seconds"] for d in done)

    def run(self, folder: Path, name: str, workers: int = 1) -> RunFigures:
        """``news-etl run`` into a fresh embedded index."""
        index = self.work / "index" / name
        if index.exists():
            shutil.rmtree(index)
        done = measure(
            [NEWS_ETL, "run", str(folder), "--json", "--no-progress", "--sink", "embedded",
             "--index-dir", str(index), "--workers", str(workers)],
            self.logs, name,
        )
        summary = json.loads(done.stdout.read_text())
        summary.pop("duplicate_ids", None)
        return RunFigures(summary["read"], summary["seconds"], done.rss_mb, done.cpu_seconds, summary)
