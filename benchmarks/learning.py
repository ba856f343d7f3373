"""Simulation benchmark for the learning loop.

A synthetic practice (the project's generator, offers and outcomes removed so that nothing is
known at the start) has hidden true acceptance probabilities by offer, moment and segment. For
26 weeks the weekly loop runs: scan, present one offer to every ready patient, and draw each
patient's answer from the hidden probability. Three policies run on copies of the same practice
with the same random answers (common random numbers):

- learning: the product as shipped (hierarchical model, Thompson sampling, outcomes fed back);
- oracle: knows the hidden probabilities and presents the eligible offer with the highest
  price x probability;
- fixed rule: always the catalog's first eligible next step.

Revenue is reported two ways: expected (the sum of price x true probability of every presented
offer, which removes the luck of the draws) and realised (the accepted offers' prices).
Target: the learning policy earns at least 85% of the oracle's expected revenue over the 26
weeks, and more than the fixed rule.

    .venv/bin/python benchmarks/learning.py [--patients 1000] [--weeks 26] [--seeds 3]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.app.practice import Practice  # noqa: E402
from assistant.domain.moments import Moment  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.synthetic import generate_practice  # noqa: E402

END = date(2026, 11, 24)
SEGMENTS = ("aesthetics", "weight", "wellness")
POLICIES = ("learning", "oracle", "fixed rule")


class Truth:
    """Hidden acceptance probabilities by (offer, moment, segment)."""

    def __init__(self, services: list[str], seed: int) -> None:
        rng = random.Random(seed * 7717 + 3)
        self.base = {s: rng.uniform(0.03, 0.30) for s in services}
        self.moment = {m: rng.uniform(0.6, 1.5) for m in Moment}
        self.segment = {
            (s, g): rng.choice((0.3, 0.6, 1.0, 1.6, 2.4)) for s in services for g in (*SEGMENTS, "unknown")
        }

    def p(self, service: str, moment: str, segment: str) -> float:
        value = (
            self.base.get(service, 0.1)
            * self.moment[Moment(moment)]
            * self.segment.get((service, segment), 1.0)
        )
        return min(max(value, 0.005), 0.75)


def answer_draw(patient_id: str, week: int, seed: int) -> float:
    """The patient's uniform draw for the week: the same whichever policy made the offer."""
    digest = hashlib.sha256(f"{seed}|{patient_id}|{week}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass
class Tally:
    expected: float = 0.0
    realised: float = 0.0
    presented: int = 0
    accepted: int = 0
    weekly: list[float] = field(default_factory=list)
    choice_expected: float = 0.0
    choice_best: float = 0.0
    choices: int = 0


def practice_lines(patients: int, seed: int) -> list[dict]:
    return [
        r
        for r in generate_practice(patients, END, seed)
        if not (r["type"] == "event" and r["kind"].startswith("offer_"))
    ]


def run(policy: str, lines: list[dict], truth: Truth, weeks: int, seed: int, matcher) -> Tally:
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="crosssell-sim-") as home:
        practice = Practice(Settings(home=Path(home), database_url=None, llm="none"), matcher=matcher)
        report = practice.import_records(lines)
        assert not report.rejected, report.rejected[:3]
        menu = practice.menu()
        start = END - timedelta(weeks=weeks - 1)
        for week in range(weeks):
            as_of = start + timedelta(weeks=week)
            records, earned = [], 0.0
            for ready in practice.scan(as_of).ready:
                decision = ready.decision
                segment = decision.profile.line
                service_id, moment = choose(policy, ready, truth, segment)
                price = menu.get(service_id).price
                p_true = truth.p(service_id, moment, segment)
                accepted = answer_draw(ready.patient.id, week, seed) < p_true
                tally.expected += price * p_true
                tally.presented += 1
                if len(decision.options) > 1:
                    tally.choices += 1
                    tally.choice_expected += price * p_true
                    tally.choice_best += max(
                        o["price"] * truth.p(o["service_id"], o["moment"], segment) for o in decision.options
                    )
                if accepted:
                    tally.realised += price
                    tally.accepted += 1
                earned += price * p_true
                records += present(
                    ready.patient.id,
                    service_id,
                    moment,
                    as_of,
                    accepted,
                    decision.as_dict()
                    if service_id == ready.service.id and moment == ready.moment.value
                    else None,
                    week,
                )
            tally.weekly.append(earned)
            report = practice.import_records(records)
            assert not report.rejected, report.rejected[:3]
    return tally


def choose(policy: str, ready, truth: Truth, segment: str) -> tuple[str, str]:
    options = ready.decision.options
    if policy == "learning":
        return ready.service.id, ready.moment.value
    if policy == "oracle":
        best = max(options, key=lambda o: o["price"] * truth.p(o["service_id"], o["moment"], segment))
        return best["service_id"], best["moment"]
    rule = next(o for o in options if o["service_id"] == ready.decision.rule_choice)
    return rule["service_id"], rule["moment"]


def present(
    patient_id: str, service_id: str, moment: str, as_of: date, accepted: bool, policy: dict | None, week: int
) -> list[dict]:
    offered = {
        "type": "event",
        "id": f"sim-{patient_id}-{week}-p",
        "patient_id": patient_id,
        "kind": "offer_presented",
        "at": f"{as_of.isoformat()}T10:00:00Z",
        "service_id": service_id,
        "moment": moment,
        "channel": "email",
    }
    if policy:
        offered["policy"] = policy
    answered = {
        "type": "event",
        "id": f"sim-{patient_id}-{week}-a",
        "patient_id": patient_id,
        "kind": "offer_accepted" if accepted else "offer_declined",
        "at": f"{(as_of + timedelta(days=2)).isoformat()}T10:00:00Z",
        "service_id": service_id,
    }
    return [offered, answered]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    from assistant.semantic import MiniLMMatcher

    matcher = MiniLMMatcher()
    totals = {p: Tally() for p in POLICIES}
    began = time.perf_counter()
    for seed in range(1, args.seeds + 1):
        lines = practice_lines(args.patients, seed)
        truth = Truth([r["id"] for r in _menu_ids()], seed)
        for policy in POLICIES:
            t0 = time.perf_counter()
            tally = run(policy, lines, truth, args.weeks, seed, matcher)
            total = totals[policy]
            total.expected += tally.expected
            total.realised += tally.realised
            total.presented += tally.presented
            total.accepted += tally.accepted
            total.choices += tally.choices
            total.choice_expected += tally.choice_expected
            total.choice_best += tally.choice_best
            print(
                f"seed {seed} {policy:>10}: expected ${tally.expected:>10,.0f}  realised "
                f"${tally.realised:>10,.0f}  {tally.accepted}/{tally.presented} accepted  "
                f"({time.perf_counter() - t0:.0f} s)",
                flush=True,
            )
    oracle = totals["oracle"]
    print(
        f"\n{args.seeds} practices x {args.patients} patients x {args.weeks} weeks "
        f"({time.perf_counter() - began:.0f} s)"
    )
    for policy in POLICIES:
        t = totals[policy]
        print(
            f"{policy:>10}: expected ${t.expected:>10,.0f} ({t.expected / oracle.expected:.1%} "
            f"of the oracle)  realised ${t.realised:>10,.0f} "
            f"({t.realised / oracle.realised:.1%})  acceptance "
            f"{t.accepted / max(t.presented, 1):.1%}  where there was a choice "
            f"({t.choices} offers): {t.choice_expected / max(t.choice_best, 1):.1%} of the best "
            "option's expected value"
        )
    learning, fixed = totals["learning"], totals["fixed rule"]
    share = learning.expected / oracle.expected
    ok = share >= 0.85 and learning.expected > fixed.expected
    print(
        f"target (>= 85% of the oracle, ahead of the fixed rule): {'met' if ok else 'NOT met'} ({share:.1%})"
    )


def _menu_ids() -> list[dict]:
    import json

    return [
        json.loads(line)
        for line in (ROOT / "knowledge" / "menu.jsonl").read_text().splitlines()
        if line.strip()
    ]


if __name__ == "__main__":
    main()
