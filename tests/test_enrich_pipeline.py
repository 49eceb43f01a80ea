"""The enrich pipeline's make-up: spaCy checks the order of its components, and the faster coarse-POS
step gives the enrichers the very tokens the model's own attribute ruler gives them, on real news."""

from __future__ import annotations

import itertools
from dataclasses import asdict

import pytest
from spacy.attrs import DEP, POS, TAG

from bench import corpus
from etl.clean import clean
from etl.enrich import enrich, load_nlp
from etl.enrich.components import COARSE_POS
from etl.enrich.model import ATTRIBUTE_RULER
from etl.records import Article, RawDocument, RejectedInput

SAMPLE_PAGES = 12  # spread over the 181 real pages: long and short, many sites


@pytest.fixture(scope="module")
def reference_nlp(settings):
    """The pipeline as it was before COARSE_POS: the model's own attribute ruler in the same place."""
    nlp = load_nlp(settings)
    nlp.remove_pipe(COARSE_POS)
    nlp.enable_pipe(ATTRIBUTE_RULER)
    return nlp


@pytest.fixture(scope="module")
def real_articles(settings) -> list[Article]:
    pages = list(corpus.pages())
    articles = []
    for page_id, html in pages[:: len(pages) // SAMPLE_PAGES]:
        try:
            article = clean(RawDocument(origin=page_id, content=html, media_type="text/html"), settings)
        except RejectedInput:
            continue
        if article.language == "en":
            articles.append(article)
    assert len(articles) >= SAMPLE_PAGES * 2 // 3
    return articles


def test_spacy_finds_every_attribute_our_components_read_set_before_them(nlp):
    analysis = nlp.analyze_pipes(pretty=False)
    assert analysis["problems"] == {name: [] for name in nlp.pipe_names}
    assert analysis["attrs"]["token.pos"]["assigns"] == [COARSE_POS]


def test_spacy_reports_a_pipeline_that_would_leave_the_enrichers_without_pos(settings):
    broken = load_nlp(settings)
    broken.remove_pipe(COARSE_POS)  # and the attribute ruler left disabled: nothing sets token.pos
    problems = broken.analyze_pipes(pretty=False)["problems"]
    assert "token.pos" in problems["news_entities"] and "token.pos" in problems["news_quotes"]


def test_the_model_attribute_ruler_is_off_and_its_rules_still_apply(nlp):
    assert ATTRIBUTE_RULER in nlp.disabled and ATTRIBUTE_RULER not in nlp.pipe_names
    doc = nlp("Nobody has said that she was being careful, but there were doubts.")
    # Rules beyond the tag map: "has"/"was" as auxiliaries, "Nobody" a pronoun, "that" a subordinator.
    assert [t.pos_ for t in doc if t.lower_ in ("nobody", "has", "that", "was", "being")] == \
        ["PRON", "AUX", "SCONJ", "AUX", "AUX"]


def test_real_pages_get_the_same_tokens_entities_and_quotes_as_with_the_attribute_ruler(
    nlp, reference_nlp, real_articles, settings,
):
    bodies = [a.body for a in real_articles]
    for fast, reference in zip(nlp.pipe(bodies), reference_nlp.pipe(bodies)):
        assert (fast.to_array([POS, TAG, DEP]) == reference.to_array([POS, TAG, DEP])).all()
    fast_docs = list(enrich(real_articles, nlp, settings))
    reference_docs = list(enrich(real_articles, reference_nlp, settings))
    assert sum(len(d.quotes) for d in fast_docs) > 0 and sum(len(d.entities) for d in fast_docs) > 0
    for fast, reference in itertools.zip_longest(fast_docs, reference_docs):
        assert [asdict(e) for e in fast.entities] == [asdict(e) for e in reference.entities]
        assert [asdict(q) for q in fast.quotes] == [asdict(q) for q in reference.quotes]


def test_the_enrichers_read_the_text_the_tokenizer_kept_and_only_for_its_own_document(nlp):
    from spacy.tokens import Doc

    from etl.enrich.doc_text import text_of

    text = "  Mayor Ann Holt said:\n\n“We will rebuild it.”  \n"
    doc = nlp(text)
    assert text_of(doc) == text == doc.text
    other = Doc(nlp.vocab, words=["Another", "story"], user_data=dict(doc.user_data))  # user data copied along
    assert text_of(other) == "Another story " and text_of(Doc(nlp.vocab)) == ""
