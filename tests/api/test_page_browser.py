"""The search page (`GET /` of `news-etl serve`) in a real headless Chromium, against the real server.

Every test drives the page as a user would (type, press Enter, click) and checks what a user sees
against what the JSON API answers for the same search. No mocks: the server is a `news-etl serve`
process over an embedded index of real news pages (the shared ``api_server`` fixture).
"""

from __future__ import annotations

import json
import os
import re
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "page"
TIMEOUT_MS = 15_000

ARTICLE_FACETS = ("persons", "organizations", "locations", "speakers", "source", "source_agency", "authors", "language")
QUOTE_FACETS = ("speaker", "speaker_label", "kind", "source", "language")
# Markup that would run script if the page ever parsed API data as HTML: the shared index holds one article (tests/api/conftest.py) whose title is "... <img src=x onerror=alert(1)> ...",
# whose author is "Jane <b>Doe</b>" and whose quote starts "<script>alert(1)</script>". Each page here
# replaces alert() before any script runs, so markup that ever ran would set window.__xss. (The server's
# CSP would also stop an inline onerror, so the tests check too that no <img>/<script> element is ever built.)
FLAG_ALERT = "window.alert = function () { window.__xss = (window.__xss || 0) + 1; };"


# -- the browser -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: these tests need Debian's chromium (never `playwright install`)")
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=30_000)
        except Exception as err:  # noqa: BLE001 - any launch failure means: no browser here
            pytest.skip(f"{CHROMIUM} cannot launch: {str(err).splitlines()[0]}")
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(FLAG_ALERT)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    pg.on("pageerror", lambda err: problems.append(f"page error: {err}"))

    def console(msg):
        # The browser's own favicon.ico request is no concern of the page's.
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            problems.append(f"console {msg.type}: {msg.text} ({msg.location.get('url')})")

    pg.on("console", console)
    pg.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    pg.problems = problems  # what the page logged as errors (CSP violations show here too)
    yield pg
    context.close()


# -- the server --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def base(api_server):
    """The base URL of the shared `news-etl serve` (tests/api/conftest.py): real pages plus one article
    whose title, author and quote are markup (written to the sink directly, since the cleaner strips tags)."""
    return api_server.rstrip("/")


# -- helpers -----------------------------------------------------------------------------------------

def api(base_url: str, path: str, **params) -> dict:
    query = urllib.parse.urlencode([(k, v) for k, vs in params.items()
                                    for v in (vs if isinstance(vs, (list, tuple)) else [vs])])
    with urllib.request.urlopen(f"{base_url}{path}?{query}", timeout=30) as r:
        return json.loads(r.read())


def articles(base_url: str, **params) -> dict:
    return api(base_url, "/api/search", facet=list(ARTICLE_FACETS), **params)


def quotes(base_url: str, **params) -> dict:
    return api(base_url, "/api/quotes", facet=list(QUOTE_FACETS), **params)


def shown_total(pg) -> int:
    """The 'N articles' count the page shows, once it has finished loading."""
    expect(pg.locator("body")).to_have_attribute("data-status", re.compile("done|error"))
    return int(pg.locator("#total").inner_text().replace(",", ""))


def expect_total(pg, n: int) -> None:
    expect(pg.locator("#total")).to_have_text(f"{n:,}")
    expect(pg.locator("body")).to_have_attribute("data-status", "done")


def open_page(pg, base_url: str, query: str = "") -> None:
    pg.goto(base_url + "/" + (f"?{query}" if query else ""))
    expect(pg.locator("body")).to_have_attribute("data-status", re.compile("done|error"))


def facet_button(pg, field: str, value: str):
    return pg.locator(f'#facets button.facet-value[data-field="{field}"]').filter(
        has=pg.locator(".facet-name", has_text=re.compile("^" + re.escape(value) + "$")))


def hit_ids(pg) -> list[str]:
    return pg.locator("#hits > li.hit").evaluate_all("els => els.map(e => e.dataset.id)")


def a_narrowing_word(base_url: str, texts: list[str], everything: int, **params) -> tuple[str, int]:
    """A word of these texts that matches some but not all documents, and how many it matches."""
    words = Counter(w.lower() for t in texts for w in re.findall(r"[A-Za-z]{5,}", t or ""))
    search = quotes if params.pop("index", "articles") == "quotes" else articles
    for word, _ in words.most_common(40):
        total = search(base_url, q=word, size=0)["total"]
        if 0 < total < everything:
            return word, total
    pytest.fail(f"no word of {len(words)} narrows the search")


# -- the tests ---------------------------------------------------------------------------------------

def test_page_loads_with_hits_facets_and_no_script_errors(page, base):
    want = articles(base)
    assert want["total"] > 10, "the shared index should hold more than one page of articles"
    open_page(page, base)

    assert shown_total(page) == want["total"]
    expect(page.locator("#summary")).to_contain_text(f"{want['total']} articles")
    assert hit_ids(page) == [h["id"] for h in want["hits"]]
    first = want["hits"][0]
    link = page.locator("#hits > li.hit").first.locator("a.title-link")
    expect(link).to_have_text(first["title"])
    expect(link).to_have_attribute("href", first["url"])
    # Every facet the API counts is listed with its counts.
    for name in ARTICLE_FACETS:
        buckets = want["facets"].get(name) or []
        shown = page.locator(f'#facets section[data-facet="{name}"] button.facet-value')
        expect(shown).to_have_count(len(buckets))
        if buckets:
            expect(shown.first.locator(".facet-name")).to_have_text(buckets[0]["value"])
            expect(shown.first.locator(".facet-count")).to_have_text(str(buckets[0]["count"]))
    expect(page.locator("#q-hint")).to_contain_text("OR")
    expect(page.locator("#q-hint")).to_contain_text("field:word")
    assert page.problems == [], page.problems  # no CSP violation, no script error


def test_typing_a_query_and_enter_shows_the_apis_count_and_highlights(page, base):
    everything = articles(base, size=50)
    word, total = a_narrowing_word(base, [h["title"] for h in everything["hits"]], everything["total"])
    open_page(page, base)

    page.locator("#q").fill(word)
    page.locator("#q").press("Enter")

    expect_total(page, total)
    assert f"q={word}" in page.url
    expect(page.locator("#hits mark").first).to_be_visible()  # the matched words are marked
    marked = {m.lower() for m in page.locator("#hits mark").all_inner_texts()}
    assert any(m.startswith(word[:4]) for m in marked), marked
    page.reload()  # the search lives in the URL
    expect_total(page, total)
    expect(page.locator("#q")).to_have_value(word)

    # The query language reaches the API as typed: quotes, parentheses, OR, -word, field:word.
    for query in (f'("{word}" OR zzqxjvw) -zzqxjvw', f"title:{word} OR NOT zzqxjvw"):
        page.locator("#q").fill(query)
        page.locator("#q").press("Enter")
        expect_total(page, articles(base, q=query, size=0)["total"])
        expect(page.locator("#q")).to_have_value(query)

    page.locator("#q").fill("zzqxjvw")
    page.locator("#search-button").click()
    expect(page.locator("#empty")).to_contain_text("No articles match")
    expect(page.locator("#hits > li")).to_have_count(0)


def test_a_facet_click_adds_a_chip_and_the_chip_removes_it(page, base):
    want = articles(base)
    field, bucket = next((f, b) for f in ("persons", "organizations", "locations", "source")
                         for b in want["facets"].get(f) or [] if b["count"] < want["total"])
    open_page(page, base)

    facet_button(page, field, bucket["value"]).click()

    chip = page.locator("#chips button.chip")
    expect(chip).to_have_count(1)
    expect(chip).to_contain_text(bucket["value"])
    expect_total(page, bucket["count"])
    expect(facet_button(page, field, bucket["value"])).to_have_attribute("aria-pressed", "true")
    assert "filter=" in page.url

    chip.click()
    expect(page.locator("#chips button.chip")).to_have_count(0)
    expect_total(page, want["total"])

    page.go_back()  # back brings the filter back
    expect(page.locator("#chips button.chip")).to_have_count(1)
    expect_total(page, bucket["count"])
    page.locator("#chips button.chip").focus()  # the chip is a real button: the keyboard removes it too
    page.keyboard.press("Enter")
    expect(page.locator("#chips button.chip")).to_have_count(0)
    expect_total(page, want["total"])


def expect_agencies(pg, hits: list[dict]) -> None:
    """Each hit names its agency beside its source, once (a story on the agency's own site says it as its
    source), and a hit without one names none."""
    for item, hit in zip(pg.locator("#hits > li.hit").all(), hits, strict=True):
        agency, shown = hit.get("source_agency"), item.locator(".meta").first.locator(".agency")
        if agency and agency.casefold() != (hit["source"] or "").casefold():
            expect(shown).to_have_text(f"via {agency}")
        else:
            expect(shown).to_have_count(0)


def test_the_news_agency_facet_narrows_to_its_wire_stories_and_each_hit_names_its_agency(page, base):
    want = articles(base, size=50)
    agencies = want["facets"].get("source_agency") or []
    assert agencies, "the shared index's real pages should include wire stories (AP, Reuters)"
    assert any(not h.get("source_agency") for h in want["hits"]), "and stories that name no agency"
    agency = agencies[0]
    open_page(page, base, "size=50")
    expect_agencies(page, want["hits"])
    expect(page.locator('#facets section[data-facet="source_agency"] h2')).to_have_text("News agency")
    expect(facet_button(page, "source_agency", agency["value"]).locator(".facet-count")).to_have_text(str(agency["count"]))

    facet_button(page, "source_agency", agency["value"]).click()

    expect_total(page, agency["count"])
    expect(page.locator("#chips button.chip")).to_have_text(re.compile(re.escape(agency["value"])))
    pressed = facet_button(page, "source_agency", agency["value"])
    expect(pressed).to_have_attribute("aria-pressed", "true")
    wire = articles(base, filter=f"source_agency:{agency['value']}", size=50)
    assert wire["hits"] and {h["source_agency"] for h in wire["hits"]} == {agency["value"]}
    assert hit_ids(page) == [h["id"] for h in wire["hits"]]
    expect_agencies(page, wire["hits"])
    # The keyboard undoes it, as on every facet: focus stays on the pressed button, Enter releases it.
    expect(pressed).to_be_focused()
    page.keyboard.press("Enter")
    expect_total(page, want["total"])
    expect(pressed).to_have_attribute("aria-pressed", "false")
    assert page.problems == [], page.problems


def test_histogram_draws_one_bar_per_api_bucket(page, base):
    want = articles(base)
    assert want["histogram"]
    open_page(page, base)

    bars = page.locator("#histogram .bar")
    expect(bars).to_have_count(len(want["histogram"]))
    assert bars.evaluate_all("els => els.map(e => Number(e.dataset.count))") == [b["count"] for b in want["histogram"]]
    heights = bars.evaluate_all("els => els.map(e => e.firstChild.getBoundingClientRect().height)")
    tallest = max(range(len(heights)), key=heights.__getitem__)
    assert want["histogram"][tallest]["count"] == max(b["count"] for b in want["histogram"])
    assert heights[tallest] > 40

    # Picking a bar narrows the search to its dates.
    bucket = max(want["histogram"], key=lambda b: b["count"])
    page.locator(f'#histogram .bar[data-date="{bucket["date"]}"]').click()
    expect(page).to_have_url(re.compile(r"since=" + bucket["date"]))
    expect_total(page, bucket["count"])


def test_paging_to_page_two_shows_the_next_hits(page, base):
    first, second = articles(base, page=1), articles(base, page=2)
    open_page(page, base)
    page_one = hit_ids(page)
    expect(page.locator("#prev")).to_be_disabled()

    page.locator("#next").click()

    expect(page.locator("#page-info")).to_have_text(re.compile(r"^Page 2 of \d+"))
    expect(page.locator("#hits > li.hit").first).to_have_attribute("data-id", second["hits"][0]["id"])
    assert hit_ids(page) == [h["id"] for h in second["hits"]]
    assert not set(hit_ids(page)) & set(page_one)
    assert page_one == [h["id"] for h in first["hits"]]
    expect(page.locator("#summary")).to_contain_text(f"{first['total']} articles")
    assert "page=2" in page.url
    page.locator("#prev").click()
    expect(page.locator("#hits > li.hit").first).to_have_attribute("data-id", page_one[0])


def test_quotes_tab_lists_who_said_what_and_filters_by_speaker(page, base):
    every = quotes(base, size=100)
    assert every["total"] > 0, "the shared index should hold quotes"
    word, total = a_narrowing_word(base, [h["text"] for h in every["hits"]], every["total"], index="quotes")
    want = quotes(base, q=word)
    open_page(page, base)

    page.locator("#tab-quotes").click()
    expect(page.locator("#tab-quotes")).to_have_attribute("aria-selected", "true")
    page.locator("#q").fill(word)
    page.locator("#q").press("Enter")

    expect_total(page, total)
    expect(page.locator("#summary")).to_contain_text("quote")
    items = page.locator("#hits > li.hit")
    expect(items).to_have_count(len(want["hits"]))
    first = want["hits"][0]
    expect(items.first.locator(".speaker-name")).to_have_text(first["speaker"] or "unknown speaker")
    expect(items.first.locator(".quote-text")).not_to_be_empty()
    expect(page.locator("#hits .quote-text mark").first).to_be_visible()
    expect(items.first.locator("a.title-link")).to_have_attribute("href", first["url"])
    assert "tab=quotes" in page.url

    speaker = want["facets"]["speaker"][0]
    facet_button(page, "speaker", speaker["value"]).click()
    expect(page.locator("#chips button.chip")).to_contain_text(speaker["value"])
    expect_total(page, speaker["count"])
    names = page.locator("#hits .speaker-name").all_inner_texts()
    assert names and set(names) == {speaker["value"]}


def test_an_error_response_shows_its_detail(page, base):
    open_page(page, base, "size=5000")
    error = page.locator("#error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("422")
    expect(error).to_contain_text("less than or equal to 1000")
    expect(page.locator("#hits > li")).to_have_count(0)

    open_page(page, base, "filter=colour:blue")
    expect(error).to_contain_text("unknown field 'colour'")
    expect(page.locator("#chips button.chip")).to_have_count(1)  # the bad filter can be removed from here
    page.locator("#chips button.chip").click()
    expect(error).to_be_hidden()
    expect_total(page, articles(base, size=0)["total"])


def test_markup_in_titles_and_quotes_is_shown_as_text_and_never_runs(page, base):
    hostile = [h for h in articles(base, q="harbour ferry", size=50)["hits"] if "<img" in (h["title"] or "")]
    assert hostile, "the shared index should hold the article whose title is markup"
    title, author = hostile[0]["title"], hostile[0]["authors"][0]
    said = [h for h in quotes(base, q="pier unsafe", size=50)["hits"] if "<script>" in h["text"]]
    assert said, "the shared index should hold the quote that is markup"
    views = [
        ("q=harbour+ferry", "#hits a.title-link", title),            # highlighted title: escaped fragments
        ("q=onerror", "#hits a.title-link", title),                  # the marked word inside the markup
        (f"filter=source:{hostile[0]['source']}", "#hits a.title-link", title),  # no query: the stored title
        (f"filter=source:{hostile[0]['source']}", "#hits .authors", author),
        ("tab=quotes&q=pier+unsafe", "#hits .quote-text", said[0]["text"]),
        ("tab=quotes&q=pier+unsafe", "#hits a.title-link", said[0]["title"]),
    ]
    for query, where, text in views:
        open_page(page, base, query)
        expect(page.locator("body")).to_have_attribute("data-status", "done")
        expect(page.locator(where).filter(has_text=text).first).to_be_visible()  # the markup, as text
        page.wait_for_timeout(100)  # an <img src=x> would have failed to load by now
        assert page.evaluate("typeof window.__xss") == "undefined", query
        assert page.locator("#hits img, #hits script, #facets img, #chips img").count() == 0, query
    open_page(page, base, "q=onerror")
    expect(page.locator("#hits a.title-link mark").first).to_have_text(re.compile("onerror", re.IGNORECASE))
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.problems == [], page.problems


def test_screenshots(page, base):
    """Screenshots to var/page/ (a person looks at them); on a phone, nothing is wider than the screen."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    everything = articles(base, size=50)
    word, _ = a_narrowing_word(base, [h["title"] for h in everything["hits"]], everything["total"])
    open_page(page, base, "q=" + word)
    page.screenshot(path=str(SCREENSHOTS / "search.png"), full_page=True)

    open_page(page, base, "tab=quotes")
    page.screenshot(path=str(SCREENSHOTS / "quotes.png"))

    person = next(iter(everything["facets"].get("persons") or []), None)
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, base, "filter=" + urllib.parse.quote(f"persons:{person['value']}") if person else "")
    page.screenshot(path=str(SCREENSHOTS / "narrow.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator("#facets-box")).not_to_have_attribute("open", "")  # folded: the hits come first
    page.locator("#facets-box summary").click()
    expect(page.locator("#facets button.facet-value").first).to_be_visible()
    assert page.problems == [], page.problems


def test_the_trending_panel_shows_what_the_api_says_and_filters_when_clicked(page, base):
    trends = api(base, "/api/trending", field=["persons", "organizations", "locations"], size=5)
    rows = [(name, row["value"]) for name, values in trends["fields"].items() for row in values]
    page.goto(base + "/")
    expect(page.locator("#trending")).to_be_visible()
    shown = page.locator("button.trend-value")
    expect(shown).to_have_count(len(rows))
    assert [(b.get_attribute("data-field"), b.get_attribute("data-value")) for b in shown.all()] == rows
    if not rows:
        expect(page.locator("#trending-note")).to_contain_text("Nothing stands out")
        return
    field, value = rows[0]
    shown.first.click()
    expect_total(page, articles(base, filter=f"{field}:{value}", size=0)["total"])
    assert f"filter={urllib.parse.quote(field)}" in page.url
    page.goto(base + "/?since=1990-01-01&until=1990-01-02")
    expect(page.locator("#trending-note")).to_contain_text("No articles")
    assert not page.problems, page.problems
