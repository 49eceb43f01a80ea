"""Whom a description or a pronoun means, settled by what the article itself says (no lists of names).

- Descriptions. "The mayor of Oakridge said" / "France’s interior minister" / headline "Mayor vows"
  mean the one person the article introduces with that word as title or apposition ("Mayor Luis
  Herrera", "Martin Feld, the chief executive"); "the department" the one organisation whose name
  holds the word ("U.S. Department of Agriculture"); "the group" the one described so ("NetChoice, a
  trade group"); "the company" / "the retailer" the company the article is about (its first
  organisation standing as a subject). Indefinite and plural descriptions ("a spokesman",
  "officials") name nobody: the caller keeps the role as the label. A bare "the actor" or "the
  56-year-old" that no name settles is the person the passage is about (``main_person``).
- Gender, for he/she. Honorifics and gendered nouns before or beside a name ("Ms. Kowalski", "his
  daughter, Claire Brennan"), and he/she/his/her in a sentence whose only person is its subject
  ("Nina Kovac ... was furious about a decision that went against her team").
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict

import numpy
from spacy.attrs import MORPH
from spacy.tokens import Doc, MorphAnalysis, Token

from etl.enrich.lexicon import SpeechLexicon, among, word_ids
from etl.records import Entity

NAMED_LABELS = ("PERSON", "ORG")
PLURAL_TAGS = ("NNS", "NNPS")
PLURAL_TAG_IDS = word_ids(PLURAL_TAGS)
DATELINE_DASHES = frozenset({"—", "–", "--"})
STRONG, WEAK = 3, 1  # an honorific or a gendered noun outweighs a pronoun read from the sentence
# How English nouns for people end ("the actor", "the singer", "the economist", "the 56-year-old").
PERSON_NOUN_ENDINGS = ("er", "or", "ist", "ian", "ant", "ent", "old")


class Referents:
    """Per-doc indexes built in one pass over the entity mentions and one over the sentences."""

    def __init__(
        self, doc: Doc, entity_of: dict[int, Entity], lexicon: SpeechLexicon, in_quote: list[bool],
        pronoun_slots: list[int], sentence_starts: list[int],
    ):
        """``pronoun_slots``: the unquoted tokens standing as a subject or a possessive, in order;
        ``sentence_starts``: the first token of each sentence."""
        self.doc, self.entity_of, self.lexicon, self.in_quote = doc, entity_of, lexicon, in_quote
        self.described: dict[str, dict[str, Entity]] = defaultdict(dict)  # "mayor" -> {"Luis Herrera": ...}
        self.org_subjects: list[tuple[int, Entity]] = []  # organisations standing as subjects, in order
        self.org_mentions: list[tuple[int, Entity]] = []  # every organisation mention, in order
        self.person_subjects: list[tuple[int, Entity]] = []  # people standing as subjects, in order
        self.persons = sorted(i for i, e in entity_of.items() if e.label == "PERSON")  # every person token
        self._votes: dict[str, Counter] = defaultdict(Counter)  # canonical name -> gender votes
        for start, end, entity in self._mentions():
            self._read_mention(start, end, entity)
        self._read_sentence_pronouns(pronoun_slots, sentence_starts)
        self.gender = {name: votes.most_common(1)[0][0] for name, votes in self._votes.items()}

    # -- reading the article -------------------------------------------------------------------

    def _mentions(self):
        """(start, end, entity) for each run of tokens naming a person or an organisation, outside quotes."""
        run, last = None, -1  # the open run (start, entity) and its last token
        for i in sorted(self.entity_of):
            entity = self.entity_of[i]
            if run is not None and (i != last + 1 or entity is not run[1]):
                yield run[0], last + 1, run[1]
                run = None
            if run is None and entity.label in NAMED_LABELS and not self.in_quote[i]:
                run = (i, entity)
            last = i
        if run is not None:
            yield run[0], last + 1, run[1]

    def _read_mention(self, start: int, end: int, entity: Entity) -> None:
        doc = self.doc
        root = doc[start] if end - start == 1 else doc[start:end].root
        head = root.head  # each .head makes a new Token: read once
        while root.dep_ == "compound" and head.pos_ == "PROPN" and head.i not in self.entity_of:
            root, head = head, head.head  # "Big Machine" mapped from "Big" alone: the phrase's head stands in the clause
        dep, words = root.dep_, []
        before = doc[start - 1] if start > 0 else None
        if before is not None and before.pos_ in ("PROPN", "NOUN") and start - 1 not in self.entity_of:
            words.append(before)  # the title right before the name: "Sen.", "Mayor", "spokeswoman"
        if dep == "appos" and head.pos_ == "NOUN":
            words.append(head)  # "the chief executive, Martin Feld"
        words += [c for c in root.children if c.dep_ == "appos" and c.pos_ == "NOUN"]  # "NetChoice, a trade group"
        if entity.label == "ORG":
            words += [t for t in doc[start:end] if t.is_alpha]  # "the department" -> "Department of Agriculture"
            self.org_mentions.append((start, entity))
        for word in words:
            key = self.lexicon.spelled_out(word)  # "Gov. Andrea Whitlock" is "the governor"
            self.described[key][entity.name] = entity
            if entity.label == "PERSON":
                self._vote_noun(entity, key, STRONG)
        if is_dateline(root) or is_dateline(head):  # "SEATTLE (Reuters) —" is no subject
            return
        subjects = self.lexicon.subjects
        if dep in subjects or (dep == "appos" and head.dep_ in subjects):
            (self.person_subjects if entity.label == "PERSON" else self.org_subjects).append((start, entity))

    def _read_sentence_pronouns(self, slots: list[int], sentence_starts: list[int]) -> None:
        """he/she as a subject, his/her as a possessive, in a sentence whose only person is its subject."""
        persons = iter(self.person_subjects)
        subject = next(persons, None)
        for start, end in zip(sentence_starts, [*sentence_starts[1:], len(self.doc)]):
            while subject is not None and subject[0] < start:
                subject = next(persons, None)
            if subject is None or subject[0] >= end:
                continue
            named = self.persons[bisect_left(self.persons, start) : bisect_left(self.persons, end)]
            if len({self.entity_of[i].name for i in named}) != 1:
                continue
            for i in slots[bisect_left(slots, start) : bisect_left(slots, end)]:
                gender = self.lexicon.pronoun_gender.get(self.lexicon.pronoun(self.doc[i]))
                if gender:
                    self._votes[subject[1].name][gender] += WEAK

    def _vote_noun(self, entity: Entity, word: str, weight: int) -> None:
        gender = self.noun_gender(word)
        if gender:
            self._votes[entity.name][gender] += weight

    # -- answering -----------------------------------------------------------------------------

    def noun_gender(self, word: str) -> str | None:
        return "f" if word in self.lexicon.female else "m" if word in self.lexicon.male else None

    def compatible(self, name: str | None, gender: str | None, pronoun: Token) -> bool:
        """Whether ``pronoun`` can refer to the speaker: unknown genders are compatible with both."""
        wanted = self.lexicon.pronoun_gender.get(self.lexicon.pronoun(pronoun))
        known = self.gender.get(name) if name else gender
        return wanted is None or known is None or known == wanted

    def learn(self, name: str, pronoun: Token) -> None:
        """A pronoun resolved to ``name`` settles that person's gender when nothing else has."""
        gender = self.lexicon.pronoun_gender.get(self.lexicon.pronoun(pronoun))
        if name not in self.gender and gender:
            self.gender[name] = gender

    def describe(self, noun: Token) -> Entity | None:
        """The person or organisation a definite singular description means, if the article settles it."""
        determiners = [c.lower_ for c in noun.children if c.dep_ == "det"]
        if is_plural(noun) or any(d in self.lexicon.indefinite for d in determiners):
            return None
        key = self.lexicon.spelled_out(noun)
        candidates = self.described.get(key, {})
        if len(candidates) == 1:
            return next(iter(candidates.values()))
        if key in self.lexicon.company_nouns and not candidates:
            # "Shares of Vantor jumped after the company said": the company its own sentence names,
            # else the one the article is about.
            m = bisect_left(self.org_mentions, noun.i, key=lambda s: s[0])
            if m and self.org_mentions[m - 1][0] >= noun.sent.start:
                return self.org_mentions[m - 1][1]
            n = bisect_left(self.org_subjects, noun.i, key=lambda s: s[0])
            return self.org_subjects[0][1] if n else None
        return None

    def is_description(self, noun: Token) -> bool:
        """ "the actor", "the 56-year-old": a bare definite description of someone, which news writes for
        the person the story is about. Roles ("the spokesman") may be anyone unnamed; organisations and
        documents ("the state argued", "the indictment says") are no person."""
        lexicon, word = self.lexicon, noun.lower_
        if noun.tag_ not in ("NN", "JJ") or word in lexicon.roles or word in lexicon.documents:
            return False
        if not (word.endswith(PERSON_NOUN_ENDINGS) or word in lexicon.male or word in lexicon.female):
            return False
        children = list(noun.children)
        return any(c.dep_ == "det" and c.lower_ == "the" for c in children) and not any(
            c.dep_ in ("prep", "compound", "poss", "relcl", "acl", "appos") for c in children
        )

    def main_person(self, noun: Token) -> tuple[str, str] | None:
        """Whom "the actor" means: the person standing as subject in this or the previous sentence, else
        the person the article names most often before it, whose gender fits the noun ("the actress")."""
        gender = self.noun_gender(noun.lower_)

        def fits(entity: Entity) -> bool:
            return gender is None or self.gender.get(entity.name) in (None, gender)

        previous = self.doc[noun.sent.start - 1].sent.start if noun.sent.start else 0
        n = bisect_left(self.person_subjects, noun.i, key=lambda s: s[0])
        if n and self.person_subjects[n - 1][0] >= previous and fits(self.person_subjects[n - 1][1]):
            entity = self.person_subjects[n - 1][1]
            return entity.name, entity.label
        named = [self.entity_of[i] for i in self.persons[: bisect_left(self.persons, noun.i)]]
        best = max((e for e in named if fits(e)), key=lambda e: e.count, default=None)
        return (best.name, best.label) if best is not None else None


def is_plural(tok: Token) -> bool:
    """A plural noun: by its English tag, or by the morphology other languages' pipelines set."""
    return tok.tag_ in PLURAL_TAGS or _plural_morph(tok.morph)


def plural_tokens(doc: Doc, tags: numpy.ndarray) -> numpy.ndarray:
    """``is_plural`` of every token at once, from the TAG column of ``doc.to_array`` and, where the
    pipeline sets any, the morphology: each distinct analysis is read once, not once per token."""
    plural = among(tags, PLURAL_TAG_IDS)
    if not doc.has_annotation("MORPH"):
        return plural
    morphs = doc.to_array(MORPH)
    for key in numpy.unique(morphs[~plural]).tolist():
        if key and _plural_morph(MorphAnalysis.from_id(doc.vocab, key)):
            plural |= morphs == key
    return plural


def _plural_morph(morph: MorphAnalysis) -> bool:
    return "Plur" in morph.get("Number")


def is_dateline(tok: Token) -> bool:
    """ "PARIS —" / "SEATTLE (Reuters) —" opening a story: a place, never the subject the parser makes it."""
    if not (tok.text.isupper() and len(tok.text) > 1):
        return False
    doc, i = tok.doc, tok.i
    at_start = i == 0 or "\n" in doc[i - 1].text or doc[i - 1].text.isupper() or doc[i - 1].text == ","
    return at_start and any(t.text in DATELINE_DASHES for t in doc[i + 1 : i + 6])
