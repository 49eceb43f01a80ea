"""Run one piece of the pipeline in a child process: bounded in time, its peak memory measured.

A hostile input can hang a reader in C code (a FIFO's ``open``, a regex) or take gigabytes, which
no in-process check survives; a child is killed at its deadline. Its peak RSS is the high-water
mark of its own address space (``VmHWM`` in /proc, watched while it runs and reported by the child
as it ends): ``getrusage``'s figure would also count the pages of the test session that the
child was forked from before it exec'd. The child calls ``module:function`` with JSON arguments
and prints the JSON of what it returns.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
# An address-space ceiling for the child: a bomb that escapes its cap fails with MemoryError
# instead of swapping this 2-core machine to a halt.
MEMORY_CEILING_MB = 3000
DEADLINE = 20.0  # a child is killed here; a bounded case takes a second or two
BOUND = 10.0  # seconds a bounded case may take, interpreter start and imports included (2 shared cores)


@dataclass
class ChildRun:
    status: str  # "ok", "timeout", "exit N", "signal N"
    result: Any  # what the function returned (None unless status is "ok")
    seconds: float
    peak_mb: float  # the child's peak resident memory
    stderr: str

    def explain(self) -> str:
        return f"{self.status} after {self.seconds:.1f} s, peak {self.peak_mb:.0f} MB; stderr: {self.stderr[-1500:]}"


def run_in_child(target: str, *args: Any, timeout: float, memory_mb: int = MEMORY_CEILING_MB) -> ChildRun:
    """``target`` ("module:function") called with ``args`` in a fresh interpreter, killed after ``timeout`` s."""
    code = "from reliability.child import child_main; child_main()"
    limit = memory_mb * 1024 * 1024
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(ROOT)])}
    # Files, not pipes: a child that writes a lot never blocks on a full pipe.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-c", code, target, json.dumps(args)], cwd=ROOT, env=env, stdout=out, stderr=err,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)),
        )
        status, peak_kb = _reap(process.pid, started + timeout)
        process.returncode = 0  # reaped by waitpid above; Popen must not wait for it again
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode(errors="replace")
    reported = json.loads(stdout.strip().splitlines()[-1]) if status == "ok" else {}
    peak_kb = max(peak_kb, reported.get("peak_kb", 0))
    return ChildRun(status, reported.get("result"), seconds, peak_kb / 1024, stderr)


def _reap(pid: int, deadline: float) -> tuple[str, int]:
    """Wait for the child, killing it at ``deadline``: (status, highest VmHWM seen, in kB)."""
    peak = 0
    while True:
        peak = max(peak, high_water_kb(pid))
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout", peak
        time.sleep(0.02)
    if os.WIFSIGNALED(code):
        return f"signal {os.WTERMSIG(code)}", peak
    return ("ok" if os.WEXITSTATUS(code) == 0 else f"exit {os.WEXITSTATUS(code)}"), peak


def high_water_kb(pid: int | str = "self") -> int:
    """Peak resident memory of a process since its exec (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), 0)
    except OSError:
        return 0


def read_in_child(tally, sources: list[Path], inputs: int, **overrides: Any) -> ChildRun:
    """Read and clean ``sources`` in a child (``ingest``); a child that hangs or dies counts as a crash."""
    tally.inputs += inputs
    child = run_in_child("reliability.child:ingest", [str(s) for s in sources], overrides, timeout=DEADLINE)
    if child.status != "ok":
        raise tally.crashed(f"reading {[s.name for s in sources]}: {child.explain()}")
    return child


def child_main() -> None:
    import importlib

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    module, _, function = sys.argv[1].partition(":")
    result = getattr(importlib.import_module(module), function)(*json.loads(sys.argv[2]))
    sys.stdout.write("\n" + json.dumps({"result": result, "peak_kb": high_water_kb()}) + "\n")


# --- functions a child runs ----------------------------------------------------------------------


def ingest(sources: list[str], overrides: dict[str, Any]) -> list[dict[str, Any]]:
    """Read and clean ``sources``; one summary per record, in stream order."""
    from etl.pipeline import clean_stream
    from etl.records import Rejected
    from etl.settings import Settings
    from etl.sources import iter_sources

    settings = Settings.from_env({}).with_(**overrides)
    out = []
    started = time.monotonic()
    for item in clean_stream(iter_sources(sources, settings), settings):
        row = {"origin": item.origin, "at": round(time.monotonic() - started, 2)}
        if isinstance(item, Rejected):
            row.update(stage=item.stage, reason=item.reason)
        else:
            row.update(body=item.body[:300], tail=item.body[-300:], body_chars=len(item.body), title=item.title)
        out.append(row)
    return out


def discover(drop_dir: str, day: str) -> list[str]:
    """The DAG's view of one day's drop folder."""
    from datetime import date

    from etl.staging import discover as discover_day

    return discover_day(Path(drop_dir), date.fromisoformat(day), [])


def run_pipeline(sources: list[str], overrides: dict[str, Any], index_dir: str) -> dict[str, Any]:
    """The whole pipeline (real model, embedded index): the summary and each document's body length."""
    from etl.pipeline import run
    from etl.settings import Settings

    settings = Settings.from_env({}, sink="embedded", index_dir=Path(index_dir)).with_(**overrides)
    bodies: dict[str, int] = {}
    summary = run(sources, settings, on_document=lambda doc: bodies.setdefault(doc.article.origin, len(doc.article.body)))
    return {"summary": summary.to_dict(), "bodies": bodies}
