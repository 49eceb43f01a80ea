"""Running a command the way a user does, as a child process: its wall time and peak memory.

Peak RSS comes from ``os.wait4``: the kernel's ``ru_maxrss`` of that one child (and of any
children it waited for), not a polled sample that could miss a short peak.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent
NEWS_ETL = str(BIN / "news-etl")
ROOT = Path(__file__).resolve().parent.parent

# A stray ELASTICSEARCH_URL or NEWS_ETL_* in the caller's shell would change what is measured.
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("NEWS_ETL_", "ELASTICSEARCH_"))}


class CommandFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Measured:
    seconds: float
    rss_mb: float
    cpu_seconds: float  # user + system, the child and the worker processes it waited for
    stdout: Path


def measure(argv: list[str], logs: Path, name: str) -> Measured:
    """Run ``argv`` to completion; stdout goes to ``logs/<name>.out``, stderr to ``logs/<name>.err``."""
    return measure_together([(argv, name)], logs)[0]


def measure_together(commands: list[tuple[list[str], str]], logs: Path) -> list[Measured]:
    """``measure`` of (argv, name) commands started at once, side by side; a child's seconds run until it
    has ended and the ones before it in ``commands`` have been waited for."""
    logs.mkdir(parents=True, exist_ok=True)
    started, running = time.perf_counter(), []
    for argv, name in commands:
        out_path, err_path = logs / f"{name}.out", logs / f"{name}.err"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            child = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT, env=CLEAN_ENV)
        running.append((argv, out_path, err_path, child))
    done = []
    for argv, out_path, err_path, child in running:
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            tail = err_path.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise CommandFailed(f"{' '.join(argv)} exited {child.returncode}:\n{tail}")
        cpu = usage.ru_utime + usage.ru_stime
        done.append(Measured(seconds, usage.ru_maxrss / 1024, cpu, out_path))  # ru_maxrss is in KiB on Linux
    return done


def available_cores(workers: int = 2, seconds: float = 2.0) -> float:
    """How many cores ``workers`` busy processes actually get right now (other load takes the rest).

    The two-process speedup cannot exceed this; on a machine shared with other jobs it says
    whether a speedup below the target is the code's or the machine's.
    """
    code = f"import time\nend = time.time() + {seconds}\nwhile time.time() < end: pass\nprint(time.process_time())"
    started = time.perf_counter()
    children = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(workers)]
    cpu = sum(float(child.communicate()[0]) for child in children)
    return round(cpu / (time.perf_counter() - started), 2)
