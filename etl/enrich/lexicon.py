"""The speech-cue lexicon: data (``speech_verbs.json``), not code, so it can be extended without a release.

One file per language: ``speech_verbs.json`` is English's, ``speech_verbs.<code>.json`` another language's
(``speech_verbs.fr.json``). Its ``grammar`` block holds what the quote finder reads of the language
itself (subject labels, pronouns, determiners); a file without one takes the English block.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import numpy
from spacy.strings import get_string_id

DEFAULT_PATH = Path(__file__).with_name("speech_verbs.json")


@dataclass(frozen=True)
class SpeechLexicon:
    verbs: frozenset[str]  # lowercase inflected forms ("said", "warns", ...)
    phrases: tuple[tuple[str, ...], ...]  # multi-word cues ("according", "to")
    roles: frozenset[str]  # nouns naming a speaker by position ("spokesman")
    titles: frozenset[str]  # words before a name that are not part of it ("Mayor", "Foreign")
    phrase_starts: frozenset[str]  # first words of the phrases
    female: frozenset[str] = frozenset()  # honorifics and nouns that settle "she" ("ms", "daughter")
    male: frozenset[str] = frozenset()  # ... and "he" ("mr", "spokesman")
    company_nouns: frozenset[str] = frozenset()  # "the retailer said": the company the article is about
    requests: frozenset[str] = frozenset()  # cue verbs whose clause is a question or a request, not a claim
    organisation_nouns: frozenset[str] = frozenset()  # "the union Unite": the name beside it is an organisation
    organisation_suffixes: frozenset[str] = frozenset()  # "Harlow Foods": a name ending so is an organisation
    documents: frozenset[str] = frozenset()  # "a report from X", "the statement said": X, or whoever issued it
    abbreviations: dict[str, str] = field(default_factory=dict, hash=False)  # "gov" -> "governor"
    # "accused X of Y", "urged X to Y": verb form -> the word opening the complement reported with the object
    object_reports: dict[str, str] = field(default_factory=dict, hash=False)
    # The language itself (the "grammar" block): the parser's subject labels, all and passive ...
    subjects: frozenset[str] = frozenset()
    passive_subjects: frozenset[str] = frozenset()
    pronoun_gender: dict[str, str] = field(default_factory=dict, hash=False)  # "she" -> "f"
    person_pronouns: frozenset[str] = frozenset()  # he/she: a person, never an organisation
    pronoun_labels: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)  # "they" -> kinds it may mean
    plural_pronouns: frozenset[str] = frozenset()  # "they" may mean the last plural subject ("Critics")
    indefinite: frozenset[str] = frozenset()  # "a spokesman" names nobody
    complementizers: frozenset[str] = frozenset()  # "said that ...": not part of the claim
    question_words: frozenset[str] = frozenset()  # "asked whether ...": no claim

    # The same words as spaCy's ids (the values of Doc.to_array's LOWER and DEP columns), so that a
    # document's tokens are screened with one array test and only the few that pass become Token objects.
    @cached_property
    def cue_word_ids(self) -> numpy.ndarray:
        """Words a cue may start with: the verbs, the object-report verbs and the phrases' first words."""
        return word_ids([*self.verbs, *self.object_reports, *self.phrase_starts])

    @cached_property
    def subject_ids(self) -> numpy.ndarray:
        return word_ids(self.subjects)

    @cached_property
    def document_ids(self) -> numpy.ndarray:
        return word_ids(self.documents)

    def pronoun(self, token) -> str:
        """A pronoun's word: "-il" of the inverted "a-t-il dit" is "il"."""
        return token.lower_.lstrip("-")

    def is_verb(self, token) -> bool:
        return token.lower_ in self.verbs and token.pos_ in ("VERB", "AUX")

    def reports_claims(self, token) -> bool:
        """Whether this cue verb's clause is reported speech ("said [X]"), not a question or request."""
        return token.lower_ not in self.requests

    def spelled_out(self, token) -> str:
        """A token's word in full, lowercase: "Gov." -> "governor"; other words just lowercased, without a final dot."""
        word = token.lower_.rstrip(".")
        return self.abbreviations.get(word, word)

    def phrase_at(self, token) -> str | None:
        """The multi-word cue starting at ``token``, if one does (asked of every token: cheap first test)."""
        end = self.phrase_end(token)
        return token.doc[token.i : end].text if end is not None else None

    def phrase_end(self, token) -> int | None:
        """One past the last token of the cue phrase starting at ``token`` ("D'après" is two tokens, one word)."""
        if token.lower_ not in self.phrase_starts:
            return None
        doc = token.doc
        for phrase in self.phrases:
            end = token.i + len(phrase)
            if end <= len(doc) and all(doc[token.i + n].lower_ == word for n, word in enumerate(phrase)):
                return end
        return None


def word_ids(words: Iterable[str]) -> numpy.ndarray:
    return numpy.array(sorted({get_string_id(w) for w in words}), dtype="uint64")


def among(values: numpy.ndarray, ids: numpy.ndarray) -> numpy.ndarray:
    """Which ``values`` are in the sorted ``ids`` (``word_ids``): a binary search each, where numpy.isin
    would sort both on every call."""
    if not len(ids):
        return numpy.zeros(len(values), dtype=bool)
    at = numpy.minimum(numpy.searchsorted(ids, values), len(ids) - 1)
    return ids[at] == values


def lexicon_path(language: str) -> Path | None:
    """The bundled lexicon of a language other than English, if there is one."""
    path = DEFAULT_PATH.with_name(f"{DEFAULT_PATH.stem}.{language}.json")
    return path if path.is_file() else None


@lru_cache(maxsize=8)
def load_lexicon(path: str | Path | None = None) -> SpeechLexicon:
    source = Path(path) if path else DEFAULT_PATH
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
        grammar = data["grammar"] if "grammar" in data else _english_grammar()
        phrases = tuple(tuple(w.lower() for w in p) for p in data.get("phrases", []))
        return SpeechLexicon(
            verbs=frozenset(form.lower() for forms in data["verbs"].values() for form in forms),
            phrases=phrases,
            phrase_starts=frozenset(p[0] for p in phrases if p),
            roles=frozenset(r.lower() for r in data.get("roles", [])),
            titles=frozenset(t.lower() for t in data.get("titles", [])),
            female=frozenset(w.lower() for w in data.get("gendered", {}).get("female", [])),
            male=frozenset(w.lower() for w in data.get("gendered", {}).get("male", [])),
            company_nouns=frozenset(w.lower() for w in data.get("company_nouns", [])),
            requests=frozenset(w.lower() for w in data.get("requests", [])),
            organisation_nouns=frozenset(
                w.lower() for w in [*data.get("organisation_nouns", []), *data.get("company_nouns", [])]
            ),
            organisation_suffixes=frozenset(w.lower() for w in data.get("organisation_suffixes", [])),
            documents=frozenset(w.lower() for w in data.get("documents", [])),
            abbreviations={k.lower(): v.lower() for k, v in data.get("abbreviations", {}).items()},
            object_reports={
                form.lower(): marker.lower()
                for marker, forms in data.get("object_reports", {}).items() if not marker.startswith("_")
                for form in forms
            },
            subjects=frozenset(grammar["subjects"]),
            passive_subjects=frozenset(grammar["passive_subjects"]),
            pronoun_gender={w.lower(): gender for gender, words in grammar["pronoun_gender"].items() for w in words},
            person_pronouns=frozenset(w.lower() for w in grammar["person_pronouns"]),
            pronoun_labels={w.lower(): tuple(labels) for w, labels in grammar["pronoun_labels"].items()},
            plural_pronouns=frozenset(w.lower() for w in grammar["plural_pronouns"]),
            indefinite=frozenset(w.lower() for w in grammar["indefinite"]),
            complementizers=frozenset(w.lower() for w in grammar["complementizers"]),
            question_words=frozenset(w.lower() for w in grammar["question_words"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise ValueError(f"speech-verb lexicon {source}: {err}") from err


@lru_cache(maxsize=1)
def _english_grammar() -> dict:
    """The grammar block of the bundled English lexicon, for a lexicon written before there was one."""
    return json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))["grammar"]
