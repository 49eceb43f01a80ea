"""Which URL an article gets, on small pages that reproduce what real news pages do (issue 12).

Each page family was seen on the extraction benchmark's real pages: a JSON-LD Article whose
``mainEntityOfPage`` is its section (autoindustriya.com), an Article ``url`` that is the site root
(spokesman.com), a relative JSON-LD url beside a good canonical link (news.sky.com), entity-escaped
titles (6 of 181).
"""

from __future__ import annotations

import json

import pytest

from conftest import STORY, page, raw_html
from etl.clean import clean
from etl.clean.article_url import article_url
from etl.clean.identity import article_id, content_hash

SITE = "https://www.autos.example"


def json_ld(**node) -> str:
    return f'<script type="application/ld+json">{json.dumps({"@context": "https://schema.org", **node})}</script>'


def canonical(href: str) -> str:
    return f'<link rel="canonical" href="{href}">'


def og_url(content: str) -> str:
    return f'<meta property="og:url" content="{content}">'


def test_two_stories_of_one_section_keep_their_own_canonical_links(settings):
    """Both name their section as mainEntityOfPage; before, both got the section's URL and one id."""
    section_page = {"@type": "WebPage", "@id": f"{SITE}/auto-industry-news/"}
    section = json_ld(**{"@type": "NewsArticle", "headline": "x", "mainEntityOfPage": section_page})
    stories = [f"{SITE}/auto-industry-news/all-new-sentra.html", f"{SITE}/auto-industry-news/lexus-lc500.html"]
    articles = [clean(raw_html(page(STORY + f"<p>{url}</p>", section + canonical(url) + og_url(url))), settings)
                for url in stories]
    assert [a.url for a in articles] == stories
    assert len({a.id for a in articles}) == 2


def test_a_section_page_gives_way_to_the_deeper_url_of_the_same_site(settings):
    node = {"@type": "NewsArticle", "url": f"{SITE}/news/2024/ferry-delayed", "mainEntityOfPage": f"{SITE}/news/"}
    assert clean(raw_html(page(STORY, json_ld(**node))), settings).url == f"{SITE}/news/2024/ferry-delayed"
    # Another rendering of the same page is not a page below it: the canonical story stays.
    amp = canonical(f"{SITE}/news/ferry-delayed") + og_url(f"{SITE}/news/ferry-delayed/amp")
    assert clean(raw_html(page(STORY, amp)), settings).url == f"{SITE}/news/ferry-delayed"


def test_the_site_root_is_never_an_articles_identity(settings):
    """spokesman.com: the NewsArticle's url is the site; the canonical link is the story."""
    root = json_ld(**{"@type": "NewsArticle", "url": "http://www.spokesman.example"})
    story = "https://www.spokesman.example/stories/2019/nov/19/meth-ads/"
    assert clean(raw_html(page(STORY, root + canonical(story))), settings).url == story
    alone = clean(raw_html(page(STORY, root)), settings)
    assert (alone.url, alone.normalized_url) == (None, None)
    assert alone.id == article_id(None, content_hash(alone.body))  # no identity: the content id


def test_organization_and_website_urls_are_not_the_articles(settings):
    graph = json_ld(**{"@graph": [
        {"@type": "Organization", "name": "Gazette", "url": "https://gazette.example/about"},
        {"@type": "WebSite", "url": "https://gazette.example/"},
        {"@type": "NewsArticle", "headline": "Ferry delayed"},
    ]})
    assert clean(raw_html(page(STORY, graph)), settings).url is None
    with_og = clean(raw_html(page(STORY, graph + og_url("https://gazette.example/2024/ferry"))), settings)
    assert with_og.url == "https://gazette.example/2024/ferry"


def test_canonical_link_comes_first_and_relative_links_resolve(settings):
    """news.sky.com: a relative JSON-LD url (unresolvable from a file) must not hide the canonical link."""
    sky = "https://news.sky.com/story/mourinho-agrees-deal-11865382"
    relative_ld = json_ld(**{"@type": "NewsArticle", "url": "/story/mourinho-agrees-deal-11865382",
                             "mainEntityOfPage": {"@type": "WebPage", "url": "/story/mourinho-agrees-deal-11865382"}})
    article = clean(raw_html(page(STORY, relative_ld + canonical(sky) + og_url(sky + "?ref=og"))), settings)
    assert (article.url, article.normalized_url) == (sky, sky)
    # A relative canonical link: against the fetched URL, else against the page's own absolute og:url.
    fetched = raw_html(page(STORY, canonical("/news/ferry")), url="https://www.harbour.example/feed/item?utm_source=rss")
    assert clean(fetched, settings).url == "https://www.harbour.example/news/ferry"
    from_file = page(STORY, canonical("../ferry") + og_url("https://harbour.example/news/2024/ferry?x=1"))
    assert clean(raw_html(from_file), settings).url == "https://harbour.example/news/ferry"
    with_base = page(STORY, '<base href="https://cdn.harbour.example/news/">' + canonical("ferry"))
    assert clean(raw_html(with_base), settings).url == "https://cdn.harbour.example/news/ferry"


def test_og_url_stands_in_for_a_missing_or_site_root_canonical(settings):
    story = "https://www.harbour.example/News/2024/Ferry-Delayed/?page=2"
    assert clean(raw_html(page(STORY, og_url(story))), settings).url == story
    article = clean(raw_html(page(STORY, canonical("https://www.harbour.example/") + og_url(story))), settings)
    assert article.url == story  # as the publisher gives it: www., path case and query kept
    assert article.normalized_url == "https://harbour.example/News/2024/Ferry-Delayed?page=2"
    assert article.id == article_id(article.normalized_url, article.content_hash)


def test_entity_escaped_metadata_is_plain_text(settings):
    """Meta content escaped twice ("&amp;#8211;") is the usual cause; NBSP becomes a plain space."""
    head = (
        '<meta property="og:title" content="Fallen Order review &amp;#8211; shoots for the&amp;nbsp;moon &amp;amp; more">'  # noqa: E501
        '<meta name="author" content="Ana&amp;nbsp;Silva &amp;amp; Tom O&amp;#8217;Neil">'
        '<meta property="og:site_name" content="Caf&amp;eacute; Gazette">'
    )
    article = clean(raw_html(page(STORY, head)), settings)
    assert article.title == "Fallen Order review – shoots for the moon & more"
    assert article.authors == ["Ana Silva", "Tom O’Neil"]
    assert article.source == "Café Gazette"
    title_tag = page(STORY, "<title>Anthony Lynn: &#8220;We needed to win this&nbsp;game&#8221;</title>")
    assert clean(raw_html(title_tag), settings).title == "Anthony Lynn: “We needed to win this game”"


@pytest.mark.parametrize(("candidates", "page_url", "expected"), [
    (["https://e.example/", "https://e.example/a/story"], None, "https://e.example/a/story"),
    (["https://e.example/index.html"], None, None),
    (["https://e.example/?p=123"], None, "https://e.example/?p=123"),  # a shortlink names one post
    (["https://www.e.example/a/", "https://e.example/a/b/story"], None, "https://e.example/a/b/story"),
    (["https://other.example/a/", "https://e.example/a/story"], None, "https://other.example/a/"),  # another site
    (["//e.example/a/story"], None, "https://e.example/a/story"),
    (["story", None, ""], "https://e.example/a/index.html", "https://e.example/a/story"),
    (["mailto:desk@e.example", "javascript:void(0)", "https://e.example:99999/x"], None, None),
], ids=["root", "index-page", "root-with-query", "section", "other-site", "protocol-relative", "relative", "not-http"])
def test_article_url_choices(candidates, page_url, expected):
    assert article_url(candidates, page_url) == expected
