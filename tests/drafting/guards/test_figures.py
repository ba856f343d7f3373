"""Figures read by the fact they state, however they are written."""

from __future__ import annotations

import pytest

from assistant.drafting.guards.figures import read, stated

NOUNS = r"sessions?|visits?|treatments?|HydraFacials?"


@pytest.mark.parametrize(
    "text, kind, values",
    [
        ("down 21 pounds", "change", (21,)),
        ("you lost 21 since July", "change", (21,)),
        ("21 lb lighter", "change", (21,)),
        ("twenty-one pounds down", "change", (21,)),
        ("a 21-pound drop", "change", (21,)),
        ("a loss of 21 pounds", "change", (21,)),
        ("dropped 8%", "change", (8,)),
        ("from 212 to 191 lb", "measure", (212, 191)),
        ("a BMI of 31.2", "measure", (31.2,)),
        ("a 10/10", "score", (10,)),
        ("a 9 out of 10", "score", (9,)),
        ("rated us a 9", "score", (9,)),
        ("your third session", "ordinal", (3,)),
        ("your 2nd HydraFacial", "ordinal", (2,)),
        ("four to six sessions", "count", (4, 6)),
        ("a planned course of eight", "count", (8,)),
        ("3 to 5 days", "duration", (3, 5)),
        ("a two-week follow-up", "duration", (14,)),
        ("every 4-6 weeks", "duration", (28, 42)),
        ("from the 27th", "day", (27,)),
    ],
)
def test_each_figure_is_read_as_the_fact_it_states(text, kind, values):
    (figure,) = read(text, NOUNS)[0]
    assert figure.kind == kind and figure.values == pytest.approx(values)


@pytest.mark.parametrize("text", ["on 10/10", "lost 2 sizes", "20% off", "12 units", "about an hour"])
def test_what_states_no_fact_is_left_for_the_plain_number_check(text):
    assert read(text, NOUNS)[0] == []


def test_a_record_line_with_two_measurements_states_their_change():
    facts = stated("Weight 198 lb in July, 180 lb on Nov 20", NOUNS)
    assert {198, 180} <= facts["measure"] and 18 in facts["change"]
