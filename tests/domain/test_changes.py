"""What an edit changed, as the audit screen shows it: the lines removed and added, field by
field, and nothing for a field left as it was."""

from __future__ import annotations

from assistant.domain.changes import ChangedLine, changed_lines, unified_diff

BEFORE = {"subject": "Your results", "body": "Hi Ana,\nYour skin looks great.\nBook soon."}
AFTER = {"subject": "Your results", "body": "Hi Ana,\nYour skin looks brighter.\nBook soon."}


def test_only_the_changed_lines_of_the_changed_field_are_listed():
    assert changed_lines(BEFORE, AFTER) == [
        ChangedLine("body", "removed", "Your skin looks great."),
        ChangedLine("body", "added", "Your skin looks brighter."),
    ]


def test_the_diff_reads_as_diff_prints_it_with_the_field_named():
    diff = unified_diff(BEFORE, AFTER).splitlines()
    assert diff[:2] == ["--- body before", "+++ body after"]
    assert "-Your skin looks great." in diff and "+Your skin looks brighter." in diff
    assert not any("subject" in line for line in diff)


def test_text_written_from_nothing_is_all_added_and_an_unchanged_text_is_no_diff():
    assert {c.change for c in changed_lines(None, AFTER)} == {"added"}
    assert unified_diff(BEFORE, BEFORE) == ""


def test_an_outcome_undone_compares_the_values_themselves():
    assert changed_lines({"outcome": "accepted"}, {"outcome": None}) == [
        ChangedLine("outcome", "removed", "accepted")
    ]
