"""An article's language: what its body text is written in, with the page's declared language as a hint.

Pages declare a language (``<html lang>``, ``og:locale``, JSON-LD ``inLanguage``) that is often a
site-wide template value (``<html lang="de">`` on an English story of a German site's English
section). The body's text is identified (py3langid, probabilities normalised) in two samples, its
opening and a stretch further on; the declared language loses only when both samples agree on
another language with high confidence. A short body (too few words to tell), a mixed one (the
samples disagree) or an uncertain one keeps the declared language; a page that declares none
gets what the opening sample says.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from etl.disk_cache import cached

SAMPLE_CHARS = 600  # characters per sample: enough to tell; identification time grows with it (1.5 ms per 1000)
MIN_WORDS = 40  # fewer words than this and the body keeps the declared language
CONFIDENT = 0.99  # probability each sample needs to overrule the declared language

_identifier: LanguageIdentifier | None = None


def language_code(value: str | None) -> str | None:
    """"en-US", "en_GB", "EN" -> "en"; a value that is not a string or not a language code, None.
    The one reading of a declared language: the cleaner's for pages, the enricher's for its input."""
    if not value or not isinstance(value, str):
        return None
    code = re.split(r"[-_,;\s]", value.strip())[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def article_language(declared: str | None, body: str) -> str:
    """The language code of ``body``, ``declared`` (already a bare code like "en") unless the text disagrees
    with high confidence."""
    if declared is not None and len(body.split()) < MIN_WORDS:
        return declared
    first, first_p = _identify(body[:SAMPLE_CHARS])
    if declared is None:
        return first
    if first == declared or first_p < CONFIDENT:
        return declared
    later = body[len(body) // 2:][:SAMPLE_CHARS]
    second, second_p = _identify(later) if len(later.split()) >= MIN_WORDS else (first, first_p)
    return first if second == first and second_p >= CONFIDENT else declared


def load_identifier(cache_dir: Path | None = None) -> LanguageIdentifier:
    """The language identifier, once per process, from ``cache_dir`` when it was kept there: the
    package's model takes 0.6 s to unpack, which the cleaner spends before a page's time budget
    starts, not in it."""
    global _identifier
    if _identifier is None:
        _identifier = cached(cache_dir, "language-identifier", _unpack_identifier, version("py3langid"))
    return _identifier


def _unpack_identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _identify(text: str) -> tuple[str, float]:
    language, probability = load_identifier().classify(text)
    return language, float(probability)
