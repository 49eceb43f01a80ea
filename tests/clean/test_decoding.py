"""Page bytes to text (and to the UTF-8 lxml parses): what a reader of the article sees either way."""

from __future__ import annotations

import pytest
from conftest import STORY, page, raw_html

from etl.clean import clean
from etl.clean.text import decode, decode_page, word_count
from etl.records import RejectedInput

STORY_FR = STORY.replace("euros", "euros (café, naïve façade)")


def test_a_utf8_byte_order_mark_is_not_part_of_the_page(settings):
    plain = page(STORY_FR, "<title>Ferry terminal delayed</title>")
    marked = clean(raw_html(b"\xef\xbb\xbf" + plain), settings)
    assert marked.title == "Ferry terminal delayed"
    assert marked.body == clean(raw_html(plain), settings).body


def test_valid_utf8_that_is_mostly_control_bytes_is_binary(settings):
    with pytest.raises(RejectedInput) as err:
        clean(raw_html(bytes(range(1, 32)) * 400), settings)
    assert "binary" in err.value.reason


@pytest.mark.parametrize("data", [
    page(STORY_FR),
    b"\xef\xbb\xbf" + page(STORY_FR),
    page(STORY_FR.replace("harbour", "har\x00bour")),
    page(STORY_FR, "<meta charset='latin-1'>").decode().encode("latin-1"),
    page(STORY_FR).decode().encode("utf-16"),
    page(STORY_FR).decode(),
], ids=["utf-8", "bom", "nul", "latin-1", "utf-16", "str"])
def test_the_markup_parsed_is_the_decoded_text(data):
    text, utf8 = decode_page(data)
    assert text == decode(data)
    assert utf8 == text.encode("utf-8")
    assert "café, naïve façade" in text and "\x00" not in text and not text.startswith("\ufeff")


@pytest.mark.parametrize(("text", "words"), [
    ("Ferry\u00a0talks\u2003resumed\n\non Monday", 5),  # no-break and em spaces separate words too
    ("Talks in 東京 ended", 5),  # each Chinese or Japanese character is a word
    ("회담이 끝났다 today", 7),  # Korean syllables too
])
def test_words_are_counted_across_scripts(text, words):
    assert word_count(text) == words
