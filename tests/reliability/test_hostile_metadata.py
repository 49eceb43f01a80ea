"""Hostile metadata: bylines that name thousands of people or hold a megabyte of text, and an entity
registry state file made unusable.

A byline is the page's own word, so a broken or malicious CMS can put anything there: `news-etl
clean` must still finish, keep the article, and keep a short list of names a reader can use as a
facet. The entity registry is a state file beside the embedded index: damaged, replaced or
unreadable, it costs a warning naming it and the reason, never the run and never the index.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess

import pytest

from etl.clean.authors import MAX_AUTHORS, MAX_NAME_CHARS
from etl.index import open_sink
from etl.index.registry.sqlite_store import FILE as REGISTRY_FILE
from reliability.corpus import PARAGRAPHS, html_page, own, write_articles
from reliability.news_etl import NEWS_ETL, news_etl_env
from reliability.tally import indexed_ids

STORY = own(PARAGRAPHS[:3], 31)
FIRST_WORDS = " ".join(STORY[0].split()[:6])
MB = 1_000_000
# 2,000 distinct, ordinary-looking names: what a contributors' export dumped into one byline would hold.
GIVEN = ["Amara", "Bruno", "Celia", "Dmitri", "Esther", "Farah", "Goran", "Hana", "Ivo", "Jun",
         "Kemal", "Lucia", "Mateo", "Nadia", "Oskar", "Petra", "Quentin", "Rosa", "Stefan", "Talia"]
FAMILY = ["Abernethy", "Brandt", "Castellano", "Drummond", "Eriksen", "Fontaine", "Gallagher", "Horvat",
          "Ibarra", "Jovanovic"]
NAMES = [f"{given} {middle}. {family}" for middle in "ABCDEFGHIJ" for given in GIVEN for family in FAMILY]


def _json_ld(author, dated: bool = True) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Ferry terminal delayed again",
            "publisher": {"@type": "Organization", "name": "Harbour Globe"}, "author": author}
    if dated:
        data["datePublished"] = "2024-05-01T10:00:00+00:00"
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


_DATED = ('<meta property="og:site_name" content="Harbour Globe">'
          '<meta property="article:published_time" content="2024-05-01T10:00:00+00:00">')


def _meta(*authors: str) -> str:
    return _DATED + "".join(f'<meta name="author" content="{name}">' for name in authors)


def _megabyte(text: str) -> str:
    """``text`` repeated to a megabyte."""
    return (text * (MB // len(text) + 1))[:MB]


# name -> (the page's head markup, the names its byline gives in order; None: no name at all)
BYLINES = {
    "thousands-of-json-ld-people": (_json_ld([{"@type": "Person", "name": n} for n in NAMES]), NAMES),
    "thousands-of-author-meta-tags": (_meta(*NAMES), NAMES),
    "one-megabyte-list-of-names": (_json_ld(_megabyte(", ".join(NAMES) + ", ")), NAMES),
    "one-megabyte-meta-byline": (_meta(_megabyte(" and ".join(NAMES) + " and ")), NAMES),
    # No date: the page's date is searched for, which once had trafilatura read its JSON-LD again (seconds on this).
    "three-megabytes-of-names-on-an-undated-page": (_json_ld(_megabyte(", ".join(NAMES) + ", ") * 3, dated=False), NAMES),
    "one-megabyte-word": (_json_ld("Q" + "x" * (MB - 1)), None),
    "one-megabyte-sentence": (_json_ld(_megabyte("the committee reviewed the report ")), None),
    "one-megabyte-name-without-spaces": (_meta("Ana" + "Silva" * (MB // 5)), None),
}


def test_a_byline_of_thousands_of_names_or_a_megabyte_keeps_the_article_and_a_short_list(tmp_path, tally):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (head, _) in BYLINES.items():
        (folder / f"{name}.html").write_text(html_page("Ferry terminal delayed again", STORY, head=head), encoding="utf-8")
    tally.inputs += len(BYLINES)

    # The timeout guards against a hang only; the clean budget (10 s a page) is what bounds a page's time.
    done = subprocess.run([NEWS_ETL, "clean", str(folder)], env=news_etl_env(), capture_output=True, text=True,
                          timeout=600, cwd=tmp_path, check=False)

    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    articles = {os.path.basename(a["origin"]).removesuffix(".html"): a for a in map(json.loads, done.stdout.splitlines())}
    lost = sorted(BYLINES.keys() - articles.keys())
    tally.lost += len(lost)
    assert not lost, f"rejected: {lost}: {done.stderr[-2000:]}"
    for name, (_, names) in BYLINES.items():
        article = articles[name]
        assert article["body"].startswith(FIRST_WORDS) and article["title"] == "Ferry terminal delayed again", name
        if names is None:
            assert article["authors"] == [], (name, [a[:80] for a in article["authors"]])
        else:  # the first names the page gives, in its order, as many as a facet can show
            assert article["authors"] == names[:MAX_AUTHORS], (name, article["authors"])
        assert all(len(a) <= MAX_NAME_CHARS for a in article["authors"]), name


# -- the entity registry's state file ------------------------------------------------------------

def _truncated(path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _json_instead(path) -> None:
    path.write_text(json.dumps({"full_names": [["PERSON", "kirby", "John Kirby", "2024-05-01", "a1"]]}))


def _other_schema(path) -> None:
    """A SQLite file whose table has other columns: an earlier or another program's layout."""
    path.unlink()
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE full_names (name TEXT PRIMARY KEY, seen INTEGER)")
        conn.execute("INSERT INTO full_names VALUES ('John Kirby', 3)")
    conn.close()


def _directory(path) -> None:
    path.unlink()
    path.mkdir()
    (path / "notes.txt").write_text("someone's files")


def _symlink_loop(path) -> None:
    """A link to itself: no user, root included, can open it (ELOOP)."""
    path.unlink()
    path.symlink_to(path.name)


def _no_permission(path) -> None:
    path.chmod(0)


DAMAGES = {"truncated": _truncated, "json-not-sqlite": _json_instead, "another-schema": _other_schema,
           "a-directory": _directory, "a-symlink-loop": _symlink_loop, "no-read-permission": _no_permission}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory, nlp, tally):
    """An embedded index of three articles whose run left an entity registry: (root, index folder)."""
    from etl.settings import Settings

    root = tmp_path_factory.mktemp("registry")
    write_articles(root / "in", 3)
    summary = tally.run([root / "in"], Settings.from_env({}, sink="embedded", index_dir=root / "index"),
                        inputs=3, nlp=nlp)
    assert summary.indexed == 3 and (root / "index" / REGISTRY_FILE).stat().st_size > 0, summary
    return root, root / "index"


@pytest.mark.parametrize("damage", DAMAGES)
def test_an_unusable_entity_registry_is_one_warning_and_the_run_and_the_index_go_on(
        first_run, damage, tmp_path, nlp, tally, caplog):
    from etl.settings import Settings

    if damage == "no-read-permission" and os.geteuid() == 0:
        pytest.skip("root reads a file whatever its mode (the symlink loop is the unreadable case for root)")
    root, built = first_run
    index_dir = tmp_path / "index"
    shutil.copytree(built, index_dir, symlinks=True)
    registry = index_dir / REGISTRY_FILE
    DAMAGES[damage](registry)
    new = tmp_path / "in"
    shutil.copytree(root / "in", new)
    (new / "dispatch-001.txt").unlink()
    write_articles(tmp_path / "more", 6)
    for n in (3, 4, 5):  # three articles of this run's own beside two already indexed
        shutil.copy(tmp_path / "more" / f"dispatch-{n:03d}.txt", new)
    settings = Settings.from_env({}, sink="embedded", index_dir=index_dir)
    with open_sink(settings) as sink:
        before = indexed_ids(sink)
    tally.faults += 1

    with caplog.at_level(logging.WARNING):
        summary = tally.run([new], settings, inputs=5, nlp=nlp)

    try:
        warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and str(registry) in r.getMessage()]
        assert len(warned) == 1 and "\n" not in warned[0], [r.getMessage() for r in caplog.records]
        assert warned[0].startswith("entity registry") and warned[0].split(str(registry), 1)[1].strip(), warned  # a reason
        assert summary.indexed == 5 and not summary.rejected, summary
        with open_sink(settings) as sink:
            after = indexed_ids(sink)
        assert set(before) <= set(after), "articles of the earlier run left the index"
        tally.check_exactly_once(set(after), after)  # each once
        assert len(before) == 3 and len(after) == 6, (before, after)
        aside = registry.with_name(registry.name + ".corrupt")
        assert registry.is_symlink() or registry.exists() or aside.exists(), "the damaged registry vanished"
    finally:
        if damage == "no-read-permission":
            registry.chmod(0o600)
