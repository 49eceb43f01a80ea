"""Which spaCy pipeline enriches an article, by its language.

English (and an article whose language is unknown) goes to the pipeline the run was given
(setting ``model``); another language to the pipeline ``models`` names for it, loaded the first
time an article in that language arrives and then kept for the life of the process (a pipeline
costs hundreds of MB, and worker processes each load only the languages they meet). A language
with no configured pipeline, or one that is not installed, is not enriched: its articles carry
the reason, and a missing pipeline is warned about once per process, not once per article.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from spacy.language import Language

from etl.clean.language import language_code
from etl.enrich.model import load_language_nlp
from etl.settings import Settings

log = logging.getLogger(__name__)

ENGLISH = "en"


@dataclass(frozen=True)
class Route:
    """Where an article goes: a pipeline and its name, or the reason it is not enriched."""

    nlp: Language | None
    name: str | None
    skipped: str | None = None


# (language, model) -> its pipeline, or why it could not be loaded: once per process.
_loaded: dict[tuple[str, str], Route] = {}


def router(english: Language, settings: Settings) -> Callable[[str | None], Route]:
    """A function from an article's language code to its ``Route``."""
    main = Route(english, settings.model)

    def route(code: str | None) -> Route:
        language = language_code(code) or ENGLISH  # none, or not a code: English, as runs always assumed
        if language == ENGLISH:
            return main
        model = settings.models.get(language)
        if model is None:
            return Route(None, None, f"no spaCy model for language {language!r} (setting NEWS_ETL_MODELS)")
        return _pipeline(language, model, settings)

    return route


def _pipeline(language: str, model: str, settings: Settings) -> Route:
    found = _loaded.get((language, model))
    if found is None:
        try:
            found = Route(load_language_nlp(language, model, settings), model)
        except ValueError as err:
            log.warning("%s; its articles are indexed without entities and quotes", err)
            found = Route(None, None, str(err))
        _loaded[(language, model)] = found
    return found
