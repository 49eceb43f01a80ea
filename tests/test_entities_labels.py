"""Labels from evidence beyond the model's guess, through the real spaCy pipeline with its slips pinned (issue 14)."""

from __future__ import annotations

from test_entities import _pinned

from etl.records import ENTITY_FACETS


def test_a_nationality_word_beside_its_country_is_no_place(nlp):
    text = "Talks with Moldova stalled after the envoy relayed the offer to the Moldovan on Friday."
    found = _pinned(nlp, text, [("Moldova", "GPE"), ("Moldovan", "GPE")])
    assert found["Moldova"].label == "GPE"
    assert found["Moldovan"].label not in ENTITY_FACETS["locations"]


def test_a_one_word_name_listed_with_an_organisation_is_one_unless_it_speaks_or_people_are_listed(nlp):
    text = "The deal between the European Chess Federation and Vantora was signed in Oslo."
    found = _pinned(nlp, text, [("European Chess Federation", "ORG"), ("Vantora", "PERSON"), ("Oslo", "GPE")])
    assert found["Vantora"].label == "ORG"
    text = "Talks between the Harbor Council and Okafor ended late. Okafor said the offer was fair."
    found = _pinned(nlp, text, [("Harbor Council", "ORG"), ("Okafor", "PERSON"), ("Okafor", "PERSON")])
    assert found["Okafor"].label == "PERSON"
    text = "He blamed the Logan Act, Mueller, Daniels and Okafor for the slide."
    found = _pinned(nlp, text, [("the Logan Act", "ORG"), ("Mueller", "PERSON"), ("Daniels", "PERSON"), ("Okafor", "PERSON")])
    assert found["Okafor"].label == "PERSON"


def test_a_party_s_members_in_a_state_are_no_person(nlp):
    text = "Ohio Republicans won a majority on Tuesday. Republicans had lost the seat in 2018."
    found = _pinned(nlp, text, [("Ohio Republicans", "PERSON"), ("Republicans", "NORP")])
    assert not [e for e in found.values() if e.label == "PERSON"]


def test_a_city_the_model_also_calls_a_place_is_a_place(nlp):
    text = "The Tacoma agency hired 40 people. Growth in Tacoma has been steady."
    found = _pinned(nlp, text, [("Tacoma", "PERSON"), ("Tacoma", "GPE")])
    assert found["Tacoma"].label == "GPE"


def test_a_name_with_an_indefinite_article_or_a_possessive_pronoun_is_no_entity(nlp):
    text = ("A passer-by acted as a good Samaritan. The firm is planning an IPO next year. “Dana has my Full and "
            "Total Support,” the mayor wrote. Reuters published the figures.")
    found = _pinned(nlp, text, [("Samaritan", "ORG"), ("IPO", "ORG"), ("Full and Total Support", "ORG"), ("Reuters", "ORG")])
    assert set(found) == {"Reuters"}
    text = "Scholars found a lost Edmund Carrow play in the archive."
    found = _pinned(nlp, text, [("Edmund Carrow", "PERSON")])
    assert set(found) == {"Edmund Carrow"}


def test_a_class_letter_or_roman_numeral_makes_a_category_not_an_organisation(nlp):
    text = "Spain topped Group B on Friday. He admitted possessing a Schedule IV drug sold by the Harlan Group."
    found = _pinned(nlp, text, [("Spain", "GPE"), ("Group B", "ORG"), ("Schedule", "ORG"), ("Harlan Group", "ORG")])
    assert set(found) == {"Spain", "Harlan Group"}
