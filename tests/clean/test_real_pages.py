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


def page_article(articles: dict[str, Article], page_id: str) -> Article:
    [article] = [a for origin, a in articles.items() if origin.rsplit("/", 1)[-1].startswith(page_id)]
    return article


def declared_lang(path) -> str | None:
    """The page's ``<html lang>``, read here independently of the cleaner."""
    tree = lxml.html.document_fromstring(gzip.decompress(path.read_bytes()))
    return (tree.get("lang") or "").split("-")[0].lower() or None


@pytest.mark.parametrize(("page_id", "people", "agency"), [
    ("db6b0816", ["Robert Burns"], "Associated Press"),  # "ROBERT BURNS, AP National Security Writer"
    ("82b6d780", ["Lisa Mascaro", "Mary Clare Jalonick", "Eric Tucker"], "Associated Press"),
    ("ef4e67b6", ["Chris Cillizza"], None),  # "Analysis by Chris Cillizza, CNN Editor-at-large"
    ("11ea381a", [], None),  # "Admin"
    ("c90731f0", [], "Press Trust of India"),  # "PTI"
    ("57d46c9d", ["Rodrigo Campos"], "Reuters"),  # named by the dateline only
    ("f81c6c05", ["Tanza Loudenback"], None),  # "Tanza Loudenback, Business Insider" on Business Insider
])
def test_real_bylines_give_people_and_agencies(articles, page_id, people, agency):
    article = page_article(articles, page_id)
    assert (article.authors, article.source_agency) == (people, agency)


def test_no_real_author_is_a_role_an_account_or_an_agency(articles):
    """What the authors facet of the 181 pages showed before: titles, accounts and wires as people."""
    noise = ("writer", "editor", "staff", "admin", "associated press", "reuters", "by ", "bureau", "desk")
    noisy = [(a.origin, name) for a in articles.values() for name in a.authors if any(n in name.casefold() for n in noise)]
    assert noisy == []


def test_real_english_pages_declared_german_are_english_and_other_languages_stand(articles):
    languages = {origin: (declared_lang(PAGES / origin.rsplit("/", 1)[-1]), a.language) for origin, a in articles.items()}
    assert page_article(articles, "f81c6c05").language == page_article(articles, "fde930b0").language == "en"
    # Pages written in the language they declare (Russian, Korean, Japanese, Portuguese...) keep it.
    kept = [declared for declared, found in languages.values() if declared and declared not in ("en", "de")]
    assert len(kept) >= 10
    assert all(found == declared for declared, found in languages.values() if declared and declared not in ("en", "de"))
