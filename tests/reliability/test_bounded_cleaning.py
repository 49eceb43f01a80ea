"""Bounded time and memory while cleaning (issue #17): markup built to be slow or to hide the
article, a page no cleaner finishes in time, and bodies of millions of characters.

Like the reading cases these run in a child process: a regex stuck on a page cannot be stopped
from inside the process that runs it.
"""

from __future__ import annotations

import json
import pytest

from etl.enrich.stream import bounded_batches
from reliability.child import BOUND, DEADLINE, read_in_child, run_in_child
from reliability.corpus import PARAGRAPHS, article_text, html_page, own, write_articles

STORY = own(PARAGRAPHS[:3], 21)
FIRST_WORDS = " ".join(STORY[0].split()[:6])
LAST_WORDS = "completed in edition 21."


def _page(before_article: str = "", after_article: str = "") -> str:
    page = html_page("Talks resume in Istanbul", STORY)
    return page.replace("<article>", before_article + "<article>").replace("</article>", "</article>" + after_article)


HOSTILE_PAGES = {
    # Each opens a comment the regex then looks for the end of, from every one of them.
    "unclosed-comments.html": _page(after_article="<div class='comments'>" + "<!--" * 100_000 + "</div>"),
    # A browser ends the script at "</script" whatever follows; a regex wanting "</script>" eats the story.
    "script-newline.html": _page(before_article="<script>var edition = 21;</script\n", after_article="<script>track();</script>"),
    # Inline data before the article: the markup cap counted it, and cut the story off.
    "inline-data.html": _page(
        before_article="<div id='app' data-state='{&quot;blob&quot;: &quot;" + "QUJD" * 150_000 + "&quot;}'></div>"
        + "<img alt='' src='data:image/png;base64," + "iVBO" * 150_000 + "'>"
    ),
    # A mega-menu of 8,000 links: 800 KB of real markup, a little text, before the story.
    "mega-menu.html": _page(before_article="<nav><ul>" + "".join(
        f"<li class='menu-item menu-item-type-taxonomy'><a href='/section/topic-{n}'>Topic {n}</a></li>" for n in range(8000)
    ) + "</ul></nav>"),
}


@pytest.mark.parametrize("name", list(HOSTILE_PAGES))
def test_hostile_markup_is_cleaned_quickly_and_keeps_the_story(name, tmp_path, tally):
    path = tmp_path / name
    path.write_text(HOSTILE_PAGES[name], encoding="utf-8")

    child = read_in_child(tally, [path], inputs=1)

    assert child.seconds < BOUND, child.explain()
    [row] = child.result
    assert "body" in row, f"{name} rejected: {row.get('stage')}: {row.get('reason')}"
    if not (row["body"].startswith(FIRST_WORDS) and row["tail"].endswith(LAST_WORDS)):
        tally.lost += 1
        raise AssertionError(f"{name}: the story did not come through whole: {row['body'][:120]!r} ... {row['tail'][-120:]!r}")


def test_a_page_over_the_clean_budget_is_rejected_at_the_budget(tmp_path, tally):
    """12 MB of paragraphs, uncut: minutes of extraction, stopped at the budget; the article beside it is read."""
    write_articles(tmp_path / "in", 1)
    slow = tmp_path / "in" / "zz-endless.html"
    slow.write_text(_page(after_article="".join(f"<p>{PARAGRAPHS[n % len(PARAGRAPHS)]} ({n})</p>" for n in range(25_000))))
    budget = 1.0

    child = read_in_child(tally, [tmp_path / "in"], inputs=2, clean_budget=budget, max_html_chars=50_000_000)

    good, rejected = child.result
    assert "body" in good and rejected["stage"] == "clean" and "clean_budget" in rejected["reason"], child.result
    assert rejected["at"] - good["at"] < budget + 1.5, child.result
    assert child.seconds < BOUND + budget, child.explain()


def long_text(n: int, chars: int) -> str:
    """Article ``n`` followed by paragraphs up to ``chars`` characters."""
    parts, size = [article_text(n)], 0
    while size < chars:
        parts.append(PARAGRAPHS[size % len(PARAGRAPHS)])
        size += len(parts[-1]) + 2
    return "\n\n".join(parts)


def test_every_body_is_capped_and_the_cut_is_logged(tmp_path, tally):
    """Three 1.2 M-character articles and a JSONL export with a 5 MB text field, through the whole pipeline."""
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        (folder / f"long-{n}.txt").write_text(long_text(n, 1_200_000), encoding="utf-8")
    record = {"url": "https://news.example.org/world/long", "title": "A long export", "text": long_text(3, 5_000_000)}
    (folder / "export.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    cap = 20_000
    tally.inputs += 4

    child = run_in_child("reliability.child:run_pipeline", [str(folder)], {"max_body_chars": cap},
                         str(tmp_path / "index"), timeout=DEADLINE * 3)

    if child.status != "ok":
        raise tally.crashed(f"run over long bodies: {child.explain()}")
    summary, bodies = child.result["summary"], child.result["bodies"]
    assert summary["indexed"] == 4, summary
    assert all(0 < length <= cap for length in bodies.values()), bodies
    assert child.peak_mb < 1500, child.explain()
    for origin in bodies:
        assert f"{origin}: body cut" in child.stderr and "max_body_chars" in child.stderr, child.stderr[-2000:]


def test_one_nlp_batch_is_bounded_by_characters_as_well_as_by_count():
    """spaCy's memory grows with the characters of a whole batch (~3.4 MB per 1,000): eight long bodies
    in one batch would take gigabytes, so a batch also stops at a character budget."""
    texts = ["x" * 60_000] * 8
    assert [len(b) for b in bounded_batches(texts, 8, cost=len, budget=150_000)] == [2, 2, 2, 2]
    assert [len(b) for b in bounded_batches(["x" * 500_000, "y"], 8, cost=len, budget=150_000)] == [1, 1]  # alone
    assert [len(b) for b in bounded_batches(["x"] * 10, 4, cost=len, budget=150_000)] == [4, 4, 2]
