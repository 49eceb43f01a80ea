"""Where a mention starts and ends, through the real spaCy pipeline with the NER's slips pinned (issue 14)."""

from __future__ import annotations

from test_entities import _pinned


def test_a_role_s_office_runs_on_through_the_possessive(nlp):
    text = ("Deputies from the Kent County Sheriff’s Department searched the house. The California Governor's "
            "Office of Emergency Services sent crews.")
    found = _pinned(nlp, text, [("Kent County", "GPE"), ("California", "GPE"), ("Office of Emergency Services", "ORG")])
    assert set(found) == {"Kent County Sheriff’s Department", "California Governor's Office of Emergency Services"}
    text = "The hearing will be held at Dunmore Magistrate's Court in March."
    assert set(_pinned(nlp, text, [("Dunmore Magistrate's", "ORG")])) == {"Dunmore Magistrate's Court"}
    assert {e.label for e in found.values()} == {"ORG"}


def test_a_company_s_product_after_its_possessive_is_not_its_office(nlp):
    text = "Staff at Nimbus use Nimbus’s Office suite every day."
    found = _pinned(nlp, text, [("Nimbus", "ORG"), ("Nimbus", "ORG")])
    assert set(found) == {"Nimbus"} and found["Nimbus"].count == 2


def test_a_team_and_a_position_code_before_a_player_are_cut(nlp):
    text = "Falcons QB Devin Marsh threw two interceptions. The Falcons lost at home."
    found = _pinned(nlp, text, [("Falcons QB Devin Marsh", "PERSON"), ("Falcons", "ORG")])
    assert found["Devin Marsh"].label == "PERSON" and found["Falcons"].label == "ORG"
    assert "Falcons QB Devin Marsh" not in found


def test_a_place_before_a_name_whose_surname_the_article_gives_is_cut_but_not_a_city_s_first_word(nlp):
    text = ("Moldova Piotr Halas resigned on Friday. Halas had served two years. Editors of the San Francisco "
            "Chronicle objected, and the Chronicle said so.")
    found = _pinned(nlp, text, [("Moldova Piotr Halas", "PERSON"), ("Halas", "PERSON"),
                                ("San Francisco Chronicle", "ORG"), ("Chronicle", "ORG")])
    assert found["Piotr Halas"].count == 2 and "Moldova Piotr Halas" not in found
    assert found["San Francisco Chronicle"].count == 2 and "Francisco Chronicle" not in found


def test_a_name_opening_with_a_product_tier_is_a_product(nlp):
    text = "The Lumen 9 Pro Max costs $1,099 and ships in March."
    found = _pinned(nlp, text, [("Pro Max", "PERSON")])
    assert "Pro Max" not in found


def test_a_given_name_that_is_a_city_or_a_surname_elsewhere_is_not_cut(nlp):
    text = ("Luz Contreras Arroyo thanked LeBron James. Contreras Arroyo and James Van Der Beek met James in "
            "the Republic of Ireland, far from Ireland's capital.")
    found = _pinned(nlp, text, [("Luz Contreras Arroyo", "PERSON"), ("LeBron James", "PERSON"),
                                ("Contreras Arroyo", "PERSON"), ("James Van Der Beek", "PERSON"), ("James", "PERSON"),
                                ("Republic of Ireland", "GPE"), ("Ireland", "GPE")])
    assert {"Luz Contreras Arroyo", "James Van Der Beek", "Republic of Ireland"} <= set(found)
