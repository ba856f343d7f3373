"""The review rules as one model: random sequences of actions by random people (edits, submits,
approvals, rejections, sends, pushed events, replies, worker runs and worker crashes, time
passing) against one practice, with the rules that keep patients safe checked after every step.

Every example starts from the same stored practice (the dev practice with its week drafted),
restored with SQLite's backup API, so examples are independent and cheap."""

from __future__ import annotations

import contextlib
import sqlite3
from collections import defaultdict
from datetime import datetime, timedelta

import orjson
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from assistant.domain.review import Role
from assistant.drafting.guards import blocks_submission
from assistant.errors import CrosssellError
from assistant.sending import Message, Receipt
from assistant.storage import schema
from tests.review_desk import AS_OF, build_desk


class Crash(BaseException):
    """The worker's process dies in the middle of a delivery."""


class Channel:
    """A fake channel that checks, at the instant a message leaves, what must hold then."""

    def __init__(self) -> None:
        self.review = None
        self.mode = "ok"
        self.delivered: dict[str, tuple[Message, datetime]] = {}
        self.violations: list[str] = []

    def send(self, message: Message) -> Receipt:
        if self.mode == "fail":
            raise OSError("channel down")
        self._check(message)
        if message.id not in self.delivered:
            self.delivered[message.id] = (message, self.review.clock.now())
        if self.mode == "crash":
            self.mode = "ok"
            raise Crash
        return Receipt("fake", message.id)

    def _check(self, message: Message) -> None:
        review = self.review
        history = review.repository.history(message.patient_id)
        block = review.practice.eligibility().contact_block(history, message.channel)
        if block:
            self.violations.append(f"{message.id} went to {message.patient_id} with {block.detail}")
        draft = review._load(message.draft_id)
        guards = review.drafting.recheck(draft, message.subject, message.body)
        failing = [g.name for g in guards if not g.passed and blocks_submission(g)]
        if failing:
            self.violations.append(f"{message.id} was delivered failing {failing}")
        if (message.subject, message.body) != (draft.subject, draft.body):
            self.violations.append(f"{message.id} is not the draft's text")


CHANNEL = Channel()


@pytest.fixture(scope="module")
def world(tmp_path_factory, matcher):
    home = tmp_path_factory.mktemp("rules")
    desk = build_desk(
        home,
        matcher,
        senders={"email": CHANNEL, "sms": CHANNEL},
        delivery_attempts=2,
        delivery_backoff_seconds=60,
        delivery_lease_seconds=120,
    )
    CHANNEL.review = desk.review
    week = desk.review.draft_week(desk.users["coordinator"], AS_OF)
    assert len(week.drafts) >= 4
    engine = desk.practice.repository.engine
    path = engine.url.database
    snapshot = home / "snapshot.db"
    engine.dispose()
    with sqlite3.connect(path) as live, sqlite3.connect(snapshot) as copy:
        live.backup(copy)
    return desk, path, snapshot, [d.id for d in week.drafts], desk.review.clock.now()


WORLD: tuple = ()
ACTORS = ["coordinator", "provider", "provider2", "qa", "admin"]
PROVIDERS = ["provider", "provider2"]
DRAFTS = st.integers(0, 2)
STALE = st.sampled_from([False, False, False, True])
DELIVERED: list[int] = []
"""Messages delivered in each example: the run must reach delivery, or it proves nothing."""
TEXTS = [
    "\n\nWarm regards from the whole team.",
    "\n\nWe would love to see you again.",
    "\n\nNo rush at all; just reply when it suits you.",
    "\n\nThank you for trusting us with your care.",
    " Results are guaranteed, or your money back.",
    " Write to someone@example.com or call 555-010-9999.",
    " {other} loved hers, call her on {phone}.",
]
REPLIES = ["STOP", "please stop texting me", "Thanks, see you soon!", "START", "HELP", "UNSUBSCRIBE"]


class ReviewRules(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        desk, path, snapshot, drafts, start = WORLD
        desk.practice.repository.engine.dispose()
        with sqlite3.connect(snapshot) as copy, sqlite3.connect(path) as live:
            copy.backup(live)
        clock = desk.review.clock
        clock.advance(seconds=(start - clock.now()).total_seconds())
        CHANNEL.mode, CHANNEL.delivered, CHANNEL.violations = "ok", {}, []
        self.desk, self.review, self.drafts = desk, desk.review, drafts
        self.opt_outs: dict[str, str] = {}  # event id -> patient id
        self.pushed = 0

    @initialize()
    def start(self) -> None:
        assert self.review.repository.messages() == []

    # Actions -------------------------------------------------------------------------------

    def _try(self, action) -> None:
        with contextlib.suppress(CrosssellError):  # a refusal: the rules said no, with a message
            action()

    def _version(self, draft_id: str, stale: bool) -> int:
        current = self.review._load(draft_id).version
        return current - 1 if stale and current > 1 else current

    @rule(index=DRAFTS, who=st.sampled_from(ACTORS), text=st.sampled_from(TEXTS), stale=st.booleans())
    def edit(self, index: int, who: str, text: str, stale: bool) -> None:
        draft = self.review._load(self.drafts[index])
        other = self._other(draft.patient_id)
        addition = text.format(other=f"{other.first_name} {other.last_name}", phone=other.phone)
        self._try(
            lambda: self.review.edit(
                self.desk.users[who], draft.id, self._version(draft.id, stale), None, draft.body + addition
            )
        )

    @rule(
        index=DRAFTS,
        step=st.sampled_from(["submit", "approve", "reject", "send", "regenerate"]),
        stale=STALE,
        data=st.data(),
    )
    def step(self, index: int, step: str, stale: bool, data) -> None:
        # Mostly someone whose role may take the step, so sequences get far; anyone at times.
        likely = {"approve": PROVIDERS, "reject": PROVIDERS}.get(step, ["coordinator", "admin"])
        who = data.draw(st.sampled_from(likely) | st.sampled_from(ACTORS))
        draft_id, user = self.drafts[index], self.desk.users[who]
        version = self._version(draft_id, stale)
        calls = {
            "submit": lambda: self.review.submit(user, draft_id, version),
            "approve": lambda: self.review.approve(user, draft_id, version),
            "reject": lambda: self.review.reject(user, draft_id, "change it", version),
            "send": lambda: self.review.send(user, draft_id, version),
            "regenerate": lambda: self.review.regenerate(user, draft_id, version),
        }
        self._try(calls[step])

    @rule(index=DRAFTS, provider=st.sampled_from(PROVIDERS))
    def next_step(self, index: int, provider: str) -> None:
        """What a diligent team does next with the draft, so that sequences reach the patient."""
        draft, users = self.review._load(self.drafts[index]), self.desk.users
        coordinator = users["coordinator"]
        calls = {
            "drafted": lambda: self.review.submit(coordinator, draft.id, draft.version),
            "edited": lambda: self.review.submit(coordinator, draft.id, draft.version),
            "pending_approval": lambda: self.review.approve(users[provider], draft.id, draft.version),
            "approved": lambda: self.review.send(coordinator, draft.id, draft.version),
        }
        if draft.status in calls:
            self._try(calls[draft.status])

    @rule(index=DRAFTS, provider=st.sampled_from(PROVIDERS))
    def all_the_way(self, index: int, provider: str) -> None:
        """The next steps until the draft is out or something refuses (most sequences that
        reach a patient come this way; the single steps interleave with everything else)."""
        for _ in range(3):
            before = self.review._load(self.drafts[index]).version
            self.next_step(index, provider)
            if self.review._load(self.drafts[index]).version == before:
                return

    @rule(index=DRAFTS, channel=st.sampled_from(["email", "sms", "all"]))
    def opt_out(self, index: int, channel: str) -> None:
        patient = self.review._load(self.drafts[index]).patient_id
        self.pushed += 1
        event_id = f"rules-out-{self.pushed}"
        self._push({"kind": "opted_out", "id": event_id, "patient_id": patient, "channel": channel})
        self.opt_outs[event_id] = patient

    @rule(data=st.data())
    def overwrite_opt_out(self, data) -> None:
        if not self.opt_outs:
            return
        event_id = data.draw(st.sampled_from(sorted(self.opt_outs)))
        patient = self.opt_outs[event_id]
        self._push({"kind": "feedback", "id": event_id, "patient_id": patient, "score": 10})

    @rule(index=DRAFTS)
    def consent_back_on(self, index: int) -> None:
        patient = self.review.repository.patient(self.review._load(self.drafts[index]).patient_id)
        line = {"type": "patient", "id": patient.id, "first_name": patient.first_name}
        line.update(last_name=patient.last_name, email=patient.email, phone=patient.phone)
        self._push({**line, "marketing_consent": True}, event=False)

    @rule(index=DRAFTS, channel=st.sampled_from(["email", "sms"]), text=st.sampled_from(REPLIES))
    def reply(self, index: int, channel: str, text: str) -> None:
        patient = self.review._load(self.drafts[index]).patient_id
        self._try(lambda: self.review.reply(self.desk.users["coordinator"], patient, channel, text))

    @rule(mode=st.sampled_from(["ok", "fail", "crash"]))
    def worker(self, mode: str) -> None:
        CHANNEL.mode = mode
        with contextlib.suppress(Crash):
            self.review.outbox.run_once()
        CHANNEL.mode = "ok"

    @rule(minutes=st.sampled_from([1, 5, 30, 60 * 24, 60 * 24 * 31]))
    def time_passes(self, minutes: int) -> None:
        self.review.clock.advance(minutes=minutes)

    def _push(self, record: dict, event: bool = True) -> None:
        if event:
            record = {"type": "event", "at": self.review.clock.stamp(), **record}
        self._try(lambda: self.review.push(self.desk.users["coordinator"], [orjson.dumps(record)]))

    def _other(self, patient_id: str):
        repository = self.review.repository
        other = next(p for p in sorted(repository.ids(schema.patients)) if p != patient_id)
        return repository.patient(other)

    # What must always hold ------------------------------------------------------------------

    def teardown(self) -> None:
        DELIVERED.append(len(CHANNEL.delivered))

    @invariant()
    def nothing_unsafe_was_delivered(self) -> None:
        assert CHANNEL.violations == []

    @invariant()
    def one_offer_per_patient_per_cooldown(self) -> None:
        cooldown = timedelta(days=self.review.practice.rules().cooldown_days)
        sent: dict[str, list[datetime]] = defaultdict(list)
        for message, at in CHANNEL.delivered.values():
            sent[message.patient_id].append(at)
        for patient, times in sent.items():
            times.sort()
            gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
            assert all(gap >= cooldown for gap in gaps), (patient, times)

    @invariant()
    def every_delivery_was_approved_at_its_version_by_someone_else(self) -> None:
        review = self.review
        for message, _ in CHANNEL.delivered.values():
            trail = review.repository.audit(draft_id=message.draft_id)
            actions = [(r.action, r.actor, orjson.loads(r.detail)) for r in trail]
            send_at = next(
                i for i, a in enumerate(actions) if a[0] == "send" and a[2]["message_id"] == message.id
            )
            approvals = [i for i in range(send_at) if actions[i][0] == "approve"]
            assert approvals, f"{message.id} was sent without an approval"
            approved = approvals[-1]
            between = [actions[i][0] for i in range(approved + 1, send_at)]
            assert not {"edit", "regenerate"} & set(between), (message.id, between)
            approver = review.accounts.get(actions[approved][1])
            assert approver.role is Role.PROVIDER
            writer = None  # who wrote the approved text: the last editor, or the drafter
            for action, actor, _ in actions[:approved]:
                if action in ("edit", "regenerate"):
                    writer = actor if action == "edit" else None
            assert writer != approver.id, f"{message.id} was approved by its writer"

    @invariant()
    def every_change_to_a_draft_is_in_the_audit_log(self) -> None:
        for draft_id in self.drafts:
            draft = self.review._load(draft_id)
            versions = {
                orjson.loads(r.detail).get("version") for r in self.review.repository.audit(draft_id=draft_id)
            }
            assert set(range(2, draft.version + 1)) <= versions, (draft_id, draft.version, versions)


def test_the_review_rules_hold_in_every_order_of_events(world):
    global WORLD
    WORLD = world
    ReviewRules.TestCase.settings = settings(
        max_examples=3 * settings.default.max_examples,  # 300; 60 on the moved clock's second pass
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    ReviewRules.TestCase().runTest()
    assert sum(1 for n in DELIVERED if n) >= 10, f"only {DELIVERED} messages were delivered"
