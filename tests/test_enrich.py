"""enrich(): streaming through the real spaCy pipeline, rejects, non-English articles, the contract."""

from __future__ import annotations

from datetime import datetime

import pytest

from etl.enrich import enrich, load_nlp
from etl.records import Article, IndexedDocument, Rejected


def article(body, n: int = 0, language: str | None = "en") -> Article:
    return Article(
        id=f"a{n}", url=f"https://news.example/{n}", source="news.example", title=f"Story {n}", authors=[],
        published_at="2022-03-30T12:00:00+00:00", language=language, body=body,
        word_count=len(body.split()) if isinstance(body, str) else 0, content_hash=f"h{n}", origin=f"seed-{n}",
    )


def test_seed_article_becomes_an_indexed_document_with_entities_and_quotes(nlp, settings, seed_text):
    (doc,) = list(enrich([article(seed_text)], nlp, settings))
    assert isinstance(doc, IndexedDocument)
    out = doc.to_dict()
    assert {"Vladimir Putin", "Antony Blinken", "John Kirby"} <= set(out["persons"])
    assert "Ukraine" in out["locations"] and "Pentagon" in out["organizations"]
    assert {"John Kirby", "Kate Bedingfield", "Vladimir Medinsky"} <= set(out["speakers"])
    for quote in out["quotes"]:
        assert seed_text[quote["start"] : quote["end"]] == quote["text"]
        assert quote["kind"] in ("direct", "partial", "indirect")
    assert datetime.fromisoformat(out["ingested_at"]).tzinfo is not None


def test_enrich_streams_lazily_in_input_order(nlp, settings):
    taken = []

    def articles():
        for n in range(5):
            taken.append(n)
            yield article(f"Minister Anna Berg said the talks number {n} went well.", n)

    stream = enrich(articles(), nlp, settings.with_(nlp_batch_size=2))
    first = next(stream)
    assert first.article.id == "a0"
    assert len(taken) < 5  # the rest is not read before the first document comes out
    assert [d.article.id for d in stream] == ["a1", "a2", "a3", "a4"]


def test_a_broken_article_is_rejected_while_the_others_go_on(nlp, settings):
    items = list(enrich([article("Kirby said it was over.", 0), article(None, 1), article("Berg said yes.", 2)],
                        nlp, settings))
    assert [type(i) for i in items] == [IndexedDocument, Rejected, IndexedDocument]
    rejected = items[1]
    assert (rejected.stage, rejected.id, rejected.origin) == ("enrich", "a1", "seed-1")
    assert "body" in rejected.reason


def test_an_enricher_failure_rejects_only_that_article(nlp, settings, quote_finder_fails_on):
    quote_finder_fails_on("EXPLODE", "boom")
    items = list(enrich([article("Berg said no.", 0), article("EXPLODE now.", 1), article("Ok.", 2)], nlp, settings))
    assert [type(i).__name__ for i in items] == ["IndexedDocument", "Rejected", "IndexedDocument"]
    assert "RuntimeError: boom" in items[1].reason


def test_a_model_component_failure_rejects_its_articles_and_the_stream_goes_on(settings):
    """Fault injection: the small model does not fail on real text, so a component that raises on a marked
    text stands in for ner/parser failing: only that article is rejected, its batch-mates are indexed."""
    from spacy.language import Language

    @Language.component("test_fails_on_marker")
    def fails_on_marker(doc):
        if "EXPLODE" in doc.text:
            raise RuntimeError("model blew up")
        return doc

    fragile = load_nlp(settings)  # a pipeline of its own: the session one stays as it is
    fragile.add_pipe("test_fails_on_marker", before="ner")
    batch = [article("Berg said no.", 0), article("EXPLODE now.", 1), article("Ok.", 2), article("Fine.", 3)]
    items = list(enrich(batch, fragile, settings.with_(nlp_batch_size=2)))
    assert [type(i).__name__ for i in items] == ["IndexedDocument", "Rejected", "IndexedDocument", "IndexedDocument"]
    assert items[1].id == "a1" and "model blew up" in items[1].reason


def test_non_english_articles_are_indexed_without_english_enrichment(nlp, settings):
    german = article("„Wir bleiben“, sagte Bundeskanzler Olaf Scholz in Berlin.", 0, language="de")
    (doc,) = list(enrich([german], nlp, settings))
    assert isinstance(doc, IndexedDocument)
    assert doc.entities == [] and doc.quotes == []
    assert doc.article.body == german.body


def test_long_bodies_are_enriched_on_a_prefix_but_kept_whole(nlp, settings):
    body = "Kirby said the threat was not over. " + "Filler text here. " * 50 + "Later, Anna Berg said it ended."
    (doc,) = list(enrich([article(body)], nlp, settings.with_(max_body_chars=60)))
    assert doc.article.body == body
    assert [q.speaker for q in doc.quotes] == ["Kirby"]


def test_an_unknown_model_name_is_a_clear_error(settings):
    with pytest.raises(ValueError, match="no_such_model"):
        load_nlp(settings.with_(model="no_such_model"))
