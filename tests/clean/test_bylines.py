"""Bylines as people (issue #14 §5): what a page's author fields say, and what a reader of the facet sees."""

from __future__ import annotations

import json

import pytest

from conftest import STORY, page, raw_html
from etl.clean import clean


def byline_page(authors, site: str = "Harbour Globe", body: str = STORY) -> bytes:
    """A page whose JSON-LD names ``authors`` (a string or a list) and whose site is ``site``."""
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Ferry terminal delayed",
            "author": authors, "publisher": {"@type": "Organization", "name": site}}
    return page(body, head=f'<script type="application/ld+json">{json.dumps(data)}</script>')


@pytest.mark.parametrize(("authors", "people", "agency"), [
    ("By MARTA OKAFOR and DEV PATEL, AP Business Writers", ["Marta Okafor", "Dev Patel"], "Associated Press"),
    ("Analysis by Helen Marsh, Politics Editor", ["Helen Marsh"], None),
    ("Jonas Lindqvist, Reuters", ["Jonas Lindqvist"], "Reuters"),
    (["Priya Raman", "Agence France-Presse"], ["Priya Raman"], "Agence France-Presse"),
    ("PRIYA RAMAN Associated Press", ["Priya Raman"], "Associated Press"),
    ("Lena Vogt, MD, Senior Health Correspondent", ["Lena Vogt"], None),
    ("Noor Haddad Tuesday, March", ["Noor Haddad"], None),
    ("April Weston & Ludwig van der Berg", ["April Weston", "Ludwig van der Berg"], None),
])
def test_a_byline_gives_its_people_and_its_agency(settings, authors, people, agency):
    article = clean(raw_html(byline_page(authors)), settings)
    assert (article.authors, article.source_agency) == (people, agency)


@pytest.mark.parametrize("account", ["admin", "Admin", "Staff", "Web Desk", "Staff Writer", "Newsroom Team",
                                     "Harbour Globe", "Harbour Globe Sport", "harbourglobe.example",
                                     "the city council press office"])
def test_site_accounts_and_the_site_itself_are_nobody(settings, account):
    article = clean(raw_html(byline_page(["Ana Silva", account])), settings)
    assert article.authors == ["Ana Silva"]
    assert article.source_agency is None


def test_the_agency_of_a_wire_dateline_is_kept_when_the_byline_names_none(settings):
    wire = STORY.replace("<p>The harbour", "<p>ROTTERDAM (Reuters) - The harbour", 1)
    article = clean(raw_html(byline_page("Ana Silva", body=wire)), settings)
    assert (article.authors, article.source_agency) == (["Ana Silva"], "Reuters")


def test_a_story_without_agency_has_none(settings):
    article = clean(raw_html(byline_page("Ana Silva")), settings)
    assert article.source_agency is None and article.to_dict()["source_agency"] is None
