"""The enrichers as spaCy pipeline components, storing results in ``Doc._`` extensions.

``doc._.entities``: list[Entity]; ``doc._.entity_of``: token index -> Entity (used by the
quote finder to name speakers); ``doc._.quotes``: list[Quote]. A component never raises:
a failure is recorded in ``doc._.enrich_error`` so that ``enrich`` rejects that one article
while the rest of the batch goes on (an exception inside ``nlp.pipe`` would end the stream).
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.language import Language
from spacy.tokens import Doc

from etl.enrich.entities import extract_entities, load_variants
from etl.enrich.lexicon import load_lexicon
from etl.enrich.quotes import extract_quotes

PARAGRAPHS = "news_paragraphs"
ENTITIES = "news_entities"
QUOTES = "news_quotes"

for _name in ("entities", "entity_of", "quotes", "enrich_error"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def _guarded(name: str, work: Callable[[Doc], None]) -> Callable[[Doc], Doc]:
    def component(doc: Doc) -> Doc:
        if doc._.enrich_error is None:
            try:
                work(doc)
            except Exception as err:  # recorded, turned into a Rejected by enrich()
                doc._.enrich_error = f"{name} failed: {type(err).__name__}: {err}"
        return doc

    return component


@Language.component(PARAGRAPHS)
def paragraph_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break, before the parser runs.

    The parser otherwise runs sentences across paragraphs (a closing quote mark, a line break and
    "Speaking in Morocco, X warned that ..." parse as one sentence), which attaches a paragraph's
    words to the previous paragraph's verb and so to the wrong speaker.
    """
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


@Language.factory(ENTITIES, default_config={"variants_path": None, "lexicon_path": None})
def make_entities(nlp: Language, name: str, variants_path: str | None, lexicon_path: str | None):
    variants, lexicon = load_variants(variants_path), load_lexicon(lexicon_path)
    matcher = variants.matcher(nlp)

    def work(doc: Doc) -> None:
        doc._.entities, doc._.entity_of = extract_entities(doc, variants, lexicon, matcher)

    return _guarded(name, work)


@Language.factory(QUOTES, default_config={"lexicon_path": None})
def make_quotes(nlp: Language, name: str, lexicon_path: str | None):
    lexicon = load_lexicon(lexicon_path)

    def work(doc: Doc) -> None:
        doc._.quotes = extract_quotes(doc, doc._.entity_of or {}, lexicon)

    return _guarded(name, work)
