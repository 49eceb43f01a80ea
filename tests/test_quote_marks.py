"""Quotation marks as real copy types them, read by ``find_quoted_spans`` and through the pipeline."""

from __future__ import annotations

from etl.enrich.quote_marks import find_quoted_spans


def inside(text):
    return [text[s.start : s.end] for s in find_quoted_spans(text)]


def test_doubled_single_marks_are_one_double_mark():
    """Wire copy and old publishing systems type ’’ or '' for a closing (and ‘‘ for an opening) double mark."""
    text = "“The budget is balanced,’’ the treasurer said. ‘‘We kept our promise.’’ Don't ‘panic’, she added."
    assert inside(text) == ["The budget is balanced,", "We kept our promise.", "panic"]


def test_a_quote_closed_by_doubled_marks_keeps_its_speaker(nlp):
    text = "“The budget is balanced,’’ Ines Calder told reporters on Tuesday. “We kept our promise.”"
    doc = nlp(text)
    assert [(q.text, q.speaker) for q in doc._.quotes] == [
        ("The budget is balanced,", "Ines Calder"), ("We kept our promise.", "Ines Calder"),
    ]
