"""Organisations as speakers: statements, releases and offices that speak for whoever issued them.

News quotes organisations through what they issue ("the US military said in a statement ... “...,”
the statement said"; "the commission issued a statement warning that ..."), through phrases that
are their names without being entities ("Bolivia's public defender's office said", "China's foreign
ministry said"), and through a bare noun for the organisation just quoted ("..., said Kotak
Institutional Equities. ..., the brokerage said"). Each rule here resolves one of those to the
organisation (or person) the article already names; the caller keeps the role noun as the label
when none fits.
"""

from __future__ import annotations

from spacy.tokens import Token

from etl.enrich.quote_context import QuoteContext

# Entity labels that can own an office or a ministry named by a possessive ("Bolivia's ... office").
OWNER_LABELS = ("GPE", "NORP", "ORG", "LOC")


def is_document(ctx: QuoteContext, tok: Token) -> bool:
    return tok.lower_ in ctx.lexicon.documents and tok.pos_ == "NOUN"


def has_own_source(tok: Token) -> bool:
    """ "a report from Kotak", "LSEG data", "the company's statement": the phrase says who issued it."""
    return any(
        (c.dep_ == "compound" and c.pos_ == "PROPN") or c.dep_ == "poss" or (c.dep_ == "prep" and c.lower_ in ("from", "by"))
        for c in tok.children
    )


def issuer_subject(ctx: QuoteContext, tok: Token) -> Token | None:
    """ "The commission issued a statement warning that ...": the participle hangs on the document,
    so the parse makes the document the speaker; whoever issued it (the subject of the verb that
    takes it as object) spoke."""
    if not is_document(ctx, tok) or has_own_source(tok) or tok.dep_ != "dobj":
        return None
    verb = tok.head
    subject = next((c for c in verb.children if c.dep_ in ctx.lexicon.subjects and not ctx.in_quote[c.i]), None)
    return subject if subject is not None and any(ch.isalpha() for ch in subject.text) else None


def source_of(ctx: QuoteContext, source: Token) -> Token:
    """The name inside an "according to" source: "LSEG data", "data compiled by Bloomberg"."""
    if source.i in ctx.entity_of:
        return source
    for child in source.children:
        if child.dep_ in ("compound", "poss") and child.i in ctx.entity_of:
            return child
        if child.dep_ == "prep" and child.lower_ in ("from", "by"):  # "a statement from the company"
            pobj = next((o for o in child.children if o.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
        if child.dep_ == "acl":  # "compiled by Bloomberg": the agent
            agent = next((a for a in child.children if a.dep_ == "agent"), None)
            name = next((o for o in agent.children if o.i in ctx.entity_of), None) if agent is not None else None
            if name is not None:
                return name
    return source


def owned_organisation(ctx: QuoteContext, tok: Token) -> tuple[str, str] | None:
    """ "Bolivia's public defender's office", "the Russian and Syrian defence ministries": an
    organisation noun whose phrase names the country or body it belongs to is that organisation's
    name, as the article writes it. A person's office ("the senator's office") is not resolved here."""
    if _singular(tok.lower_) not in ctx.lexicon.organisation_nouns or not tok.is_lower:
        return None
    start = tok.left_edge.i
    while start < tok.i and ctx.doc[start].dep_ == "det":
        start += 1
    owners = [
        ctx.entity_of.get(t.i) for t in ctx.doc[start : tok.i]
        if t.i in ctx.entity_of or t.ent_type_ in ("NORP", "GPE")
    ]
    if not owners or any(e is not None and e.label == "PERSON" for e in owners):
        return None
    if not all(e is None or e.label in OWNER_LABELS for e in owners):
        return None
    return ctx.doc[start : tok.i + 1].text, "ORG"


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def refers_back(tok: Token) -> bool:
    """ "the statement", "the release": a bare definite singular noun, the one just mentioned; not
    "federal prison records" or "a report from Kotak", which say themselves what they are."""
    children = list(tok.children)
    return tok.tag_ == "NN" and any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in children) and not any(
        c.dep_ in ("amod", "compound", "poss", "prep", "nmod") for c in children
    )


def issued_documents(ctx: QuoteContext, cue: Token) -> set[str]:
    """The documents the cue's speaker spoke in ("said in a statement on Wednesday", "in a letter, the
    group wrote", "issued a statement warning"), which a later "the statement said" refers back to.
    A document spoken about ("said the report was flawed") is someone else's."""
    return {
        t.lower_ for t in (ctx.doc[i] for i in ctx.in_sentence(ctx.documents, cue.i))
        if not ctx.in_quote[t.i] and ((t.dep_ == "pobj" and t.head.lower_ in ("in", "via", "through")) or cue.head.i == t.i)
    }


def organisation_behind(ctx: QuoteContext, tok: Token, issued, last_org) -> tuple[str | None, str] | None:
    """Who "the statement" (``issued``: document word -> who last spoke in one) or "the brokerage"
    (``last_org``: the organisation just quoted, if the last speaker was one) is; None if neither fits."""
    if is_document(ctx, tok):
        return issued.get(tok.lower_) if refers_back(tok) else None
    return last_org if last_org is not None and stands_for_last_organisation(ctx, tok) else None


def stands_for_last_organisation(ctx: QuoteContext, tok: Token) -> bool:
    """ "the brokerage said" right after an organisation spoke: a bare definite noun for an organisation
    (no role, no document, no person's noun) refers to the organisation just quoted."""
    lexicon, word = ctx.lexicon, tok.lower_
    if word in lexicon.roles or word in lexicon.documents or word in lexicon.titles:
        return False
    if word in lexicon.male or word in lexicon.female or ctx.referents.is_description(tok):
        return False
    return refers_back(tok) and not any(c.dep_ in ("relcl", "acl", "appos") for c in tok.children)
