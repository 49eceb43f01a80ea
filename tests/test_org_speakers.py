"""Organisations as speakers: statements, offices and ministries speak for the body that issued them,
while a person who speaks stays the person (real spaCy pipeline, the session ``nlp``)."""

from __future__ import annotations

from conftest import quotes


def test_the_statement_said_speaks_for_who_issued_it(nlp):
    text = (
        "Two aid workers were injured near the border on Tuesday, the Norwegian Refugee Council said in a statement.\n"
        "\"Our teams are safe and the convoy will resume on Friday,\" the statement said."
    )
    direct = [q for q in quotes(nlp, text) if q.kind == "direct"]
    assert [q.speaker for q in direct] == ["Norwegian Refugee Council"]


def test_a_person_who_spoke_in_the_statement_keeps_it(nlp):
    """The statement a named person gave is that person's, not the organisation's they lead."""
    text = (
        "\"We will appeal,\" Marta Quinlan, the chief executive of Dunmore Logistics, said in a statement.\n"
        "\"The ruling ignores the evidence we filed,\" the statement said."
    )
    direct = [q for q in quotes(nlp, text) if q.kind == "direct"]
    assert [q.speaker for q in direct] == ["Marta Quinlan", "Marta Quinlan"]


def test_a_report_spoken_about_is_no_one_s_statement(nlp):
    """ "said the report was flawed": the report is what Okoye spoke about, not a document she issued."""
    text = (
        "Councillor Grace Okoye said the report was flawed from the start.\n"
        "\"Traffic in the centre has fallen by a third,\" the report said."
    )
    (quote,) = [q for q in quotes(nlp, text) if q.kind == "direct"]
    assert quote.speaker != "Grace Okoye"


def test_an_organisation_that_issued_a_statement_warning_is_the_speaker(nlp):
    text = (
        "The Fair Elections Commission, which oversees party funding, issued a statement warning that "
        "\"voters deserve to know who pays for the adverts.\""
    )
    (quote,) = quotes(nlp, text)
    assert quote.speaker == "Fair Elections Commission"


def test_a_country_s_ministry_is_named_as_the_article_names_it(nlp):
    text = "Portugal's foreign ministry said it viewed the detention as a violation of consular rules."
    (quote,) = quotes(nlp, text)
    assert (quote.speaker, quote.kind) == ("Portugal's foreign ministry", "indirect")


def test_a_person_s_office_is_not_taken_for_an_organisation_s_name(nlp):
    text = "Senator Kay Holm's office said she would vote against the bill."
    (quote,) = quotes(nlp, text)
    assert quote.speaker != "Senator Kay Holm's office"


def test_a_bare_noun_after_an_organisation_spoke_is_that_organisation(nlp):
    text = (
        "\"We see little room for further rate cuts,\" said Harcourt Capital Partners.\n"
        "A weaker rupee could delay a recovery in demand, the brokerage said."
    )
    found = quotes(nlp, text)
    assert [q.speaker for q in found] == ["Harcourt Capital Partners", "Harcourt Capital Partners"]


def test_a_bare_noun_after_a_person_spoke_is_not_taken_for_an_organisation(nlp):
    text = (
        "\"We see little room for further rate cuts,\" said Priya Natarajan, an economist at Harcourt Capital Partners.\n"
        "A weaker rupee could delay a recovery in demand, the brokerage said."
    )
    reported = [q for q in quotes(nlp, text) if q.kind == "indirect"]
    assert all(q.speaker != "Priya Natarajan" for q in reported)


def test_the_label_said_is_the_label_the_article_is_about(nlp):
    text = (
        "Harborview Records signed the band in 2015 and released all four of its albums.\n"
        "\"We wish them well and will keep their catalogue in print,\" the label said."
    )
    (quote,) = quotes(nlp, text)
    assert quote.speaker == "Harborview Records"


def test_a_national_organisation_is_not_taken_for_the_person_named_before(nlp):
    """ "the French government", "the Chinese CDC" are no epithet like "the German": they speak for
    themselves, not for the person in the sentence before."""
    text = (
        "Maria Lopez, a spokeswoman for the embassy, spoke to reporters on Monday.\n"
        "The French government said it would send an envoy to the talks.\n"
        "Wee Lin of the Times reports that censors had told aggregators to block discussions.\n"
        "The Chinese CDC has said that there is no need for residents to worry."
    )
    found = {q.text: q.speaker for q in quotes(nlp, text)}
    assert found["it would send an envoy to the talks"] == "French government"
    assert found["there is no need for residents to worry"] == "CDC"
