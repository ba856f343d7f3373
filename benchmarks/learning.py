"""Simulation benchmark for the learning loop.

A synthetic practice (the project's generator, offers and outcomes removed so that nothing is
known at the start) has hidden true acceptance probabilities by offer, moment, segment and
price band. For 26 weeks the weekly loop runs: scan, hold out the week's control group (the
product's `hold_out`), present one offer to every other ready patient, and let the answers
come back as they do in a practice:

- a patient who accepts books the offered service after a delay (1 to 20 days): an
  `appointment_booked` imported on that day, which the product's attribution turns into the
  accepted outcome; some accepters also reply, most decliners say nothing (the product counts
  an offer unanswered `no_answer_days` as declined);
- every ready patient, offered or held out, would book the candidate service anyway with a
  baseline chance (a share of the offered acceptance, by segment): an offer's true lift is its
  acceptance minus that baseline, and a held-out patient gets only the baseline draw;
- the generator's own history after the first week is imported week by week as it happens.

With `--menu rich` (the default) the practice imports a menu with more next steps per service,
so most ready patients have several eligible offers; `--menu default` keeps the shipped one.
Three policies run on copies of the same practice with the same random draws (common random
numbers):

- learning: the product as shipped (hierarchical model, Thompson sampling, outcomes fed back);
- oracle: knows the hidden probabilities and presents the eligible offer with the highest
  price x probability;
- fixed rule: always the catalog's first eligible next step.

Revenue is expected revenue (the sum of price x true probability of every presented offer,
free of the luck of the draws), over all offers and where a patient had a choice, against the
oracle and the fixed rule; realised is what was booked. For the learning policy the product's
measured conversion lift (`Learning.report(...)["lift"]`, read once the last week's attribution
window has closed) is set beside the simulated true lift (the mean over offered ready patients
of true acceptance minus baseline). Targets: where patients had a choice, at least 95% of the
oracle's expected value; the lift's 95% interval covers the true lift in at least 90% of seeds.

    .venv/bin/python benchmarks/learning.py [--patients 1000] [--weeks 26] [--seeds 3]
        [--menu rich|default] [--baseline 0.3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.app.learning import Learning  # noqa: E402
from assistant.app.practice import Practice  # noqa: E402
from assistant.clock import Clock  # noqa: E402
from assistant.domain.moments import Moment  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.synthetic import generate_practice  # noqa: E402

END = date(2026, 11, 24)
SEGMENTS = ("aesthetics", "weight", "wellness")
POLICIES = ("learning", "oracle", "fixed rule")
BANDS = ("first purchase", "below usual spend", "about usual spend", "above usual spend")
BAND_EFFECT = {"below usual spend": 1.2, "about usual spend": 1.0, "above usual spend": 0.7}
MAX_DELAY_DAYS = 20
ACCEPTER_REPLIES = 0.3
DECLINER_REPLIES = 0.15
MENU_PATH = ROOT / "assistant" / "knowledge" / "menu.jsonl"
GROUPS = (
    (
        "botox",
        "filler",
        "hydrafacial",
        "chemical_peel",
        "microneedling",
        "laser_resurfacing",
        "product_kit",
        "skincare_membership",
    ),
    ("glp1_program", "weight_maintenance", "body_contouring", "hormone_optimization"),
    ("hormone_optimization", "longevity_protocol", "iv_therapy", "vip_membership"),
)
"""Services that lead to one another in the rich menu: each gains next steps to the next
three of its group, at every moment."""


class Truth:
    """Hidden acceptance probabilities by (offer, moment, segment, price band), and the chance
    of booking the offer's service anyway (a share of that, by segment)."""

    def __init__(self, services: list[str], seed: int, baseline: float) -> None:
        rng = random.Random(seed * 7717 + 3)
        self.base = {s: rng.uniform(0.03, 0.30) for s in services}
        self.moment = {m: rng.uniform(0.6, 1.5) for m in Moment}
        self.segment = {
            (s, g): rng.choice((0.3, 0.6, 1.0, 1.6, 2.4)) for s in services for g in (*SEGMENTS, "unknown")
        }
        self.band = {
            (g, b): BAND_EFFECT.get(b, 0.9) * rng.choice((0.6, 0.8, 1.0, 1.25, 1.6))
            for g in (*SEGMENTS, "unknown")
            for b in BANDS
        }
        self.anyway = {g: baseline * rng.uniform(0.5, 1.5) for g in (*SEGMENTS, "unknown")}

    def p(self, service: str, moment: str, segment: str, band: str | None = None) -> float:
        value = (
            self.base.get(service, 0.1)
            * self.moment[Moment(moment)]
            * self.segment.get((service, segment), 1.0)
            * self.band.get((segment, band or "first purchase"), 1.0)
        )
        return min(max(value, 0.005), 0.75)

    def baseline(self, service: str, moment: str, segment: str, band: str | None = None) -> float:
        return min(self.anyway.get(segment, 0.3), 0.95) * self.p(service, moment, segment, band)


def uniform(*key: object) -> float:
    """A uniform draw for the key: the same whichever policy made the offer."""
    digest = hashlib.sha256("|".join(map(str, key)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def answer_draw(patient_id: str, week: int, seed: int) -> float:
    """The patient's uniform draw for the week: the same whichever policy made the offer."""
    return uniform(seed, patient_id, week)


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
    held_out: int = 0
    measured_presented: int = 0
    measured_accepted: int = 0
    """Presentations (and acceptances of them) from the first hold-out on: what the product's
    lift counts."""
    true_lift: float = 0.0
    measured: dict = field(default_factory=dict)

    def add(self, other: Tally) -> None:
        for name in (
            "expected",
            "realised",
            "presented",
            "accepted",
            "choice_expected",
            "choice_best",
            "choices",
            "held_out",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def rich_menu() -> list[dict]:
    """The shipped menu with more next steps: each service leads to the next three of its
    group at every moment, besides its own next steps."""
    services = [json.loads(line) for line in MENU_PATH.read_text().splitlines() if line.strip()]
    moments = [m.value for m in Moment]
    for service in services:
        steps = service["next_steps"]
        have = {s["to"] for s in steps} | {service["id"]}
        for group in GROUPS:
            if service["id"] not in group:
                continue
            i = group.index(service["id"])
            for to in (group[(i + k) % len(group)] for k in (1, 2, 3)):
                if to not in have:
                    have.add(to)
                    steps.append({"to": to, "moments": moments, "why": "often chosen next"})
    return services


def practice_lines(patients: int, seed: int, menu: str = "default") -> list[dict]:
    lines = [
        r
        for r in generate_practice(patients, END, seed)
        if not (r["type"] == "event" and r["kind"].startswith("offer_"))
    ]
    return (rich_menu() if menu == "rich" else []) + lines


def _day(record: dict) -> date:
    return datetime.fromisoformat(record["at"].replace("Z", "+00:00")).astimezone(UTC).date()


def run(
    policy: str, lines: list[dict], truth: Truth, weeks: int, seed: int, matcher, holdout: bool = True
) -> Tally:
    tally = Tally()
    start = END - timedelta(weeks=weeks - 1)
    first = [r for r in lines if r["type"] != "event" or _day(r) < start]
    pending = [r for r in lines if r["type"] == "event" and _day(r) >= start]
    with tempfile.TemporaryDirectory(prefix="crosssell-sim-") as home:
        practice = Practice(
            Settings(home=Path(home), database_url=None, llm="none"),
            matcher=matcher,
            clock=Clock.fixed(start),
        )
        report = practice.import_records(first)
        assert not report.rejected, report.rejected[:3]
        if not holdout:
            practice.set_rule("holdout_share", "0")
        menu = practice.menu()
        lifts, measuring = [], False
        for week in range(weeks):
            as_of = start + timedelta(weeks=week)
            practice.clock = Clock.fixed(datetime(as_of.year, as_of.month, as_of.day, 9, tzinfo=UTC))
            due = [r for r in pending if _day(r) < as_of]
            pending = [r for r in pending if _day(r) >= as_of]
            if due:
                report = practice.import_records(sorted(due, key=lambda r: r["at"]))
                assert not report.rejected, report.rejected[:3]
            scan = practice.scan(as_of)
            held = {r.patient.id for r in practice.hold_out(scan.ready, as_of)}
            measuring = measuring or bool(held)  # the product measures lift from the first hold-out
            records, earned = [], 0.0
            for ready in scan.ready:
                decision = ready.decision
                segment = decision.profile.line
                u = answer_draw(ready.patient.id, week, seed)
                if ready.patient.id in held:
                    tally.held_out += 1
                    band = _band(decision.options, ready.service.id, ready.moment.value)
                    if u < truth.baseline(ready.service.id, ready.moment.value, segment, band):
                        pending += booked(ready.patient.id, ready.service.id, as_of, week, seed)
                    continue
                service_id, moment, band = choose(policy, ready, truth, segment)
                price = menu.get(service_id).price
                p_true = truth.p(service_id, moment, segment, band)
                accepted = u < p_true
                tally.expected += price * p_true
                tally.presented += 1
                if measuring:
                    tally.measured_presented += 1
                    lifts.append(p_true - truth.baseline(service_id, moment, segment, band))
                if len(decision.options) > 1:
                    tally.choices += 1
                    tally.choice_expected += price * p_true
                    tally.choice_best += max(
                        o["price"] * truth.p(o["service_id"], o["moment"], segment, o["band"])
                        for o in decision.options
                    )
                if accepted:
                    tally.realised += price
                    tally.accepted += 1
                    tally.measured_accepted += int(measuring)
                earned += price * p_true
                records.append(
                    presented(
                        ready.patient.id,
                        service_id,
                        moment,
                        as_of,
                        decision.as_dict()
                        if service_id == ready.service.id and moment == ready.moment.value
                        else None,
                        week,
                    )
                )
                pending += answers(ready.patient.id, service_id, as_of, accepted, week, seed)
            tally.weekly.append(earned)
            report = practice.import_records(records)
            assert not report.rejected, report.rejected[:3]
        closed = END + timedelta(days=practice.rules().attribution_days)
        practice.clock = Clock.fixed(closed)
        if pending:
            report = practice.import_records(sorted(pending, key=lambda r: r["at"]))
            assert not report.rejected, report.rejected[:3]
        if policy == "learning":
            tally.true_lift = sum(lifts) / max(len(lifts), 1)
            tally.measured = Learning(practice).report(closed)["lift"]
    return tally


def _band(options: list[dict], service_id: str, moment: str) -> str | None:
    return next(
        (o.get("band") for o in options if o["service_id"] == service_id and o["moment"] == moment), None
    )


def choose(policy: str, ready, truth: Truth, segment: str) -> tuple[str, str, str | None]:
    options = ready.decision.options
    if policy == "learning":
        service_id, moment = ready.service.id, ready.moment.value
        return service_id, moment, _band(options, service_id, moment)
    if policy == "oracle":
        best = max(
            options, key=lambda o: o["price"] * truth.p(o["service_id"], o["moment"], segment, o["band"])
        )
        return best["service_id"], best["moment"], best["band"]
    rule = next(o for o in options if o["service_id"] == ready.decision.rule_choice)
    return rule["service_id"], rule["moment"], rule["band"]


def presented(
    patient_id: str, service_id: str, moment: str, as_of: date, policy: dict | None, week: int
) -> dict:
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
    return offered


def booked(patient_id: str, service_id: str, as_of: date, week: int, seed: int) -> list[dict]:
    """The booking of the service, 1 to 20 days after the week's scan."""
    delay = 1 + int(uniform(seed, patient_id, week, "delay") * MAX_DELAY_DAYS)
    day = as_of + timedelta(days=delay)
    return [
        {
            "type": "event",
            "id": f"sim-{patient_id}-{week}-b",
            "patient_id": patient_id,
            "kind": "appointment_booked",
            "at": f"{day.isoformat()}T15:00:00Z",
            "service_id": service_id,
            "scheduled_for": f"{(day + timedelta(days=7)).isoformat()}T15:00:00Z",
        }
    ]


def answers(
    patient_id: str, service_id: str, as_of: date, accepted: bool, week: int, seed: int
) -> list[dict]:
    """What comes back from an offer: an accepter books (and some reply first); a decliner
    mostly says nothing."""
    found = booked(patient_id, service_id, as_of, week, seed) if accepted else []
    replies = uniform(seed, patient_id, week, "reply") < (ACCEPTER_REPLIES if accepted else DECLINER_REPLIES)
    if replies:
        found.append(
            {
                "type": "event",
                "id": f"sim-{patient_id}-{week}-a",
                "patient_id": patient_id,
                "kind": "offer_accepted" if accepted else "offer_declined",
                "at": f"{as_of.isoformat()}T18:00:00Z",
                "service_id": service_id,
            }
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--menu", choices=("rich", "default"), default="rich")
    parser.add_argument(
        "--baseline", type=float, default=0.3, help="booking anyway, as a share of the offered acceptance"
    )
    parser.add_argument(
        "--policies",
        default=",".join(POLICIES),
        help="which to run, comma-separated (learning alone answers the lift question faster)",
    )
    args = parser.parse_args()
    policies = [p.strip() for p in args.policies.split(",") if p.strip()]
    unknown = set(policies) - set(POLICIES)
    if unknown or not policies:
        parser.error(f"--policies: choose from {', '.join(POLICIES)}")
    from assistant.semantic import MiniLMMatcher

    matcher = MiniLMMatcher()
    totals = {p: Tally() for p in POLICIES}
    covered: list[bool] = []
    began = time.perf_counter()
    for seed in range(1, args.seeds + 1):
        lines = practice_lines(args.patients, seed, args.menu)
        truth = Truth([r["id"] for r in _menu_ids()], seed, args.baseline)
        for policy in policies:
            t0 = time.perf_counter()
            tally = run(policy, lines, truth, args.weeks, seed, matcher)
            totals[policy].add(tally)
            print(
                f"seed {seed:>2} {policy:>10}: expected ${tally.expected:>10,.0f}  realised "
                f"${tally.realised:>10,.0f}  {tally.accepted}/{tally.presented} booked  "
                f"{tally.held_out} held out  choice {tally.choice_expected / max(tally.choice_best, 1):.1%} "
                f"of best ({tally.choices})  ({time.perf_counter() - t0:.0f} s)",
                flush=True,
            )
            if policy == "learning":
                lift = tally.measured["conversion_lift"]
                inside = lift["low"] is not None and lift["low"] <= tally.true_lift <= lift["high"]
                covered.append(inside)
                low, high = (
                    (f"{lift['low']:+.3f}", f"{lift['high']:+.3f}") if lift["low"] is not None else ("-", "-")
                )
                value = "-" if lift["value"] is None else f"{lift['value']:+.3f}"
                print(
                    f"seed {seed:>2}   lift: measured {value} [{low}, {high}] "
                    f"(offered {_group(tally.measured['offered'])}, held out "
                    f"{_group(tally.measured['held_out'])})  true {tally.true_lift:+.3f}  "
                    f"{'covered' if inside else 'NOT covered'}",
                    flush=True,
                )
    print(
        f"\n{args.seeds} practices x {args.patients} patients x {args.weeks} weeks, {args.menu} menu, "
        f"baseline {args.baseline:.0%} ({time.perf_counter() - began:.0f} s)"
    )
    print(
        "| policy | expected revenue | of the oracle | realised | where a patient had a choice "
        "(share of offers) | of the best option there | of the oracle's there |"
    )
    print("|---|---|---|---|---|---|---|")
    oracle = totals["oracle"] if "oracle" in policies else None

    def of_oracle(value: float, whole: float) -> str:
        return f"{value / whole:.1%}" if oracle is not None and whole else "-"

    for policy in policies:
        t = totals[policy]
        print(
            f"| {policy} | ${t.expected:,.0f} | {of_oracle(t.expected, oracle.expected if oracle else 0)} | "
            f"${t.realised:,.0f} ({of_oracle(t.realised, oracle.realised if oracle else 0)}) | "
            f"{t.choices:,} of {t.presented:,} ({t.choices / max(t.presented, 1):.0%}) | "
            f"{t.choice_expected / max(t.choice_best, 1):.1%} | "
            f"{of_oracle(t.choice_expected, oracle.choice_expected if oracle else 0)} |"
        )
    if "learning" not in policies:
        return
    learning = totals["learning"]
    share = learning.choice_expected / max(learning.choice_best, 1)
    print(
        f"target (where there was a choice, >= 95% of the oracle's expected value on the same "
        f"offers): {'met' if share >= 0.95 else 'NOT met'} ({share:.1%})"
    )
    if "fixed rule" in policies:
        fixed = totals["fixed rule"]
        print(
            f"ahead of the fixed rule overall: {'yes' if learning.expected > fixed.expected else 'no'} "
            f"({learning.expected / max(fixed.expected, 1):.1%} of it)"
        )
    rate = sum(covered) / max(len(covered), 1)
    print(
        f"target (lift interval covers the true lift in >= 90% of seeds): "
        f"{'met' if rate >= 0.9 else 'NOT met'} ({sum(covered)} of {len(covered)} seeds, {rate:.0%})"
    )


def _group(g: dict) -> str:
    return f"{g['converted']}/{g['patients']}"


def _menu_ids() -> list[dict]:
    return [json.loads(line) for line in MENU_PATH.read_text().splitlines() if line.strip()]


if __name__ == "__main__":
    main()
