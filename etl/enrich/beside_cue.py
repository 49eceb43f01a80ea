"""Subjects standing right beside a cue that the parser did not link to it.

- A surname that is also a common word ("Early says", "..., says Young."), read as an adverb or adjective.
- A pronoun inverted after the verb or its auxiliary, joined by hyphens ("a-t-elle ajouté", "dit-il"),
  as French writes an attribution after a quote; which pronouns count is the lexicon's (its grammar).
"""

from __future__ import annotations

from spacy.tokens import Token

from etl.enrich.quote_context import QuoteContext


def surname_beside(ctx: QuoteContext, cue: Token) -> Token | None:
    """ "Early says", "Early still says", "..., says Early.": a surname that is also a common word
    (Early, Young, Little) which the parser read as an adverb or adjective, right beside the cue."""
    doc = ctx.doc
    before = cue.i - 1
    if before > 0 and doc[before].pos_ == "ADV" and doc[before].is_lower:  # "still", "also"
        before -= 1
    if before >= 0 and is_surname_word(ctx, doc[before]):
        return doc[before]
    after = cue.i + 1
    if after + 1 < len(doc) and is_surname_word(ctx, doc[after]) and doc[after + 1].is_punct:
        return doc[after]
    return None


def inverted_clitic(ctx: QuoteContext, cue: Token) -> Token | None:
    """ "a-t-elle ajouté", "dit-il", "ajoute-t-il": French inverts a pronoun subject after the verb or its
    auxiliary, joined by hyphens. The small parsers often give it another label (obj, dep) or hang it
    elsewhere, so the hyphenated pronoun touching the cue is the subject, whatever it was parsed as."""
    doc = ctx.doc
    for step in (-1, 1):
        i = cue.i + step
        while 0 <= i < len(doc) and doc[i].text.startswith("-"):
            if is_clitic(ctx, doc[i]):
                return doc[i]
            i += step
    return None


def is_clitic(ctx: QuoteContext, tok: Token) -> bool:
    word = ctx.lexicon.pronoun(tok)
    return tok.text.startswith("-") and (word in ctx.lexicon.person_pronouns or word in ctx.lexicon.pronoun_labels)


def is_surname_word(ctx: QuoteContext, tok: Token) -> bool:
    """A capitalised word inside a sentence, not parsed as a name, spelled like a person's surname."""
    return (
        tok.pos_ != "PROPN" and tok.text[:1].isupper() and tok.i != ctx.sentence(tok.i)[0] and not ctx.in_quote[tok.i]
        and tok.i not in ctx.entity_of and ctx.surnames.get(tok.lower_, ("", ""))[1] == "PERSON"
    )
