"""The document facts the entity rules gather once (``entity_doc``) answer as spaCy's own objects do."""

from __future__ import annotations

from etl.enrich.entity_doc import facts, gathered


def test_sentences_texts_and_word_positions_agree_with_spacy(nlp):
    doc = nlp("Ms. Okafor said on Monday that the plan works.\n\nPhoto by Jane Roe. The Harbor Center opened "
              "in Denver, CO. “It’s late,” she said.")
    with gathered(doc) as found:
        for span in [*doc.ents, doc[0:2], doc[len(doc) - 3 : len(doc)]]:
            sent = span.sent
            assert found.sentence(span) == (sent.start, sent.end)
            assert found.text_of(span) == span.text and found.text_of(sent) == sent.text
        assert found.where(frozenset({"center", "said"})) == [t.i for t in doc if t.lower_ in ("center", "said")]
        assert found.where(frozenset({"CO"}), lowercase=False, first=3) == [t.i for t in doc if t.text == "CO"]
        assert found.ents == doc.ents
    assert facts(doc) is not found  # nothing is left in the document after the extraction
