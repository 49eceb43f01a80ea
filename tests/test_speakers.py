"""Who said it, on the shapes real news writes (families seen on the blind real-news gold), through the
real spaCy pipeline (the session ``nlp``)."""

from __future__ import annotations

from conftest import quotes


def test_a_description_with_a_name_in_it_is_not_a_name(nlp):
    """ "a Reddit commenter": the platform's name describes the speaker; the speaker stays null."""
    text = "“Nobody told us anything about the recall,” a Reddit commenter said on Tuesday."
    (quote,) = quotes(nlp, text)
    assert (quote.speaker, quote.speaker_label) == (None, "commenter")


def test_an_organisation_named_by_its_noun_keeps_its_name(nlp):
    text = "“The vote will go ahead as planned,” the Millbrook Allotment committee wrote on Friday."
    (quote,) = quotes(nlp, text)
    assert quote.speaker == "Millbrook Allotment committee"


def test_they_after_an_organisation_standing_as_subject(nlp):
    """An organisation standing as subject in the sentence before is what "they" then quotes, not the
    critics who spoke earlier."""
    text = (
        "Critics said smaller labels were being squeezed out of the market.\n"
        "Harborview Records has faced a boycott by fans since March.\n"
        "“We have never blocked an artist from performing,” they said in a statement."
    )
    (quote,) = [q for q in quotes(nlp, text) if q.kind == "direct"]
    assert quote.speaker == "Harborview Records"


def test_the_actor_said_is_the_person_the_story_is_about(nlp):
    text = (
        "Daniel Okafor spent three months in Lisbon filming his new series.\n"
        "Okafor said the shoot was the hardest of his career.\n"
        "“I slept four hours a night and loved every minute,” the actor said."
    )
    found = [q for q in quotes(nlp, text) if q.kind == "direct"]
    assert [q.speaker for q in found] == ["Daniel Okafor"]


def test_an_unnamed_state_is_not_taken_for_a_person(nlp):
    text = (
        "Judge Helen Marsh blocked the law on Monday.\n"
        "The state had argued that the rule was a modest safeguard for children."
    )
    reported = [q for q in quotes(nlp, text) if "modest safeguard" in q.text]
    assert all(q.speaker != "Helen Marsh" for q in reported)


def test_a_report_from_a_firm_speaks_for_the_firm(nlp):
    text = "“Earnings will recover by the spring,” said a report from Castlegate Securities."
    (quote,) = quotes(nlp, text)
    assert quote.speaker == "Castlegate Securities"


def test_a_quoted_word_modifying_a_noun_is_a_label_not_a_quote(nlp):
    """the “interim” government: a scare quote, even in a sentence with a speech verb."""
    text = "The ombudsman said the protests had turned violent and called on the “interim” government to pull back troops."
    kinds = [q.kind for q in quotes(nlp, text)]
    assert "indirect" in kinds and "partial" not in kinds


def test_a_surname_that_is_also_a_common_word(nlp):
    """ "Early says": the parser reads the surname as an adverb; the article named the person."""
    text = (
        "Studio head Marcus Early has run the company since 2015.\n"
        "After two delays, Early says the next game will ship in the spring. “We are not going to rush it,” he says."
    )
    assert [(q.kind, q.speaker) for q in quotes(nlp, text)] == [("indirect", "Marcus Early"), ("direct", "Marcus Early")]



def test_he_is_the_main_clause_subject_not_the_last_name(nlp):
    """Salience: the person the sentence is about, not a name inside its subordinate clause."""
    text = (
        "Defense lawyer Marco Delgado spoke outside the courthouse.\n"
        "Delgado refused to say whether Peter Lang had met the witness before Nathan Cole was arrested. "
        "“My client has nothing to hide,” he said."
    )
    (quote,) = [q for q in quotes(nlp, text) if q.kind == "direct"]
    assert quote.speaker == "Marco Delgado"
