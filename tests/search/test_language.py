"""The query language: what each operator means, and the clear error for what it cannot mean."""

from __future__ import annotations

import pytest

from etl.index.embedded.analysis import ANALYZER
from etl.search.language import And, Match, Not, Or, QueryError, parse
from etl.search.query import SearchError
from etl.search.synonyms import expand


def words(*texts: str) -> tuple[Match, ...]:
    return tuple(Match(t) for t in texts)


@pytest.mark.parametrize(("query", "tree"), [
    ("police shooting", And(words("police", "shooting"))),
    ("Trump AND Biden", And(words("Trump", "Biden"))),
    ("trade OR China", Or(words("trade", "China"))),
    ("police shooting OR killing", And((Match("police"), Or(words("shooting", "killing"))))),
    ("trade -China", And((Match("trade"), Not(Match("China"))))),
    ("trade NOT China", And((Match("trade"), Not(Match("China"))))),
    ("-(a OR b) c", And((Not(Or(words("a", "b"))), Match("c")))),
    ('"climate change" policy', And((Match("climate change", phrase=True), Match("policy")))),
    ("“curly quotes”", Match("curly quotes", phrase=True)),
    ('persons:"Joe Biden"', Match("Joe Biden", "persons", phrase=True)),
    ("source:(apnews.com OR reuters.com)", Or((Match("apnews.com", "source"), Match("reuters.com", "source")))),
    ("and or not", And(words("and", "or", "not"))),  # lower case: words
    ("e-mail don't U.S.", And(words("e-mail", "don't", "U.S."))),
    ("https://example.com/a", Match("https://example.com/a")),  # a URL is not a field
    ("— police !!", Match("police")),  # punctuation alone carries no word
    ("", None),
])
def test_each_operator_means_what_the_readme_says(query, tree):
    assert parse(query) == tree


@pytest.mark.parametrize(("query", "reason"), [
    ("Trump AND", "AND needs something after it"),
    ("AND Trump", "AND needs something before it"),
    ("trade OR", "OR needs something after it"),
    ("(trade OR China", "never closed"),
    ("trade)", r"no \( before it"),
    ('"climate change', "quotation mark at character 1 is never closed"),
    ("colour:blue", "unknown field 'colour'"),
    ("title:", "needs a word after it"),
    ("*", "wildcards"),
    ("trum*", "wildcards"),
    ("trump~2", "fuzzy"),
    ("a && b", "use AND, OR or NOT"),
    ("NOT", "NOT needs something after it"),
    ("\\ —", "no word to search for"),
    ("-", "no word to search for"),
    ("(" * 40 + "a" + ")" * 40, "nested more than"),
    (" ".join(f"w{n}" for n in range(70)), "at most 64"),
])
def test_a_bad_query_is_one_clear_error_naming_the_query_and_the_place(query, reason):
    with pytest.raises(QueryError, match=reason) as caught:
        parse(query)
    assert isinstance(caught.value, SearchError)  # the CLI says it in one line, the API answers 422
    assert "\n" not in str(caught.value) and str(caught.value).startswith("query ")


def test_fields_follow_the_index():
    assert parse("speaker:kirby", "quotes") == Match("kirby", "speaker")
    with pytest.raises(QueryError, match="unknown field 'speaker'"):
        parse("speaker:kirby", "articles")


def test_variant_names_are_synonyms_expanded_once_in_the_tree():
    tree = expand(parse("Kiev trade"))
    assert tree == And((Or((Match("Kiev"), Match("Kyiv", phrase=True))), Match("trade")))
    # "us" typed in lower case is the word, not the country; "US" never joins a group as a word
    assert expand(parse("us")) == Match("us")
    assert Match("US", phrase=True) not in expand(parse('"United States"')).parts


def test_the_embedded_analysis_keeps_the_words_people_search_for():
    """Possessives of either apostrophe, accents, dotted abbreviations, numbers with separators."""
    assert ANALYZER.analyze("Trump’s Trump's Café naïve U.S. 1,000 3.5 don't") == \
        ["trump", "trump", "cafe", "naiv", "u.", "1,000", "3.5", "don't"]
