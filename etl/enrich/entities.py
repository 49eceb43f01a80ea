"""Canonical entities of one article: one entry per real entity, with every surface form.

The small English model names the same entity several ways ("Putin", "Vladimir Putin",
"Putin's") and slips on labels ("Kyiv" as PERSON, "Biden" as ORG). Within one article
the text usually settles both, so mentions are grouped first (variant table, then
surname -> full name) and each group's label is a vote over its mentions, where a
mention's context can outvote the model (the subject of "said" speaks, so it is not a
place; the object of "near" is a place, not a person).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from etl.enrich.entity_doc import facts, gathered
from etl.enrich.entity_evidence import (
    common_word,
    context_label,
    dateline_agency,
    display_name,
    event_name,
    evidence_label,
    in_credit_line,
    in_title_case_line,
    in_title_quote,
    is_fragment,
    merge_state_codes,
    missed_facilities,
    product_name,
    state_codes,
)
from etl.enrich.entity_forms import (
    clean_mention,
    hyphenated_start,
    joined_organisations,
    role_office,
    trim_context,
)
from etl.enrich.entity_usage import (
    common_use,
    designation,
    people_of_a_place,
    usage_label,
)
from etl.enrich.lexicon import SpeechLexicon
from etl.enrich.organisation_names import (
    bare_organisation_nouns,
    maker_products,
    merge_organisations,
    merge_short_names,
)
from etl.enrich.person_names import (
    family_names,
    is_person,
    merge_full_names,
    name_words,
    titles_of,
)
from etl.records import Entity

DEFAULT_VARIANTS = Path(__file__).with_name("entity_variants.json")

# Numeric and temporal labels are values, not things one searches a person or place by.
VALUE_LABELS = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
# Prepositions whose object is a place; "from"/"to"/"with" take people too, so they do not count.
LOCATIVE_PREPS = frozenset({"in", "near", "outside", "inside", "around", "across", "throughout", "toward", "towards"})
SPEAKER_LABELS = ("PERSON", "ORG")
NOT_PLACES = frozenset({"PERSON", "PRODUCT", "WORK_OF_ART"})
# Last words of a security force's name ("U.S. Capitol Police", "Coast Guard"), which take "who" like people.
FORCES = frozenset({"police", "guard", "patrol", "marshals", "navy", "army", "force", "forces"})
CONTEXT_WEIGHT = 2  # a mention's own context outweighs the model's guess on another mention


@dataclass(frozen=True)
class Variants:
    """Surface form (lowercase) -> (canonical name, label) from the variants data file."""

    canonical: dict[str, tuple[str, str]]
    forms: dict[str, tuple[str, str]]  # as written in the file

    def lookup(self, form: str) -> tuple[str, str] | None:
        return self.canonical.get(form.lower())

    def matcher(self, nlp) -> PhraseMatcher:
        """Finds the listed forms the NER missed (the small model skips "Kiev" inside a quote).

        Case-sensitive as written in the file plus the capitalised form, so "US" never matches "us"."""
        matcher = PhraseMatcher(nlp.vocab)
        for form, (name, label) in self.forms.items():
            matcher.add(label, [nlp.make_doc(form)])
        return matcher


@lru_cache(maxsize=8)
def load_variants(path: str | Path | None = None) -> Variants:
    source = Path(path) if path else DEFAULT_VARIANTS
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
        forms: dict[str, tuple[str, str]] = {}
        for name, entry in data.items():
            if name.startswith("_"):
                continue
            for form in [name, *entry.get("variants", [])]:
                forms[form] = (name, entry["label"])
        return Variants({form.lower(): value for form, value in forms.items()}, forms)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise ValueError(f"entity variants file {source}: {err}") from err


@dataclass
class _Group:
    """All mentions of one real entity in the article."""

    spans: list[Span] = field(default_factory=list)
    forms: dict[str, None] = field(default_factory=dict)  # ordered set of surface forms
    votes: Counter = field(default_factory=Counter)
    known: tuple[str, str] | None = None  # (canonical, label) from the variants table
    settled_label: str | None = None  # set when the article itself settles the label

    def add(self, span: Span, form: str, vote: str, weight: int) -> None:
        self.spans.append(span)
        self.forms[form] = None
        self.votes[vote] += weight

    def absorb(self, other: _Group) -> None:
        self.spans.extend(other.spans)
        self.forms.update(other.forms)
        self.votes.update(other.votes)
        self.known = self.known or other.known

    @property
    def label(self) -> str:
        return self.known[1] if self.known else self.settled_label or max(self.votes.items(), key=itemgetter(1))[0]

    def to_entity(self) -> Entity:
        name = self.known[0] if self.known else max(self.forms, key=lambda f: (len(f.split()), len(f)))  # fullest form
        return Entity(name=name, label=self.label, count=len(self.spans), mentions=list(self.forms))


def without_title(span: Span, lexicon: SpeechLexicon) -> tuple[Span, bool]:
    """The name without the titles the model took into it ("Mrs Garside", "Councilwoman Sofia Marquez"),
    so it groups with the bare name; True when a title was removed, which makes the mention a person.

    Only an honorific or gendered title counts on a mention not labelled PERSON: "Labor Department"
    keeps its first word."""
    doc, start = span.doc, span.start
    if span[-1].lower_ in lexicon.organisation_suffixes:
        return span, False  # "General Motors": a company, not General Motors the officer
    while start < span.end - 1:
        word = lexicon.spelled_out(doc[start])
        personal = word in lexicon.female or word in lexicon.male or word in lexicon.abbreviations.values()
        if not (personal or (span.label_ == "PERSON" and word in lexicon.titles)) or not doc[start + 1].text[:1].isupper():
            break
        start += 1
    if start == span.start:
        return span, False
    return Span(doc, start, span.end, label="PERSON"), True


def contextual_label(span: Span, lexicon: SpeechLexicon) -> str:
    """The label this mention's own context supports, falling back to the model's.

    The small model often calls a company a person and a person an organisation; the words around
    a name settle it: "Harlow Foods", "the union Unite", "the regulator, Ofwat" are organisations,
    "Marcus Hale, who ...", "Pritchard, 71," and "its regional officer, Gareth Price" are people."""
    doc, root, last = span.doc, span.root, span[-1].lower_
    before = doc[span.start - 1] if span.start else None
    after = doc[span.end : span.end + 2]
    if len(span) > 1 and (last in lexicon.organisation_suffixes or (
        (last in lexicon.organisation_nouns or last in FORCES) and span[-1].text[:1].isupper()
    )):
        return "ORG"  # "Harlow Foods", "Capitol Police Department"
    found = context_label(span, lexicon.organisation_nouns) if span.label_ == "PERSON" else None
    if found:
        return found
    if span.label_ == "PERSON" and len(span) == 1 and before is not None and before.lower_ == "the" and (
        span.text.endswith("s") and span.text[:1].isupper()
    ):
        return "ORG"  # "the Steelers", "the Sabres": a plural name with an article is a team or a group
    if span.label_ == "PERSON" and len(span) == 1 and before is not None and before.lower_ == "the" and (
        root.dep_ not in ("compound", "nmod")  # "the Gordon problem": a modifier
    ):
        # A person's name takes no article: "on the Moon" is a place, "the Chronicle reported" a company.
        prep = doc[span.start - 2].lower_ if span.start > 1 else ""
        return "LOC" if prep in LOCATIVE_PREPS or prep in ("on", "to", "from", "at") else "ORG"
    if (before is not None and _organisation_noun(before, lexicon)) or (
        root.dep_ == "appos" and _organisation_noun(root.head, lexicon)
    ):
        return "ORG"
    if len(after) == 2 and after[0].text == ",":
        if after[1].lower_ == "who":
            return "PERSON"
        if after[1].lower_ == "which" and span.label_ == "PERSON":
            return "ORG"
    if root.dep_ == "appos" and _person_noun(root.head, lexicon):
        return "PERSON"
    if span.label_ == "ORG" and _described_as_someone(span, lexicon):
        return "PERSON"
    if any(c.dep_ == "appos" and c.like_num for c in root.children):  # "Pritchard, 71,": an age
        return "PERSON"
    if root.dep_ in ("nsubj", "nsubjpass") and lexicon.is_verb(root.head):
        # "the German said": a nationality standing for a person is no name; the speaker is resolved later.
        return span.label_ if span.label_ in (*SPEAKER_LABELS, "NORP") else "PERSON"
    if root.dep_ == "pobj" and root.head.lower_ in LOCATIVE_PREPS and span.label_ in NOT_PLACES:
        return "GPE"
    return span.label_


def _organisation_noun(tok, lexicon: SpeechLexicon) -> bool:
    """ "the union", "the regulator": a common noun, not the last word of a name ("Port Authority")."""
    return tok.pos_ == "NOUN" and tok.text.islower() and tok.lower_ in lexicon.organisation_nouns


def _described_as_someone(span: Span, lexicon: SpeechLexicon) -> bool:
    """ "quarterback Mason Rudolph", "Mason Rudolph, a backup quarterback": a given-name-surname pair that a
    common noun describes, and not as an organisation ("the automaker General Motors")."""
    if not 2 <= len(span) <= 3 or not all(tok.is_alpha and tok.is_title for tok in span):
        return False
    nouns = [c for c in span.root.children if c.i < span.start and c.dep_ == "compound"]
    nouns += [c for c in span.root.children if c.dep_ == "appos"]
    return any(tok.pos_ == "NOUN" and tok.is_lower and tok.lower_ not in lexicon.organisation_nouns for tok in nouns)


def _person_noun(tok, lexicon: SpeechLexicon) -> bool:
    """A noun naming a person by role or relation ("officer", "lawyer", "daughter"), not an organisation."""
    word = tok.lower_
    if tok.pos_ != "NOUN" or word in lexicon.organisation_nouns:
        return False
    return word in lexicon.roles or word in lexicon.titles or word in lexicon.male or word in lexicon.female


def extract_entities(
    doc: Doc, variants: Variants, lexicon: SpeechLexicon, matcher: PhraseMatcher | None = None
) -> tuple[list[Entity], dict[int, Entity]]:
    """Canonical entities in order of first mention, and token index -> entity for every mention token."""
    with gathered(doc):
        return _extract(doc, variants, lexicon, matcher)


def _extract(doc: Doc, variants: Variants, lexicon: SpeechLexicon, matcher: PhraseMatcher | None):
    groups: dict[str, _Group] = {}
    mentions = [ent for ent in _mentions(doc, matcher) if ent.label_ not in VALUE_LABELS]
    text_of = facts(doc).text_of  # a mention's text cut from the document's, not joined from its tokens
    seen = {" ".join(text_of(ent).split()).lower(): ent.label_ for ent in mentions}
    organisation_words = lexicon.organisation_suffixes | lexicon.organisation_nouns
    covered = 0  # the end of a mention run on over the entities after it
    for ent in mentions:
        if ent.start < covered:
            continue
        mention = clean_mention(role_office(ent, lexicon.organisation_nouns))
        covered = max(covered, mention.end if mention is not None else 0)
        if mention is not None:
            mention = trim_context(mention, seen, organisation_words)
        if mention is None or dateline_agency(mention) or in_title_quote(mention):
            continue
        mention, titled = without_title(mention, lexicon)
        if len(mention) == 1 and lexicon.spelled_out(mention[0]) in lexicon.titles:
            continue  # "Col." left alone by a cut: a title, no name
        form = " ".join(text_of(mention).split())
        known = variants.lookup(form)
        key = known[0].lower() if known else form.lower()
        group = groups.setdefault(key, _Group(known=known))
        label = "PERSON" if titled else contextual_label(mention, lexicon)
        group.add(mention, form, label, CONTEXT_WEIGHT if label != ent.label_ else 1)
        if len(mention) > 1 and mention[-1].lower_ in lexicon.organisation_suffixes:
            group.settled_label = "ORG"  # "Harlow Foods" is a company in every mention

    for key in maker_products(groups, organisation_words, lexicon.is_verb):
        del groups[key]
    _merge_surnames(groups)
    for key in family_names(groups):
        del groups[key]
    merge_short_names(groups)
    merge_organisations(groups)
    for key in bare_organisation_nouns(groups, lexicon.organisation_nouns - FORCES):
        del groups[key]  # "the Court": a body the article named otherwise, or no one the facets can show
    merge_state_codes(groups)
    _missed_mentions(doc, groups, lexicon)

    entities: list[Entity] = []
    token_entity: dict[int, Entity] = {}
    for group in groups.values():
        name = group.to_entity().name
        if not group.known and group.settled_label is None:
            group.settled_label = evidence_label(name, group.label, group.spans) or usage_label(
                name, group.label, group.spans, lexicon.is_verb)
        if group.label == "PERSON" and people_of_a_place(name, group.spans):
            group.settled_label = "NORP"  # "Virginia Democrats", whatever merged into it
        if _not_an_entity(group, doc):
            continue
        entity = group.to_entity()
        if entity.label == "PERSON":
            entity.titles = titles_of(group.spans, lexicon)
        if entity.label in ("GPE", "LOC"):
            entity.name = display_name(entity.name)
        entities.append(entity)
        for span in group.spans:
            for i in range(span.start, span.end):
                token_entity[i] = entity
    return entities, token_entity


def _not_an_entity(group: _Group, doc: Doc) -> bool:
    """Credits, products, events, common words and fragments the model took for names."""
    if all(in_credit_line(span) for span in group.spans):
        return True  # "Associated Press writers ... contributed", "Photo by ...": credits, not the story
    if is_fragment(group.to_entity().name) or group.known:
        return not group.known
    name = group.to_entity().name
    if common_use(group.spans) or (group.label == "ORG" and designation(group.spans)):
        return True  # "a good Samaritan", "Group A"
    if group.label in SPEAKER_LABELS and (
        product_name(group.spans) or all(in_title_case_line(span) for span in group.spans)
    ):
        return True  # "Switch Lite"; a name only ever seen in headline case, which no running text confirms
    return event_name(name) or (len(group.forms) == 1 and common_word(name, doc))


def _mentions(doc: Doc, matcher: PhraseMatcher | None) -> list[Span]:
    """The model's entities plus listed variants, venues and state codes ("Denver, CO") it missed, in text order."""
    ents = facts(doc).ents
    taken = {i for ent in ents for i in range(ent.start, ent.end)}
    extra = [
        Span(doc, start, end, label=label)
        for label, start, end in (matcher(doc) if matcher is not None else [])
        if not taken.intersection(range(start, end))
    ]
    taken.update(i for span in extra for i in range(span.start, span.end))
    extra += missed_facilities(doc, taken)
    taken.update(i for span in extra for i in range(span.start, span.end))
    return sorted([*joined_organisations(ents), *extra, *state_codes(doc, taken)], key=lambda span: span.start)


def _merge_surnames(groups: dict[str, _Group]) -> None:
    """Fold one-word person mentions ("Kirby") into the full name the article gives ("John Kirby").

    A surname shared by two full names in the article stays on its own: guessing would
    attribute one person's words to the other.
    """
    by_surname: dict[str, str | None] = {}
    by_given: dict[str, str | None] = {}  # "Steve" for "Steve Harlan", when one full name opens so
    merge_full_names(groups)
    for key, group in groups.items():
        words = name_words(key)  # "Robert Quill Jr.": the surname is Quill
        if len(words) > 1 and is_person(key, group, groups):
            if not group.known and group.votes["PERSON"] == 0:
                group.settled_label = "PERSON"  # the surname's votes settle it
            by_surname[words[-1]] = None if words[-1] in by_surname else key
            by_given[words[0]] = None if words[0] in by_given else key
    for key in list(groups):
        full = by_given.get(key)
        if full and key not in by_surname and not groups[key].known and groups[key].votes["PERSON"] > 0:
            groups[full].absorb(groups.pop(key))
    for key in list(groups):
        full = by_surname.get(key)
        if full and full != key and not groups[key].known:
            groups[full].absorb(groups.pop(key))
            # The full name settles the label: a surname mislabelled ORG/GPE is still the person.
            groups[full].settled_label = "PERSON"


def _missed_mentions(doc: Doc, groups: dict[str, _Group], lexicon: SpeechLexicon) -> None:
    """Mentions the model skipped of people and companies it found elsewhere: "Reed shook his head"
    after "Marcus Reed", "Gwen Pritchard lifts the lid" beside "Pritchard, 71", "Harlow said" after
    "Harlow Foods". One pass over the tokens."""
    by_word: dict[str, _Group | None] = {}  # a person's surname, an organisation's first word
    taken: set[int] = set()
    for key, group in groups.items():
        taken.update(i for span in group.spans for i in range(span.start, span.end))
        label, words = group.label, key.split()
        word = words[-1] if label == "PERSON" else words[0] if label == "ORG" and len(words) > 1 else None
        if word is not None:
            by_word[word] = None if by_word.get(word, group) is not group else group
    for i in facts(doc).where(frozenset(word for word, group in by_word.items() if group is not None)):
        tok = doc[i]
        group = by_word[tok.lower_]
        if tok.i in taken or tok.pos_ != "PROPN" or not tok.text[:1].isupper():
            continue
        label = group.label
        start = tok.i  # a person with the given names before it: "Gwen Pritchard"
        while label == "PERSON" and start > 0 and start - 1 not in taken and doc[start - 1].pos_ == "PROPN" and (
            doc[start - 1].head.i == tok.i and doc[start - 1].text[:1].isupper()  # not "d." of "Viera d. Rockledge"
        ):
            start -= 1
        while start < tok.i and lexicon.spelled_out(doc[start]) in lexicon.titles:
            start += 1
        if label == "PERSON" and not taken.intersection(range(start - 2, start)):
            start = hyphenated_start(doc, start)
        mention = Span(doc, start, tok.i + 1, label=label)
        group.add(mention, " ".join(mention.text.split()), label, 1)
        taken.update(range(start, tok.i + 1))
