"""Histories are read in one order on every database and every run: by patient, then time,
and the event id breaks ties, so the same records give the same scan however they arrived."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import orjson

from assistant.app.practice import Practice
from assistant.settings import Settings
from assistant.storage import schema
from tests.conftest import CASES
from tests.shared_servers import TEST_DATABASE_URL, fresh_database

AS_OF = date(2026, 11, 24)
# One patient's two measurements and two check-ins at one instant: which comes first decides the
# baseline of the weight change and the latest score, whatever order the database returns them in.
TIES = [
    {"type": "patient", "id": "t1", "first_name": "Tia", "marketing_consent": True, "segment": "weight"},
    *(
        {"type": "event", "id": f"t1-m{n}", "patient_id": "t1", "at": "2026-09-01T15:00:00Z",
         "kind": "measurement", "metric": "weight", "value": value, "unit": "lb"}
        for n, value in ((1, 212), (2, 204))
    ),
    {"type": "event", "id": "t1-m3", "patient_id": "t1", "at": "2026-11-20T15:00:00Z",
     "kind": "measurement", "metric": "weight", "value": 190, "unit": "lb"},
    *(
        {"type": "event", "id": f"t1-c{n}", "patient_id": "t1", "at": "2026-11-21T15:00:00Z",
         "kind": "check_in", "score": score, "comment": comment}
        for n, score, comment in ((1, 9, "feeling great"), (2, 3, "not sure it is working"))
    ),
]  # fmt: skip


@contextmanager
def second_practice(home: Path, matcher) -> Iterator[Practice]:
    """Another practice beside the test's own: a database of its own on the test server when
    there is one, else its own SQLite file."""
    if not TEST_DATABASE_URL:
        yield Practice(Settings(home=home), matcher=matcher)
        return
    with fresh_database(TEST_DATABASE_URL) as url:
        practice = Practice(Settings(home=home, database_url=url), matcher=matcher)
        yield practice
        practice.repository.engine.dispose()


def _read(practice: Practice) -> tuple[dict, dict]:
    """Every patient's history as ids in the order read, and the scan as its JSON."""
    histories = {}
    for patient_id in sorted(practice.repository.ids(schema.patients)):
        history = practice.repository.history(patient_id)
        assert history is not None
        histories[patient_id] = (
            [e.id for e in history.events],
            [o.id for o in history.offers],
            [o.id for o in history.outcomes],
        )
    return histories, orjson.loads(orjson.dumps(practice.scan(AS_OF).as_dict()))


def test_events_at_one_instant_give_the_same_history_and_scan_in_whatever_order_they_came(
    practice, tmp_path, matcher
):
    lines = (CASES / "dev" / "practice.jsonl").read_text().splitlines() + [json.dumps(x) for x in TIES]
    forward, backward = tmp_path / "forward.jsonl", tmp_path / "backward.jsonl"
    forward.write_text("\n".join(lines) + "\n")
    backward.write_text("\n".join(reversed(lines)) + "\n")
    assert not practice.import_file(forward).rejected
    with second_practice(tmp_path / "other", matcher) as other:
        assert not other.import_file(backward).rejected
        histories, scan = _read(practice)
        assert (histories, scan) == _read(other)
    assert histories["t1"][0] == ["t1-m1", "t1-m2", "t1-m3", "t1-c1", "t1-c2"]
    assert histories["d023"][0] == ["d023-e55", "d023-e56", "d023-e57"]
    assert any(r["patient_id"] == "t1" for r in scan["ready"] + scan["suppressed"])
