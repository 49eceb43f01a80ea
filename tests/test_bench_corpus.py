"""The benchmark's corpus: variations of a page read as distinct articles of other sites and dates."""

from __future__ import annotations

from datetime import date

from bench import corpus
from etl.clean import clean
from etl.records import RawDocument


def cleaned(path, settings):
    return clean(RawDocument(origin=str(path), content=path.read_bytes(), media_type="text/html"), settings)


def test_large_set_is_the_small_one_in_ten_variations_each(tmp_path):
    built = corpus.build(tmp_path / "corpus", small=3)
    assert built.counts == {"pages": 182, "html-small": 4, "html-large": 31}  # each with the seed
    small = sorted(p.stem for p in built.html_small.glob("*.html"))
    large = sorted(p.stem for p in built.html_large.glob("*.html"))
    assert large == sorted(f"{n}-{page}" for page in small for n in range(10))


def test_variations_are_new_articles_not_duplicates(tmp_path, settings):
    page_id, html = next(corpus.pages())
    folder = tmp_path / "pages"
    folder.mkdir()
    for n in range(4):
        (folder / f"{n}.html").write_bytes(corpus.variation(page_id, html, n))
    articles = [cleaned(folder / f"{n}.html", settings) for n in range(4)]
    original, variations = articles[0], articles[1:]
    assert len({a.id for a in articles}) == len({a.content_hash for a in articles}) == 4
    for n, article in enumerate(variations, start=1):
        assert article.source in {name for name, _ in corpus.SOURCES}
        assert article.url.startswith("https://") and article.url.endswith(f"-{n}")
        assert corpus.FIRST_DAY <= date.fromisoformat(article.published_at[:10])
        assert article.word_count <= original.word_count + 10  # a dateline added, paragraphs only dropped
