"""Who said it: the speaker of each found quote, as one of the article's names or a role label.

The speaker is the cue's subject, climbing through "saying"/"and added" to the clause that has
one. Names map to the article's canonical entity ("Kirby" -> "John Kirby"); he/she go to the
nearest earlier person (a subject or a speaker) whose gender, where the article settles it,
agrees, preferring a sentence's main-clause subject to a name inside its subordinate clauses;
it/they to the most recent speaker or organisation standing as subject of a fitting kind. A surname
that is also a word ("Early says") is still the person. A document ("a report from Kotak", "the
statement said") speaks for who issued it (``organisation_speakers``). A description the article
settles ("the mayor" for "Mayor Luis Herrera", see ``referents``) is that name; otherwise ("a White
House spokeswoman", "officials") the speaker is None and the role noun is the label. A quote with no
cue of its own (the second half of a split quote, a quote paragraph after an attributed one) takes
the speaker of its neighbour, as readers do.
"""

from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Token

from etl.enrich.beside_cue import (
    inverted_clitic,
    is_clitic,
    is_surname_word,
    surname_beside,
)
from etl.enrich.organisation_speakers import (
    is_document,
    issued_documents,
    issuer_subject,
    organisation_behind,
    owned_organisation,
    source_of,
)
from etl.enrich.quote_context import SENTENCE_END, Found, QuoteContext
from etl.enrich.referents import is_dateline
from etl.records import Entity

# Dependencies through which a verb without a subject takes its head's ("..., saying that").
SUBJECT_SHARING = ("xcomp", "conj", "advcl", "acl", "relcl", "ccomp")
MAX_ANTECEDENT_STEPS = 12  # people looked at, most recent first, before falling back
NEAR_NAME_WINDOW = 8  # tokens searched before a verb whose parsed subject is a quotation mark
MIN_UNCUED_PARTIAL_WORDS = 4  # fewer quoted words in a sentence without a cue are a term, not someone's words
# Words the parser may take for a preposition while they open a clause ("after its chief said").
CLAUSE_PREPS = frozenset({"after", "before", "since", "until", "as", "because", "while", "when"})


def subject_of(ctx: QuoteContext, cue: Token) -> Token | None:
    end = ctx.lexicon.phrase_end(cue)
    if end is not None:
        last = ctx.doc[end - 1]
        if last.pos_ == "ADP":  # "according to X": the speaker is the preposition's object
            source = next((c for c in last.children if c.dep_ == "pobj"), None)
            if source is None and cue.dep_ == "case":  # "selon X": UD hangs the preposition on X
                source = cue.head
            return source_of(ctx, source) if source is not None else None
    surname = surname_beside(ctx, cue)
    if surname is not None:
        return surname
    clitic = inverted_clitic(ctx, cue)
    if clitic is not None:
        return clitic
    verb = cue
    for _ in range(4):
        passive = next((c for c in verb.children if c.dep_ in ctx.lexicon.passive_subjects), None)
        if passive is not None and verb is not cue and not ctx.in_quote[passive.i]:
            return passive  # "X was quoted as saying ...": reached from the speech verb below, the one quoted spoke
        if passive is not None:
            # "X was accused of '...' by Y": the passive subject is the one spoken about, the agent spoke.
            # The parser often hangs "by Y" on the quoted words instead of the verb: any unquoted "by" after it.
            agent = next(
                (t for t in verb.subtree if t.i > verb.i and t.lower_ == "by" and not ctx.in_quote[t.i]), None
            )
            return next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
        subjects = [c for c in verb.children if c.dep_ in ctx.lexicon.subjects]
        speaking = [c for c in subjects if any(ch.isalpha() for ch in c.text) and not is_dateline(c)]
        if speaking:
            # A dateline ("PARIS — ...") parses as a second subject, farther from the verb than the real one.
            subject = min(speaking, key=lambda c: abs(c.i - verb.i))
            if verb.dep_ == "relcl" and (
                subject.tag_ in ("WDT", "WP") or any(t.tag_ in ("WDT", "WP") for t in subject.subtree)
            ):
                return verb.head  # "officials, who said ..." / "both of which said" -> the antecedent
            return subject
        if subjects:  # only a quotation mark or a dateline parsed as the subject: the parse is lost here
            return _name_near(ctx, verb)
        object_subject = _object_as_subject(ctx, verb)
        if object_subject is not None:
            return object_subject
        prep = verb.head.head if verb.dep_ == "acl" and verb.head.dep_ == "pobj" else None
        if prep is not None and prep.dep_ == "prep" and prep.head.pos_ == "VERB":
            verb = prep.head  # "posted on Twitter accusing ...": the participle is the poster's, not Twitter's
            continue
        if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
            return verb.head  # "a letter ... warning that", "the investor, X, posted": the noun it describes
        if verb.dep_ == "pcomp" and verb.head.dep_ == "prep":  # "quoted as saying": on to "quoted"
            verb = verb.head.head
            continue
        if verb.head.i == verb.i:  # a sentence whose subject the parser hung elsewhere ("the cut, his aide, X, told")
            return _name_near(ctx, verb)
        if verb.dep_ not in SUBJECT_SHARING:
            return None
        verb = verb.head
    return None


def _object_as_subject(ctx: QuoteContext, verb: Token) -> Token | None:
    """ "Shares slid after its chief executive, Dana Whitfield, warned ...": the parser read "after"
    as a preposition, so the clause's subject became its object and the verb a conj of "slid".
    The noun phrase right before such a verb, object of a preposition of the verb's head, is its subject."""
    if verb.dep_ != "conj":
        return None
    i = verb.i - 1
    while i >= 0 and ctx.doc[i].is_punct and not ctx.in_quote[i]:
        i -= 1
    if i < 0 or ctx.in_quote[i]:
        return None
    noun = ctx.doc[i]
    while noun.dep_ in ("appos", "compound") and noun.head.i < verb.i:
        noun = noun.head
    prep = noun.head
    if noun.dep_ == "pobj" and prep.dep_ == "prep" and prep.head.i == verb.head.i and prep.lower_ in CLAUSE_PREPS:
        return noun
    return None


def _name_near(ctx: QuoteContext, verb: Token) -> Token | None:
    """The person or organisation right before the verb (else right after), within its clause.

    Used when the parser took a quotation mark for the subject (“…,» said X”, common with guillemets)."""
    for step, limit in ((-1, NEAR_NAME_WINDOW), (1, NEAR_NAME_WINDOW // 2)):
        i = verb.i + step
        while 0 <= i < len(ctx.doc) and abs(i - verb.i) <= limit:
            tok = ctx.doc[i]
            if ctx.in_quote[i] or tok.text in SENTENCE_END or "\n" in tok.text:
                break
            entity = ctx.entity_of.get(i)
            if entity is not None and entity.label in ("PERSON", "ORG"):
                return tok
            i += step
    return None


def resolve_speakers(ctx: QuoteContext, found: list[Found]) -> None:
    """Name every subject; pronouns take the nearest earlier speaker they can refer to."""
    last_speaker: dict[str, tuple[int, str | None, str]] = {}  # group -> (token index, name, label), most recent
    order: list[str] = []  # groups by recency, most recent last
    people: list[tuple[int, str | None, str]] = []  # speakers he/she may mean, in text order
    issued: dict[str, tuple[str | None, str]] = {}  # "statement" -> who last spoke in one
    for f in sorted((f for f in found if f.subject is not None), key=lambda f: f.subject.i):
        f.subject = issuer_subject(ctx, f.subject) or f.subject  # "issued a statement warning"
        named = _name(ctx, f.subject)
        if named is not None and named[0] is None:
            last_org = last_speaker["ORG"][1:] if order and order[-1] == "ORG" else None  # the org just quoted
            named = organisation_behind(ctx, f.subject, issued, last_org) or named
        if named is None:
            pronoun = ctx.lexicon.pronoun(f.subject)  # it/they/we may refer back to other kinds (lexicon)
            if pronoun in ctx.lexicon.person_pronouns or _is_epithet(ctx, f.subject):
                named = _person_antecedent(ctx, f.subject, people)
            elif pronoun in ctx.lexicon.pronoun_labels:
                named = _antecedent(ctx, f.subject, ctx.lexicon.pronoun_labels[pronoun], last_speaker, order)
            elif ctx.referents.is_description(f.subject):  # "the actor said": the person the story is about
                named = ctx.referents.main_person(f.subject) or (None, f.subject.lower_)
            if named is None:
                continue
        f.speaker, f.speaker_label = named
        if named[0] is not None and f.cue is not None:
            issued.update(dict.fromkeys(issued_documents(ctx, f.cue), named))
        group = "ROLE" if named[1] not in ("PERSON", "ORG", "GPE", "NORP") else named[1]
        if group == "PERSON" or ctx.referents.noun_gender(named[1]):  # "a spokeswoman ... She added"
            people.append((f.subject.i, *named))
        last_speaker[group] = (f.subject.i, *named)
        if group in order:
            order.remove(group)  # at most five labels: constant time
        order.append(group)


def _person_antecedent(ctx: QuoteContext, pronoun: Token, people) -> tuple[str | None, str] | None:
    """The nearest earlier person (a speaker, else a person standing as subject) the pronoun can mean.

    Both lists are in text order; the walk back is bounded, so each pronoun costs O(log n)."""
    refs = ctx.referents
    subjects = refs.person_subjects
    s = bisect_right(subjects, pronoun.i - 1, key=lambda x: x[0])
    p = bisect_right(people, pronoun.i - 1, key=lambda x: x[0])
    for _ in range(MAX_ANTECEDENT_STEPS):
        if s and (not p or subjects[s - 1][0] > people[p - 1][0]):
            s -= 1
            s = _main_clause_subject(ctx, subjects, s, pronoun)
            candidate = (subjects[s][1].name, subjects[s][1].label)
            gender = None
        elif p:
            p -= 1
            candidate = people[p][1:]
            gender = refs.noun_gender(candidate[1])
        else:
            break
        if refs.compatible(candidate[0], gender, pronoun):
            if candidate[0]:
                refs.learn(candidate[0], pronoun)
            return candidate
    # No person stood as subject or spoke before: the nearest earlier person at all.
    n = bisect_right(refs.persons, pronoun.i - 1)
    while n and not refs.compatible(ctx.entity_of[refs.persons[n - 1]].name, None, pronoun):
        n -= 1
    if n:
        entity = ctx.entity_of[refs.persons[n - 1]]
        return entity.name, entity.label
    return None


def _main_clause_subject(ctx: QuoteContext, subjects, s: int, pronoun: Token) -> int:
    """Salience: in "Figgins declined to say whether Thomas slept the night Epstein died. “…,” he said",
    he is the person the sentence is about, its main clause's subject, not the last name in it.
    Returns the index (in ``subjects``) of the earlier person subject of the sentence's main clause
    that the pronoun can mean, else ``s`` itself."""
    if _in_main_clause(ctx, subjects[s][0]):
        return s
    sentence = ctx.doc[subjects[s][0]].sent
    k = s
    while k and subjects[k - 1][0] >= sentence.start:
        k -= 1
        if _in_main_clause(ctx, subjects[k][0]) and ctx.referents.compatible(subjects[k][1].name, None, pronoun):
            return k
    return s


def _in_main_clause(ctx: QuoteContext, i: int) -> bool:
    tok = ctx.doc[i]
    while tok.dep_ in ("compound", "appos") and tok.head.i != tok.i:
        tok = tok.head
    verb = tok.head
    while verb.dep_ == "conj" and verb.head.i != verb.i:
        verb = verb.head
    return verb.i == verb.sent.root.i


def _antecedent(ctx: QuoteContext, pronoun: Token, labels, last_speaker, order) -> tuple[str | None, str] | None:
    """The most recent of: the last speaker of a fitting kind, the last organisation standing as a subject
    ("Big Machine have denied it. ... they said"), and for "they" the last plural subject."""
    candidates: list[tuple[int, tuple[str | None, str]]] = []
    speaker = next((last_speaker[g] for g in reversed(order) if g in labels), None)
    if speaker is not None:
        candidates.append((speaker[0], speaker[1:]))
    orgs = ctx.referents.org_subjects
    n = bisect_right(orgs, pronoun.i - 1, key=lambda s: s[0])
    if n and orgs[n - 1][1].label in labels:
        candidates.append((orgs[n - 1][0], (orgs[n - 1][1].name, orgs[n - 1][1].label)))
    if ctx.lexicon.pronoun(pronoun) in ctx.lexicon.plural_pronouns:
        n = bisect_right(ctx.plural_subjects, pronoun.i - 1)
        named = _name(ctx, ctx.doc[ctx.plural_subjects[n - 1]]) if n else None
        if named is not None:
            candidates.append((ctx.plural_subjects[n - 1], named))
    return max(candidates, key=lambda c: c[0])[1] if candidates else None


def _is_epithet(ctx: QuoteContext, tok: Token) -> bool:
    """ "the German", "the Argentine defender": a nationality standing in for the person just named,
    as sports and foreign news write it; it refers back like "he" or "she" does. Not "the Chinese CDC"
    or "the French government": an organisation's name or noun, however national."""
    entity = ctx.entity_of.get(tok.i)
    org = tok.lower_ in ctx.lexicon.organisation_nouns or (entity is not None and entity.label != "NORP")
    if org or not any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children):
        return False
    return any(t.ent_type_ == "NORP" for t in (tok, *(c for c in tok.children if c.dep_ in ("amod", "compound"))))


def _name(ctx: QuoteContext, tok: Token) -> tuple[str | None, str] | None:
    """(canonical name, label) of a subject; (None, role noun) for an unnamed role; None for a pronoun
    or an epithet."""
    if _is_epithet(ctx, tok):
        return None
    entity = ctx.entity_of.get(tok.i)
    if entity is None:  # "spokesman John Kirby": the name may hang off the role noun
        entity = next(
            (ctx.entity_of[c.i] for c in tok.children if c.dep_ in ("appos", "compound") and c.i in ctx.entity_of
             and ctx.entity_of[c.i].label == "PERSON"),
            None,
        )
    if entity is None:
        entity = _closing_appositive(ctx, tok)
    if entity is not None:
        return entity.name, entity.label
    if tok.pos_ == "PRON" or tok.tag_ in ("PRP", "WP", "WDT", "DT", "EX") or not any(c.isalpha() for c in tok.text):
        return None
    if is_clitic(ctx, tok):  # "-elle", whatever its parsed POS
        return None
    owned = owned_organisation(ctx, tok)  # "Bolivia's public defender's office", parsed as a name or not
    if owned is not None:
        return owned
    role = tok.lower_.rstrip(".")
    if tok.pos_ == "PROPN" and role not in ctx.lexicon.roles and role not in ctx.lexicon.titles:
        return ctx.surnames.get(tok.lower_) or (ctx.proper_name(tok), "PERSON")
    if is_surname_word(ctx, tok):
        return ctx.surnames[tok.lower_]
    if is_document(ctx, tok):
        return _document_source(ctx, tok) or (None, role)
    named_by = [c for c in tok.children if c.dep_ == "compound" and c.pos_ == "PROPN"]
    # "the Oakridge Pride committee": an organisation's name the NER missed. "Wikileaks founder" or
    # "a Weibo commenter" is a description of someone, not a name.
    if named_by and role in ctx.lexicon.organisation_nouns:
        return ctx.doc[named_by[0].left_edge.i : tok.i + 1].text, "ORG"  # "Millbrook" hangs on "Allotment"
    if tok.lower_ in ctx.lexicon.organisation_nouns:  # "the union Unite": the name the NER missed beside it
        name = next((c for c in tok.children if c.dep_ == "appos" and c.pos_ == "PROPN" and c.i == tok.i + 1), None)
        if name is not None:
            return ctx.proper_name(name), "ORG"
    # A description: "the mayor of Oakridge", "the retailer", "a White House spokeswoman", "officials".
    entity = ctx.referents.describe(tok)
    if entity is not None:
        return entity.name, entity.label
    if ctx.referents.is_description(tok):
        return None
    return None, role


def _document_source(ctx: QuoteContext, tok: Token) -> tuple[str | None, str] | None:
    """Who issued "a report from Kotak", "LSEG data", "the company's statement"; None when the phrase
    does not say."""
    for child in tok.children:
        if child.dep_ == "compound" and child.pos_ == "PROPN":
            entity = ctx.entity_of.get(child.i)
            return (entity.name, entity.label) if entity is not None else (ctx.proper_name(child), "ORG")
        if child.dep_ == "poss":
            return _name(ctx, child)
        if child.dep_ == "prep" and child.lower_ in ("from", "by"):
            pobj = next((o for o in child.children if o.dep_ == "pobj"), None)
            if pobj is not None:
                return _name(ctx, pobj)
    return None


def _closing_appositive(ctx: QuoteContext, tok: Token) -> Entity | None:
    """ "The head of the Port Authority, Leonard Vickers, told ...": the name closing the subject phrase,
    which the parser hung on the nearer noun."""
    last = tok.right_edge
    while last.i > tok.i and last.is_punct:
        last = ctx.doc[last.i - 1]
    entity = ctx.entity_of.get(last.i)
    # Any name will do: "The mayor of Paris, Anne-Sophie Leclerc," whichever label the NER gave it.
    if entity is None or entity.label not in ("PERSON", "ORG"):
        return None
    root = last
    while root.dep_ == "compound" and root.head.i > root.i:
        root = root.head
    if root.dep_ != "appos":
        return None
    # Within the subject's own noun phrase, not inside a clause on it ("an analysis published in the journal X"),
    # unless commas set it off as the whole phrase's name ("The company that runs the show, Dick Clark Productions,").
    first = root.left_edge.i
    if first > tok.i and ctx.doc[first - 1].text == "," and tok.right_edge.text == ",":
        return entity
    path = [a for a in root.ancestors if a.i != tok.i and tok.i in {b.i for b in a.ancestors}]
    return None if any(a.pos_ in ("VERB", "AUX") for a in path) else entity


def inherit_speakers(ctx: QuoteContext, found: list[Found]) -> None:
    """A quote without a cue speaks for its neighbour: the previous quote in the paragraph,
    else the next one, else (for a paragraph that is only the quote) the previous paragraph's last."""
    # A few words quoted inside the journalist's own sentence with no cue there ("the so-called
    # “de-confliction zone”", a “VIP” list) are a term or a scare quote, whoever spoke nearby.
    marked = sorted(
        (f for f in found if f.kind == "direct" or (f.kind == "partial" and not _is_term(ctx, f))),
        key=lambda f: f.start,
    )
    every = sorted(found, key=lambda f: f.start)
    starts = [f.start for f in every]
    for f in marked:
        if f.speaker_label is not None:
            continue
        n = bisect_right(starts, f.start - 1)
        para = ctx.paragraph_start(f.start)
        neighbours = [every[n - 1]] if n else []
        neighbours += [g for g in every[n : n + 2] if g is not f]
        for g in neighbours:
            same_para = ctx.paragraph_start(g.start) == para
            own_paragraph = ctx.text[para : f.start - 1].strip() == "" and not same_para and g.start < f.start
            if g.speaker_label is not None and (same_para or own_paragraph):
                f.speaker, f.speaker_label, f.cue = g.speaker, g.speaker_label, f.cue or g.cue
                break


def _is_term(ctx: QuoteContext, f: Found) -> bool:
    return len(ctx.text[f.start : f.end].split()) < MIN_UNCUED_PARTIAL_WORDS
