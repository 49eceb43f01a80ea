"""Article identity over the 181 real pages of the extraction benchmark: one story, one id.

Runs what ``news-etl clean`` runs (sources -> clean), no NLP, over the pages where they lie in
``../shared/bench/extraction`` (never copied into the repository); skipped when they are absent.
"""

from __future__ import annotations

import gzip
from collections import Counter

import lxml.html
import pytest

from conftest import EXTRACTION_BENCH
from etl.pipeline import clean_stream
from etl.records import Article
from etl.sources import iter_sources

PAGES = EXTRACTION_BENCH / "html"
pytestmark = pytest.mark.skipif(not PAGES.is_dir(), reason=f"benchmark pages not found at {PAGES}")


def canonical_link(path) -> str | None:
    """The page's ``<link rel=canonical>`` href, read here independently of the cleaner."""
    tree = lxml.html.document_fromstring(gzip.decompress(path.read_bytes()))
    hrefs = [link.get("href", "").strip() for link in tree.iter("link")
             if "canonical" in (link.get("rel") or "").lower().split()]
    return next((href for href in hrefs if href), None)


@pytest.fixture(scope="module")
def articles(settings) -> dict[str, Article]:
    cleaned = list(clean_stream(iter_sources([str(PAGES)], settings), settings))
    assert all(isinstance(item, Article) for item in cleaned), [i for i in cleaned if not isinstance(i, Article)]
    return {article.origin: article for article in cleaned}


def test_every_real_page_gets_an_id_of_its_own(articles):
    assert len(articles) == 181
    shared = {id_: n for id_, n in Counter(a.id for a in articles.values()).items() if n > 1}
    assert shared == {}, [(a.origin, a.url) for a in articles.values() if a.id in shared]


def test_every_page_that_names_a_canonical_url_carries_it(articles):
    canonicals = {origin: canonical_link(PAGES / origin.rsplit("/", 1)[-1]) for origin in articles}
    named = {origin: href for origin, href in canonicals.items() if href}
    assert len(named) == 163
    assert all(href.startswith(("http://", "https://")) for href in named.values())  # none relative here
    wrong = {origin: (href, articles[origin].url) for origin, href in named.items() if articles[origin].url != href}
    assert wrong == {}
