"""Drafting for the practice: who is ready, what their draft may use (retrieved from the vector
store), who writes it (a model, guarded, or the templates), and where the draft is kept."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from assistant.app.practice import Practice, day_bounds
from assistant.domain.contract import CHANNELS
from assistant.domain.engine import ReadyOffer, Suppression
from assistant.domain.history import History, Menu
from assistant.domain.records import Service
from assistant.domain.rules import Rules
from assistant.drafting.brief import (
    Brief,
    Grounds,
    Source,
    brief_dict,
    brief_from,
    build_brief,
    build_grounds,
    history_sources,
)
from assistant.drafting.content import Draft, DraftContent, GuardResult, SourceRef
from assistant.drafting.drafters import Drafted, Drafter, GuardedDrafter, TemplateDrafter
from assistant.drafting.guards import Guards, Policy
from assistant.drafting.prompts import PromptBook
from assistant.errors import Conflict, InputError, NotEligible, NotFound
from assistant.knowledge import Passage, menu_passage
from assistant.retrieval import Library
from assistant.semantic import MiniLMMeaning
from assistant.storage.repository import epoch

SNIPPETS = 4
PASSAGES = 2
REWORDINGS = 4
"""How many wordings a regeneration tries before it settles for one that reads as before (a
template whose every line has a single phrasing)."""


@dataclass(slots=True)
class Job:
    history: History
    ready: ReadyOffer
    channel: str


@dataclass(slots=True)
class WeekDrafts:
    as_of: date
    drafts: list[Draft] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    ready: int = 0
    already_open: list[Draft] = field(default_factory=list)
    """Ready patients who already had an open draft: theirs is kept, not drafted again."""
    held_out: list[ReadyOffer] = field(default_factory=list)
    """Drawn for the control group this week: no draft."""

    def as_dict(self, view: Callable[[Draft], dict]) -> dict:
        """The JSON of a drafted week (the CLI prints summaries, the API review views)."""
        return {
            "as_of": self.as_of.isoformat(),
            "ready": self.ready,
            "drafts": [view(d) for d in self.drafts],
            "not_drafted": [{"patient_id": p, "reason": r} for p, r in self.failed],
            "already_open": [view(d) for d in self.already_open],
            "held_out": [
                {"patient_id": r.patient.id, "offer": r.service.id, "moment": r.moment.value}
                for r in self.held_out
            ],
        }


class Drafting:
    """Writes and stores drafts. `model` is the drafter behind the guards; None means templates."""

    def __init__(
        self, practice: Practice, model: Drafter | None = None, library: Library | None = None
    ) -> None:
        self.practice = practice
        self.settings = practice.settings
        self.prompts = PromptBook(self.settings.prompts_dir, self.settings.prompt_version)
        self.policy = Policy.from_lexicon(practice.knowledge.guard_lexicon)
        self.guards = Guards(self.policy, practice.repository, MiniLMMeaning(practice.embedder))
        self.model = model
        self.drafter = GuardedDrafter(
            self.guards, TemplateDrafter(self.prompts, self.guards), model, self.settings.reasks
        )
        self._library = library

    @property
    def library(self) -> Library:
        if self._library is None:
            self._library = Library(self.settings, self.practice.embedder)
        return self._library

    def close(self) -> None:
        """Closes the vector store, if this drafting opened one."""
        if self._library is not None:
            self._library.close()
            self._library = None

    # Commands ---------------------------------------------------------------------------

    def draft(self, patient_id: str, as_of: date, channel: str | None = None) -> Draft:
        """One patient's draft, stored for review; a patient with an open draft gets that one
        back (one offer at a time). An ineligible patient gets no draft."""
        return self.draft_or_open(patient_id, as_of, channel)[0]

    def draft_or_open(self, patient_id: str, as_of: date, channel: str | None = None) -> tuple[Draft, bool]:
        """`draft`, and whether the draft is a new one (False: the patient's open draft)."""
        existing = self.open_draft(patient_id, channel)
        if existing is not None:
            return existing, False
        return self._write([self._ready_job(patient_id, as_of, channel)], as_of)[0], True

    def open_draft(self, patient_id: str, channel: str | None = None) -> Draft | None:
        """The patient's open draft, if any; asking for another channel than it has is refused
        (the open draft is regenerated or sent first, never doubled)."""
        _check_channel(channel)
        existing = self.open_drafts([patient_id]).get(patient_id)
        if existing is not None and channel is not None and channel != existing.channel:
            raise Conflict(
                f"{patient_id} already has an open {existing.channel} draft ({existing.id}, "
                f"{existing.status.replace('_', ' ')}): one offer at a time"
            )
        return existing

    def open_drafts(self, patient_ids: list[str]) -> dict[str, Draft]:
        """These patients' open drafts (drafted, in review, approved or queued), by patient."""
        found = self.practice.repository.open_drafts(patient_ids)
        return {p: Draft.model_validate_json(raw) for p, raw in found.items()}

    def brief(self, patient_id: str, as_of: date, channel: str | None = None) -> tuple[Brief, Grounds]:
        """What a drafter would be given for this patient, and what its draft is checked against."""
        return self._prepare([self._ready_job(patient_id, as_of, channel)])[0]

    def _ready_job(self, patient_id: str, as_of: date, channel: str | None) -> Job:
        _check_channel(channel)
        history, answer = self.practice.evaluate(patient_id, as_of)
        if isinstance(answer, Suppression):
            raise NotEligible(
                f"{patient_id} gets no offer as of {as_of}: {answer.reason.value} ({answer.detail})"
            )
        return self._job(history, answer, channel, as_of)

    def draft_week(
        self,
        as_of: date,
        channel: str | None = None,
        limit: int | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> WeekDrafts:
        """Drafts this week's patients (the rule `weekly_capacity`, or the top `limit`) and
        stores every draft. A patient drawn for the control group takes no place: the next
        ready patient does; one with an open draft keeps it and takes their place."""
        _check_channel(channel)
        scan = self.practice.scan_undismissed(as_of)
        week = self.practice.week(scan.ready, as_of, limit)
        by_id = {r.patient.id: r for r in scan.ready}
        picked = [by_id[p] for p in week.this_week]
        open_now = self.open_drafts(week.this_week)
        result = WeekDrafts(as_of, ready=scan.total_ready, already_open=list(open_now.values()))
        result.held_out = self.practice.hold_out([by_id[p] for p in week.held_out], as_of)
        wanted = [r for r in picked if r.patient.id not in open_now]
        answers = self.draft_many(
            [(scan.histories[r.patient.id], r, channel, as_of) for r in wanted], on_progress
        )
        for ready, answer in zip(wanted, answers, strict=True):
            if isinstance(answer, Draft):
                result.drafts.append(answer)
            else:
                result.failed.append((ready.patient.id, answer))
        return result

    def _job(self, history: History, ready: ReadyOffer, channel: str | None, as_of: date) -> Job:
        if channel is None or channel == ready.channel:
            return Job(history, ready, ready.channel)
        blocked = self.practice.eligibility().channel_block(history, as_of, channel)
        if blocked:
            raise NotEligible(
                f"{history.patient.id} cannot get {channel}: {blocked.reason.value} ({blocked.detail})"
            )
        return Job(history, ready, channel)

    # Writing ----------------------------------------------------------------------------

    def _write(
        self, jobs: list[Job], as_of: date, on_progress: Callable[[int, int], None] | None = None
    ) -> list[Draft]:
        drafts = self._compose(jobs, as_of, on_progress)
        if not drafts:
            return drafts
        now = self.practice.clock.now()
        added = self.practice.repository.add_drafts([draft_row(d, now) for d in drafts])
        if all(added):
            return drafts
        # Another request drafted for some of these patients meanwhile: theirs stands.
        raced = self.open_drafts([d.patient_id for d, ok in zip(drafts, added, strict=True) if not ok])
        return [d if ok else raced.get(d.patient_id, d) for d, ok in zip(drafts, added, strict=True)]

    def _compose(
        self, jobs: list[Job], as_of: date, on_progress: Callable[[int, int], None] | None = None
    ) -> list[Draft]:
        if not jobs:
            return []
        briefs = self._prepare(jobs)
        drafted = self._draft_all(briefs, on_progress)
        return [
            self._record(job, brief, outcome, as_of)
            for job, (brief, _), outcome in zip(jobs, briefs, drafted, strict=True)
        ]

    def draft_many(
        self,
        wanted: list[tuple[History, ReadyOffer, str | None, date]],
        on_progress: Callable[[int, int], None] | None = None,
        store: bool = True,
    ) -> list[Draft | str]:
        """A draft for each offer already evaluated (history, ready offer, channel, day), in
        one batch per day; where the channel cannot be used, the reason instead. `store=False`
        (evals, which may draft one patient on several days) keeps them out of review."""
        answers: list[Draft | str] = ["" for _ in wanted]
        by_day: dict[date, list[tuple[int, Job]]] = {}
        for index, (history, ready, channel, day) in enumerate(wanted):
            try:
                by_day.setdefault(day, []).append((index, self._job(history, ready, channel, day)))
            except NotEligible as exc:
                answers[index] = str(exc)
        done, total = 0, sum(len(jobs) for jobs in by_day.values())
        for day, jobs in by_day.items():

            def progress(n: int, _total: int, offset: int = done) -> None:
                if on_progress:
                    on_progress(offset + n, total)

            write = self._write if store else self._compose
            drafts = write([job for _, job in jobs], day, progress)
            for (index, _), draft in zip(jobs, drafts, strict=True):
                answers[index] = draft
            done += len(jobs)
        return answers

    def redraft(self, draft: Draft, offer: tuple[History, ReadyOffer] | None = None) -> Draft:
        """A fresh draft for the same patient, day and channel, not stored: the review desk
        puts its text into the draft under review. The patient must still be eligible. It is
        worded differently from `draft` (the templates' next phrasings; a model is shown the
        old text and asked for new words); `offer` is another eligible offer to write about
        instead of the patient's best one."""
        as_of = date.fromisoformat(draft.as_of)
        if offer is None:
            job = self._ready_job(draft.patient_id, as_of, draft.channel)
        else:
            job = self._job(offer[0], offer[1], draft.channel, as_of)
        wording = int((draft.brief or {}).get("wording", 0))
        brief, grounds = self._prepare([job])[0]
        brief.reword_from = draft.body
        fresh = draft
        for step in range(1, REWORDINGS + 1):
            brief.wording = wording + step
            fresh = self._record(job, brief, self._draft_all([(brief, grounds)], None)[0], as_of)
            if (fresh.subject, fresh.body) != (draft.subject, draft.body):
                break
        return fresh

    def recheck(self, draft: Draft, subject: str, body: str) -> list[GuardResult]:
        """The guards on a person's edit of `draft`, against what its drafter was given."""
        brief, grounds = self.grounds_for(draft)
        facts = draft.attempts[-1].content.facts if draft.attempts and draft.attempts[-1].content else []
        return self.guards.check(DraftContent(subject=subject, body=body, facts=facts), brief, grounds)

    def grounds_for(self, draft: Draft) -> tuple[Brief, Grounds]:
        """A stored draft's brief, and the grounds its text is checked against."""
        if draft.brief is None:
            raise Conflict(f"draft {draft.id} was made before edits could be checked; regenerate it")
        brief = brief_from(draft.brief)
        as_of = date.fromisoformat(draft.as_of)
        history = self.practice.repository.history(draft.patient_id, day_bounds(as_of)[1])
        if history is None:
            raise NotFound(f"unknown patient {draft.patient_id!r}")
        menu = self.practice.menu()
        offer = menu.get(draft.offer)
        if offer is None:
            raise Conflict(f"{draft.offer!r} is no longer on the menu; regenerate the draft")
        return brief, self._grounds(history, brief, menu, offer, self.practice.rules())

    def _prepare(self, jobs: list[Job]) -> list[tuple[Brief, Grounds]]:
        """Indexes what these jobs need (only their patients), retrieves, and builds briefs."""
        menu = self.practice.menu()
        rules = self.practice.rules()
        library = self.library
        library.index_knowledge(self._passages(menu))
        shared = self.settings.share_measurements
        library.index_history({j.history.patient.id: history_sources(j.history, shared) for j in jobs})
        queries = [_query(j.ready) for j in jobs]
        vectors = self.practice.embedder.encode(queries)
        briefs = []
        for job, query, vector in zip(jobs, queries, vectors, strict=True):
            snippets = library.snippets(job.history.patient.id, query, SNIPPETS, vector=vector)
            passages = library.passages(job.ready.service.id, query, PASSAGES, vector=vector)
            briefs.append(self._brief(job, menu, rules, snippets, passages))
        return briefs

    def _brief(
        self, job: Job, menu: Menu, rules: Rules, snippets: list[Source], passages: list[Source]
    ) -> tuple[Brief, Grounds]:
        brief = build_brief(
            job.ready,
            job.history,
            menu,
            snippets,
            passages,
            job.channel,
            self.settings.practice_name,
            rules.lower_is_better,
            coordinator=self.settings.coordinator_name,
            booking_url=self.settings.booking_url,
        )
        return brief, self._grounds(job.history, brief, menu, job.ready.service, rules)

    def _grounds(self, history: History, brief: Brief, menu: Menu, offer: Service, rules: Rules) -> Grounds:
        used = [e.service_id for e in history.events if e.service_id]
        ids = [offer.id, *used, *history.patient.memberships]
        services = [s for i in dict.fromkeys(ids) if (s := menu.get(i))]
        knowledge = self.practice.knowledge
        pages = knowledge.service_pages
        authorised = [_menu_text(s) for s in services]
        authorised += [p.text for s in services for p in pages.get(s.id, []) if not p.is_restriction]
        return build_grounds(
            history,
            menu,
            offer,
            brief,
            authorised,
            rules.lower_is_better,
            links=[self.settings.booking_url],
            measurements_allowed=self.settings.share_measurements,
            pages={s.id: knowledge.said_about(s, menu) for s in services},
            offer_pages=[p.text for p in pages.get(offer.id, []) if not p.is_restriction],
        )

    def _draft_all(
        self, briefs: list[tuple[Brief, Grounds]], on_progress: Callable[[int, int], None] | None
    ) -> list[Drafted]:
        total = len(briefs)
        if self.model is None or total == 1:
            results = []
            for done, (brief, grounds) in enumerate(briefs, 1):
                results.append(self.drafter.draft(brief, grounds))
                if on_progress:
                    on_progress(done, total)
            return results
        from langchain_core.runnables import RunnableConfig, RunnableLambda

        runnable: RunnableLambda[tuple[Brief, Grounds], Drafted] = RunnableLambda(
            lambda pair: self.drafter.draft(*pair)
        )
        found: dict[int, Drafted] = {}
        config = RunnableConfig(max_concurrency=self.settings.draft_concurrency)
        for index, outcome in runnable.batch_as_completed(briefs, config=config):
            found[index] = outcome
            if on_progress:
                on_progress(len(found), total)
        return [found[i] for i in range(total)]

    def _record(self, job: Job, brief: Brief, outcome: Drafted, as_of: date) -> Draft:
        final = outcome.final
        content = final.content
        sources = [
            SourceRef(id=s.id, kind=s.kind, date=s.on.isoformat() if s.on else None, text=s.text)
            for s in brief.sources
        ]
        return Draft(
            id=f"dr-{uuid.uuid4().hex[:12]}",
            patient_id=brief.patient_id,
            as_of=as_of.isoformat(),
            moment=brief.moment.value,
            offer=brief.offer.id,
            offer_name=brief.offer.name,
            price=brief.offer.price,
            channel=job.channel,
            subject=content.subject if content else "",
            body=content.body if content else "",
            drafter=final.drafter,
            guards=final.guards,
            sources=sources,
            attempts=outcome.attempts,
            usage=outcome.usage,
            prompt_version=self.prompts.version,
            brief=brief_dict(brief),
            decision=job.ready.decision.as_dict() if job.ready.decision else None,
            status="drafted" if final.passed else "needs_attention",
            created_at=self.practice.clock.stamp(),
        )

    def _passages(self, menu: Menu) -> list[Passage]:
        pages = self.practice.knowledge.service_pages
        return [p for s in menu for p in (pages.get(s.id) or [menu_passage(s)])]


def _check_channel(channel: str | None) -> None:
    if channel is not None and channel not in CHANNELS:
        raise InputError(f"unknown channel {channel!r}: use email or sms")


def _query(ready: ReadyOffer) -> str:
    """What the retrieval looks for: the offer, why it fits, and the moment's signal."""
    return f"{ready.service.name}. {ready.why}. {ready.moment.label}: {ready.signal.summary}"


def _menu_text(service) -> str:
    whys = " ".join(step.why for step in service.next_steps)
    return f"{service.name}. {service.description} {whys}".strip()


def draft_row(draft: Draft, now: datetime) -> dict:
    """The drafts table's row for a draft: searchable fields and the whole draft as JSON."""
    return {
        "id": draft.id,
        "patient_id": draft.patient_id,
        "as_of": draft.as_of,
        "moment": draft.moment,
        "offer": draft.offer,
        "channel": draft.channel,
        "drafter": draft.drafter,
        "status": draft.status,
        "passed": draft.passed,
        "created_at": epoch(datetime.fromisoformat(draft.created_at)),
        "record": draft.model_dump_json(),
        "version": draft.version,
        "updated_at": epoch(now),
    }


def draft_changes(draft: Draft, now: datetime) -> dict:
    """The columns a new version of a stored draft rewrites (its id and creation stay)."""
    row = draft_row(draft, now)
    del row["id"], row["created_at"]
    return row


@contextmanager
def open_drafting(practice: Practice) -> Iterator[Drafting]:
    """Drafting with the configured backend: `none` (templates), `openai` (any OpenAI-compatible
    server), or `local` (the bundled small model, served for as long as the block runs)."""
    settings = practice.settings
    if settings.backend == "none":
        with closing(Drafting(practice)) as drafting:
            yield drafting
        return
    from assistant.drafting.llm import ModelDrafter, open_chat

    prompts = PromptBook(settings.prompts_dir, settings.prompt_version)
    opt_out = practice.knowledge.guard_lexicon["limits"]["sms_opt_out"]
    with open_chat(settings) as chat:
        model = ModelDrafter(
            chat.model,
            prompts,
            name=chat.name,
            opt_out=opt_out,
            response_format=chat.response_format,
            transport_retries=settings.llm_transport_retries,
        )
        with closing(Drafting(practice, model)) as drafting:
            yield drafting
