"""Reports carried by a cue verb's object: "accused the utility of hiding losses", "urged the council
to delay the vote", "called on the company to reopen talks".

The claim or request is not a clause of its own (no ccomp) but the object with its complement, so
the clausal search of ``quotes`` finds nothing there. Which verbs do this, and with which word the
complement opens, is data (``object_reports`` in ``speech_verbs.json``).
"""

from __future__ import annotations

from spacy.tokens import Token

from etl.enrich.lexicon import SpeechLexicon

OBJECTS = ("dobj", "dative")


def object_report(cue: Token, lexicon: SpeechLexicon) -> tuple[int, int] | None:
    """Token range (start, end) of the object and its complement, or None when the verb has no such report."""
    marker = lexicon.object_reports.get(cue.lower_)
    if marker is None or cue.pos_ not in ("VERB", "AUX"):
        return None
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in cue.children):
        return None  # "was accused of ...": the one spoken about, and the speaker is elsewhere
    obj = next((c for c in cue.children if c.dep_ in OBJECTS), None)
    if obj is None:  # "called on the company to ...": the object hangs on "on"
        on = next((c for c in cue.children if c.dep_ == "prep" and c.lower_ == "on"), None)
        obj = next((c for c in on.children if c.dep_ == "pobj"), None) if on is not None else None
    if obj is None:
        return None
    complement = _complement(cue, obj, marker)
    if complement is None:
        return None
    return obj.left_edge.i, complement.right_edge.i + 1


def _complement(cue: Token, obj: Token, marker: str) -> Token | None:
    if marker == "of":  # the "of" phrase, on the verb or (as the parser often hangs it) on the object
        for head in (cue, obj):
            prep = next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "of" and c.i > obj.i), None)
            if prep is not None and any(c.dep_ in ("pcomp", "pobj") for c in prep.children):
                return prep
        return None
    # "urged X to delay": an infinitive after the object
    for clause in cue.children:
        if clause.dep_ in ("xcomp", "ccomp") and clause.i > obj.i and any(
            c.dep_ == "aux" and c.lower_ == marker for c in clause.children
        ):
            return clause
    return None
