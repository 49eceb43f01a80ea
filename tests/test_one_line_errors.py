"""What stops a command is one truthful line on stderr (issue 12, "Errors are one line").

Each case runs the real CLI in a subprocess, so what reaches stderr is what a user sees: the
logging the CLI configures, third-party loggers and Python warnings included (an in-process run
under pytest hides them, pytest's own handler takes the log records).
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT, SEED
from etl.index.embedded import EmbeddedIndex
from etl.settings import Settings

PASSWORD = "s3cret"
NOBODY = 65534


def news_etl(*argv: str, env: dict[str, str] | None = None, cwd: Path | None = None, as_nobody: bool = False) -> subprocess.CompletedProcess:
    """The CLI as a user runs it, with only ``env`` set (no stray ELASTICSEARCH_URL from the caller)."""
    # setpriv (util-linux) rather than subprocess's user=, which could not start this venv's interpreter here.
    drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] if as_nobody else []
    return subprocess.run(
        [*drop, sys.executable, "-m", "etl.cli", *argv],
        capture_output=True, text=True, timeout=120, cwd=cwd, check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **(env or {})},
    )  # fmt: skip


def assert_one_line(proc: subprocess.CompletedProcess, *expected: str) -> str:
    """Exit status 1 and exactly one stderr line, naming the command, holding each of ``expected``."""
    lines = proc.stderr.splitlines()
    assert proc.returncode == 1, proc.stderr
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("news-etl "), lines[0]
    for text in expected:
        assert text in lines[0], lines[0]
    assert "Traceback" not in proc.stderr and PASSWORD not in proc.stderr + proc.stdout
    return lines[0]


# --- Elasticsearch and Kibana that cannot be reached or refuse the credentials ---------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Unauthorized(http.server.BaseHTTPRequestHandler):
    """Answers everything as Elasticsearch does for wrong credentials."""

    BODY = json.dumps({
        "error": {"type": "security_exception", "reason": "unable to authenticate user [elastic] for REST request [/]"},
        "status": 401,
    }).encode()  # fmt: skip

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("WWW-Authenticate", 'Basic realm="security"')
        self.send_header("Content-Length", str(len(self.BODY)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(self.BODY)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def refusing_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Unauthorized)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


ES_COMMANDS = {
    "run": ["run", str(SEED), "--sink", "elasticsearch", "--index-dir", "index"],
    "search": ["search", "Kyiv"],
    "quotes": ["quotes", "Kyiv"],
    "index setup": ["index", "setup"],
    "index migrate": ["index", "migrate"],
}


@pytest.mark.parametrize("command", list(ES_COMMANDS))
@pytest.mark.parametrize("server", ["unreachable", "refusing"])
def test_elasticsearch_unreachable_or_refusing_is_one_line_for_every_command(command, server, refusing_url, tmp_path):
    url = f"http://127.0.0.1:{closed_port()}" if server == "unreachable" else refusing_url
    env = {"ELASTICSEARCH_URL": url, "ELASTICSEARCH_USERNAME": "elastic", "ELASTICSEARCH_PASSWORD": PASSWORD}

    proc = news_etl(*ES_COMMANDS[command], env=env, cwd=tmp_path)

    reason = "(connection refused)" if server == "unreachable" else "refused the credentials (401"
    assert_one_line(proc, f"Elasticsearch at {url}", reason)
    assert proc.stdout == ""
    assert not (tmp_path / "index" / "rejected.jsonl").exists()  # nothing was read, nothing rejected


def test_elasticsearch_asking_for_credentials_says_which_to_set(refusing_url, tmp_path):
    proc = news_etl("search", "Kyiv", env={"ELASTICSEARCH_URL": refusing_url}, cwd=tmp_path)

    assert_one_line(proc, f"Elasticsearch at {refusing_url} asks for credentials (401", "ELASTICSEARCH_USERNAME")


@pytest.mark.parametrize("server", ["unreachable", "refusing"])
def test_kibana_unreachable_or_refusing_is_one_line_without_the_password_in_its_url(server, refusing_url, tmp_path):
    url = f"http://127.0.0.1:{closed_port()}" if server == "unreachable" else refusing_url
    with_password = url.replace("://", f"://kibana:{PASSWORD}@")

    proc = news_etl("kibana", "import", "--kibana-url", with_password, cwd=tmp_path)

    reason = "(connection refused)" if server == "unreachable" else "refused the credentials (401"
    assert_one_line(proc, f"Kibana at {url}/api/saved_objects/_import", reason)


def test_verbose_adds_the_transport_detail(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}"
    proc = news_etl("-v", "search", "Kyiv", env={"ELASTICSEARCH_URL": url}, cwd=tmp_path)

    assert proc.returncode == 1
    assert "Retrying request after failure" in proc.stderr
    assert proc.stderr.splitlines()[-1].endswith(f"cannot reach Elasticsearch at {url} (connection refused)")


# --- the embedded index: permission, a file in the way, damage ----------------------------------


def test_a_file_where_the_index_folder_should_be_is_named(tmp_path):
    in_the_way = tmp_path / "index"
    in_the_way.write_text("not a folder")

    line = assert_one_line(news_etl("run", str(SEED), "--index-dir", str(in_the_way), cwd=tmp_path), f"{in_the_way} is a file")

    assert "schema" not in line and "delete" not in line


def test_a_damaged_index_says_so_and_does_not_advise_deleting_it(tmp_path):
    index_dir = tmp_path / "index"
    EmbeddedIndex(index_dir, Settings(), write=True).close()
    (index_dir / "articles" / "meta.json").write_text("{not json")

    line = assert_one_line(news_etl("search", "Kyiv", "--index-dir", str(index_dir), cwd=tmp_path), f"index {index_dir / 'articles'} is damaged")

    assert "schema" not in line and "delete" not in line


@pytest.fixture
def locked_away() -> Iterator[tuple[Path, bool]]:
    """An existing index this test's CLI may not write: (index folder, whether to run the CLI as nobody).

    chmod denies nothing to root, so as root the CLI runs as nobody instead. The folder lives
    outside pytest's tmp dir, which only its owner may enter.
    """
    as_nobody = os.geteuid() == 0
    if as_nobody and not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: no user to whom a permission is denied")
    base = Path(tempfile.mkdtemp(prefix="news-etl-perm-"))
    index_dir = base / "index"
    EmbeddedIndex(index_dir, Settings(), write=True).close()
    base.chmod(0o755)
    for folder in (index_dir, index_dir / "articles", index_dir / "quotes"):
        folder.chmod(0o555)  # readable, not writable: Tantivy cannot take its lock file
    yield index_dir, as_nobody
    for folder in (index_dir, index_dir / "articles", index_dir / "quotes"):
        folder.chmod(0o755)
    shutil.rmtree(base)


@pytest.mark.parametrize("argv", [["run", str(SEED)], ["search", "Kyiv"]], ids=["run", "search"])
def test_permission_denied_on_the_index_says_permission_and_names_the_path(argv, locked_away):
    index_dir, as_nobody = locked_away

    proc = news_etl(*argv, "--index-dir", str(index_dir), cwd=index_dir.parent, as_nobody=as_nobody)

    line = assert_one_line(proc, "permission denied", str(index_dir / "articles"))
    assert "schema" not in line and "delete" not in line


# --- third-party warnings while cleaning --------------------------------------------------------


def test_undecodable_bytes_are_one_warning_naming_the_file_not_a_bare_bs4_line(tmp_path):
    from bs4 import UnicodeDammit

    words = " ".join(["the council voted on the budget and members said the plan would fund schools roads and parks"] * 3)
    text = f"Council approves the new budget\n{words}\n".encode()
    # Bytes no encoding bs4 tries (UTF-8, charset_normalizer's guess, windows-1252) decodes.
    junk = bytes.fromhex("908fb4ffedd0f7f4dcccbfaebe94ccfed7f2c9929eebaad7a6fdeb8a93d0d7d9fff49197")
    data = text[:60] + junk + text[60:]
    assert UnicodeDammit(data, known_definite_encodings=["utf-8"]).contains_replacement_characters  # bs4 would warn
    path = tmp_path / "undecodable.txt"
    path.write_bytes(data)

    proc = news_etl("clean", str(path), cwd=tmp_path)

    assert proc.returncode == 0 and json.loads(proc.stdout)["title"] == "Council approves the new budget"
    assert "bs4" not in proc.stderr and "REPLACEMENT CHARACTER" not in proc.stderr
    assert proc.stderr.splitlines() == [f"WARNING etl.clean.text: {path}: some bytes decode in no text encoding; they were replaced with U+FFFD"]


def test_pages_without_text_are_rejected_in_one_line_each_without_library_chatter(tmp_path):
    pages = {
        "url.html": "http://example.com/page",  # bs4: "looks more like a URL than HTML"
        "feed.html": '<?xml version="1.0"?><rss><channel><item><title>x</title></item></channel></rss>',  # bs4: "looks like XML"
        "blank.html": "<html><body>   </body></html>",  # trafilatura: "empty HTML tree", "discarding data"
    }
    for name, page in pages.items():
        (tmp_path / name).write_text(page)

    proc = news_etl("clean", str(tmp_path), cwd=tmp_path)

    assert proc.returncode == 0
    assert sorted(proc.stderr.splitlines()) == sorted(
        f"rejected {tmp_path / name} at clean: no article text found ({words} words of text)"
        for name, words in (("url.html", 1), ("feed.html", 0), ("blank.html", 0))
    )
