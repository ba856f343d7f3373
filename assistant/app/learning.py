"""What the practice has learned, and what it is worth: `crosssell learn report` (converters
by moment and segment, with intervals, and an off-policy estimate of the current policy against
always-the-top-rule) and `crosssell diagnostic` (the article's revenue figures from the
practice's own data, beside the article's defaults)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from statistics import fmean

from scipy.special import betaincinv

from assistant.app.practice import Practice, TrialContext, day_bounds
from assistant.domain import exploration
from assistant.domain.attribution import UPTAKES
from assistant.domain.conversion import HierarchicalModel, answered, trials_from, waiting_trials
from assistant.domain.holdout import Exposure, lift, taken_up
from assistant.domain.moments import Moment
from assistant.domain.records import OfferMade, Outcome
from assistant.domain.segments import Profile
from assistant.reports import acceptance_line, dollars, percent, render_html, sentence_case
from assistant.storage.repository import epoch, from_epoch

ARTICLE = {
    "patients": 200,
    "touchpoints": 3,
    "acceptance": 0.15,
    "average_cross_sell": 600.0,
    "revenue_after_first_visit_share": 0.44,
    "cancellation_ratio": 1 / 3,
}
"""The article's figures: 200 x 3 x 15% x $600 = $54,000 a year; 44% of revenue after the first
visit; cross-sell patients cancel at one third the rate of single-treatment patients."""
YEAR = timedelta(days=365)
MIN_OUTCOMES = 5
"""An offer is named a top or bottom converter only once it has this many answered offers: one
acceptance in one try says nothing about what converts."""
PROJECTION_FORMULA = "active patients x touchpoints in use x acceptance x average cross-sell"
"""How the diagnostic's annual what-if is made: a projection, not revenue received."""


@dataclass(frozen=True, slots=True)
class Rate:
    accepted: int
    trials: int
    low: float
    high: float

    @property
    def rate(self) -> float | None:
        return self.accepted / self.trials if self.trials else None

    def as_dict(self) -> dict:
        return {
            "accepted": self.accepted,
            "trials": self.trials,
            "rate": None if self.rate is None else round(self.rate, 4),
            "low": round(self.low, 4),
            "high": round(self.high, 4),
        }


def rate(accepted: int, trials: int) -> Rate:
    """Observed acceptance with a 95% Jeffreys interval (0 and 1 at the extremes, as Brown,
    Cai and DasGupta advise)."""
    a, b = accepted + 0.5, trials - accepted + 0.5
    low = 0.0 if accepted == 0 else float(betaincinv(a, b, 0.025))
    high = 1.0 if accepted == trials else float(betaincinv(a, b, 0.975))
    return Rate(accepted, trials, low, high)


class Learning:
    """Reads the practice's offers and outcomes for the owner: what converts, what the policy
    is worth, and the revenue diagnostic."""

    def __init__(self, practice: Practice) -> None:
        self.practice = practice
        self.repository = practice.repository

    def _model(self, as_of: date) -> tuple[HierarchicalModel, list, list[OfferMade], list[Outcome]]:
        rules = self.practice.rules()
        until = day_bounds(as_of)[1]
        offers, outcomes = self.repository.offers_and_outcomes(until)
        segmentation = self.practice.knowledge.segmentation
        context = TrialContext(
            segmentation,
            self.repository.patient_types({o.patient_id for o in offers} | {o.patient_id for o in outcomes}),
        )
        trials = trials_from(offers, outcomes, as_of, rules, context)
        waiting = waiting_trials(offers, outcomes, as_of, rules, context)
        model = HierarchicalModel(trials, rules, segmentation.labels, waiting)
        return model, trials, offers, outcomes

    # learn report -------------------------------------------------------------------------

    def report(self, as_of: date, top: int = 3, min_trials: int = 1) -> dict:
        model, trials, offers, outcomes = self._model(as_of)
        menu = self.practice.menu()
        labels = self.practice.knowledge.segmentation.labels
        by_moment: dict[str, list[dict]] = defaultdict(list)
        by_segment: dict[str, list[dict]] = defaultdict(list)
        by_offer: list[dict] = []
        for key, (accepted, n) in model.cells().items():
            if n < min_trials or len(key) not in (1, 2, 3):
                continue
            service = menu.get(key[0])
            if len(key) == 1:
                by_offer.append(
                    {
                        "offer": key[0],
                        "offer_name": service.name if service else key[0],
                        **rate(accepted, n).as_dict(),
                    }
                )
                continue
            row = {
                "offer": key[0],
                "offer_name": service.name if service else key[0],
                "moment": key[1].value,
                "moment_label": key[1].label,
                **rate(accepted, n).as_dict(),
            }
            if len(key) == 2:
                by_moment[key[1].value].append(row)
            else:
                row["segment"] = key[2]
                by_segment[f"{labels.get(key[2], key[2])} patients"].append(row)
        return {
            "as_of": as_of.isoformat(),
            "outcomes": len(trials),
            "min_outcomes": MIN_OUTCOMES,
            "measured": self.measured(as_of, offers, outcomes),
            "practice_rate": round(model.practice_rate, 4),
            "by_moment": {
                m: _ends(rows, top) | {"label": Moment(m).label} for m, rows in sorted(by_moment.items())
            },
            "by_segment": {s: _ends(rows, top) for s, rows in sorted(by_segment.items())},
            "by_offer": sorted(by_offer, key=lambda r: (-(r["rate"] or 0), r["offer"])),
            "off_policy": self.off_policy(as_of, model, offers, outcomes),
            "lift": self.lift(as_of, offers),
        }

    def measured(self, as_of: date, offers: list[OfferMade], outcomes: list[Outcome]) -> dict:
        """What was received, apart from any projection: revenue from accepted offers (at menu
        price, as the revenue chart counts it), offers made, and acceptance of the answered ones
        with its 95% interval, over the calendar year to `as_of` and over the last 12 months."""
        menu = self.practice.menu()
        answers = answered(offers, outcomes, as_of, self.practice.rules().no_answer_days)[0]
        windows = {
            "year_to_date": (date(as_of.year, 1, 1), as_of),
            "last_12_months": (as_of - YEAR + timedelta(days=1), as_of),
        }
        found = {}
        for name, (start, end) in windows.items():
            accepted = [o for o in outcomes if o.accepted and start <= o.at.date() <= end]
            made = [o for o in offers if start <= o.at.date() <= end]
            replies = [a for o, a in answers if start <= o.at.date() <= end]
            service_prices = [s.price for o in accepted if (s := menu.get(o.service_id))]
            found[name] = {
                "from": start.isoformat(),
                "to": end.isoformat(),
                "revenue": round(sum(service_prices), 2),
                "accepted_offers": len(accepted),
                "offers_made": len(made),
                "acceptance": rate(sum(replies), len(replies)).as_dict(),
            }
        return found

    def lift(self, as_of: date, offers: list[OfferMade]) -> dict:
        """What the offers add: conversion and revenue per ready patient, offered against the
        control group, since the first patient was held out. Both groups count the same
        thing: the offer's service booked, had or started within `attribution_days` (its
        visit's amount, else the menu price)."""
        rules, menu = self.practice.rules(), self.practice.menu()
        until = day_bounds(as_of)[1]
        held = self.repository.events_of_kinds(["held_out"], 0, until)
        base = {"share": rules.holdout_share, "window_days": rules.attribution_days}
        if not held:
            return base | {"since": None, "note": "no patient has been held out yet", **lift([])}
        since = min(at for _, _, at, _, _ in held)
        paid: dict[str, list[tuple[datetime, str, float]]] = defaultdict(list)
        for patient_id, _, at, service_id, amount in self.repository.events_of_kinds(
            list(UPTAKES), since, until
        ):
            service = menu.get(service_id) if service_id else None
            price = service.price if service else 0.0
            paid[patient_id].append((from_epoch(at), service_id or "", price if amount is None else amount))
        window = timedelta(days=rules.attribution_days)
        exposures = [
            Exposure(p, s or "", from_epoch(at), False, taken_up(s or "", from_epoch(at), paid[p], window))
            for p, _, at, s, _ in held
        ] + [
            Exposure(
                o.patient_id,
                o.service_id,
                o.at,
                True,
                taken_up(o.service_id, o.at, paid[o.patient_id], window),
            )
            for o in offers
            if epoch(o.at) >= since
        ]
        return base | {"since": from_epoch(since).date().isoformat(), **lift(exposures)}

    def off_policy(
        self, as_of: date, model: HierarchicalModel, offers: list[OfferMade], outcomes: list[Outcome]
    ) -> dict:
        """Inverse-propensity estimates of revenue per presented offer, from every presentation
        logged with the probability it was chosen: what the logging policy earned, what the
        current policy would earn (its choice probabilities under today's model), and what
        always-the-top-rule (the catalog's first next step) would earn."""
        rules = self.practice.rules()
        menu = self.practice.menu()
        logged = [o for o in offers if o.policy and o.policy.get("propensity")]
        answers = {o.id: a for o, a in answered(offers, outcomes, as_of, rules.no_answer_days)[0]}
        weights_current, weights_rule, rewards, propensities = [], [], [], []
        for offer in logged:
            accepted = answers.get(offer.id)
            if accepted is None or offer.policy is None:
                continue
            service = menu.get(offer.service_id)
            reward = (service.price if service else 0.0) if accepted else 0.0
            p_logged = float(offer.policy["propensity"])
            current = _current_probability(model, menu, offer, rules)
            rewards.append(reward)
            propensities.append(p_logged)
            weights_current.append(current / p_logged)
            weights_rule.append((offer.service_id == offer.policy.get("rule_choice")) / p_logged)
        n = len(rewards)
        if n == 0:
            return {"presentations": 0, "note": "no presented offer carries a logged choice probability yet"}

        def ips(weights: list[float]) -> dict:
            total = sum(w * r for w, r in zip(weights, rewards, strict=True))
            mass = sum(weights)
            return {
                "ips": round(total / n, 2),
                "self_normalised": round(total / mass, 2) if mass else None,
                "effective_sample": round(mass**2 / sum(w * w for w in weights), 1) if mass else 0,
            }

        return {
            "presentations": n,
            "logged_policy": round(fmean(rewards), 2),
            "current_policy": ips(weights_current),
            "top_rule": ips(weights_rule),
            "min_propensity": round(min(propensities), 4),
        }

    # the funnel and revenue ------------------------------------------------------------------

    def funnel(self, as_of: date) -> dict:
        """This week: ready -> drafted -> approved -> sent -> accepted (each step counts the
        drafts that reached it)."""
        statuses = self.repository.draft_statuses(as_of.isoformat())
        reached = {
            "approved": ("approved", "sent", "accepted", "declined"),
            "sent": ("sent", "accepted", "declined"),
            "accepted": ("accepted",),
        }
        steps = {"ready": self.practice.scan(as_of).total_ready, "drafted": sum(statuses.values())}
        steps.update({step: sum(statuses.get(s, 0) for s in kinds) for step, kinds in reached.items()})
        return {"as_of": as_of.isoformat(), "steps": steps}

    def revenue_by_month(self, as_of: date) -> list[dict]:
        """Revenue from accepted offers (at menu price) by month, over the last year: every
        month the year touches, a month with none as zero (a missing bar reads as no data)."""
        _, outcomes = self.repository.offers_and_outcomes(day_bounds(as_of)[1])
        menu = self.practice.menu()
        start = as_of - YEAR + timedelta(days=1)
        months: defaultdict[str, float] = defaultdict(float)
        counts: Counter[str] = Counter()
        for outcome in outcomes:
            service = menu.get(outcome.service_id)
            if outcome.accepted and service and start <= outcome.at.date() <= as_of:
                month = outcome.at.strftime("%Y-%m")
                months[month] += service.price
                counts[month] += 1
        keys = [(m.strftime("%Y-%m"), m.strftime("%b %Y")) for m in _months(start, as_of)]
        return [
            {"month": key, "label": label, "revenue": round(months[key], 2), "accepted": counts[key]}
            for key, label in keys
        ]

    # diagnostic ---------------------------------------------------------------------------

    def diagnostic(self, as_of: date) -> dict:
        """The article's figures over the year up to `as_of`, measured, beside its defaults."""
        start = as_of - YEAR
        since, until = day_bounds(start)[0], day_bounds(as_of)[1]
        visits = self._visits(since, until)
        touchpoints = self._touchpoints(start, as_of, until)
        measured = {
            "patients": visits.active,
            "touchpoints": len(touchpoints.presented),
            "acceptance": touchpoints.acceptance,
            "average_cross_sell": touchpoints.average,
        }
        return {
            "as_of": as_of.isoformat(),
            "window": f"{start.isoformat()} to {as_of.isoformat()}",
            "touchpoints_in_use": len(touchpoints.presented),
            "touchpoints_possible": len(Moment),
            "touchpoints": touchpoints.rows(),
            "revenue": visits.revenue_figures(),
            "cancellation": visits.cancellation_figures(),
            "what_if": {
                "measured": {
                    **{k: _round(v) for k, v in measured.items()},
                    "annual": _round(_annual(measured)),
                },
                "article": {**ARTICLE, "annual": _annual(ARTICLE)},
                "formula": PROJECTION_FORMULA,
                "all_eight_at_measured": _round(_annual({**measured, "touchpoints": len(Moment)})),
            },
        }

    def _visits(self, since: int, until: int) -> YearOfVisits:
        """Every patient's completed visits (all of them, to know the first), and their bookings
        and cancellations since `since`."""
        rows = self.repository.events_of_kinds(
            ("visit_completed", "appointment_booked", "appointment_cancelled"), 0, until
        )
        year = YearOfVisits(since)
        for patient_id, kind, at, service_id, amount in rows:
            if kind == "visit_completed":
                year.visits[patient_id].append((at, service_id, amount or 0.0))
            elif at >= since:
                (year.booked if kind == "appointment_booked" else year.cancelled)[patient_id] += 1
        year.count()
        return year

    def _touchpoints(self, start: date, as_of: date, until: int) -> Touchpoints:
        """The offers presented after `start`, by moment, and how those answered went."""
        offers, outcomes = self.repository.offers_and_outcomes(until)
        menu = self.practice.menu()
        recent = [o for o in offers if o.at.date() > start]
        found = Touchpoints(Counter(o.moment.value for o in recent if o.moment))
        answers = {
            o.id: a for o, a in answered(offers, outcomes, as_of, self.practice.rules().no_answer_days)[0]
        }
        for offer in recent:
            result = answers.get(offer.id)
            if result is None or offer.moment is None:
                continue
            found.answered[offer.moment.value] += 1
            if result:
                found.accepted[offer.moment.value] += 1
                if service := menu.get(offer.service_id):
                    found.prices.append(service.price)
        return found


@dataclass(slots=True)
class Touchpoints:
    """Offers presented in the diagnostic's year, by moment, and the answered ones' results."""

    presented: Counter
    answered: Counter = field(default_factory=Counter)
    accepted: Counter = field(default_factory=Counter)
    prices: list[float] = field(default_factory=list)
    """The menu price of each accepted offer."""

    @property
    def acceptance(self) -> float | None:
        total = sum(self.answered.values())
        return sum(self.accepted.values()) / total if total else None

    @property
    def average(self) -> float | None:
        return fmean(self.prices) if self.prices else None

    def rows(self) -> list[dict]:
        return [
            {
                "moment": m.value,
                "label": m.label,
                "presented": self.presented[m.value],
                **rate(self.accepted[m.value], self.answered[m.value]).as_dict(),
            }
            for m in Moment
        ]


@dataclass(slots=True)
class YearOfVisits:
    """Visit revenue in the diagnostic's year, and who had one treatment or several."""

    since: int
    visits: defaultdict[str, list[tuple[int, str | None, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    booked: Counter = field(default_factory=Counter)
    cancelled: Counter = field(default_factory=Counter)
    revenue: float = 0.0
    revenue_after_first: float = 0.0
    single: list[str] = field(default_factory=list)
    multi: list[str] = field(default_factory=list)
    active: int = 0

    def count(self) -> None:
        """Revenue in the year (and after each patient's first visit ever), and who is active."""
        for patient_id, items in self.visits.items():
            items.sort()
            in_year = [(at, s, a) for at, s, a in items if at >= self.since]
            self.revenue += sum(a for _, _, a in in_year)
            first = items[0][0]
            self.revenue_after_first += sum(a for at, _, a in in_year if at > first)
            services = {s for _, s, _ in items if s}
            (self.multi if len(services) >= 2 else self.single).append(patient_id)
        self.active = sum(1 for items in self.visits.values() if any(at >= self.since for at, _, _ in items))

    def revenue_figures(self) -> dict:
        return {
            "total": round(self.revenue, 2),
            "after_first_visit": round(self.revenue_after_first, 2),
            "after_first_visit_share": round(self.revenue_after_first / self.revenue, 4)
            if self.revenue
            else None,
        }

    def cancellation_figures(self) -> dict:
        """Cancellations per booking, patients with several treatments beside those with one
        (the article: a third the rate)."""
        cross, one = self._cancellation(self.multi), self._cancellation(self.single)
        return {
            "cross_sell_patients": len(self.multi),
            "single_treatment_patients": len(self.single),
            "cross_sell_rate": _round(cross),
            "single_treatment_rate": _round(one),
            "ratio": _round(cross / one) if cross is not None and one else None,
        }

    def _cancellation(self, group: list[str]) -> float | None:
        books = sum(self.booked[p] for p in group)
        return sum(self.cancelled[p] for p in group) / books if books else None


def _annual(figures: dict) -> float | None:
    values = [figures.get(k) for k in ("patients", "touchpoints", "acceptance", "average_cross_sell")]
    if any(v is None for v in values):
        return None
    patients, touchpoints, acceptance, average = (float(v) for v in values)  # type: ignore[arg-type]
    return round(patients * touchpoints * acceptance * average, 2)


def _months(start: date, end: date) -> list[date]:
    """The first day of every month from `start`'s to `end`'s, both included."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _ends(rows: list[dict], top: int) -> dict:
    """The best and the worst converters among the offers with at least `MIN_OUTCOMES` answered
    offers, by the Jeffreys posterior mean, then sample size; none when none has enough."""
    ranked = sorted(
        (r for r in rows if r["trials"] >= MIN_OUTCOMES),
        key=lambda r: (-(r["accepted"] + 0.5) / (r["trials"] + 1), -r["trials"], r["offer"]),
    )
    return {
        "top": ranked[:top],
        "bottom": list(reversed(ranked[max(top, len(ranked) - top) :])),
        "offers": len(rows),
        "enough_outcomes": len(ranked),
        "min_outcomes": MIN_OUTCOMES,
    }


def _current_probability(model: HierarchicalModel, menu, offer: OfferMade, rules) -> float:
    """The probability that today's model and policy would choose the logged offer among the
    logged options, for the same patient profile."""
    policy = offer.policy or {}
    options = policy.get("options") or []
    profile = Profile.from_dict(policy.get("profile") or {})
    choices, chosen_index = [], None
    for option in options:
        service = menu.get(option.get("service_id"))
        if service is None:
            continue
        moment = Moment(option["moment"])
        estimate = model.estimate(service, moment, profile, option.get("band"))
        choices.append(
            (
                estimate.p * service.price,
                exploration.Option(service.price, estimate.alpha, estimate.beta),
                option["service_id"],
            )
        )
        if option["service_id"] == offer.service_id and chosen_index is None:
            chosen_index = len(choices) - 1
    if chosen_index is None or not choices:
        return 0.0
    order = sorted(range(len(choices)), key=lambda i: -choices[i][0])
    ranked = [choices[i][1] for i in order]
    if not rules.explore:
        return 1.0 if order[0] == chosen_index else 0.0
    return exploration.probabilities(ranked, rules.explore_floor)[order.index(chosen_index)]


def owner_report(practice: Practice, as_of: date, top: int = 3) -> dict:
    """Everything the owner's report and dashboard show, in one piece."""
    learning = Learning(practice)
    report = learning.report(as_of, top)
    return {
        "measured": report["measured"],
        "report": report,
        "diagnostic": learning.diagnostic(as_of),
        "funnel": learning.funnel(as_of),
        "revenue": learning.revenue_by_month(as_of),
    }


def render_owner_report(template_dir: Path, data: dict) -> str:
    """The printable HTML report (`ui/templates/owner_report.html.j2`), text escaped."""
    return render_html(
        template_dir,
        "owner_report.html.j2",
        pct=percent,
        money=dollars,
        cap=sentence_case,
        acceptance=acceptance_line,
        **data,
    )


def what_if_rows(figures: dict) -> list[tuple[str, str, str]]:
    """The diagnostic's what-if, this practice beside the article, as a person reads it."""
    w, cancel = figures["what_if"], figures["cancellation"]
    measured, article = w["measured"], w["article"]

    def count(value: int | None) -> str:
        return "–" if value is None else f"{value:,}"

    return [
        ("active patients", count(measured["patients"]), count(article["patients"])),
        ("touchpoints in use", count(measured["touchpoints"]), count(article["touchpoints"])),
        ("acceptance", percent(measured["acceptance"]), percent(article["acceptance"])),
        (
            "average cross-sell",
            dollars(measured["average_cross_sell"]),
            dollars(article["average_cross_sell"]),
        ),
        ("annual revenue (projection)", dollars(measured["annual"]), dollars(article["annual"])),
        ("with all eight touchpoints (projection)", dollars(w["all_eight_at_measured"]), ""),
        (
            "revenue after the first visit",
            percent(figures["revenue"]["after_first_visit_share"]),
            percent(article["revenue_after_first_visit_share"]),
        ),
        (
            "cancellations per booking, cross-sell vs single-treatment",
            f"{percent(cancel['cross_sell_rate'])} vs {percent(cancel['single_treatment_rate'])}",
            "one third the rate",
        ),
    ]
