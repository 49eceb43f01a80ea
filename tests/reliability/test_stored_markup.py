"""Markup smuggled into stored fields (issue #17, Security).

A page's title, byline, site name or canonical link, a feed entry's title and a JSON export's
fields are metadata, shown by whatever reads the index (Kibana, an application's page). Whatever
the input, the stored ``title``, ``authors`` and ``source`` are plain text and the stored ``url``
is an absolute http(s) URL or null, and the article itself is kept.
"""

from __future__ import annotations

import json
import re

import pytest

from etl.index import open_sink
from etl.search.query import SearchRequest
from etl.settings import Settings
from reliability.corpus import PARAGRAPHS, html_page, own

ACTIVE = re.compile(r"<\s*/?\s*[a-z!?]|javascript:|on\w+\s*=", re.IGNORECASE)


def page(n: int, title: str = "Talks resume in Istanbul", head: str = "") -> str:
    return html_page(title, own(PARAGRAPHS[:3], 100 + n), head=head)


def ld(**fields) -> str:
    """JSON-LD as sites write it: "</" escaped, so that markup in a value does not end the script."""
    data = json.dumps({"@type": "NewsArticle", **fields}).replace("</", "<\\/")
    return f'<script type="application/ld+json">{data}</script>'


# file name -> (content, the field to check, what it must be)
CASES = {
    "title-tag.html": (page(1, "Talks &lt;img src=x onerror=alert(1)&gt; resume"), "title", "Talks resume"),
    "title-script.html": (page(2, "&lt;script&gt;alert(document.cookie)&lt;/script&gt;Sanctions stay"), "title", "Sanctions stay"),
    "og-title.html": (page(3, head='<meta property="og:title" content="&lt;b onmouseover=alert(1)&gt;Ferry&lt;/b&gt; terminal delayed">'),
                      "title", "Ferry terminal delayed"),
    "ld-headline.html": (page(4, head=ld(headline='<iframe src="javascript:alert(1)"></iframe>Harbour repairs cost more')),
                         "title", "Harbour repairs cost more"),
    "escaped-twice.html": (page(5, "&amp;lt;svg onload=alert(1)&amp;gt;Council votes"), "title", "Council votes"),
    "unclosed.html": (page(6, "Budget passes &lt;img src=x onerror=alert(1)//"), "title", "Budget passes"),
    "comparison.html": (page(7, "Profits &lt; forecasts, costs &gt; plan"), "title", "Profits < forecasts, costs > plan"),
    "author.html": (page(8, head='<meta name="author" content="&lt;a href=javascript:alert(1)&gt;Jane Doe&lt;/a&gt;">'), "authors", ["Jane Doe"]),
    "ld-author.html": (page(9, head=ld(author={"@type": "Person", "name": "<script>steal()</script>Tom Ellis"})), "authors", ["Tom Ellis"]),
    "site-name.html": (page(10, head='<meta property="og:site_name" content="&lt;svg/onload=alert(1)&gt;Harbour Post">'), "source", "Harbour Post"),
    "canonical-breakout.html": (page(11, head='<link rel="canonical" href="https://a.example.com/x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">'),
                                "url", None),
    "canonical-javascript.html": (page(12, head='<link rel="canonical" href="javascript:alert(document.domain)">'), "url", None),
    "og-url-data.html": (page(13, head='<meta property="og:url" content="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">'), "url", None),
    "canonical-spaces.html": (page(14, head='<link rel="canonical" href="https://a.example.com/story onmouseover=alert(1)">'), "url", None),
    # A hostile canonical beside a good og:url: the good one names the article.
    "canonical-then-good.html": (page(15, head='<link rel="canonical" href="https://a.example.com/x&quot;&gt;&lt;b&gt;">'
                                                '<meta property="og:url" content="https://a.example.com/world/harbour">'),
                                 "url", "https://a.example.com/world/harbour"),
}
EXPORT = [  # (JSON line, field, expected)
    ({"url": "https://b.example.org/s1", "title": "<script>alert(1)</script>Ferry delayed"}, "title", "Ferry delayed"),
    ({"url": "https://b.example.org/s2", "title": "Ferry", "authors": ["<b>Priya Raman</b>", "<img src=x onerror=alert(1)>"]}, "authors", ["Priya Raman"]),
    ({"url": "javascript:alert(1)", "title": "Pier cracks found"}, "url", None),
    ({"url": 'https://b.example.org/s4" onmouseover="alert(1)', "title": "Pier repairs"}, "url", None),
]


@pytest.fixture(scope="module")
def stored(tmp_path_factory, nlp, tally):
    """One run over every hostile input: origin name -> (the document as it went to the index, its search hit)."""
    root = tmp_path_factory.mktemp("markup")
    folder = root / "in"
    folder.mkdir()
    for name, (content, _, _) in CASES.items():
        (folder / name).write_text(content)
    lines = [json.dumps({**fields, "text": "\n\n".join(own(PARAGRAPHS[2:5], 200 + n))}) for n, (fields, _, _) in enumerate(EXPORT)]
    (folder / "export.jsonl").write_text("\n".join(lines) + "\n")
    feed_items = f"<item><title>&lt;script&gt;alert(1)&lt;/script&gt;Wire story</title><description><![CDATA[{''.join(f'<p>{p}</p>' for p in own(PARAGRAPHS[3:6], 300))}]]></description></item>"
    (folder / "wire.rss").write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire &lt;b&gt;Desk&lt;/b&gt;</title>{feed_items}</channel></rss>')
    settings = Settings.from_env({}, sink="embedded", index_dir=root / "index")
    docs = {}
    inputs = len(CASES) + len(EXPORT) + 1
    summary = tally.run([folder], settings, inputs=inputs, nlp=nlp, on_document=lambda d: docs.setdefault(d.article.origin.rsplit("/", 1)[-1], d))
    assert summary.indexed == inputs, summary.reasons  # every article is kept, whatever its metadata
    with open_sink(settings) as sink:
        hits = {hit.id: hit for hit in sink.search(SearchRequest(size=100)).hits}
    if len(hits) != inputs:
        tally.lost += inputs - len(hits)
    return {name: (doc, hits.get(doc.article.id)) for name, doc in docs.items()}


@pytest.mark.parametrize("name", list(CASES))
def test_page_metadata_is_stored_as_plain_text_and_urls_as_http_or_null(stored, name):
    _, field, expected = CASES[name]
    doc, hit = stored[name]
    assert getattr(doc.article, field) == expected
    if field in ("title", "url"):
        assert getattr(hit, field) == expected  # what a search returns, too


@pytest.mark.parametrize("n", range(len(EXPORT)))
def test_export_fields_are_stored_as_plain_text_and_urls_as_http_or_null(stored, n):
    _, field, expected = EXPORT[n]
    doc, _ = stored[f"export.jsonl#L{n + 1}"]
    assert getattr(doc.article, field) == expected


def test_no_stored_text_field_carries_markup(stored):
    found = {}
    for name, (doc, _) in stored.items():
        a = doc.article
        for field, value in {"title": a.title, "source": a.source, "url": a.url, **{f"author {n}": x for n, x in enumerate(a.authors)}}.items():
            if value and ACTIVE.search(value) and value != "Profits < forecasts, costs > plan":
                found[f"{name} {field}"] = value
    assert found == {}
    assert stored["wire.rss#0"][0].article.title == "Wire story"
