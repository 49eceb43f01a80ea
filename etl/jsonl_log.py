"""An append-only JSON Lines file beside a run's output: ``rejected.jsonl``, ``duplicates.jsonl``.

Each line is one record with the id of the run that wrote it, flushed as it is written so a
crashed run still says what it set aside. The file is only created by its first line: no file
means the run had nothing to say there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO


class JsonLinesLog:
    def __init__(self, path: Path, run_id: str):
        self.path = path
        self.run_id = run_id
        self._file: TextIO | None = None

    def append(self, record: dict[str, Any]) -> None:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)  # here, not before: a run opens its logs first
            # A lone surrogate (from a name that is not UTF-8) is written as its JSON escape, never a crash.
            self._file = self.path.open("a", encoding="utf-8", errors="backslashreplace")
        self._file.write(json.dumps({"run_id": self.run_id, **record}, ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
