"""Cleaning: metadata, body text, identity and the bad inputs a crawl really produces."""

from __future__ import annotations

import logging

import pytest

from etl.clean import clean
from etl.clean.identity import KEYWORD_MAX_BYTES, fit_keyword, normalise_url
from etl.records import RawDocument, RejectedInput
from conftest import FIXTURES, SEED, STORY, page, raw_html


@pytest.fixture(scope="module")
def council(settings):
    return clean(raw_html((FIXTURES / "article_council.html").read_bytes()), settings)


def test_page_metadata_comes_from_json_ld_and_meta(council):
    assert council.title == "Council approves flood defence budget after late-night vote"
    assert council.authors == ["Priya Raman", "Tom Ellis"]
    assert council.published_at == "2024-03-14T22:41:00+00:00"
    assert council.source == "Riverside Gazette"
    assert council.language == "en"
    # The canonical link as the page gives it; its normalised form is what the id derives from.
    assert council.url == "https://www.riverside-gazette.example/news/2024/03/council-flood-budget/?utm_source=twitter&utm_medium=social"
    assert council.normalized_url == "https://riverside-gazette.example/news/2024/03/council-flood-budget"
    assert council.origin == "test.html"


def test_page_body_keeps_the_story_and_drops_the_furniture(council):
    assert council.body.startswith("Riverside council approved a £12.4m flood defence budget")
    assert "This is the least we owe them." in council.body
    assert council.body.endswith("called for faster compensation payments.")
    for boilerplate in ("cookies", "Advertisement", "meal kits", "Flood_Watcher_22", "Most read", "All rights reserved"):
        assert boilerplate not in council.body
    assert council.body.count("\n\n") == 5  # six paragraphs, blank-line separated
    assert council.word_count == len(council.body.split())


def test_same_story_under_different_urls_gets_one_id(settings):
    urls = [
        "https://www.Example.com/news/story-1/?utm_source=rss&utm_medium=feed",
        "HTTPS://example.com:443/news/story-1#comments",
        "https://example.com/news/story-1?fbclid=abc123&gclid=xyz",
    ]
    articles = [clean(raw_html(page(STORY), url=url), settings) for url in urls]
    assert {a.id for a in articles} == {articles[0].id}
    assert {a.normalized_url for a in articles} == {"https://example.com/news/story-1"}
    assert [a.url for a in articles] == urls  # each as it was linked
    assert articles[0].source == "example.com"  # no site name on the page: the domain
    assert normalise_url("https://example.com/a?b=2&a=1&utm_campaign=x") == "https://example.com/a?a=1&b=2"


def test_txt_article_has_only_what_the_text_says(settings):
    article = clean(RawDocument(origin=str(SEED), content=SEED.read_bytes(), media_type="text/plain"), settings)
    assert article.title.startswith("Biden’s approach, do not trust it, but verify it")
    assert article.title.endswith("invasion of Ukraine.")  # the first sentence of a long first line
    assert (article.url, article.source, article.authors, article.published_at) == (None, None, [], None)
    assert article.body.count("\n\n") == SEED.read_text(encoding="utf-8").strip().count("\n")
    assert article.id == clean(RawDocument("elsewhere.txt", SEED.read_text(encoding="utf-8"), "text/plain"), settings).id


def test_txt_headline_line_becomes_the_title(settings):
    text = "Ferry terminal delayed again\n" + STORY.replace("<p>", "").replace("</p>", "\n")
    article = clean(RawDocument("ferry.txt", text.encode(), media_type="text/plain"), settings)
    assert article.title == "Ferry terminal delayed again"
    assert article.body.startswith("The harbour authority said")
    assert article.body.count("\n\n") == 2


def test_short_paragraphs_about_copyright_stay_in_the_story(settings):
    """A story about a copyright case keeps its short paragraphs; only calls to action are dropped."""
    ruling = "<p>The court found the band had not infringed the songwriter's copyright.</p>"
    share = "<p>Share this article</p>"
    article = clean(raw_html(page(STORY + ruling + share)), settings)
    assert article.body.endswith("The court found the band had not infringed the songwriter's copyright.")
    assert "Share this article" not in article.body

def test_keyword_fields_fit_elasticsearch_terms(settings):
    title = "Überschrift " * 5000  # ~65 KB of two-byte characters
    article = clean(raw_html(page(STORY, f"<meta property='og:title' content='{title}'>")), settings)
    assert len(article.title.encode("utf-8")) <= KEYWORD_MAX_BYTES
    assert article.title.startswith("Überschrift Überschrift")
    assert fit_keyword("é" * 20000).encode("utf-8").decode("utf-8") == "é" * (KEYWORD_MAX_BYTES // 2)


def test_unparseable_date_is_empty_and_logged(settings, caplog):
    head = "<meta property='article:published_time' content='sometime last spring'>"
    with caplog.at_level(logging.WARNING):
        article = clean(raw_html(page(STORY, head)), settings)
    assert article.published_at is None
    assert "sometime last spring" in caplog.text


def test_placeholder_date_gives_way_to_the_next_source(settings, caplog):
    json_ld = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "0001-01-01T00:00:00"}</script>'
    with_fallback = json_ld + "<meta property='article:published_time' content='2023-11-02T09:15:00+01:00'>"
    assert clean(raw_html(page(STORY, with_fallback)), settings).published_at == "2023-11-02T09:15:00+01:00"
    with caplog.at_level(logging.WARNING):
        assert clean(raw_html(page(STORY, json_ld)), settings).published_at is None
    assert "0001-01-01" in caplog.text


def test_date_without_zone_is_read_as_utc(settings):
    article = clean(raw_html(page(STORY, "<meta name='date' content='2024-05-02 08:30'>")), settings)
    assert article.published_at == "2024-05-02T08:30:00+00:00"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (bytes(range(256)) * 40, "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(4000), "binary"),
        (page("<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><p>Subscribe</p>"), "no article text"),
    ],
    ids=["empty", "binary", "png-named-html", "no-article"],
)
def test_pages_without_an_article_are_rejected_with_the_reason(settings, content, reason):
    with pytest.raises(RejectedInput) as err:
        clean(raw_html(content), settings)
    assert err.value.stage == "clean"
    assert reason in err.value.reason


def test_wrong_declared_charset_is_decoded_without_mojibake(settings):
    html = page(STORY.replace("four million euros", "quatre millions d’euros – déjà"), "<meta charset='iso-8859-1'>")
    article = clean(raw_html(html), settings)
    assert "quatre millions d’euros – déjà" in article.body


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1", "cp1252"])
def test_other_encodings_are_decoded(settings, encoding):
    story = STORY.replace("euros", "euros (café, naïve façade)")
    html = f"<html><head><meta charset='{encoding}'></head><body><article>{story}</article></body></html>"
    article = clean(raw_html(html.encode(encoding)), settings)
    assert "café, naïve façade" in article.body


def test_nul_bytes_are_dropped(settings):
    article = clean(raw_html(page(STORY.replace("harbour", "har\x00bour"))), settings)
    assert "harbour authority" in article.body and "\x00" not in article.body


def test_html_nested_thousands_deep_does_not_crash(settings):
    deep = "<div>" * 5000 + STORY + "</div>" * 5000
    article = clean(raw_html(page(deep)), settings)
    assert "ferry terminal would open in May" in article.body


def test_twenty_megabyte_page_is_capped(settings):
    """A 20 MB page (inline app state + a huge comment thread) is cut to max_html_chars before extraction.

    The cap is lowered here only to keep the test quick; the default is 500,000 characters.
    """
    state = "<script>window.__STATE__ = {\"blob\": \"" + "A" * 12_000_000 + "\"}</script>"
    comments = "<div class='comment'><p>I have been reading this paper for forty years and never seen such nonsense.</p></div>\n" * 80_000
    html = f"<html><head>{state}</head><body><article>{STORY}</article>{comments}<p>TAIL MARKER</p></body></html>"
    assert len(html) > 20_000_000
    article = clean(raw_html(html.encode()), settings.with_(max_html_chars=100_000))
    assert article.body.startswith("The harbour authority said")
    assert "TAIL MARKER" not in article.body


def test_a_page_a_few_times_the_cap_is_cut_in_its_tree(settings):
    """Under eight times the cap the page is parsed whole and cut there: the story's start stays, text past the cap goes."""
    more = "".join(f"<p>The inquiry heard witness {n} of the three thousand, and its report runs to six hundred pages.</p>" for n in range(3_000))
    html = f"<html><head><title>Ferry</title></head><body><article>{STORY}{more}<p>TAIL MARKER</p></article></body></html>"
    assert 100_000 < len(html) < 800_000
    article = clean(raw_html(html.encode()), settings.with_(max_html_chars=100_000, max_body_chars=1_000_000))
    assert article.body.startswith("The harbour authority said")
    assert 90_000 < len(article.body) < 110_000  # the cap counts text; paragraph breaks come on top
    assert "TAIL MARKER" not in article.body


def test_source_metadata_is_the_fallback(settings):
    raw = raw_html(page(STORY), url="https://news.example.org/ferry", metadata={
        "title": "Ferry terminal delayed", "authors": "By Ana Silva", "published_at": "2024-01-05T10:00:00Z",
        "source": "Harbour News"})
    article = clean(raw, settings)
    assert (article.title, article.authors, article.source) == ("Ferry terminal delayed", ["Ana Silva"], "Harbour News")
    assert article.published_at == "2024-01-05T10:00:00+00:00"


def test_language_is_detected_when_not_declared(settings):
    german = (
        "<p>Der Stadtrat hat am Donnerstagabend nach einer fast fünfstündigen Debatte einen Haushalt für den "
        "Hochwasserschutz beschlossen, der seit den Überschwemmungen im Winter umstritten war.</p>"
        "<p>Mit dem Geld sollen Deiche am Ostufer erhöht und zwei neue Pumpwerke gebaut werden, sagte die "
        "Bürgermeisterin nach der Abstimmung vor Journalisten im Rathaus.</p>"
    )
    assert clean(raw_html(page(german)), settings).language == "de"
