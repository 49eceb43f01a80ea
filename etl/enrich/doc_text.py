"""A document's text without rebuilding it: ``doc.text`` joins every token's text anew on each call,
a fifth or more of what the enrichers cost. The pipelines' tokenizer keeps the text it was given in
``doc.user_data``; a document made another way (a ``DocBin``, ``Doc(vocab, words=...)``) falls back to
``doc.text``."""

from __future__ import annotations

from spacy.tokens import Doc

_KEY = "news_etl.text"


class TextKeepingTokenizer:
    """The model's tokenizer, keeping each document's text (anything else is the wrapped tokenizer's)."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc.user_data[_KEY] = text
        return doc

    def __getattr__(self, name: str):
        return getattr(self.tokenizer, name)


def text_of(doc: Doc) -> str:
    """``doc.text``, as the tokenizer was given it when it was kept."""
    text = doc.user_data.get(_KEY)
    if not isinstance(text, str) or not len(doc):
        return doc.text
    last = doc[-1]  # a text kept for another document (user data copied along) does not end where this one does
    return text if len(text) == last.idx + len(last.text_with_ws) else doc.text
