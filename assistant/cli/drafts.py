"""`draft`: the offer message for one ready patient, or for the whole week's queue."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.app.audit import drafted, opened
from assistant.app.drafting import WeekDrafts, open_drafting
from assistant.app.practice import Practice
from assistant.cli import render
from assistant.cli.common import ActorOption, TextOrJson, actor, fail, parse_day, run
from assistant.cli.progress import progress
from assistant.domain.contract import Channel
from assistant.drafting.content import Draft


def draft(
    patient_id: Annotated[
        str | None, typer.Argument(help="the patient to draft for (or use --week for the whole ready queue)")
    ] = None,
    week: Annotated[bool, typer.Option("--week", help="draft every patient ready this week")] = False,
    as_of: Annotated[str | None, typer.Option(help="as of this date (default today)")] = None,
    channel: Annotated[
        Channel | None, typer.Option(help="email or sms (default: the patient's preferred reachable channel)")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="with --week: only the top N ready")] = None,
    fmt: Annotated[
        TextOrJson, typer.Option("--format", help="text for people, json for systems")
    ] = TextOrJson.text,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
    who: ActorOption = None,
) -> None:
    """Draft the offer message for one ready patient, or for the whole week's queue, and store
    the drafts for review. Each draft is checked by the guards (schema, grounding, tone,
    compliance, privacy, specificity); the backend is CROSSSELL_LLM (none: templates, offline;
    openai: OPENAI_BASE_URL / OPENAI_API_KEY / CROSSSELL_MODEL; local: the bundled small model).
    An ineligible patient gets exit status 2 and the reason, and nothing is drafted. Each draft
    written or shown is audited."""
    if week == (patient_id is not None):
        fail("give a PATIENT_ID or --week (not both)")
    if patient_id is not None:
        result = run(lambda: _one(patient_id, as_of, channel, actor(who)))
        if fmt is TextOrJson.json:
            render.print_json(result.summary())
        else:
            render.draft(result)
        return
    written = run(lambda: _week(as_of, channel, limit, quiet, actor(who)))
    if fmt is TextOrJson.json:
        render.print_json(render.week_json(written))
    else:
        render.week(written)


def _one(patient_id: str, as_of: str | None, channel: Channel | None, who: str) -> Draft:
    """The patient's new draft (audited as its creation) or their open one (as its opening)."""
    practice = Practice()
    with open_drafting(practice) as drafting:
        draft, new = drafting.draft_or_open(patient_id, parse_day(as_of), channel)
    action, detail = ("create", drafted(draft)) if new else ("view", opened(draft))
    practice.audit(who, action, detail, draft_id=draft.id, patient_id=draft.patient_id)
    return draft


def _week(as_of: str | None, channel: Channel | None, limit: int | None, quiet: bool, who: str) -> WeekDrafts:
    practice = Practice()
    with open_drafting(practice) as drafting, progress("drafting", quiet) as bar:
        week = drafting.draft_week(parse_day(as_of), channel, limit, bar.update)
    for draft in week.drafts:
        practice.audit(who, "create", drafted(draft), draft_id=draft.id, patient_id=draft.patient_id)
    for draft in week.already_open:
        practice.audit(who, "view", opened(draft), draft_id=draft.id, patient_id=draft.patient_id)
    return week
