"""Bounded time and memory while reading (issue #17): folders that link back into themselves,
FIFOs and devices posing as articles, and compressed bombs.

Each case runs the real sources and cleaner in a child process (``child.run_in_child``), because
the failures it guards against cannot be stopped from inside: an ``open`` of a FIFO blocks in the
kernel, a walk without end never returns, a bomb takes the machine's memory. The child is killed
at its deadline and its own peak RSS is measured.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.settings import Settings
from reliability.child import BOUND, DEADLINE, read_in_child, run_in_child
from reliability.corpus import write_articles
from reliability.hostile import html_bomb, jsonl_bomb, looping_folder, special_files, warc_bomb

CAP = Settings().http_max_bytes


def by_name(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in rows:
        out.setdefault(Path(row["origin"].split("#")[0]).name, []).append(row)
    return out


def check_fates(tally, rows: list[dict], fates: dict[str, str]) -> None:
    """Every article came through exactly once; every special file is one rejected record."""
    seen = by_name(rows)
    good = [name for name, fate in fates.items() if fate == "indexed"]
    tally.check_exactly_once(good, [name for name, found in seen.items() for row in found if "body" in row])
    for name in (n for n, fate in fates.items() if fate == "rejected"):
        assert [row.get("reason", "")[:18] for row in seen.get(name, [])] == ["not a regular file"], (name, seen.get(name))


# --- folders and special files ------------------------------------------------------------------


def test_a_folder_that_links_back_into_itself_is_walked_once(tmp_path, tally):
    folder = tmp_path / "in"
    fates = looping_folder(folder)

    child = read_in_child(tally, [folder], inputs=len(fates))

    assert child.seconds < BOUND, child.explain()
    check_fates(tally, child.result, fates)
    reasons = {name: rows[0]["reason"] for name, rows in by_name(child.result).items() if "reason" in rows[0]}
    assert reasons["pipe.html"] == "not a regular file: FIFO"
    assert reasons["zero.txt"] == "not a regular file: character device"


def test_the_dags_drop_folder_walk_finishes_and_lists_special_files_for_rejection(tmp_path, tally):
    day = tmp_path / "drop" / "2024-05-01"
    fates = looping_folder(day)
    tally.inputs += len(fates)

    child = run_in_child("reliability.child:discover", str(tmp_path / "drop"), "2024-05-01", timeout=DEADLINE)

    if child.status != "ok":
        raise tally.crashed(f"discover over a looping drop folder: {child.explain()}")
    assert child.seconds < BOUND
    names = [Path(p).name for p in child.result]
    assert sorted(names) == sorted(fates), names  # each once: articles to read, special files to reject


def test_a_fifo_socket_or_device_named_as_a_source_is_rejected_unread(tmp_path, tally):
    folder = tmp_path / "in"
    folder.mkdir()
    fates = special_files(folder)
    write_articles(folder / "good", 1)
    fates["dispatch-000.txt"] = "indexed"
    sources = [folder / name for name in ("pipe.html", "zero.txt", "control.html")] + [folder / "good" / "dispatch-000.txt"]

    child = read_in_child(tally, sources, inputs=len(sources))

    assert child.seconds < BOUND, child.explain()
    check_fates(tally, child.result, fates)
    assert by_name(child.result)["control.html"][0]["reason"] == "not a regular file: socket"


# --- bombs --------------------------------------------------------------------------------------

BOMBS = {  # name -> (writer, inflated MB, the records that must come through besides the bomb)
    "story.html.gz": (html_bomb, 1024, []),
    "export.jsonl.gz": (jsonl_bomb, 512, ["#L1", "#L3"]),  # the line after is read: 512 MB inflated to find it
    "crawl.warc": (warc_bomb, 1024, ["#1"]),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_compressed_bomb_is_rejected_with_the_cap_in_bounded_memory(name, tmp_path, tally):
    write, inflated_mb, survivors = BOMBS[name]
    folder = tmp_path / "in"
    write_articles(folder, 1)
    write(folder / name, inflated_mb)
    assert (folder / name).stat().st_size < 8 * 1024 * 1024  # small on disk ...

    child = read_in_child(tally, [folder], inputs=2 + len(survivors))

    assert child.peak_mb < 300, child.explain()  # ... and never inflated in memory (the model of languages is 100 MB)
    assert child.seconds < BOUND, child.explain()
    rows = {row["origin"].rpartition("/")[2]: row for row in child.result}
    bombs = [row for origin, row in rows.items() if origin.startswith(name) and "reason" in row]
    assert len(bombs) == 1 and "http_max_bytes" in bombs[0]["reason"] and f"{CAP:,}" in bombs[0]["reason"], rows
    tally.check_exactly_once(["dispatch-000.txt"] + [name + s for s in survivors],
                             [origin for origin, row in rows.items() if "body" in row])
