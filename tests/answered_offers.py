"""A year of answered offers for the shared dev practice (which has none accepted): accepted
ones either side of the calendar year and of the 12-month window, empty months between them,
an offer answered often enough to be named a converter and one answered too rarely."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from assistant.app.practice import Practice
from assistant.storage import schema
from assistant.storage.repository import from_epoch

ANSWERS: list[tuple[str, str, str, str, str, bool]] = [
    # patient, offer, moment, presented, answered, accepted
    ("d001", "botox", "booking", "2025-11-10", "2025-11-20", True),  # before the last 12 months
    ("d002", "filler", "results_visible", "2025-12-01", "2025-12-05", True),  # last year
    ("d003", "hydrafacial", "check_in", "2026-02-03", "2026-02-10", True),
    ("d004", "product_kit", "post_treatment_summary", "2026-05-01", "2026-05-03", True),
    *(
        ("d0" + n, "chemical_peel", "check_in", "2026-06-02", "2026-06-09", n in ("05", "06"))
        for n in ("05", "06", "07", "08", "09", "10")
    ),
    ("d011", "microneedling", "check_in", "2026-06-02", "2026-06-04", True),
    ("d012", "microneedling", "check_in", "2026-06-02", "2026-06-04", True),
]
"""Six chemical peels at check-in (2 of 6 accepted: enough outcomes); two microneedlings (2 of
2: too few to name, however good they look). No offer accepted in Jan, Mar or Apr 2026."""


def add_answered_offers(practice: Practice, folder: Path) -> None:
    lines = []
    for i, (patient, offer, moment, presented, answered, accepted) in enumerate(ANSWERS):
        base = {"type": "event", "patient_id": patient, "service_id": offer}
        lines.append(
            base
            | {
                "id": f"answers-{i}-p",
                "at": f"{presented}T15:00:00Z",
                "kind": "offer_presented",
                "moment": moment,
                "channel": "email",
            }
        )
        lines.append(
            base
            | {
                "id": f"answers-{i}-a",
                "at": f"{answered}T15:00:00Z",
                "kind": "offer_accepted" if accepted else "offer_declined",
            }
        )
    path = folder / "answered-offers.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    report = practice.import_file(path)
    assert not report.rejected, report.rejected


def accepted_revenue(practice: Practice, start: str, end: str) -> float:
    """Revenue from accepted offers between two days (both included), at menu price, read
    straight from the stored outcomes (not through the report's own reading of them)."""
    menu = practice.menu()
    outcomes = schema.outcomes
    with practice.repository.engine.connect() as conn:
        rows = conn.execute(
            select(outcomes.c.service_id, outcomes.c.at).where(outcomes.c.accepted.is_(True))
        ).fetchall()
    total = 0.0
    for service_id, at in rows:
        service = menu.get(service_id)
        if service and start <= from_epoch(at).date().isoformat() <= end:
            total += service.price
    return total
