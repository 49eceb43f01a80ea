"""The enrichers as spaCy pipeline components, storing results in ``Doc._`` extensions.

``doc._.entities``: list[Entity]; ``doc._.entity_of``: token index -> Entity (used by the
quote finder to name speakers); ``doc._.quotes``: list[Quote]. A component never raises:
a failure is recorded in ``doc._.enrich_error`` so that ``enrich`` rejects that one article
while the rest of the batch goes on (an exception inside ``nlp.pipe`` would end the stream).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy
from spacy.attrs import DEP, IS_SPACE, LOWER, POS, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.parts_of_speech import IDS
from spacy.tokens import Doc, Span

from etl.enrich.entities import extract_entities, load_variants
from etl.enrich.gazetteer import load_gazetteer
from etl.enrich.lexicon import load_lexicon
from etl.enrich.quotes import extract_quotes

COARSE_POS = "news_coarse_pos"
ENTITY_LABELS = "news_entity_labels"
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


@Language.component(PARAGRAPHS, assigns=["token.is_sent_start"])
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


# The labels of the WikiNER-trained pipelines (fr, de, es, it, pt, nl ...) as the project's: LOC stays LOC, which
# the locations facet holds. MISC (events, nationalities, works, "Première ministre") names nothing one searches by.
WIKINER_LABELS = {"PER": "PERSON", "LOC": "LOC", "ORG": "ORG", "MISC": ""}


@Language.factory(
    ENTITY_LABELS, default_config={"labels": WIKINER_LABELS}, assigns=["doc.ents"], requires=["doc.ents"],
)
def make_entity_labels(nlp: Language, name: str, labels: dict[str, str]):
    """The model's entity labels mapped onto the project's (``labels``; "" drops the entity, a label
    not listed is kept), so that the enrichers and the facets see PERSON, ORG and LOC in every language.
    These models take a leading article into the name, which the English one does not: it is cut."""

    def component(doc: Doc) -> Doc:
        kept = []
        for ent in doc.ents:
            label, start = labels.get(ent.label_, ent.label_), ent.start
            while start < ent.end - 1 and doc[start].pos_ == "DET":  # "l'Assemblée nationale": the name has no article
                start += 1
            if label:
                kept.append(Span(doc, start, ent.end, label=label))
        doc.set_ents(kept, default="outside")
        return doc

    return component


@Language.factory(
    COARSE_POS, default_config={"source": "attribute_ruler"},
    assigns=["token.pos", "token.tag", "token.dep"], requires=["token.tag", "token.dep"],
)
def make_coarse_pos(nlp: Language, name: str, source: str):
    """The model's own attribute rules (``source``, left disabled), cut to what the enrichers read.

    The enrichers read coarse POS, tags and dependencies, never lemmas or morphology. spaCy's
    AttributeRuler runs a Matcher of ~180 rules over every token and sets each match through a
    Span: 13 % of the pipeline's time. Here each rule that tests tokens for "is (not) one of"
    is keyed by one of its tests and applied to all the tokens of that value at once, with numpy
    (56 rules just map a fine tag to its POS); only a rule with other operators would go through a
    Matcher. As in the AttributeRuler, every rule is matched against the tokens as the parser left
    them and the matches are applied in the model's order, later rules winning: the POS, tags and
    dependencies are the same, token for token.
    """
    rules = [(rule, attrs) for rule in nlp.get_pipe(source).patterns
             if (attrs := {k: v for k, v in rule["attrs"].items() if k in _READ})]
    indexed: list[dict[int, list]] = [{} for _ in _COLUMNS]  # per column: value -> rules whose first token tests it
    matcher = Matcher(nlp.vocab)
    matched: dict[int, tuple[int, int, dict]] = {}  # match id -> (order, token index in the match, attrs)
    for order, (rule, attrs) in enumerate(rules):
        tokens = _simple_tokens(rule, nlp.vocab)
        if tokens is None:
            matcher.add(str(order), rule["patterns"])
            matched[nlp.vocab.strings[str(order)]] = (order, rule["index"], attrs)
            continue
        key = next(test for test in tokens[0] if test[2])  # one "is one of" narrows the candidates enough
        checks = [(n, test[0], numpy.fromiter(test[1], dtype="uint64"), test[2])
                  for n, tests in enumerate(tokens) for test in tests if test is not key]
        for value in key[1]:
            indexed[key[0]].setdefault(value, []).append((order, len(tokens), checks, rule["index"] % len(tokens), attrs))
    keyed = [numpy.fromiter(table, dtype="uint64") for table in indexed]

    def component(doc: Doc) -> Doc:
        columns = doc.to_array(list(_COLUMNS)).reshape(len(doc), len(_COLUMNS))
        hits = [(order, [start + index if index >= 0 else end + index], attrs)
                for match_id, start, end in (matcher(doc, allow_missing=True) if matched else ())
                for order, index, attrs in [matched[match_id]]]
        # Each distinct value of a column once, and each rule over all the tokens it keys at once.
        for column, (table, keys) in enumerate(zip(indexed, keyed)):
            values, inverse = numpy.unique(columns[:, column], return_inverse=True)
            for k in numpy.flatnonzero(numpy.isin(values, keys)).tolist():
                every = numpy.flatnonzero(inverse == k)
                for order, length, checks, target, attrs in table[int(values[k])]:
                    starts = every[every + length <= len(doc)]
                    for n, check_column, wanted, inside in checks:
                        if starts.size:  # numpy.isin costs more than this comparison for the few values tested
                            starts = starts[(columns[starts + n, check_column, None] == wanted).any(axis=1) == inside]
                    if starts.size:
                        hits.append((order, starts + target, attrs))
        pos = numpy.zeros(len(doc), dtype="uint64")
        for _, where, attrs in sorted(hits, key=lambda hit: hit[0]):  # the model's order: later rules win
            if "POS" in attrs:
                pos[where] = IDS[attrs["POS"]]
            for i in numpy.asarray(where).tolist() if "TAG" in attrs or "DEP" in attrs else ():
                if "TAG" in attrs:
                    doc[i].tag_ = attrs["TAG"]
                if "DEP" in attrs:
                    doc[i].dep_ = attrs["DEP"]
        doc.from_array([POS], pos.reshape(-1, 1))
        return doc

    return component


_READ = ("POS", "TAG", "DEP")  # what the enrichers read of the attribute rules
_COLUMNS = (LOWER, TAG, DEP, IS_SPACE)  # what a rule done by look-up may test, in to_array order
_NAMES = ("LOWER", "TAG", "DEP", "IS_SPACE")


def _simple_tokens(rule: dict, vocab) -> list[list[tuple[int, frozenset[int], bool]]] | None:
    """A rule of one alternative whose token tests are all "is (not) one of" on ``_COLUMNS``, the first
    token's including a positive one, as [[(column, values, inside)] per token]; None for the Matcher."""
    if len(rule["patterns"]) != 1:
        return None
    tokens = []
    for token in rule["patterns"][0]:
        tests = []
        for name, wanted in token.items():
            if isinstance(wanted, dict) and len(wanted) == 1 and next(iter(wanted)) in ("IN", "NOT_IN"):
                (operator, values), = wanted.items()
            elif isinstance(wanted, (str, bool)):
                operator, values = "IN", [wanted]
            else:
                return None
            if name not in _NAMES:
                return None
            hashes = frozenset(int(v) if isinstance(v, bool) else vocab.strings.add(v) for v in values)
            tests.append((_NAMES.index(name), hashes, operator == "IN"))
        tokens.append(tests)
    return tokens if tokens and any(inside for _, _, inside in tokens[0]) else None


@Language.factory(
    ENTITIES, default_config={"variants_path": None, "lexicon_path": None, "cache_dir": None},
    assigns=["doc._.entities", "doc._.entity_of", "doc._.enrich_error"], requires=["doc.ents", "doc.sents", "token.pos"],
)
def make_entities(nlp: Language, name: str, variants_path: str | None, lexicon_path: str | None, cache_dir: str | None):
    variants, lexicon = load_variants(variants_path), load_lexicon(lexicon_path)
    matcher = variants.matcher(nlp)
    load_gazetteer(Path(cache_dir) if cache_dir else None)

    def work(doc: Doc) -> None:
        doc._.entities, doc._.entity_of = extract_entities(doc, variants, lexicon, matcher)

    return _guarded(name, work)


@Language.factory(
    QUOTES, default_config={"lexicon_path": None}, assigns=["doc._.quotes", "doc._.enrich_error"],
    requires=["doc._.entity_of", "doc.sents", "token.dep", "token.tag", "token.pos"],
)
def make_quotes(nlp: Language, name: str, lexicon_path: str | None):
    lexicon = load_lexicon(lexicon_path)

    def work(doc: Doc) -> None:
        doc._.quotes = extract_quotes(doc, doc._.entity_of or {}, lexicon)

    return _guarded(name, work)
