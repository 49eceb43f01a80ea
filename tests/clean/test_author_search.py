"""trafilatura's author search of the page's markup, run only where it can find something."""

from __future__ import annotations

import gzip

import pytest
from conftest import EXTRACTION_BENCH, STORY, page, raw_html
from trafilatura import metadata as tm

from etl.clean import clean
from etl.clean.author_search import trafilatura_author
from etl.clean.html import prepare
from etl.clean.text import decode_page

PAGES = EXTRACTION_BENCH / "html"


@pytest.mark.parametrize("byline", [
    '<span class="author-name">Ana Silva</span>',
    '<div class="byline">By Ana Silva</div>',
    '<p class="story-writer">Ana Silva</p>',
    '<span itemprop="author">Ana Silva</span>',
    '<div data-component="Byline">Ana Silva</div>',
    '<div id="mainAuthor">Ana Silva</div>',
    '<a href="/people/ana-silva" class="posted-by">Ana Silva</a>',
])
def test_a_byline_only_the_markup_names_is_found(settings, byline):
    """No JSON-LD, no meta author, no rel=author: the byline's element is all there is."""
    article = clean(raw_html(page(byline + STORY)), settings)
    assert article.authors == ["Ana Silva"]


@pytest.mark.skipif(not PAGES.is_dir(), reason=f"benchmark pages not found at {PAGES}")
def test_on_real_pages_the_search_finds_what_trafilatura_finds():
    for path in sorted(PAGES.glob("*.html.gz")):
        html, utf8 = decode_page(gzip.decompress(path.read_bytes()))
        tree = prepare(html, 500_000, utf8).tree
        assert trafilatura_author(tree) == tm.extract_author(tree), path.name
