"""The synthetic practice is reproducible, well-formed and holds every moment and suppression."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assistant.app.demo import build_demo  # noqa: E402
from assistant.domain.eligibility import Reason  # noqa: E402
from assistant.domain.moments import MOMENT_IDS  # noqa: E402
from assistant.synthetic import (  # noqa: E402
    SCENARIOS,
    SERVICE_IDS,
    Expect,
    generate_practice,
    scenario_of,
    scenario_patient_count,
    write_practice,
)

AS_OF = date(2026, 11, 24)
SERVICES = {
    "botox",
    "filler",
    "hydrafacial",
    "chemical_peel",
    "microneedling",
    "laser_resurfacing",
    "product_kit",
    "skincare_membership",
    "glp1_program",
    "weight_maintenance",
    "body_contouring",
    "hormone_optimization",
    "longevity_protocol",
    "iv_therapy",
    "vip_membership",
}
# required fields per event kind (shared/contract/practice-data.md)
KIND_FIELDS = {
    "appointment_booked": {"service_id", "scheduled_for"},
    "appointment_cancelled": {"service_id", "reason"},
    "consultation": {"service_id", "note", "goals"},
    "visit_completed": {"service_id", "amount", "provider", "note"},
    "result_observed": {"service_id", "note"},
    "feedback": {"score", "comment"},
    "measurement": {"metric", "value", "unit"},
    "milestone": {"note"},
    "summary_sent": {"service_id"},
    "check_in": {"score", "comment"},
    "membership_started": {"service_id"},
    "membership_renewal_due": {"service_id", "due_date"},
    "referral_made": {"referred_name"},
    "goal_changed": {"from", "to"},
    "complaint": {"note"},
    "offer_presented": {"service_id", "moment", "channel"},
    "offer_accepted": {"service_id"},
    "offer_declined": {"service_id"},
    "opted_out": {"channel"},
}


def _day(s: str) -> date:
    return date.fromisoformat(s[:10])


def _ago(s: str) -> int:
    return (AS_OF - _day(s)).days


def _age(p: dict) -> int:
    b = date.fromisoformat(p["birth_date"])
    return AS_OF.year - b.year - ((AS_OF.month, AS_OF.day) < (b.month, b.day))


@pytest.fixture(scope="module")
def demo() -> list[dict]:
    return list(generate_practice(200, AS_OF))


@pytest.fixture(scope="module")
def by_patient(demo: list[dict]) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    patients: dict[str, dict] = {}
    events: dict[str, list[dict]] = defaultdict(list)
    for r in demo:
        if r["type"] == "patient":
            patients[r["id"]] = r
        else:
            events[r["patient_id"]].append(r)
    return patients, events


def test_deterministic_and_streams_to_file(tmp_path: Path, demo: list[dict]) -> None:
    assert list(generate_practice(200, AS_OF)) == demo
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    n = write_practice(a, 200, AS_OF)
    assert write_practice(b, 200, AS_OF) == n == len(demo)
    assert a.read_bytes() == b.read_bytes()
    lines = a.read_text(encoding="utf-8").splitlines()
    assert len(lines) == n
    assert [json.loads(line) for line in lines] == demo
    assert list(generate_practice(200, AS_OF, seed=8)) != demo


def test_prefix_stable_across_practice_sizes(demo: list[dict]) -> None:
    bigger = list(generate_practice(300, AS_OF))
    first = [r for r in demo if (r.get("patient_id") or r["id"]) <= "p000100"]
    assert first == [r for r in bigger if (r.get("patient_id") or r["id"]) <= "p000100"]


def test_records_are_well_formed(demo: list[dict]) -> None:
    ids: set[str] = set()
    seen_patients: set[str] = set()
    current = None
    for r in demo:
        assert isinstance(r, dict)
        assert r["type"] in ("patient", "event")
        assert r["id"] not in ids
        ids.add(r["id"])
        if r["type"] == "patient":
            assert re.fullmatch(r"p\d{6}", r["id"])
            for f in (
                "first_name",
                "last_name",
                "birth_date",
                "email",
                "phone",
                "preferred_channel",
                "marketing_consent",
                "goals",
                "flags",
                "memberships",
                "segment",
            ):
                assert f in r, f
            assert r["preferred_channel"] in ("email", "sms")
            assert r["email"].endswith("@example.com") and r["email"].isascii()
            assert r["phone"].startswith("+1555")
            assert isinstance(r["marketing_consent"], bool)
            assert set(r["memberships"]) <= SERVICES
            assert r["segment"] in ("aesthetics", "weight", "wellness")
            assert 16 <= _age(r) <= 75
            seen_patients.add(r["id"])
            current = r["id"]
            continue
        for f in ("id", "patient_id", "at", "kind"):
            assert f in r, f
        assert r["patient_id"] in seen_patients
        assert r["patient_id"] == current, "events follow their own patient"
        assert re.fullmatch(rf"{r['patient_id']}-e\d+", r["id"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00Z", r["at"])
        assert KIND_FIELDS[r["kind"]] <= r.keys(), r
        if "service_id" in r:
            assert r["service_id"] in SERVICES
        if r["kind"] == "offer_presented":
            assert r["moment"] in MOMENT_IDS
        if r["kind"] in ("feedback", "check_in"):
            assert 0 <= r["score"] <= 10
        if r["kind"] == "visit_completed":
            assert r["amount"] >= 0


def test_dates_within_the_year_before_as_of(demo: list[dict]) -> None:
    for r in demo:
        if r["type"] != "event":
            continue
        assert 1 <= _ago(r["at"]) <= 365, r
        for f in ("scheduled_for", "due_date"):
            if f in r:
                assert -30 <= _ago(r[f]) <= 365, r


def test_events_in_time_order_and_offers_resolved(by_patient) -> None:
    _, events = by_patient
    for pid, evs in events.items():
        ats = [e["at"] for e in evs]
        assert ats == sorted(ats), pid
        for j, e in enumerate(evs):
            if e["kind"] != "offer_presented" or _ago(e["at"]) <= 30:
                continue
            outcome = [
                o
                for o in evs[j + 1 :]
                if o["kind"] in ("offer_accepted", "offer_declined") and o["service_id"] == e["service_id"]
            ]
            assert outcome and 1 <= (_day(outcome[0]["at"]) - _day(e["at"])).days <= 5, pid


def test_every_scenario_at_least_twice_in_the_demo() -> None:
    counts = Counter(scenario_of(i, 200) for i in range(1, 201))
    for scenario in SCENARIOS.values():
        assert counts[scenario] >= 2, scenario.name
    assert 0.5 <= scenario_patient_count(200) / 200 <= 0.7
    assert 0.14 <= scenario_patient_count(100_000) / 100_000 <= 0.16


def test_background_patients_have_no_recent_events(by_patient) -> None:
    patients, events = by_patient
    for i, pid in enumerate(patients, 1):
        scenario = scenario_of(i, 200)
        if scenario is None or scenario.expect.reason is Reason.NO_SIGNAL:
            assert all(_ago(e["at"]) > 35 for e in events[pid]), pid


def test_scenario_signatures_present(by_patient) -> None:
    patients, events = by_patient
    found: Counter[str] = Counter()
    for pid, p in patients.items():
        evs = events[pid]
        recent = [e for e in evs if _ago(e["at"]) <= 14]
        kinds = {e["kind"] for e in recent}
        if any(e["kind"] == "appointment_booked" and _ago(e["scheduled_for"]) < 0 for e in recent):
            found["booking"] += 1
        if "consultation" in kinds:
            found["intake"] += 1
        if "result_observed" in kinds or any(e["kind"] == "feedback" and e["score"] >= 9 for e in recent):
            found["results_visible"] += 1
        weights = [e["value"] for e in evs if e["kind"] == "measurement"]
        if any(e["kind"] == "measurement" for e in recent) and weights[-1] <= 0.95 * weights[0]:
            found["weight_loss_5pct"] += 1
        if "visit_completed" in kinds:
            found["post_treatment_summary"] += 1
        if any(e["kind"] == "check_in" and e["score"] >= 9 for e in recent):
            found["check_in"] += 1
        if any(
            e["kind"] == "membership_renewal_due" and 0 <= (_day(e["due_date"]) - AS_OF).days <= 21
            for e in recent
        ):
            found["rebooking_renewal"] += 1
        if "referral_made" in kinds:
            found["referral"] += 1
        if "goal_changed" in kinds:
            found["goal_change"] += 1
        if any(e["kind"] == "opted_out" for e in evs):
            found["opted_out"] += 1
        if any(e["kind"] == "complaint" and _ago(e["at"]) <= 20 for e in evs):
            found["complaint"] += 1
        if any(e["kind"] == "feedback" and e["score"] <= 6 and _ago(e["at"]) <= 20 for e in evs):
            found["negative_feedback"] += 1
        if any(e["kind"] == "offer_presented" and 3 <= _ago(e["at"]) <= 25 for e in evs):
            found["cooldown"] += 1
        if any(
            e["kind"] == "offer_declined"
            and e["service_id"] == "skincare_membership"
            and 31 <= _ago(e["at"]) <= 80
            for e in evs
        ):
            found["declined_recently"] += 1
        if not p["marketing_consent"]:
            found["no_consent"] += 1
        if "pregnant" in p["flags"]:
            found["pregnant"] += 1
        if "breastfeeding" in p["flags"]:
            found["breastfeeding"] += 1
        if _age(p) < 18:
            found["under_18"] += 1
        if "skincare_membership" in p["memberships"] and kinds & {"feedback", "result_observed"}:
            found["holds_membership_with_peak"] += 1
        if evs and all(_ago(e["at"]) > 35 for e in evs):
            found["old_history_only"] += 1
    for signature in (
        "booking",
        "intake",
        "results_visible",
        "weight_loss_5pct",
        "post_treatment_summary",
        "check_in",
        "rebooking_renewal",
        "referral",
        "goal_change",
        "opted_out",
        "complaint",
        "negative_feedback",
        "cooldown",
        "declined_recently",
        "no_consent",
        "pregnant",
        "breastfeeding",
        "under_18",
        "holds_membership_with_peak",
        "old_history_only",
    ):
        assert found[signature] >= 2, (signature, found)


def test_the_scan_gives_every_scenario_patient_its_registered_answer(tmp_path: Path) -> None:
    n = 2 * len(SCENARIOS)
    _, _, result = build_demo(tmp_path / "demo", AS_OF, n, seed=5)
    answers = {r.patient.id: Expect(r.moment, offer=r.decision.rule_choice) for r in result.ready}
    answers |= {s.patient_id: Expect(s.moment, reason=s.reason) for s in result.suppressed}
    for i in range(1, n + 1):
        scenario, answer = scenario_of(i, n), answers.get(f"p{i:06d}")
        assert answer == scenario.expect, f"{scenario.name}: {answer}"


def test_goal_changes_cover_the_new_goals(by_patient) -> None:
    _, events = by_patient
    tos = " | ".join(
        e["to"] for evs in events.values() for e in evs if e["kind"] == "goal_changed" and _ago(e["at"]) <= 14
    )
    for words in ("weight", "skin", "energy|sleep"):
        assert re.search(words, tos), words


def test_scenario_patients_are_eligible_unless_suppressed(by_patient) -> None:
    patients, events = by_patient
    for i, (pid, p) in enumerate(patients.items(), 1):
        scenario = scenario_of(i, 200)
        if scenario is None or scenario.name.startswith("sup_"):
            continue
        assert p["marketing_consent"] and not p["flags"] and _age(p) >= 18, pid
        for e in events[pid]:
            d = _ago(e["at"])
            assert e["kind"] != "opted_out", pid
            assert not (e["kind"] == "complaint" and d <= 30), pid
            assert not (e["kind"] == "feedback" and e["score"] <= 6 and d <= 30), pid
            assert not (e["kind"] == "offer_presented" and d <= 30), pid


def test_events_per_patient_scales_the_history() -> None:
    n = 300
    events = sum(1 for r in generate_practice(n, AS_OF, events_per_patient=20) if r["type"] == "event")
    assert 17 * n <= events <= 22 * n
    natural = sum(1 for r in generate_practice(n, AS_OF) if r["type"] == "event")
    assert 10 * n <= natural <= 25 * n
    few = list(generate_practice(60, AS_OF, events_per_patient=2))
    assert sum(r["type"] == "patient" for r in few) == 60


def test_service_ids_match_the_default_menu() -> None:
    assert set(SERVICE_IDS) == SERVICES


def test_no_wall_clock_dependency() -> None:
    later = AS_OF + timedelta(days=30)
    a = list(generate_practice(40, later))
    assert a == list(generate_practice(40, later))
    assert all(1 <= (later - _day(r["at"])).days <= 365 for r in a if r["type"] == "event")
