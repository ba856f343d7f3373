from __future__ import annotations

from datetime import date, datetime, time

import pytest

from assistant.exports import values
from assistant.exports.values import Unreadable


@pytest.mark.parametrize(
    ("cell", "formats", "expected"),
    [
        ("11/24/2026", ["%m/%d/%Y"], date(2026, 11, 24)),
        ("24.11.2026", ["%d.%m.%Y"], date(2026, 11, 24)),
        ("2026-11-24", ["%m/%d/%Y", "iso"], date(2026, 11, 24)),
        ("11/24/2026 3:00 PM", ["%m/%d/%Y"], date(2026, 11, 24)),
        (datetime(2026, 11, 24, 15, 0), ["%m/%d/%Y"], date(2026, 11, 24)),
        ("  ", ["%m/%d/%Y"], None),
    ],
)
def test_dates_in_the_mappings_formats(cell, formats, expected):
    assert values.day(cell, formats) == expected


def test_a_date_in_no_format_names_the_formats_and_not_the_value():
    with pytest.raises(Unreadable) as caught:
        values.day("24.11.2026", ["%m/%d/%Y"])
    assert "%m/%d/%Y" in str(caught.value)
    assert "24.11" not in str(caught.value)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("3:00 PM", time(15, 0)), ("15:30", time(15, 30)), ("9:05 a.m.", time(9, 5)), (time(8, 0), time(8, 0))],
)
def test_times(cell, expected):
    assert values.clock_time(cell, ["%I:%M %p", "%H:%M"]) == expected


@pytest.mark.parametrize(
    ("cell", "comma", "expected"),
    [
        ("$1,234.00", False, 1234.0),
        ("1.234,00 €", True, 1234.0),
        ("12,50", True, 12.5),
        ("(12.50)", False, -12.5),
        ("-$5", False, -5.0),
        ("", False, None),
    ],
)
def test_amounts(cell, comma, expected):
    assert values.amount(cell, comma) == expected


@pytest.mark.parametrize(("cell", "comma"), [("45,00", False), ("1.250,00 €", False), ("1,250.00", True)])
def test_an_amount_in_the_other_decimal_convention_is_unreadable_not_misread(cell, comma):
    with pytest.raises(Unreadable, match="decimal"):
        values.amount(cell, comma)


def test_an_amount_that_is_words_is_unreadable():
    with pytest.raises(Unreadable, match="not an amount"):
        values.amount("call us")


@pytest.mark.parametrize("cell", ["comp", "Complimentary", "FREE", "n/c", "N/C", " No  Charge "])
def test_an_amount_at_no_charge_is_zero(cell):
    assert values.amount(cell) == 0.0


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("Yes", True), ("x", True), ("1", True), ("FALSE", False), ("", False), ("no", False)],
)
def test_yes_and_no(cell, expected):
    assert values.flag(cell) is expected


def test_a_flag_that_is_neither_is_unreadable():
    with pytest.raises(Unreadable):
        values.flag("maybe")


def test_lists_drop_blanks_and_repeats_in_order():
    assert values.listed("VIP, botox ,, VIP,filler") == ["VIP", "botox", "filler"]
