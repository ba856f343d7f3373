"""`draft`: the offer message for one ready patient, or for the whole week's queue."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.app.drafting import WeekDrafts, open_drafting
from assistant.app.practice import Practice
from assistant.cli import render
from assistant.cli.common import TextOrJson, fail, parse_day, run
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
) -> None:
    """Draft the offer message for one ready patient, or for the whole week's queue, and store
    the drafts for review. Each draft is checked by the guards (schema, grounding, tone,
    compliance, privacy, specificity); the backend is CROSSSELL_LLM (none: templates, offline;
    openai: OPENAI_BASE_URL / OPENAI_API_KEY / CROSSSELL_MODEL; local: the bundled small model).
    An ineligible patient gets exit status 2 and the reason, and nothing is drafted."""
    if week == (patient_id is not None):
        fail("give a PATIENT_ID or --week (not both)")
    if patient_id is not None:
        result = run(lambda: _one(patient_id, as_of, channel))
        if fmt is TextOrJson.json:
            render.print_json(result.summary())
        else:
            render.draft(result)
        return
    drafted = run(lambda: _week(as_of, channel, limit, quiet))
    if fmt is TextOrJson.json:
        render.print_json(render.week_json(drafted))
    else:
        render.week(drafted)


def _one(patient_id: str, as_of: str | None, channel: Channel | None) -> Draft:
    with open_drafting(Practice()) as drafting:
        return drafting.draft(patient_id, parse_day(as_of), channel)


def _week(as_of: str | None, channel: Channel | None, limit: int | None, quiet: bool) -> WeekDrafts:
    with open_drafting(Practice()) as drafting, progress("drafting", quiet) as bar:
        return drafting.draft_week(parse_day(as_of), channel, limit, bar.update)
