"""Interview and transcript turns as quotes, through the real pipeline; lists laid out like turns are not."""

from __future__ import annotations

import pytest
from conftest import quotes


def turns(nlp, text):
    return [(q.kind, q.speaker, q.text, q.cue) for q in quotes(nlp, text)]


INTERVIEW = (
    "Marine biologist Sofia Lindqvist has tagged more than 300 sharks off the coast of Norway. "
    "We spoke with her about what the tags show.\n\n"
    "Q: What surprised you most?\n\n"
    "A: How far they travel. One female swam to the Azores and back in a single winter.\n\n"
    "Q: Are the populations recovering?\n\n"
    "A: Slowly. My mentor used to say “patience is the whole method,” and she was right."
)


def test_interview_answers_are_the_interviewees_quotes_and_questions_are_not(nlp):
    assert turns(nlp, INTERVIEW) == [
        ("direct", "Sofia Lindqvist", "How far they travel. One female swam to the Azores and back in a single winter.", None),
        # The answer is one quote: the words it quotes inside are part of it, not a quote of their own.
        ("direct", "Sofia Lindqvist",
         "Slowly. My mentor used to say “patience is the whole method,” and she was right.", None),
    ]


def test_an_interview_whose_introduction_names_no_one_gives_no_unattributed_answers(nlp):
    text = ("We asked our readers' panel about the new tram line.\n\n"
            "Q: Will you use it?\n\nA: Every day, if it runs on time.\n\n"
            "Q: What worries you?\n\nA: The fares, mostly.")
    assert turns(nlp, text) == []


def test_a_broadcast_transcript_attributes_each_turn_to_the_person_its_label_names(nlp):
    text = ("Anchor Jake Tapper spoke with Senator Amy Klobuchar on Sunday about the farm bill.\n\n"
            "TAPPER: Will the bill pass this month?\n\n"
            "KLOBUCHAR: I believe it will, because farmers cannot wait another season.\n\n"
            "TAPPER: And if it does not?\n\n"
            "KLOBUCHAR: Then we will keep the Senate in session until it does.")
    found = [(speaker, text[:20]) for _, speaker, text, _ in turns(nlp, text)]
    assert found == [("Jake Tapper", "Will the bill pass t"), ("Amy Klobuchar", "I believe it will, b"),
                     ("Jake Tapper", "And if it does not?"), ("Amy Klobuchar", "Then we will keep th")]


ARREST_LOG = ("The following people were booked into the county jail this week.\n\n"
              "Maria L. Fenton: Possession of a controlled substance, driving while suspended.\n\n"
              "Derek P. Olsen: Theft, resisting law enforcement.\n\n"
              "Carla J. Mendes: Two county warrants for failure to appear.")
GAME_NOTES = ("The Hawks beat the Celtics 112-104 on Tuesday night in Atlanta.\n\n"
              "Hawks: Trae Young sat out the fourth quarter with a sore ankle.\n\n"
              "Celtics: Jayson Tatum scored 31 points.\n\n"
              "Hawks: Host the Knicks on Friday.\n\n"
              "Celtics: Visit the Bulls on Saturday.")


@pytest.mark.parametrize("text", [ARREST_LOG, GAME_NOTES], ids=["arrest-log-naming-each-person-once", "notes-by-team"])
def test_lists_laid_out_as_turns_are_no_transcript(nlp, text):
    assert turns(nlp, text) == []
