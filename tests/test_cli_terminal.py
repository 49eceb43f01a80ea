"""The real `news-etl` console script in a pseudo-terminal, as a person types it: what is on screen.

Each test spawns the installed console script under a pty (pexpect), waits for it to end and reads the
screen: exit status, the progress bar, bold highlights, counts that agree with their nouns, the
histogram chart, quote kinds, one-line errors.
"""

from __future__ import annotations

import json
import re
import signal
import shutil
import subprocess

import pexpect
import pytest
from conftest import EXTRACTION_BENCH, ROOT, SEED, earlier_version_index

NEWS_ETL = str(ROOT / ".venv" / "bin" / "news-etl")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
BOLD = "\x1b[1m"


def on_terminal(*argv: str, cwd, size: tuple[int, int] = (24, 120), timeout: int = 240, program: str = NEWS_ETL,
                env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run ``program`` (news-etl) in a pty of ``size`` (rows, columns); (exit status, everything the screen got)."""
    child = pexpect.spawn(program, list(argv), cwd=str(cwd), dimensions=size, encoding="utf-8", timeout=timeout,
                          env={"PATH": "/usr/bin:/bin", "TERM": "xterm", "LANG": "C.UTF-8", **(env or {})})
    child.expect(pexpect.EOF)
    screen = child.before
    child.close()
    return child.exitstatus, screen.replace("\r\n", "\n")


def plain(screen: str) -> str:
    return ANSI.sub("", screen)


def make_run_on_terminal(index_dir) -> tuple[int, str]:
    """`make run` as the README has a user type it, into ``index_dir``; (exit status, the screen without colours)."""
    status, screen = on_terminal("--no-print-directory", "-C", str(ROOT), "run", cwd=ROOT, timeout=600,
                                 program="make", env={"NEWS_ETL_INDEX_DIR": str(index_dir)})
    return status, plain(screen)


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """A working folder with the seed plus a few real pages indexed by `news-etl run` on a terminal."""
    folder = tmp_path_factory.mktemp("desk")
    sources = folder / "in"
    sources.mkdir()
    shutil.copy(SEED, sources / SEED.name)
    pages = sorted((EXTRACTION_BENCH / "html").glob("*.html.gz"))[:8]
    if len(pages) < 8:
        pytest.skip("the real pages of ../shared/bench/extraction are not here")
    for page in pages:
        shutil.copy(page, sources / page.name)
    (sources / "broken.html").write_bytes(bytes(range(256)) * 64)
    status, screen = on_terminal("run", "in", "--index-dir", "index", cwd=folder)
    return folder, status, screen


def test_run_on_a_terminal_shows_a_progress_bar_then_the_summary(desk):
    _, status, screen = desk
    assert status == 0, screen
    text = plain(screen)
    assert "Traceback" not in text
    assert re.search(r"indexing: \d+ docs \[[0-9:]+, +[0-9.?]+ ?doc/s, 1 rejected\]", text), text
    assert "read 10, indexed 9, rejected 1, duplicates 0" in text
    assert "rejected 1 input: clean:" in text


def test_make_run_in_a_terminal_indexes_the_seed_and_shows_the_faceted_search(tmp_path):
    """The README's first command, as typed: both of its commands, on a terminal."""
    status, screen = make_run_on_terminal(tmp_path / "index")
    assert status == 0, screen
    assert "Traceback" not in screen and "indexing: 1 docs [" in screen
    assert "read 1, indexed 1, rejected 0, duplicates 0" in screen
    assert "1 article (showing 1-1)" in screen and "speakers: " in screen and "<b>" not in screen


def test_make_run_after_an_upgrade_rebuilds_the_index_an_earlier_version_wrote(tmp_path):
    """The index a user's earlier news-etl left in var/index has another schema: `make run` rebuilds it
    from the articles it stores, says so, and goes on (it used to stop with "delete the folder")."""
    from etl.records import Article, IndexedDocument

    body = "The harbour authority said the new ferry terminal would open in May, two years late. " * 5
    kept = IndexedDocument(Article(id="kept-0001", url="https://harbour.example/ferry", source="harbour.example",
                                   title="Ferry terminal delayed", authors=[], published_at="2024-05-01T10:00:00+00:00",
                                   language="en", body=body, word_count=len(body.split()), content_hash="kept",
                                   origin="earlier/ferry.html"), [], [], ingested_at="2024-05-02T08:00:00+00:00")
    earlier_version_index(tmp_path / "index" / "articles", [kept])
    status, screen = make_run_on_terminal(tmp_path / "index")
    assert status == 0, screen
    assert "was built by another version of news-etl; rebuilt it" in screen
    assert "read 1, indexed 1, rejected 0" in screen
    status, stats = on_terminal("stats", "--index-dir", str(tmp_path / "index"), cwd=tmp_path)
    assert status == 0 and "2 articles" in plain(stats), stats


def test_a_terminal_that_reports_no_size_still_gets_a_bar(tmp_path):
    """Some CI and container ptys say 0 x 0; tqdm then prints nothing at all unless given a size."""
    status, screen = on_terminal("run", str(SEED), "--index-dir", "index", cwd=tmp_path, size=(0, 0))
    assert status == 0, screen
    assert "indexing: 1 docs" in plain(screen) and "read 1, indexed 1" in screen


def test_without_a_terminal_there_is_no_bar_and_the_same_summary(tmp_path):
    proc = subprocess.run([NEWS_ETL, "run", str(SEED), "--index-dir", "index"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "indexing:" not in proc.stderr and "\r" not in proc.stderr
    assert proc.stdout.startswith("read 1, indexed 1, rejected 0, duplicates 0")


def test_make_runs_search_reads_as_text_with_bold_highlights(desk):
    folder, _, _ = desk
    status, screen = on_terminal("search", "Kyiv", "--facet", "persons", "--facet", "locations",
                                 "--index-dir", "index", cwd=folder)
    assert status == 0, screen
    assert f"{BOLD}Kyiv\x1b[0m" in screen
    text = plain(screen)
    assert "<b>" not in text and "</b>" not in text
    assert not re.search(r"&(#\d+|[a-z]+);", text), "HTML entities on screen"
    assert re.match(r"1 article \(showing 1-1\)\n", text), text
    fragments = [line for line in text.splitlines() if line.startswith("    … ")]
    assert fragments and all(line.endswith(" …") for line in fragments)  # each fragment is one whole line
    assert "persons: " in text and "John Kirby (1)" in text


def test_highlights_are_plain_text_off_the_terminal(desk):
    folder, _, _ = desk
    proc = subprocess.run([NEWS_ETL, "search", "Kyiv", "--index-dir", "index"], cwd=folder,
                          capture_output=True, text=True, check=True)
    assert "Kyiv" in proc.stdout and "\x1b[" not in proc.stdout and "<b>" not in proc.stdout


def test_the_histogram_is_a_bar_chart_with_a_picked_interval(desk):
    folder, _, _ = desk
    status, screen = on_terminal("search", "--size", "0", "--index-dir", "index", cwd=folder)
    assert status == 0
    text = plain(screen)
    chart = re.search(r"published, by (day|week|month|year):\n((?:  \S+ +█+ \d+\n?)+)", text)
    assert chart, text
    rows = chart.group(2).strip().splitlines()
    assert sum(int(row.rsplit(" ", 1)[1]) for row in rows) >= 7  # the real pages are dated
    assert "(showing" not in text  # --size 0: counts and facets only
    status, screen = on_terminal("search", "--size", "0", "--interval", "year", "--index-dir", "index", cwd=folder)
    assert "published, by year:" in plain(screen)


def test_a_page_past_the_end_says_so(desk):
    folder, _, _ = desk
    status, screen = on_terminal("search", "--page", "40", "--index-dir", "index", cwd=folder)
    assert status == 0
    assert re.match(r"9 articles; page 40 is past the end \(the last page is 1\)", plain(screen)), screen


def test_quotes_show_their_kind_and_indirect_speech_is_never_in_quotation_marks(desk):
    folder, _, _ = desk
    status, screen = on_terminal("quotes", "--speaker", "John Kirby", "--size", "50", "--index-dir", "index", cwd=folder)
    assert status == 0, screen
    text = plain(screen)
    said = text.split("\n\n  ")[1:]
    kinds = [re.search(r"— John Kirby \((direct|partial|indirect)", quote).group(1) for quote in said]
    assert {"direct", "indirect"} <= set(kinds)
    for quote, kind in zip(said, kinds):
        opens_quoted = quote.startswith("“")
        assert opens_quoted == (kind != "indirect"), quote


def test_get_shows_one_whole_article_and_a_missing_id_is_one_line(desk):
    folder, _, _ = desk
    found = json.loads(subprocess.run([NEWS_ETL, "search", "Kyiv", "--json", "--index-dir", "index"], cwd=folder,
                                      capture_output=True, text=True, check=True).stdout)
    doc_id = found["hits"][0]["id"]
    status, screen = on_terminal("get", doc_id, "--index-dir", "index", cwd=folder)
    assert status == 0
    assert "John Kirby" in screen and "quotes:" in screen and f"id {doc_id}" in screen
    status, screen = on_terminal("get", "0000000000000000", "--index-dir", "index", cwd=folder)
    assert status == 1
    assert plain(screen).strip() == "news-etl get: no article with id '0000000000000000' in the embedded index"


def test_stats_says_what_the_index_holds(desk):
    folder, _, _ = desk
    status, screen = on_terminal("stats", "--index-dir", "index", cwd=folder)
    assert status == 0, screen
    text = plain(screen)
    assert text.startswith("9 articles, ")
    assert "languages: en (" in text and "sources: " in text
    assert re.search(r"last run \S+: read 10, indexed 9, rejected 1, duplicates 0", text)
    assert "rejected inputs logged: 1 in " in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["search", "--colour", "red"], "news-etl search: error: unrecognized arguments: --colour"),
        (["run", "--workers", "0"], "argument --workers: must be 1 or more, got 0"),
        (["search", "--since", "last tuesday"], "argument --since: 'last tuesday' is not a date"),
    ],
)
def test_a_bad_flag_is_usage_and_exit_2(tmp_path, argv, message):
    status, screen = on_terminal(*argv, cwd=tmp_path)
    assert status == 2
    assert screen.startswith(f"usage: news-etl {argv[0]}") and message in screen and "Traceback" not in screen


def test_version_and_verbose_after_the_command(tmp_path):
    status, screen = on_terminal("--version", cwd=tmp_path)
    assert status == 0 and re.fullmatch(r"news-etl \d+\.\d+\.\d+\S*\s*", screen)
    status, screen = on_terminal("run", str(SEED), "--index-dir", "index", "-v", cwd=tmp_path)
    assert status == 0
    assert re.search(r"INFO etl.pipeline: run \S+: \S+ into the embedded index", screen), screen
    assert re.search(r"INFO etl.pipeline: run \S+: read 1, indexed 1, rejected 0, duplicates 0", screen), screen


def test_search_help_lists_the_fields_filters_and_facets_accept(tmp_path):
    status, screen = on_terminal("search", "--help", cwd=tmp_path)
    assert status == 0
    assert "fields for --filter and --facet: persons, organizations, locations, speakers" in " ".join(screen.split())
    status, screen = on_terminal("quotes", "--help", cwd=tmp_path)
    assert "speaker, speaker_label, kind" in " ".join(screen.split())


def test_ctrl_c_in_enrich_is_one_line_and_exit_130(tmp_path):
    # Pages enough for several batches: after the first document is out, most of the work is still to come.
    pages = sorted((EXTRACTION_BENCH / "html").glob("*.html.gz"))[:40]
    if len(pages) < 40:
        pytest.skip("the real pages of ../shared/bench/extraction are not here")
    (tmp_path / "in").mkdir()
    for page in pages:
        shutil.copy(page, tmp_path / "in" / page.name)
    # Ctrl-C as in a person's terminal: the default SIGINT, whatever the runner's own is (an ignored
    # signal is inherited through exec, and a runner started in the background ignores it).
    child = pexpect.spawn(NEWS_ETL, ["enrich", "in"], cwd=str(tmp_path), dimensions=(24, 120), encoding="utf-8",
                          timeout=240, env={"PATH": "/usr/bin:/bin", "TERM": "xterm", "LANG": "C.UTF-8"},
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    child.expect('"id": ')  # the first document is out: the command is mid-stream
    child.sendintr()
    child.expect(pexpect.EOF)
    tail = child.before
    child.close()
    assert child.exitstatus == 130
    assert "news-etl enrich: interrupted" in tail and "Traceback" not in tail
