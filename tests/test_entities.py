"""Canonical entities through the real spaCy pipeline (the session ``nlp``)."""

from __future__ import annotations

from spacy.tokens import Span

from etl.enrich.entities import extract_entities, load_variants
from etl.enrich.lexicon import load_lexicon
from etl.records import ENTITY_FACETS


def entities(nlp, text):
    doc = nlp(text)
    assert doc._.enrich_error is None
    return {e.name: e for e in doc._.entities}


def test_surname_mentions_merge_into_the_full_name(nlp, seed_text):
    found = entities(nlp, seed_text)
    putin = found["Vladimir Putin"]
    assert putin.label == "PERSON"
    assert set(putin.mentions) == {"Vladimir Putin", "Putin"}
    assert putin.count == 5
    assert "Putin" not in found
    assert found["John Kirby"].mentions == ["John Kirby", "Kirby"]


def test_variant_names_are_one_entity(nlp, seed_text):
    found = entities(nlp, seed_text)
    kyiv = found["Kyiv"]
    assert {"Kyiv", "Kiev"} <= set(kyiv.mentions) and kyiv.label == "GPE"
    assert found["United States"].mentions == ["US"]
    text = "The U.S. and the United States of America are one. US officials agreed."
    us = entities(nlp, text)["United States"]
    assert us.count == 3 and set(us.mentions) == {"U.S.", "United States of America", "US"}


def test_possessive_and_leading_article_are_stripped(nlp):
    found = entities(nlp, "The Pentagon’s budget grew. Officials at the Pentagon said so. Maria Lopez's team agreed.")
    assert found["Pentagon"].mentions == ["Pentagon"] and found["Pentagon"].count == 2
    assert "Maria Lopez" in found


def test_label_slips_are_fixed_by_the_article(nlp, seed_text):
    found = entities(nlp, seed_text)
    # The small model labels the first "Biden" ORG; the article's other mentions settle it.
    assert found["Biden"].label == "PERSON"
    assert all(e.label not in ("DATE", "CARDINAL", "ORDINAL", "TIME") for e in found.values())


def test_the_subject_of_said_is_a_speaker_not_a_place(nlp):
    """The NER's output is pinned (a GPE slip) so the test does not hang on what the model guesses today."""
    doc = nlp("Kellerman said the talks had failed.")
    doc.ents = [Span(doc, 0, 1, label="GPE")]
    (entity,), _ = extract_entities(doc, load_variants(), load_lexicon())
    assert (entity.name, entity.label) == ("Kellerman", "PERSON")


def test_the_object_of_near_is_a_place(nlp):
    text = "Residents fled the city of Kramatorsk. Dorota Wiśniewska said she stayed near Kramatorsk."
    assert entities(nlp, text)["Kramatorsk"].label == "GPE"


def test_a_shared_surname_is_not_merged(nlp):
    found = entities(nlp, "John Smith met Anna Smith in Paris. Smith said the meeting went well.")
    assert found["John Smith"].count == 1 and found["Anna Smith"].count == 1



def test_the_offices_a_person_is_named_with_are_kept_with_the_name(nlp):
    found = entities(nlp, "Former Prime Minister Ingrid Solberg met Gov. Tomas Reyes and Mr. Carl Dunmore. "
                          "His daughter Mara Reyes was there too. Later Governor Reyes said the talks went well.")
    assert found["Ingrid Solberg"].titles == ["prime minister"]  # "former" says when, not which office
    assert found["Tomas Reyes"].titles == ["governor"]  # "Gov." spelt out
    assert found["Carl Dunmore"].titles == []  # "Mr." is said of anyone
    assert found["Mara Reyes"].titles == []
    assert found["Reyes"].titles == ["governor"]  # the surname two people share, with the office it is written with


def test_a_name_the_model_ends_inside_a_bracket_ends_before_it(nlp):
    # From a real market report: the model's span is "Shanghai Composite (SHCOMP", which no facet should show.
    found = entities(nlp, "South Korea's Kospi Index (KOSPI) fell 0.5%. China's Shanghai Composite (SHCOMP) slumped 0.2%.")
    assert "Shanghai Composite" in found and not any("(" in name or ")" in name for name in found)


def test_a_run_of_title_words_keeps_the_office_nearest_the_name_and_few_offices(nlp):
    stacked = " ".join(["Chief Deputy Secretary General"] * 50)  # a page that repeats its header words
    found = entities(nlp, f"{stacked} Ingrid Solberg said the talks went well.")
    assert found["Ingrid Solberg"].titles == ["chief deputy secretary general"]
    offices = ["Mayor", "Senator", "Governor", "Judge", "Ambassador", "Commissioner", "Director", "Coach"]
    found = entities(nlp, " ".join(f"{office} Tomas Reyes spoke on day {n}." for n, office in enumerate(offices, 1)))
    assert found["Tomas Reyes"].titles == ["mayor", "senator", "governor", "judge", "ambassador"]


def test_the_words_around_a_name_settle_person_or_organisation(nlp):
    found = entities(
        nlp,
        "Harlow Foods said on Monday it would close its bakery in Wrexham by the end of the year.\n"
        "Its regional officer, Gareth Price, said workers had learned of the decision from a news website.\n"
        "Harlow Foods, which is owned by the private equity firm Crestline Partners, reported a loss. "
        "Crestline declined to comment. Harlow said it would consider offers.",
    )
    assert found["Harlow Foods"].label == "ORG" and set(found["Harlow Foods"].mentions) == {"Harlow Foods", "Harlow"}
    assert found["Crestline Partners"].label == "ORG"  # the model says PERSON; the suffix and "the firm" say no
    assert found["Gareth Price"].label == "PERSON"  # the model says ORG; "its regional officer" says no
    assert not {"Harlow", "Crestline"} & set(found)


def test_mentions_the_model_missed_join_the_person(nlp):
    text = (
        "His Democratic rival, Lieutenant Governor Marcus Reed, said the plan would blow a hole in the budget.\n"
        "Reed shook his head. He said the tax cut would mostly benefit the top 1 percent of earners."
    )
    assert entities(nlp, text)["Marcus Reed"].mentions == ["Marcus Reed", "Reed"]


# Issue 14: label evidence and fragments, each from a sentence written for the test.


def test_a_name_with_no_capitalised_word_is_no_entity(nlp):
    found = entities(nlp, "Analysts were cautious about marijuana and Medicaid in Springfield.")
    assert "marijuana" not in found
    assert found["Medicaid"].label == "ORG"


def test_a_contraction_fragment_is_no_entity(nlp):
    doc = nlp("They didn’t go to Toledo.")
    frag = next(t for t in doc if t.text in ("n’t", "n't"))
    doc.ents = [Span(doc, frag.i, frag.i + 1, label="GPE")]
    found, _ = extract_entities(doc, load_variants(), load_lexicon())
    assert [e.name for e in found] == []


def test_gazetteer_cities_and_state_codes_are_places_not_organisations(nlp):
    found = entities(nlp, "Tickets for the show at the Harbor Point Amphitheatre in Holmdel, NJ went fast.")
    assert found["NJ"].label == "GPE"
    found = entities(nlp, "The group said Irving and Burbank would host the events.")
    assert found["Irving"].label == "GPE" and found["Burbank"].label == "GPE"


def test_a_state_that_said_stays_a_place(nlp):
    found = entities(nlp, "Under the plan, officials in Cuyahoga Falls, Ohio said.")
    assert found["Ohio"].label == "GPE"


def test_a_venue_ending_in_a_facility_word_is_a_place(nlp):
    found = entities(nlp, "The band plays the Riverbend Music Pavilion on May 3 and then heads home.")
    assert found["Riverbend Music Pavilion"].label == "FAC"
    assert "FAC" in ENTITY_FACETS["locations"]  # the gold merges facilities into locations


def test_credit_lines_give_no_entities(nlp):
    found = entities(nlp, "Nadia Perez reported from Lagos. Associated Press writers Tom Hale and Rita Owusu "
                          "contributed to this report.")
    assert "Tom Hale" not in found and "Rita Owusu" not in found and "Associated Press" not in found
    assert "Lagos" in found


def test_a_score_or_a_possessive_head_is_cut_from_the_name(nlp):
    doc = nlp("In the semifinal Lena Marsh 6-2 won, and the club’s Haqqani lost.")
    start = next(t.i for t in doc if t.text == "Lena")
    score_end = next(t.i for t in doc if t.text.startswith("6")) + 1
    while score_end < len(doc) and doc[score_end].text in ("-", "2", "-2"):
        score_end += 1
    poss = next(t.i for t in doc if t.text in ("’s", "'s"))
    doc.ents = [Span(doc, start, score_end, label="PERSON"), Span(doc, poss, poss + 2, label="ORG")]
    found, _ = extract_entities(doc, load_variants(), load_lexicon())
    assert {e.name for e in found} == {"Lena Marsh", "Haqqani"}


def test_a_given_name_alone_joins_the_one_full_name_it_opens(nlp):
    found = entities(nlp, "Steve Harlan founded the firm in 1998. Steve later left, and Harlan's son took over.")
    assert "Steve" not in found and "Steve" in found["Steve Harlan"].mentions


def test_a_generational_suffix_does_not_hide_the_surname(nlp):
    found = entities(nlp, "Robert Quill Jr. was charged on Monday. Quill pleaded not guilty.")
    assert "Quill" not in found and found["Robert Quill Jr."].label == "PERSON"


def test_the_agency_of_a_dateline_is_no_entity(nlp):
    found = entities(nlp, "LYON (AP) — Farmers blocked roads near Lyon on Tuesday.")
    assert "AP" not in found
    assert {found[name].label for name in found if name.lower() == "lyon"} == {"GPE"}


def test_a_plural_name_after_the_is_a_team_not_a_person(nlp):
    found = entities(nlp, "The Steelers beat the Browns on Sunday, and the Sabres lost.")
    assert {found[name].label for name in ("Steelers", "Browns", "Sabres")} == {"ORG"}


def test_an_all_caps_dateline_place_shows_in_its_usual_case(nlp):
    found = entities(nlp, "LYON (AP) — Farmers blocked roads on Tuesday.")
    assert "Lyon" in found and "LYON" not in found


def test_contributed_in_the_story_is_no_credit_line(nlp):
    found = entities(nlp, "China contributed $5 billion to the fund.")
    assert found["China"].label == "GPE"


# Issue 14, second round: where a mention starts and ends, one person under several names, credit lines.


def _pinned(nlp, text, spans):
    """Entities of ``text`` with the NER's output pinned to ``spans`` (surface text, label), so the test
    shows what the article-level rules do with a slip, whatever the model guesses today."""
    doc = nlp(text)
    ents, end = [], 0
    for surface, label in spans:  # in text order
        start = text.index(surface, end)
        end = start + len(surface)
        ents.append(doc.char_span(start, end, label=label))
    doc.ents = ents
    return {e.name: e for e in extract_entities(doc, load_variants(), load_lexicon())[0]}


def test_a_sentence_opening_word_glued_to_a_name_is_cut(nlp):
    text = "Questioning Marlowe for an hour, the senators got nowhere. Elena Marlowe said little."
    found = _pinned(nlp, text, [("Questioning Marlowe", "PERSON"), ("Elena Marlowe", "PERSON")])
    assert set(found) == {"Elena Marlowe"} and found["Elena Marlowe"].count == 2


def test_the_owner_before_a_possessive_inside_a_name_is_cut(nlp):
    text = "Peru’s Workers Party met on Sunday; the Workers Party said Peru needed reform."
    found = _pinned(nlp, text, [("Peru’s Workers Party", "ORG"), ("Workers Party", "ORG"), ("Peru", "GPE")])
    assert "Workers Party" in found and found["Workers Party"].count == 2
    assert not any("’s" in name for name in found)


def test_common_nouns_after_a_name_and_clauses_are_no_part_of_it(nlp):
    text = "Fighting spread across Kandahar province, while in the final Okafor beat Lindqvist in Kandahar."
    found = _pinned(nlp, text, [("Kandahar province", "GPE"), ("Okafor beat Lindqvist", "PERSON"), ("Kandahar", "GPE")])
    assert set(found) == {"Kandahar"} and found["Kandahar"].count == 2


def test_product_codes_and_lowercase_product_names_are_no_entities(nlp):
    text = "The laptop has two USB-C ports, and xCloud streams games to it."
    found = _pinned(nlp, text, [("USB", "ORG"), ("xCloud", "PERSON")])
    assert found == {}


def test_one_person_written_several_ways_is_one_entity(nlp):
    found = entities(nlp, "Daniel R. Whitcombe Jr. was sentenced on Friday. Prosecutors said Dan Whitcombe "
                          "had made the calls from his home. Whitcombe apologised to the court.")
    people = [e for e in found.values() if e.label == "PERSON"]
    assert len(people) == 1 and people[0].name == "Daniel R. Whitcombe Jr." and "Dan Whitcombe" in people[0].mentions


def test_a_full_name_the_model_calls_a_company_is_a_person_by_its_surname(nlp):
    text = "Ingrid Solberg edged Maria Duarte in three sets. Solberg said her serve had carried her."
    found = _pinned(nlp, text, [("Ingrid Solberg", "ORG"), ("Maria Duarte", "PERSON"), ("Solberg", "PERSON")])
    assert found["Ingrid Solberg"].label == "PERSON" and found["Ingrid Solberg"].count == 2


def test_a_place_name_before_a_company_is_not_a_given_name(nlp):
    text = "The Lisbon Courier reported the deal. Courier said it had seen the contract."
    found = _pinned(nlp, text, [("Lisbon Courier", "ORG"), ("Courier", "PERSON")])
    assert found["Lisbon Courier"].label == "ORG"


def test_bylines_and_correspondent_lines_give_no_people(nlp):
    text = ("Flooding closed the port of Durban on Monday.\n\nMaya Lindgren, BBC Africa correspondent\n\n"
            "Officials in Durban said the water was receding.\n\nContributing: Peter Okonjo\n\n"
            "Updated 9:15 AM EST 11/20/2019 by Carla Mendes")
    found = entities(nlp, text)
    assert not {"Maya Lindgren", "Peter Okonjo", "Carla Mendes"} & set(found)
    assert "Durban" in found


def test_a_website_named_by_its_account_or_posts_is_no_person(nlp):
    text = "The clip spread across Twitter within hours. The ministry said its Twitter account had been hacked."
    found = _pinned(nlp, text, [("Twitter", "PERSON"), ("Twitter", "PERSON")])
    assert found["Twitter"].label == "ORG"


def test_a_name_after_the_is_a_place_or_a_company_not_a_person(nlp):
    found = _pinned(nlp, "The agency wants crews on the Moon by 2028.", [("Moon", "PERSON")])
    assert found["Moon"].label in ENTITY_FACETS["locations"]
    found = _pinned(nlp, "The Ledger reported the deal on Friday.", [("Ledger", "PERSON")])
    assert found["Ledger"].label == "ORG"


def test_a_capitalised_common_word_is_no_name(nlp):
    text = "Energy ministers meet on Monday. Prices of energy have doubled since March, Lena Ostrova said."
    found = _pinned(nlp, text, [("Energy", "ORG"), ("Lena Ostrova", "PERSON")])
    assert set(found) == {"Lena Ostrova"}


def test_events_products_and_titles_are_no_entities(nlp):
    text = ("Serbia reached the Davis Cup semifinals. Nintendo Switch Lite sales rose. "
            "The band closed with “Carolyn Goes Dancing Tonight” and Marta Ruiz waved.")
    found = _pinned(nlp, text, [("Davis Cup", "PERSON"), ("Nintendo Switch", "PERSON"), ("Carolyn", "PERSON"),
                                ("Marta Ruiz", "PERSON")])
    assert set(found) == {"Marta Ruiz"}
    found = _pinned(nlp, "“Marta is right,” the coach said.", [("Marta", "PERSON")])
    assert "Marta" in found  # a quoted sentence, not a title


def test_the_wire_agency_after_an_abbreviated_state_is_a_dateline(nlp):
    text = "HAYWARD, Calif. (AP) — Police said a man was arrested near the station."
    found = _pinned(nlp, text, [("HAYWARD", "GPE"), ("AP", "ORG")])
    assert "AP" not in found and "Hayward" in found


def test_an_unknown_place_that_acts_is_a_company(nlp):
    text = "Vantora has been buying studios, and rivals now take on Vantora directly. Chicago has been quiet."
    found = _pinned(nlp, text, [("Vantora", "GPE"), ("Vantora", "GPE"), ("Chicago", "GPE")])
    assert found["Vantora"].label == "ORG" and found["Chicago"].label == "GPE"


def test_a_role_noun_before_a_name_makes_it_a_person_and_an_institution_word_an_organisation(nlp):
    text = "The Eagles signed quarterback Dale Whitmore, while the automaker General Motors cut jobs."
    found = _pinned(nlp, text, [("Eagles", "ORG"), ("Dale Whitmore", "ORG"), ("General Motors", "ORG")])
    assert found["Dale Whitmore"].label == "PERSON" and found["General Motors"].label == "ORG"
    text = "The Harbor City Police Department said the road would reopen."
    found = _pinned(nlp, text, [("Harbor City Police Department", "PERSON")])
    assert found["Harbor City Police Department"].label == "ORG"


def test_a_headline_colon_ends_the_name(nlp):
    text = "Anna Berg: Living With Loss is out this week."
    found = _pinned(nlp, text, [("Anna Berg: Living", "PERSON")])
    assert set(found) == {"Anna Berg"}


def test_state_codes_after_a_place_are_places_and_join_the_state_named_in_full(nlp):
    text = ("The tour opens in Tennessee.\n\nJune 17 -- Bridgestone Arena, Nashville, TN\n\n"
            "June 19 -- Pavilion, Denver, CO")
    found = entities(nlp, text)
    assert "TN" in found["Tennessee"].mentions and "TN" not in found
    assert found["CO"].label == "GPE"


def test_an_organisation_seen_only_in_headline_case_is_dropped(nlp):
    text = ("Ciara To Host Awards Night, Plus New Performers Announced\n\n"
            "The Lakeview Trust said on Monday that tickets were sold out.")
    found = _pinned(nlp, text, [("Plus New Performers Announced", "ORG"), ("Lakeview Trust", "ORG")])
    assert set(found) == {"Lakeview Trust"}


def test_a_name_the_article_writes_as_a_web_address_is_a_website(nlp):
    text = "Grievances were aired on Quibbly last week. Read more at quibbly.com/news."
    found = _pinned(nlp, text, [("Quibbly", "PERSON")])
    assert found["Quibbly"].label == "ORG"


def test_an_organisation_s_acronym_and_short_forms_join_its_full_name(nlp):
    text = ("The Oregon Public Utility Commission approved the rate rise. The OPUC said the Department of "
            "Energy and the Energy Department had both been consulted, and the Utility Commission agreed.")
    found = _pinned(nlp, text, [("Oregon Public Utility Commission", "ORG"), ("OPUC", "ORG"),
                                ("Department of Energy", "ORG"), ("Energy Department", "ORG"),
                                ("Utility Commission", "ORG")])
    assert set(found) == {"Oregon Public Utility Commission", "Department of Energy"}
    assert found["Oregon Public Utility Commission"].count == 3 and found["Department of Energy"].count == 2


def test_the_noun_a_name_modifies_or_its_apposition_settles_team_site_and_hometown(nlp):
    text = ("Ravens captain Joel Amari scored twice. Visitors toured the city's Kestrel prison. "
            "Ferrox, a group backed by two banks, paid. Ana Pike, 31, of Brenton was hurt.")
    found = _pinned(nlp, text, [("Ravens", "PERSON"), ("Joel Amari", "PERSON"), ("Kestrel", "PERSON"),
                                ("Ferrox", "PERSON"), ("Ana Pike", "PERSON"), ("Brenton", "PERSON")])
    assert found["Ravens"].label == "ORG" and found["Joel Amari"].label == "PERSON"
    assert found["Kestrel"].label == "FAC" and found["Ferrox"].label == "ORG"
    assert found["Brenton"].label == "GPE" and found["Ana Pike"].label == "PERSON"


def test_a_security_force_that_takes_who_is_an_organisation(nlp):
    text = "The call went to the Harbor Capitol Police, who traced it within a day."
    found = _pinned(nlp, text, [("Harbor Capitol Police", "PERSON")])
    assert found["Harbor Capitol Police"].label == "ORG"


def test_a_hyphenated_given_name_is_kept_whole(nlp):
    text = "Prosecutor Eva-Lotta Brandt took the decision. Brandt said the case was closed."
    found = _pinned(nlp, text, [("Lotta Brandt", "PERSON"), ("Brandt", "PERSON")])
    assert set(found) == {"Eva-Lotta Brandt"} and found["Eva-Lotta Brandt"].count == 2


def test_a_family_named_by_a_surname_is_no_entity(nlp):
    text = "Hal Brennan thanked voters. The Brennans moved to Ohio last year."
    found = _pinned(nlp, text, [("Hal Brennan", "PERSON"), ("Brennans", "GPE"), ("Ohio", "GPE")])
    assert set(found) == {"Hal Brennan", "Ohio"}


def test_an_unknown_place_listed_with_companies_is_a_company_and_a_known_city_stays_a_place(nlp):
    text = "He bought Harbor Entertainment, Quillworks and two studios. Quillworks opened an office in Frankfurt."
    found = _pinned(nlp, text, [("Harbor Entertainment", "ORG"), ("Quillworks", "GPE"), ("Quillworks", "GPE"),
                                ("Frankfurt", "GPE")])
    assert found["Quillworks"].label == "ORG" and found["Frankfurt"].label == "GPE"


def test_venues_the_model_skipped_are_found_by_their_facility_word(nlp):
    text = ("Tour dates:\n\nMay 4 -- Lakeshore Credit Union Amphitheatre, Dayton, OH\n\n"
            "May 6 -- Ak-Tel Pavilion, Reno, NV")
    doc = nlp(text)
    doc.ents = []  # whatever the model finds, the two venues come from their facility words
    found = {e.name: e for e in extract_entities(doc, load_variants(), load_lexicon())[0]}
    assert found["Lakeshore Credit Union Amphitheatre"].label == "FAC" and found["Ak-Tel Pavilion"].label == "FAC"
    assert {"OH", "NV"} <= set(found)
