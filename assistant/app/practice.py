"""The practice as the CLI, API and UI see it: one object over storage, knowledge and the engine."""

from __future__ import annotations

import gc
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from assistant.app.importer import Importer, ImportReport, Limits, file_lines
from assistant.app.spreadsheets import SheetImport, encoded, importer_rejections
from assistant.clock import Clock
from assistant.domain.attribution import uptakes
from assistant.domain.capacity import Week, fill
from assistant.domain.contract import EVENT_KINDS, OFFER_KINDS, ContractError, parse_event
from assistant.domain.conversion import HierarchicalModel, trials_from, waiting_trials
from assistant.domain.eligibility import Eligibility
from assistant.domain.engine import GoalMatcher, OfferEngine, ReadyOffer, Suppression
from assistant.domain.history import History, Menu
from assistant.domain.holdout import draw, week_of
from assistant.domain.records import Event, OfferMade, Outcome, Patient
from assistant.domain.rules import Rules
from assistant.domain.segments import Profile, Segmentation
from assistant.domain.timing import over_cap
from assistant.errors import InputError, NotFound
from assistant.exports import sheets
from assistant.exports.mapping import Mapping
from assistant.exports.rows import Conversion, Options, convert
from assistant.exports.services import MenuProposal, ServiceNames, proposed_menu, suggestions
from assistant.knowledge import Knowledge
from assistant.settings import Settings
from assistant.storage import database, schema
from assistant.storage.repository import Repository, audit_row, epoch

if TYPE_CHECKING:
    from assistant.semantic import Embedder

PARALLEL_IMPORT_BYTES = 8 * 1024 * 1024
ATTRIBUTION = "attribution"
HOLDOUT_SALT = "crosssell control group"
"""The draw's salt: the same for every practice, so a practice's draw does not change with its
settings (a new `CROSSSELL_PRACTICE_ID` on a shared vector store must not redraw the group)."""
"""Who records the outcomes an import's bookings imply, in the audit log."""


@dataclass
class ScanResult:
    as_of: date
    ready: list[ReadyOffer] = field(default_factory=list)
    suppressed: list[Suppression] = field(default_factory=list)
    total_ready: int = 0
    histories: dict[str, History] = field(default_factory=dict)
    this_week: set[str] = field(default_factory=set)
    """The week's patients (rule `weekly_capacity`), by id; the other ready ones are also ready."""
    offered_this_week: int = 0
    """Patients offered earlier this week, whose places in the week are taken."""

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "ready": [{**ready_dict(r), "this_week": r.patient.id in self.this_week} for r in self.ready],
            "suppressed": [
                {
                    "patient_id": s.patient_id,
                    "moment": s.moment.value if s.moment else None,
                    "reason": s.reason.value,
                    "detail": s.detail,
                }
                for s in self.suppressed
            ],
        }


def ready_dict(offer: ReadyOffer) -> dict:
    return {
        "patient_id": offer.patient.id,
        "name": offer.patient.name,
        "moment": offer.moment.value,
        "offer": offer.service.id,
        "offer_name": offer.service.name,
        "price": offer.service.price,
        "p_accept": round(offer.estimate.p, 4),
        "expected_value": round(offer.expected_value, 2),
        "evidence": offer.estimate.evidence(offer.moment),
        "reasons": offer.reasons,
        "channel": offer.channel,
        "signal": offer.signal.summary,
        "interval": [round(offer.estimate.low, 4), round(offer.estimate.high, 4)],
        "chosen_by": offer.decision.policy if offer.decision else None,
        "probability_chosen": round(offer.decision.propensity, 4) if offer.decision else None,
    }


def _event_of(record: dict) -> Event | None:
    """The event a contract line holds, or None when it holds none (the import would reject it)."""
    try:
        return parse_event(record)
    except ContractError:
        return None


def day_bounds(day: date) -> tuple[int, int]:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return epoch(start), epoch(start + timedelta(days=1)) - 1


class Practice:
    """Opens (and migrates) the practice's database under the settings' home."""

    def __init__(
        self, settings: Settings | None = None, matcher: GoalMatcher | None = None, clock: Clock | None = None
    ) -> None:
        self.settings = settings or Settings()
        self.clock = clock or Clock.from_settings(self.settings.time_zone, self.settings.clock)
        self.repository = Repository(database.create(self.settings))
        self.knowledge = Knowledge.at(self.settings.knowledge_dir)
        self._matcher = matcher

    def menu(self) -> Menu:
        """The imported menu, or the default one when the practice imported none."""
        services = self.repository.services()
        return Menu(services) if services else self.knowledge.default_menu

    @property
    def matcher(self) -> GoalMatcher:
        if self._matcher is None:
            from assistant.semantic import MiniLMMatcher

            self._matcher = MiniLMMatcher(self.repository, embedder=self.embedder)
        return self._matcher

    @cached_property
    def embedder(self) -> Embedder:
        """One loaded embedding model for goal matching and retrieval alike."""
        shared = getattr(self._matcher, "embedder", None)
        if shared is not None:
            return shared
        from assistant.semantic import Embedder

        return Embedder(self.settings.embedding_model_dir)

    def eligibility(self) -> Eligibility:
        return Eligibility(self.rules(), self.knowledge.sentiment)

    def over_cap(self, patient_id: str) -> str | None:
        """Why no message may go to this patient now, when the practice's cap on messages in
        any 30 days is reached: how many went, and when the next may."""
        most, now = self.rules().messages_per_30_days, self.clock.now()
        sent = self.repository.delivered_times(patient_id, int((now - timedelta(days=30)).timestamp()))
        until = over_cap(sent, now, most)
        if until is None:
            return None
        said = f"{most} message{'' if most == 1 else 's'}"
        return f"{said} in the last 30 days, the practice's most; the next after {until.date()}"

    # Import and outcomes -----------------------------------------------------------------

    def import_file(
        self, path: Path, on_progress: Callable[[int], None] | None = None, actor: str = "import"
    ) -> ImportReport:
        """`actor` is who imported: the consent changes the file makes are audited under it."""
        if not path.is_file():
            raise InputError(f"no such file: {path}")
        large = path.stat().st_size > PARALLEL_IMPORT_BYTES
        workers = self.settings.import_workers if large else 0
        try:
            report = self._importer(on_progress, workers, actor).run(file_lines(path))
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
        self.attribute(report)
        return report

    def import_records(self, records: list[dict], actor: str = "import") -> ImportReport:
        return self.import_lines([orjson.dumps(r) for r in records], actor)

    def import_lines(self, raw: list[bytes], actor: str = "import") -> ImportReport:
        """Contract lines pushed by an integration; numbered from 1 as in a file."""
        lines = list(enumerate(raw, 1))
        report = self._importer(None, actor=actor).run(lambda: iter(lines))
        self.attribute(report)
        return report

    def week(self, ready: list[ReadyOffer], as_of: date, capacity: int | None = None) -> Week:
        """This week's patients (the top `capacity`, by default the rule `weekly_capacity`, of
        the queue as ranked) and the control group drawn on the way: a patient drawn takes no
        place, unless they already have an open draft (theirs is kept, as drafting keeps it).
        Without an explicit `capacity`, the patients offered earlier in the week (Monday on)
        have taken their places."""
        rules = self.rules()
        share, week = rules.holdout_share, week_of(as_of)
        drawn = {r.patient.id for r in ready if share > 0 and draw(HOLDOUT_SALT, r.patient.id, week) < share}
        kept = set(self.repository.open_drafts(sorted(drawn))) if drawn else set()
        offered = 0
        if capacity is None:
            offered = len(self.offered_this_week(as_of) - {r.patient.id for r in ready})
        return fill(
            [r.patient.id for r in ready],
            rules.weekly_capacity if capacity is None else capacity,
            lambda patient_id: patient_id in drawn and patient_id not in kept,
            offered,
        )

    def offered_this_week(self, as_of: date) -> set[str]:
        """The patients presented an offer from the Monday of `as_of`'s week to the end of it."""
        monday = as_of - timedelta(days=as_of.weekday())
        return self.repository.presented(day_bounds(monday)[0], day_bounds(as_of)[1])

    def hold_out(self, ready: list[ReadyOffer], as_of: date) -> list[ReadyOffer]:
        """The week's control group: each ready patient drawn with chance `holdout_share`
        (the same draw however often the week is drafted), recorded as a `held_out` event with
        that chance, and kept from offers for the attribution window."""
        share = self.rules().holdout_share
        week = week_of(as_of)
        held = [r for r in ready if share > 0 and draw(HOLDOUT_SALT, r.patient.id, week) < share]
        if not held:
            return []
        now = self.clock.now().astimezone(UTC).isoformat()
        report = self.import_records(
            [
                {
                    "type": "event",
                    "id": f"{r.patient.id}-held-out-{week}",
                    "patient_id": r.patient.id,
                    "kind": "held_out",
                    "at": now,
                    "service_id": r.service.id,
                    "moment": r.moment.value,
                    "probability": share,
                }
                for r in held
            ],
            "holdout",
        )
        if report.rejected:
            raise InputError(report.rejected[0].message)
        return held

    def attribute(self, report: ImportReport) -> int:
        """The outcomes an import's events imply: each offer the patient took up (booked, had
        or started the offered service within the attribution window) becomes an accepted
        outcome with what it paid, recorded once and audited. Only patients the run gave new
        events and who were ever offered something are read. Returns how many."""
        touched = sorted(p for p, change in report.changed.items() if change.events)
        offered = self.repository.offered(touched) if touched else set()
        if not offered:
            return 0
        days = self.rules().attribution_days
        found = []
        for patient_id in sorted(offered):
            history = self.repository.history(patient_id)
            found += uptakes(history, days) if history else []
        if not found:
            return 0
        lines = list(enumerate((orjson.dumps(u.record()) for u in found), 1))
        self._importer(None, actor=ATTRIBUTION).run(lambda: iter(lines))
        self.repository.append_audit(
            [
                audit_row(
                    self.clock.now(),
                    ATTRIBUTION,
                    "outcome_attributed",
                    {"offer": u.offer.id, "service_id": u.offer.service_id, "by_event": u.event.id},
                    None,
                    u.offer.patient_id,
                )
                for u in found
            ]
        )
        return len(found)

    def import_export(
        self,
        path: Path,
        mapping: Mapping,
        *,
        consent_on_file: bool = False,
        dry_run: bool = False,
        on_progress: Callable[[int], None] | None = None,
        actor: str = "import",
    ) -> SheetImport:
        """A booking system's export through the importer. With `consent_on_file` the owner
        (`actor`) states that the practice holds marketing consent for the file's new patients:
        each gets an `opted_in` event naming who and when, and the run an audit entry. A dry run
        reads and converts everything and writes nothing."""
        sheet = sheets.read(path)
        now = self.clock.now()
        options = Options(
            now, self.settings.country, self.settings.time_zone, consent_on_file, self.settings.max_price
        )
        stored = self.repository.patient_records()
        names = ServiceNames(self.menu(), self.matcher)
        conversion = convert(sheet, mapping, stored, names, options)
        self._keep_embeddings()
        self._ledger(conversion, mapping, actor, now)
        result = SheetImport(
            path.name,
            mapping,
            mapping.used_columns(sheet.header),
            mapping.missing_headers(sheet.header),
            conversion,
            suggestions(conversion.unmatched_services, conversion.tallies, names),
        )
        result.rejections = list(conversion.rejections)
        if dry_run:
            self._planned(result, stored)
            return result
        lines = list(enumerate(encoded(conversion.records), 1))  # the importer reads its source twice
        report = self._importer(on_progress, actor=actor).run(lambda: iter(lines))
        self.attribute(report)
        result.report = report
        result.rejections = sorted(
            result.rejections + importer_rejections(report, conversion.origins), key=lambda r: r.row
        )
        if conversion.consent_on_file:
            self.audit(
                actor, "consent_on_file", {"file": path.name, "patients": len(conversion.consent_on_file)}
            )
        return result

    def suggest_menu(self, path: Path, mapping: Mapping) -> MenuProposal:
        """A menu proposed from an appointments or sales export: the practice's services with
        the export's names as aliases and its median prices, and a new service for each name
        that matches none. Reads the export only; writes nothing but the embedding cache."""
        if mapping.kind not in ("appointments", "sales"):
            raise InputError(f"a menu is suggested from an appointments or sales export, not {mapping.kind}")
        sheet = sheets.read(path)
        names = ServiceNames(self.menu(), self.matcher)
        options = Options(
            self.clock.now(),
            self.settings.country,
            self.settings.time_zone,
            max_price=self.settings.max_price,
        )
        proposal = proposed_menu(convert(sheet, mapping, [], names, options).tallies, names)
        self._keep_embeddings()
        return proposal

    def _ledger(self, conversion: Conversion, mapping: Mapping, actor: str, now: datetime) -> None:
        """Consent facts a run adds: an opt-out the export flags, once (a stored one is never
        rewritten), and the owner's word for each new patient given consent on file."""
        opt_outs = [i for i, r in enumerate(conversion.records) if r.get("kind") == "opted_out"]
        stored = self.repository.ids(schema.events, [conversion.records[i]["id"] for i in opt_outs])
        for index in reversed(opt_outs):
            if conversion.records[index]["id"] in stored:
                del conversion.records[index], conversion.origins[index]
        rows = {r["id"]: row for r, row in zip(conversion.records, conversion.origins, strict=True)}
        for patient_id in conversion.consent_on_file:
            conversion.add(
                {
                    "type": "event",
                    "id": f"{patient_id}-consent-on-file",
                    "patient_id": patient_id,
                    "kind": "opted_in",
                    "at": now.astimezone(UTC).isoformat(),
                    "channel": "all",
                    "source": f"consent on file, stated by {actor} importing a {mapping.name} export",
                },
                rows[patient_id],
            )

    def _planned(self, result: SheetImport, stored_patients: list[dict]) -> None:
        """A dry run's counts, by what each record's id holds now: nothing (added), the same
        (unchanged), or something else (updated)."""
        patients = {p["id"]: p for p in stored_patients}
        records = result.conversion.records
        events = self.repository.events_by_id(r["id"] for r in records if r["type"] == "event")
        for record in records:
            table = f"{record['type']}s"
            held: object = (
                patients.get(record["id"]) if record["type"] == "patient" else events.get(record["id"])
            )
            if held is None:
                result.would_add[table] += 1
            elif held == (record if record["type"] == "patient" else _event_of(record)):
                result.unchanged[table] += 1
            else:
                result.would_update[table] += 1

    def _importer(
        self, on_progress: Callable[[int], None] | None, workers: int = 0, actor: str = "import"
    ) -> Importer:
        return Importer(
            self.repository,
            {s.id for s in self.knowledge.default_menu},
            self.settings.import_batch_size,
            on_progress,
            workers,
            clock=self.clock,
            limits=Limits(self.settings.import_max_line_bytes, self.settings.max_price),
            actor=actor,
        )

    def record(
        self,
        patient_id: str,
        service_id: str,
        kind: str,
        *,
        moment: str | None = None,
        channel: str | None = None,
        at: datetime | None = None,
        policy: dict | None = None,
        event_id: str | None = None,
    ) -> str:
        """Records an offer or its outcome as an `offer_*` event; returns the event id. A
        presented offer carries the decision that chose it (`policy`), for offline evaluation.
        Recording again under the same `event_id` changes nothing."""
        kind = kind if kind.startswith("offer_") else f"offer_{kind}"
        if kind not in OFFER_KINDS or kind not in EVENT_KINDS:
            raise InputError(f"unknown outcome {kind!r}: use presented, accepted or declined")
        if self.repository.patient(patient_id) is None:
            raise NotFound(f"unknown patient {patient_id!r}")
        if service_id not in self.menu():
            raise NotFound(f"unknown service {service_id!r}")
        when = (at or self.clock.now()).astimezone(UTC)
        event_id = event_id or f"{patient_id}-{kind}-{uuid.uuid4().hex[:10]}"
        record: dict[str, Any] = {
            "type": "event",
            "id": event_id,
            "patient_id": patient_id,
            "kind": kind,
            "at": when.isoformat(),
            "service_id": service_id,
        }
        if moment is not None:
            record["moment"] = moment
        if channel is not None:
            record["channel"] = channel
        if policy is not None:
            record["policy"] = policy
        report = self.import_records([record])
        if report.rejected:
            raise InputError(report.rejected[0].message)
        return event_id

    def audit(
        self,
        actor: str,
        action: str,
        detail: dict,
        *,
        draft_id: str | None = None,
        patient_id: str | None = None,
    ) -> None:
        """An entry in the audit log for work on the practice's data outside the review desk
        (the command line): who, what, and which draft or patient."""
        row = audit_row(self.clock.now(), actor, action, detail, draft_id, patient_id)
        self.repository.append_audit([row])

    # Rules ------------------------------------------------------------------------------

    def rules(self) -> Rules:
        return self.repository.rules()

    def set_rule(self, name: str, value: str) -> Rules:
        current = self.rules().model_dump()
        if name not in current:
            raise InputError(f"unknown rule {name!r}; known: {', '.join(sorted(current))}")
        raw = value if isinstance(current[name], str) else _json_value(value)
        try:
            rules = Rules.model_validate({**current, name: raw})
        except ValueError as exc:
            raise InputError(f"bad value for {name}: {exc}") from None
        self.repository.save_rules(rules)
        return rules

    # The weekly scan --------------------------------------------------------------------

    def scan(self, as_of: date, limit: int | None = None) -> ScanResult:
        # A scan makes a few million short-lived objects and no reference cycles: the cyclic
        # collector would only slow it down.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._scan(as_of, limit)
        finally:
            if enabled:
                gc.enable()

    def _scan(self, as_of: date, limit: int | None) -> ScanResult:
        rules = self.rules()
        start, until = day_bounds(as_of)
        offers, outcomes = self.repository.offers_and_outcomes(until)
        window = max(rules.signal_days, rules.negative_block_days)
        since = day_bounds(as_of - timedelta(days=window))[0]
        due_until = day_bounds(as_of + timedelta(days=rules.renewal_due_days))[1]
        active, quiet = self.repository.histories(since, until, start, due_until)
        _attach(active, offers, outcomes)
        engine = self._engine(
            active, as_of, rules, offers, outcomes, {h.patient.id: h.patient for h in (*active, *quiet)}
        )
        result = ScanResult(as_of)
        for history in active + quiet:
            answer = engine.evaluate(history, as_of)
            self._keep(result, answer)
            if isinstance(answer, ReadyOffer):
                result.histories[history.patient.id] = history
        self._save_matches(engine)
        result.ready.sort(key=lambda r: (-r.expected_value, r.patient.id))
        result.suppressed.sort(key=lambda s: s.patient_id)
        result.total_ready = len(result.ready)
        week = self.week(result.ready, as_of)
        result.this_week, result.offered_this_week = set(week.this_week), week.offered
        if limit is not None:
            result.ready = result.ready[:limit]
        return result

    def scan_undismissed(self, as_of: date, limit: int | None = None) -> ScanResult:
        """`scan` without the patients a coordinator dismissed for the week: the queue and the
        week's drafting. `limit` counts only those left."""
        scan = self.scan(as_of)
        dismissed = self.dismissed(as_of)
        if dismissed:
            scan.ready = [r for r in scan.ready if r.patient.id not in dismissed]
            scan.total_ready = len(scan.ready)
            week = self.week(scan.ready, as_of)  # the next ready move up
            scan.this_week, scan.offered_this_week = set(week.this_week), week.offered
        if limit is not None:
            scan.ready = scan.ready[:limit]
        return scan

    def evaluate(self, patient_id: str, as_of: date) -> tuple[History, ReadyOffer | Suppression]:
        """One patient's answer as of a day, with the history it was read from."""
        history, engine = self._patient_engine(patient_id, as_of)
        answer = engine.evaluate(history, as_of)
        self._save_matches(engine)
        return history, answer

    def alternatives(self, patient_id: str, as_of: date) -> tuple[History, list[ReadyOffer] | Suppression]:
        """Every eligible offer for one patient as of a day (`OfferEngine.alternatives`), with
        the history it was read from; as `evaluate` reads it, so the two agree."""
        history, engine = self._patient_engine(patient_id, as_of)
        answer = engine.alternatives(history, as_of)
        self._save_matches(engine)
        return history, answer

    def _patient_engine(self, patient_id: str, as_of: date) -> tuple[History, OfferEngine]:
        """One patient's history as of a day and the engine that reads it, with the practice's
        offers and outcomes so far."""
        until = day_bounds(as_of)[1]
        history = self.repository.history(patient_id, until)
        if history is None:
            raise NotFound(f"unknown patient {patient_id!r}")
        offers, outcomes = self.repository.offers_and_outcomes(until)
        patients = self.repository.patient_types(
            {o.patient_id for o in offers} | {o.patient_id for o in outcomes}
        )
        engine = self._engine(
            [history],
            as_of,
            self.rules(),
            offers,
            outcomes,
            {**patients, history.patient.id: history.patient},
        )
        return history, engine

    def dismissed(self, as_of: date) -> dict[str, dict]:
        """The patients a coordinator set aside for the week of `as_of`, with why (not a
        patient's answer: nothing here reaches the learning)."""
        return self.repository.dismissals(week_of(as_of))

    def _engine(
        self, active: list[History], as_of: date, rules: Rules, offers, outcomes, patients: dict[str, Patient]
    ) -> OfferEngine:
        menu = self.menu()
        sentiment = self.knowledge.sentiment
        segmentation = self.knowledge.segmentation
        context = TrialContext(segmentation, patients)
        model = HierarchicalModel(
            trials_from(offers, outcomes, as_of, rules, context),
            rules,
            segmentation.labels,
            waiting_trials(offers, outcomes, as_of, rules, context),
        )
        matcher = self._goal_matcher(active, menu, as_of, rules)
        return OfferEngine(menu, rules, sentiment, model, matcher, segmentation)

    @staticmethod
    def _save_matches(engine: OfferEngine) -> None:
        save = getattr(engine.matcher, "save", None)
        if save is not None:
            save()

    def _keep_embeddings(self) -> None:
        """Service names embedded for an import are cached like goal words, when the model
        was needed at all."""
        save = getattr(self._matcher, "save", None)
        if save is not None:
            save()

    def _goal_matcher(
        self, active: list[History], menu: Menu, as_of: date, rules: Rules
    ) -> GoalMatcher | None:
        """Loads the embedding model only when someone's goals changed, and embeds in batch."""
        since = as_of - timedelta(days=rules.signal_days)
        goals = [
            e.text("to")
            for h in active
            for e in h.events
            if e.kind == "goal_changed" and since <= e.at.date() <= as_of
        ]
        if not goals:
            return None
        matcher = self.matcher
        if hasattr(matcher, "prepare"):
            matcher.prepare(goals)
        return matcher

    @staticmethod
    def _keep(result: ScanResult, answer: ReadyOffer | Suppression) -> None:
        if isinstance(answer, ReadyOffer):
            result.ready.append(answer)
        else:
            result.suppressed.append(answer)


class TrialContext:
    """The patient's profile and the offer's price band when a past offer was made: as logged
    with the decision that chose it, else what the patient record says (declared segment and
    age band; new or returning and the price band stay unknown, so such an offer counts down to
    the segment's cell). The same for a whole-practice scan and a one-patient evaluation."""

    def __init__(self, segmentation: Segmentation, patients: dict[str, Patient]) -> None:
        self.segmentation = segmentation
        self.patients = patients
        self._by_record: dict[tuple, Profile] = {}

    def __call__(self, made: OfferMade | Outcome) -> tuple[Profile, str | None]:
        policy = getattr(made, "policy", None)
        if policy and isinstance(policy.get("profile"), dict):
            return Profile.from_dict(policy["profile"]), policy.get("band")
        patient = self.patients.get(made.patient_id)
        if patient is None:
            return Profile(), None
        day = made.at.date()
        born = patient.birth_date
        age = day.year - born.year - ((day.month, day.day) < (born.month, born.day)) if born else None
        key = (patient.segment, age)  # many patients share what their record alone says
        found = self._by_record.get(key)
        if found is None:
            found = self._by_record[key] = self.segmentation.record_profile(patient, day)
        return found, None


def _attach(histories: list[History], offers, outcomes) -> None:
    by_patient = {h.patient.id: h for h in histories}
    for offer in offers:
        if (history := by_patient.get(offer.patient_id)) is not None:
            history.offers.append(offer)
    for outcome in outcomes:
        if (history := by_patient.get(outcome.patient_id)) is not None:
            history.outcomes.append(outcome)


def _json_value(value: str):
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value
