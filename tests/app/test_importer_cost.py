"""A push costs what it carries: the statements it runs do not grow with the practice."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from sqlalchemy import event

from assistant.app.practice import Practice


def patients(start: int, count: int) -> list[bytes]:
    return [
        json.dumps(
            {"type": "patient", "id": f"p{n}", "first_name": "Ana", "marketing_consent": True}
        ).encode()
        for n in range(start, start + count)
    ]


def visit(number: int) -> bytes:
    return json.dumps(
        {
            "type": "event",
            "id": f"e{number}",
            "patient_id": "p1",
            "at": "2026-11-02T15:00:00Z",
            "kind": "visit_completed",
            "service_id": "botox",
        }
    ).encode()


def statements(practice: Practice, work: Callable[[], object]) -> list[str]:
    """The SQL the work runs, in order, with each `IN (...)` list folded to one mark."""
    seen: list[str] = []

    def note(_conn, _cursor, statement: str, *_args) -> None:
        seen.append(re.sub(r"IN \([^)]*\)", "IN (?)", statement))

    engine = practice.repository.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen


def test_a_one_event_push_runs_the_same_statements_at_ten_and_at_a_thousand_patients(practice: Practice):
    practice.import_lines([*patients(1, 10), visit(0)])
    small = statements(practice, lambda: practice.import_lines([visit(1)]))
    practice.import_lines(patients(11, 990))
    large = statements(practice, lambda: practice.import_lines([visit(2)]))
    assert large == small
    reads = [s for s in large if s.lstrip().upper().startswith("SELECT")]
    probe = re.compile(r"\b(WHERE|LIMIT)\b|^\s*SELECT EXISTS\b", re.IGNORECASE)
    whole = [s for s in reads if not probe.search(s)]
    assert reads and not whole, whole  # every read is of the rows the push names, or a probe


def test_a_push_reports_what_it_added_and_changed_like_a_file(practice: Practice):
    practice.import_lines(patients(1, 1000))
    report = practice.import_lines([visit(1), *patients(1, 1), *patients(1001, 1)])
    assert (report.added["events"], report.added["patients"]) == (1, 1)
    assert (report.updated["patients"], report.unchanged["patients"]) == (0, 1)
    assert sorted(report.changed) == ["p1", "p1001"]
