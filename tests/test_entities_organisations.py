"""Organisations and what they own, through the real spaCy pipeline with the NER's slips pinned (issue 14)."""

from __future__ import annotations

from test_entities import _pinned


def test_what_follows_an_organisation_s_possessive_is_its_programme_not_a_name(nlp):
    text = "Organisers of Harborline Media’s Pulse Forum sold out the hall. Harborline Media declined to comment."
    found = _pinned(nlp, text, [("Harborline Media’s Pulse Forum", "ORG"), ("Harborline Media", "ORG")])
    assert set(found) == {"Harborline Media"} and found["Harborline Media"].count == 2


def test_a_product_of_a_maker_in_the_article_is_no_organisation(nlp):
    text = ("Kestrel shares rose on Monday. Owners can ask Kestrel’s Wren for the weather, and the Kestrel "
            "Beacon subscription service costs $5 a month.")
    found = _pinned(nlp, text, [("Kestrel", "ORG"), ("Kestrel", "ORG"), ("Wren", "ORG"), ("Kestrel Beacon", "ORG")])
    assert set(found) == {"Kestrel"}


def test_a_unit_that_speaks_is_an_organisation_of_its_own_and_a_product_that_runs_is_not(nlp):
    text = "Northwind shares fell. Northwind’s Larkspur said it would hire 200 engineers in the spring."
    found = _pinned(nlp, text, [("Northwind", "ORG"), ("Larkspur", "ORG")])
    assert found["Larkspur"].label == "ORG" and found["Northwind"].label == "ORG"
    text = "Northwind shares fell. Northwind’s Larkspur launched on Tuesday and runs on any television."
    found = _pinned(nlp, text, [("Northwind", "ORG"), ("Larkspur", "ORG")])
    assert set(found) == {"Northwind"}


def test_the_bare_name_after_a_place_and_the_site_address_join_the_organisation(nlp):
    text = ("Readers of the Leeds Gazette wrote in all week. The Gazette printed their letters. Prices rose 4%, "
            "according to Carwise.com, a car data firm. Carwise expects sales to slow.")
    found = _pinned(nlp, text, [("Leeds Gazette", "ORG"), ("Gazette", "ORG"), ("Carwise.com", "ORG"), ("Carwise", "ORG")])
    assert set(found) == {"Leeds Gazette", "Carwise.com"}
    assert found["Leeds Gazette"].count == 2 and found["Carwise.com"].count == 2


def test_a_capitalised_common_noun_joins_the_one_body_it_stands_for_or_is_dropped(nlp):
    text = "The Pacific Fisheries Agency closed the bay. The Agency said stocks had fallen. The Court ruled on Friday."
    found = _pinned(nlp, text, [("Pacific Fisheries Agency", "ORG"), ("Agency", "ORG"), ("Court", "ORG")])
    assert set(found) == {"Pacific Fisheries Agency"} and found["Pacific Fisheries Agency"].count == 2


def test_a_one_word_name_ending_in_a_capital_is_a_brand_not_a_person(nlp):
    text = "The contract went to LaunchX, which builds reusable boosters in Texas."
    found = _pinned(nlp, text, [("LaunchX", "PERSON"), ("Texas", "GPE")])
    assert found["LaunchX"].label == "ORG"


def test_an_organisation_s_laboratory_or_stadium_is_no_product(nlp):
    text = "Engineers at Vantor’s Deep Orbit Laboratory built the probe. Vantor fans filled Vantor’s Kellridge Stadium."
    found = _pinned(nlp, text, [("Vantor", "ORG"), ("Deep Orbit Laboratory", "ORG"), ("Vantor", "ORG"),
                                ("Vantor", "ORG"), ("Kellridge Stadium", "FAC")])
    assert {"Vantor", "Deep Orbit Laboratory", "Kellridge Stadium"} <= set(found)
