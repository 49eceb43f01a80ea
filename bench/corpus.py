"""The bench corpus, built under ``var/bench/corpus/`` from the seed and the extraction benchmark pages.

The 181 pages come from ``../shared/bench/extraction/html`` (decompressed into the git-ignored
``var/bench/``, never into the tracked tree). For scale, each page also yields variations such as a
day's crawl holds: another site (canonical URL, publisher), another publication date, a dateline,
and a shorter body (paragraphs dropped). The variations are new HTML pages, so every stage
(metadata, extraction, identity, dedup) does its real work on them; nearly all get an id and a body
of their own, and the few whose text comes out unchanged are what a crawl's duplicates look like.
"""

from __future__ import annotations

import gzip
import json
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_af0686017c84191f.txt"
PAGES = ROOT.parent / "shared" / "bench" / "extraction" / "html"

SOURCES = [
    ("Daily Ledger", "dailyledger.example"), ("The Harbour Times", "harbourtimes.example"),
    ("Metro Wire", "metrowire.example"), ("Northern Courier", "northerncourier.example"),
    ("Capital Report", "capitalreport.example"), ("Valley Gazette", "valleygazette.example"),
    ("Coastal Post", "coastalpost.example"), ("Evening Standard-Bearer", "standardbearer.example"),
]
CITIES = ["London", "Chicago", "Nairobi", "Sydney", "Toronto", "Mumbai", "Berlin", "Austin", "Dublin", "Osaka"]
FIRST_DAY = date(2024, 1, 1)
DAYS = 730


@dataclass(frozen=True)
class Corpus:
    pages: Path  # the seed and all the benchmark pages as they are
    html_small: Path  # the seed and N of the pages, spread over the whole set
    html_large: Path  # the seed and those N pages in 10 variations each (the first being the page itself)
    counts: dict[str, int]  # documents in each folder


def pages() -> Iterator[tuple[str, bytes]]:
    """(page id, HTML bytes) of the extraction benchmark pages, in id order."""
    for path in sorted(PAGES.glob("*.html.gz")):
        yield path.name.removesuffix(".html.gz"), gzip.decompress(path.read_bytes())


def variation(page_id: str, html: bytes, n: int) -> bytes:
    """Variation ``n`` of a page (0 is the page itself): another site, date and body length."""
    if n == 0:
        return html
    rng = random.Random(f"{page_id}-{n}")
    tree = lxml.html.document_fromstring(html)
    name, host = SOURCES[rng.randrange(len(SOURCES))]
    day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    url = f"https://{host}/{day:%Y/%m/%d}/{page_id[:12]}-{n}"
    _set_identity(tree, url, name, f"{day.isoformat()}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z")
    _vary_length(tree, rng)
    _add_dateline(tree, f"{rng.choice(CITIES)}, {day:%B} {day.day} ({name}) - ")
    return lxml.html.tostring(tree, encoding="utf-8", doctype="<!DOCTYPE html>")


def _set_identity(tree, url: str, source: str, published: str) -> None:
    """The variation's own URL (canonical link, og:url and JSON-LD: whichever the page names itself by),
    publisher and date, as JSON-LD: the first thing the cleaner trusts for those."""
    head = tree.find("head")
    if head is None:
        head = lxml.html.Element("head")
        tree.insert(0, head)
    for link in head.findall("link"):
        if (link.get("rel") or "").lower() == "canonical":
            link.set("href", url)
    for meta in head.findall("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:url":
            meta.set("content", url)
    script = lxml.html.Element("script", type="application/ld+json")
    script.text = json.dumps({
        "@context": "https://schema.org", "@type": "NewsArticle", "url": url,
        "datePublished": published, "publisher": {"@type": "Organization", "name": source},
    })
    head.insert(0, script)


def _paragraphs(tree) -> list:
    """Paragraphs of prose: <p> elements of 8 words or more that hold no other paragraph."""
    return [p for p in tree.iter("p") if len(p.text_content().split()) >= 8 and p.find(".//p") is None]


def _add_dateline(tree, dateline: str) -> None:
    """A wire-style dateline on the longest paragraph (the story's, not a teaser's): a body of its own."""
    paragraphs = _paragraphs(tree)
    if paragraphs:
        longest = max(paragraphs, key=lambda p: len(p.text_content()))
        longest.text = dateline + (longest.text or "")


def _vary_length(tree, rng: random.Random) -> None:
    """Drop up to half of the paragraphs: the same story, cut shorter."""
    paragraphs = _paragraphs(tree)
    for p in rng.sample(paragraphs, k=rng.randint(0, len(paragraphs) // 2)):
        p.drop_tree()


def build(folder: Path, small: int) -> Corpus:
    """The corpus folders (see ``Corpus``), with ``small`` pages in the small set.

    The large set is the small one ten times over, as variations: the same mix of page lengths
    and layouts, so a difference in peak memory between the two runs can only come from the
    number of documents (something accumulating), not from a longer page in one of them.
    """
    if folder.exists():
        shutil.rmtree(folder)
    sets = {name: folder / name for name in ("pages", "html-small", "html-large")}
    for path in sets.values():
        path.mkdir(parents=True)
        shutil.copy(SEED, path / SEED.name)
    originals = list(pages())
    for page_id, html in originals:
        (sets["pages"] / f"{page_id[:16]}.html").write_bytes(html)
    step = max(1, len(originals) // small)
    for page_id, html in originals[::step][:small]:
        (sets["html-small"] / f"{page_id[:16]}.html").write_bytes(html)
        for n in range(10):  # named round first: a batch mixes pages as in the small set, not 8 copies of one
            (sets["html-large"] / f"{n}-{page_id[:16]}.html").write_bytes(variation(page_id, html, n))
    counts = {name: sum(1 for _ in path.iterdir()) for name, path in sets.items()}
    return Corpus(sets["pages"], sets["html-small"], sets["html-large"], counts)


def scaled(folder: Path, count: int) -> Path:
    """``count`` pages in ``folder`` (gzipped, as a crawl stores them): the benchmark pages in turn, each
    round in new variations, so a set of 1,000 and one of 10,000 hold the same mix of pages."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    originals = list(pages())
    for n in range(count):
        page_id, html = originals[n % len(originals)]
        variant = n // len(originals)
        (folder / f"{variant:04d}-{page_id[:16]}.html.gz").write_bytes(gzip.compress(variation(page_id, html, variant), 1))
    return folder


def write_texts(articles_jsonl: Path, folder: Path, limit: int) -> int:
    """The clean English bodies of a ``news-etl clean`` output as ``.txt`` files (one paragraph per line)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    count = 0
    with articles_jsonl.open(encoding="utf-8") as lines:
        for line in lines:
            if count == limit:
                break
            article = json.loads(line)
            if article["language"] != "en":  # enrich skips the model for these; nlp.pipe alone would not
                continue
            body = article["body"]
            (folder / f"{count:05d}.txt").write_text(body.replace("\n\n", "\n"), encoding="utf-8")
            count += 1
    return count


def halves(folder: Path) -> tuple[Path, Path]:
    """The folder's ``.txt`` files dealt into two folders beside it of about equal text: longest first,
    each to the half with less so far."""
    parts = tuple(folder.with_name(f"{folder.name}-half-{n}") for n in (1, 2))
    for part in parts:
        if part.exists():
            shutil.rmtree(part)
        part.mkdir(parents=True)
    sizes = [0, 0]
    for path in sorted(folder.glob("*.txt"), key=lambda p: (-p.stat().st_size, p.name)):
        lighter = sizes.index(min(sizes))
        shutil.copyfile(path, parts[lighter] / path.name)
        sizes[lighter] += path.stat().st_size
    return parts
