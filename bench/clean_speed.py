"""``news-etl clean`` throughput against trafilatura alone on the same pages (issue #18).

    python -m bench.clean_speed [PAGES] [--turns N]   ->  the figures as JSON

Both run in this process over the same ``.html`` files, timed the same way: a turn is one pass over
every file, reading it from disk included, timed in CPU seconds of this process (on a machine shared
with other jobs, wall time of the same turn varies by half; both are single-threaded and CPU-bound). news-etl clean is the pipeline's clean stage over those
files (what ``news-etl clean`` runs, less writing its JSON lines); trafilatura alone is
``trafilatura.extract`` of each file's bytes, in whichever of its configurations (default,
favor_precision, favor_recall) scores the better F1 on the extraction benchmark. Turns alternate
(one of each, N times) so load from other work on the machine falls on both, and the medians are
compared. A first turn of each warms up what loads once per process (language identifier, date
parser), which a day's run pays once, not per page.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

from bench import corpus
from bench.extraction import BENCH, TRAFILATURA_CONFIGS, trafilatura_f1s
from etl.pipeline import clean_stream
from etl.records import Article
from etl.settings import Settings
from etl.sources import iter_sources

TURNS = 5
WORK = Path(__file__).resolve().parent.parent / "var" / "bench" / "clean-speed"


def measure(pages: Path, work: Path, turns: int = TURNS, settings: Settings | None = None) -> dict:
    """Pages per second of news-etl clean and of trafilatura alone over the ``.html`` files of ``pages``,
    their ratio, the trafilatura configuration used and its F1 (cached in ``work``)."""
    files = sorted(pages.glob("*.html"))
    if not files:
        raise ValueError(f"{pages}: no .html files to measure clean over")
    f1s = _trafilatura_f1s(work)
    config = max(f1s, key=f1s.get)
    settings = settings or Settings.from_env({})
    ours = lambda: _clean_all(files, settings)  # noqa: E731
    theirs = lambda: _trafilatura_all(files, TRAFILATURA_CONFIGS[config])  # noqa: E731
    ours(), theirs()  # warm-up turn, not counted
    clean_seconds, trafilatura_seconds = [], []
    for _ in range(turns):
        clean_seconds.append(_timed(ours))
        trafilatura_seconds.append(_timed(theirs))
    clean_rate = len(files) / statistics.median(clean_seconds)
    trafilatura_rate = len(files) / statistics.median(trafilatura_seconds)
    return {
        "clean_vs_trafilatura": round(clean_rate / trafilatura_rate, 3),
        "clean_pages_per_s": round(clean_rate, 2),
        "trafilatura_pages_per_s": round(trafilatura_rate, 2),
        "trafilatura_config": config,
        "trafilatura_f1": f1s,
        "pages": len(files),
        "seconds_per_turn": {"clean": _rounded(clean_seconds), "trafilatura": _rounded(trafilatura_seconds)},
    }


def _clean_all(files: list[Path], settings: Settings) -> None:
    for item in clean_stream(iter_sources([str(path) for path in files], settings), settings):
        if not isinstance(item, Article):
            raise RuntimeError(f"{item.origin}: clean rejected a benchmark page ({item.reason})")


def _trafilatura_all(files: list[Path], options: dict) -> None:
    for path in files:
        trafilatura.extract(path.read_bytes(), include_comments=False, **options)


def _timed(turn: Callable[[], None]) -> float:
    started = time.process_time()
    turn()
    return time.process_time() - started


def _rounded(values: list[float]) -> list[float]:
    return [round(value, 2) for value in values]


def _trafilatura_f1s(work: Path) -> dict[str, float]:
    """F1 per configuration on the extraction benchmark, kept in ``work`` for this trafilatura version
    (scoring all three takes longer than the timing)."""
    cache = work / "trafilatura-f1.json"
    key = {"trafilatura": trafilatura.__version__, "bench": str(BENCH)}
    if cache.exists():
        stored = json.loads(cache.read_text(encoding="utf-8"))
        if stored.get("key") == key:
            return stored["f1"]
    f1s = trafilatura_f1s()
    work.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"key": key, "f1": f1s}), encoding="utf-8")
    return f1s


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="?", type=Path, default=None,
                        help="folder of .html pages (default: the 181 extraction benchmark pages)")
    parser.add_argument("--turns", type=int, default=TURNS, help="timed turns of each (default %(default)s)")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.pages or _benchmark_pages(WORK / "pages"), WORK, args.turns), indent=2))


def _benchmark_pages(folder: Path) -> Path:
    """The extraction benchmark's pages as .html files in the git-ignored ``folder``."""
    if not folder.is_dir():
        folder.mkdir(parents=True)
        for page_id, html in corpus.pages():
            (folder / f"{page_id[:16]}.html").write_bytes(html)
    return folder


if __name__ == "__main__":
    main()
