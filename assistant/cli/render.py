"""Everything the command line prints: tables and text for people, JSON for systems. Commands
hand their results here; nothing here decides or changes anything."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

import orjson
from rich.markup import escape
from rich.table import Table

from assistant.app.accounts import Token, User
from assistant.app.demo import DEMO_PASSWORD, DEMO_USERS
from assistant.app.drafting import WeekDrafts
from assistant.app.evals import Agreement, EvalOutcome
from assistant.app.importer import ImportReport
from assistant.app.learning import what_if_rows
from assistant.app.practice import ScanResult
from assistant.app.review import AuditEntry
from assistant.app.spreadsheets import SheetImport
from assistant.cli.common import err, out
from assistant.domain.records import Service
from assistant.domain.rules import Rules
from assistant.drafting.content import Draft
from assistant.evals.scorers import Score
from assistant.exports.services import LEFT_OFF, MenuProposal, Suggestion
from assistant.reports import lift_line, percent

SHOWN_REJECTIONS = 50


def print_json(value: dict | list) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n")


def migration(summary: dict) -> None:
    """`crosssell migrate`: which database, and from which schema revision to which."""
    where, before, after = summary["database"], summary["from"], summary["to"]
    if not summary["changed"]:
        out.print(f"{where}: at revision {after}, the newest; nothing to do", highlight=False)
    elif before is None:
        out.print(f"{where}: new database, migrated to revision {after} (the newest)", highlight=False)
    else:
        out.print(f"{where}: migrated from revision {before} to {after} (the newest)", highlight=False)


def bad_lines(bad: Iterable[tuple[int, str]]) -> None:
    for number, why in bad:
        err.print(f"line {number}: {why}", highlight=False)


# The practice: import, scan, rules, menu ------------------------------------------------------


def import_report(report: ImportReport) -> None:
    table = Table(title=f"Imported {report.lines} lines")
    for column in ("records", "added", "updated", "unchanged"):
        table.add_column(column, justify="right" if column != "records" else "left")
    for name in ("services", "patients", "events", "offers", "outcomes"):
        table.add_row(name, str(report.added[name]), str(report.updated[name]), str(report.unchanged[name]))
    out.print(table)
    if not report.rejected:
        return
    out.print(
        f"[red]{len(report.rejected)} line(s) rejected[/red]: "
        + ", ".join(f"{reason} {count}" for reason, count in report.by_reason.most_common())
    )
    for rejection in report.rejected[:SHOWN_REJECTIONS]:
        err.print(f"  {rejection}")
    if len(report.rejected) > SHOWN_REJECTIONS:
        err.print(
            f"  ... and {len(report.rejected) - SHOWN_REJECTIONS} more (use --errors FILE to keep them all)"
        )


def rejections(target: Path, source: Path, report: ImportReport) -> None:
    """Every rejected line of `source` into `target` (JSON Lines: number, reason, text)."""
    wanted = {r.line: r for r in report.rejected}
    with open(source, "rb") as handle, open(target, "wb") as sink:
        for number, raw in enumerate(handle, 1):
            if number in wanted:
                r = wanted[number]
                sink.write(
                    orjson.dumps(
                        {
                            "line": number,
                            "reason": r.category,
                            "message": r.message,
                            "text": raw.decode("utf-8", "replace").rstrip("\r\n"),
                        }
                    )
                )
                sink.write(b"\n")


def sheet_import(result: SheetImport) -> None:
    """A spreadsheet import, or its dry run: the columns used, what was (would be) written, the
    rows refused by number and column, the services no menu entry matched."""
    conversion = result.conversion
    columns = Table(title=f"{result.file}: columns read with the {result.mapping.name} mapping")
    columns.add_column("field")
    columns.add_column("column(s) in the file")
    for name, headers in result.columns.items():
        columns.add_row(name, ", ".join(headers) or "[dim](not in the file)[/dim]")
    out.print(columns)
    if result.report is not None:
        import_report(result.report)
    else:
        planned = Table(
            title=f"Dry run: {len(conversion.records)} records from {result.rows} rows, nothing written"
        )
        for column in ("records", "would add", "would update", "unchanged"):
            planned.add_column(column, justify="left" if column == "records" else "right")
        for name in sorted(set(result.would_add) | set(result.would_update) | set(result.unchanged)):
            counts = (result.would_add[name], result.would_update[name], result.unchanged[name])
            planned.add_row(name, *map(str, counts))
        out.print(planned)
        out.print(f"First {len(result.samples())} records as they would be stored:")
        for record in result.samples():
            out.print(orjson.dumps(record).decode(), highlight=False, markup=False)
    for row, into in conversion.merged:
        out.print(f"row {row}: the same client as row {into}, merged", highlight=False)
    for reason, count in conversion.skipped.items():
        out.print(f"{count} row(s) skipped: {reason}", highlight=False)
    if conversion.consent_on_file:
        out.print(f"{len(conversion.consent_on_file)} new patient(s) given marketing consent on file")
    for name, (match, count) in conversion.matched_services.items():
        how = "an alias" if match.how == "alias" else f"meaning, confidence {match.confidence:.2f}"
        out.print(
            f"service {name!r} is {match.service_id} (by {how}): {count} row(s)",
            highlight=False,
            markup=False,
        )
    for suggestion in result.suggestions:
        err.print(_unmatched(suggestion), highlight=False, markup=False)
    for note in conversion.notes[:SHOWN_REJECTIONS]:
        err.print(f"  {note}", highlight=False, markup=False)
    if not result.rejections:
        return
    out.print(f"[red]{len(result.rejections)} row(s) rejected[/red]")
    for rejection in result.rejections[:SHOWN_REJECTIONS]:
        err.print(f"  {rejection}", highlight=False, markup=False)
    if len(result.rejections) > SHOWN_REJECTIONS:
        err.print(
            f"  ... and {len(result.rejections) - SHOWN_REJECTIONS} more (use --errors FILE to keep them all)"
        )


def _unmatched(suggestion: Suggestion) -> str:
    """One line a name: its rows, the nearest service as a hint, the menu line to add."""
    line = f"service {suggestion.name!r} is not on the menu: {suggestion.rows} row(s)"
    if suggestion.entry is None:
        return f"{line}; {suggestion.note}"
    if suggestion.closest is not None:
        closest = suggestion.closest
        line += f"; closest {closest.service_id} ({closest.confidence:.2f}): add it to that service's aliases"
        line += ", or add"
    else:
        line += "; add"
    return f"{line} {orjson.dumps(suggestion.entry).decode()}"


def proposal(found: MenuProposal, written: Path | None) -> None:
    """The export's names are its own words: shown as written, never as markup."""
    table = Table(title=f"The export's {len(found.names)} service names on the menu")
    for column in ("name in the export", "rows", "median paid", "menu service", "matched by"):
        table.add_column(column, justify="right" if column in ("rows", "median paid") else "left")
    for name in found.names:
        how: str = {"new": "new service", "left off": LEFT_OFF}.get(name.how, name.how)
        if name.how == "meaning" and name.confidence is not None:
            how = f"meaning ({name.confidence:.2f})"
        paid = "" if name.median_paid is None else f"${name.median_paid:,.2f}"
        table.add_row(escape(name.name), str(name.rows), paid, escape(name.service_id), how)
    out.print(table)
    if written is None:
        out.print(
            f"{len(found.services)} services proposed: --out FILE writes them, then crosssell import FILE"
        )
        return
    out.print(
        f"wrote {len(found.services)} services to {written}: review it, then crosssell import {written}",
        soft_wrap=True,
        highlight=False,
        markup=False,
    )


def proposal_json(found: MenuProposal) -> dict:
    return {"services": found.services, "names": [asdict(n) for n in found.names]}


def row_rejections(target: Path, result: SheetImport) -> None:
    """Every rejected row into `target` (JSON Lines: row, column, reason)."""
    with open(target, "wb") as sink:
        for r in result.rejections:
            sink.write(orjson.dumps({"row": r.row, "column": r.column, "reason": r.reason}) + b"\n")


def queue(result: ScanResult) -> None:
    table = Table(
        title=f"Ready this week (as of {result.as_of.isoformat()}): "
        f"{len(result.ready)} of {result.total_ready} shown, the top {len(result.this_week)} this week",
        show_lines=True,
        expand=True,
    )
    table.add_column("#", justify="right")
    table.add_column("patient")
    table.add_column("moment")
    table.add_column("offer")
    table.add_column("why")
    table.add_column("EV", justify="right")
    for n, offer in enumerate(result.ready, 1):
        table.add_row(
            str(n) if offer.patient.id in result.this_week else f"{n}\n[dim]also ready",
            f"{offer.patient.name}\n[dim]{offer.patient.id} · {offer.channel}",
            offer.moment.label,
            f"{offer.service.name}\n[dim]${offer.service.price:,.0f}",
            "\n".join(offer.reasons[:2]) + f"\n[dim]{offer.estimate.evidence(offer.moment)}",
            f"${offer.expected_value:,.0f}\n[dim]{offer.estimate.p:.0%}",
        )
    out.print(table)
    _suppressed(result)


def _suppressed(result: ScanResult) -> None:
    counts: dict[str, int] = {}
    for s in result.suppressed:
        counts[s.reason.value] = counts.get(s.reason.value, 0) + 1
    out.print(
        "Not offered: "
        + ", ".join(f"{reason} {n}" for reason, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    )
    held_back = [(s, s.moment) for s in result.suppressed if s.moment is not None]
    if held_back:
        shown = Table(title="At a moment but held back", expand=True)
        for column in ("patient", "moment", "reason", "detail"):
            shown.add_column(column)
        for s, moment in held_back[:30]:
            shown.add_row(s.patient_id, moment.label, s.reason.value, s.detail)
        out.print(shown)


def rules(current: Rules) -> None:
    table = Table(title="Practice rules")
    for column in ("rule", "value", "meaning"):
        table.add_column(column)
    for name, meaning in Rules.field_help().items():
        table.add_row(name, str(getattr(current, name)), meaning)
    out.print(table)


def menu(services: Iterable[Service]) -> None:
    table = Table(title="Menu", show_lines=True)
    for column in ("id", "name", "price", "next steps"):
        table.add_column(column)
    for s in services:
        steps = "\n".join(
            f"-> {n.to} ({', '.join(m.value for m in n.moments) or 'any'})" for n in s.next_steps
        )
        table.add_row(s.id, s.name, f"${s.price:,.0f}/{s.unit}", steps)
    out.print(table)


# Drafts ---------------------------------------------------------------------------------------


def draft(result: Draft) -> None:
    out.print(
        f"[bold]{result.patient_id}[/bold] · {result.moment} · {result.offer_name} · "
        f"{result.channel} · drafted by {result.drafter} in {len(result.attempts)} "
        f"attempt(s) · draft {result.id}"
    )
    if result.subject:
        out.print(f"[bold]Subject:[/bold] {result.subject}")
    out.print(result.body, markup=False, highlight=False, soft_wrap=True)
    for guard in result.guards:
        mark = "[green]pass[/green]" if guard.passed else "[red]FAIL[/red]"
        out.print(f"  {mark} {guard.name}: {guard.detail}", highlight=False)
    if result.sources:
        out.print("[dim]sources: " + ", ".join(s.id for s in result.sources), highlight=False)


def week(drafted: WeekDrafts) -> None:
    table = Table(
        title=f"Drafted {len(drafted.drafts)} of {drafted.ready} ready (as of {drafted.as_of.isoformat()})",
        expand=True,
    )
    for column in ("draft", "patient", "moment", "offer", "channel", "drafter", "guards"):
        table.add_column(column)
    for d in drafted.drafts:
        failed = [g.name for g in d.guards if not g.passed]
        table.add_row(
            d.id,
            d.patient_id,
            d.moment,
            d.offer_name,
            d.channel,
            d.drafter,
            "[green]all passed[/green]" if not failed else "[red]" + ", ".join(failed),
        )
    out.print(table)
    for patient, reason in drafted.failed:
        err.print(f"not drafted: {patient}: {reason}")
    if drafted.already_open:
        err.print(
            f"{len(drafted.already_open)} ready patients already have an open draft (kept, not drafted again)"
        )


def week_json(drafted: WeekDrafts) -> dict:
    return drafted.as_dict(Draft.summary)


# Users and the audit log ----------------------------------------------------------------------


def users(people: Iterable[User]) -> None:
    table = Table(title="Users")
    for column in ("id", "name", "role", "active"):
        table.add_column(column)
    for u in people:
        table.add_row(u.id, u.name, u.role.value, "yes" if u.active else "[red]disabled")
    out.print(table)


def tokens(user_id: str, held: Iterable[Token]) -> None:
    table = Table(title=f"Tokens of {user_id}")
    for column in ("kind", "created", "expires", "last used"):
        table.add_column(column)
    for t in held:
        row = (t.as_dict()[k] for k in ("kind", "created_at", "expires_at", "last_used_at"))
        table.add_row(*(value or "never" for value in row))
    out.print(table)


def audit(entries: list[AuditEntry]) -> None:
    table = Table(title=f"Audit log ({len(entries)} entries)", expand=True, show_lines=True)
    for column in ("when", "who", "action", "draft", "patient", "what changed"):
        table.add_column(column)
    for e in entries:
        table.add_row(e.at, e.actor, e.action, e.draft_id or "", e.patient_id or "", _change(e.detail))
    out.print(table)


def _change(detail: dict) -> str:
    parts = []
    if "from" in detail and "to" in detail:
        parts.append(f"{detail['from']} -> {detail['to']} (v{detail.get('version', '?')})")
    for key in ("comment", "reason", "error", "via", "user", "role", "kind"):
        if detail.get(key):
            parts.append(f"{key}: {detail[key]}")
    before, after = detail.get("before"), detail.get("after")
    if isinstance(before, bool) and isinstance(after, bool):
        state = {True: "on", False: "off"}
        parts.append(f"{detail.get('channel')} consent {state[before]} -> {state[after]}")
        parts.append(f"source: {detail.get('source')}")
    if isinstance(before, dict) and isinstance(after, dict) and before != after:
        parts.append(f"body before: {before.get('body', '')}\nbody after: {after.get('body', '')}")
    return "\n".join(parts)


# Evals ----------------------------------------------------------------------------------------


def scores(name: str, scored: Iterable[Score]) -> None:
    table = Table(title=f"Scores for {name}", show_lines=True, expand=True)
    for column in ("id", "tone", "specificity", "grounding", "compliance", "findings"):
        table.add_column(column)
    for s in scored:
        table.add_row(
            s.id,
            f"{s.tone:.2f}",
            f"{s.specificity:.2f}",
            f"{s.grounding:.2f}",
            "[green]passed" if s.compliance_passed else "[red]FAILED",
            "\n".join(s.findings) or "[dim]none",
        )
    out.print(table)


def eval_json(outcome: EvalOutcome) -> dict:
    return {
        **outcome.run,
        "failures": outcome.failures,
        "comparison": outcome.comparison.as_dict() if outcome.comparison else None,
    }


def evaluation(outcome: EvalOutcome) -> None:
    """A run's summary, its groups, the cases that failed, what changed, and the gate."""
    _eval_summary(outcome)
    _eval_groups(outcome.run["summary"])
    for case in outcome.run["cases"]:
        failed = [f for f in (case["score"] or {}).get("findings", []) if not f.endswith("(soft)")]
        if case["problems"] or failed:
            out.print(f"[red]{case['id']}[/red]: " + "; ".join(case["problems"] + failed), highlight=False)
    if outcome.comparison:
        for change in outcome.comparison.changes:
            mark = "[green]better" if change.better else "[red]worse"
            out.print(
                f"{mark}[/] {change.id} {change.dimension} {change.before:.2f} -> "
                f"{change.after:.2f} "
                + "; ".join([f"+ {f}" for f in change.gained] + [f"- {f}" for f in change.lost]),
                highlight=False,
            )
    for failure in outcome.failures:
        err.print(f"[red]FAIL[/red] {failure}")


def _eval_summary(outcome: EvalOutcome) -> None:
    run = outcome.run
    summary = run["summary"]
    table = Table(
        title=f"Eval {run['suite']} · {run['prompt_version']} · {run['drafter']} · {summary['cases']} cases"
    )
    for column in ("", "mean", "pass rate", "threshold", "vs baseline"):
        table.add_column(column, justify="right" if column else "left")
    delta = outcome.comparison.pass_rate_delta if outcome.comparison else {}
    for dimension, rate in summary["pass_rate"].items():
        mean = summary["mean"].get(dimension)
        change = delta.get(dimension)
        threshold = outcome.suite.thresholds.get(dimension)
        table.add_row(
            dimension,
            "" if mean is None else f"{mean:.2f}",
            "" if rate is None else f"{rate:.0%}",
            "" if threshold is None else f"{threshold:.0%}",
            "" if change is None else f"{change:+.0%}",
        )
    out.print(table)


def _eval_groups(summary: dict) -> None:
    for title, key in (("by moment", "by_moment"), ("by channel", "by_channel")):
        groups = Table(title=title)
        groups.add_column("")
        groups.add_column("cases", justify="right")
        for dimension in summary["pass_rate"]:
            groups.add_column(dimension, justify="right")
        for name, group in summary[key].items():
            groups.add_row(
                name,
                str(group["cases"]),
                *("" if r is None else f"{r:.0%}" for r in group["pass_rate"].values()),
            )
        out.print(groups)


def replay(result: dict) -> None:
    """A replay's headline rates against the targets, the per-guard and per-defect tables, the
    misses, and the time it took."""
    _replay_rates(result)
    guards = Table(title="Per guard")
    for column in (
        "guard",
        "false alarms (good failed)",
        "bad failed",
        "expected to stop",
        "of those stopped",
    ):
        guards.add_column(column, justify="right" if column != "guard" else "left")
    for name, g in result["guards"].items():
        guards.add_row(
            name, str(g["false_alarms"]), str(g["stopped"]), str(g["expected"]), str(g["expected_stopped"])
        )
    out.print(guards)
    if result["defects"]:
        defects = Table(title="Bad answers per defect class")
        for column in ("defect", "answers", "stopped", "rate"):
            defects.add_column(column, justify="right" if column != "defect" else "left")
        for name, d in result["defects"].items():
            defects.add_row(name, str(d["n"]), str(d["stopped"]), f"{d['rate']:.0%}")
        out.print(defects)
    for miss in result["misses"]:
        if miss["label"] == "good":
            why = "thrown away: " + "; ".join(f"{g['name']}: {g['detail']}" for g in miss["guards"])
        else:
            why = f"kept ({miss['defect']}, expected {miss['guard'] or 'any guard'}): {miss['note'] or ''}"
        out.print(f"[red]{miss['id']}[/red] {miss['label']} {why}", highlight=False)
    timing = result["timing"]
    if timing["answers"]:
        out.print(
            f"{timing['answers']} answers in {timing['seconds']:.1f} s "
            f"({timing['per_answer']:.2f} s per answer, median {timing['median']:.2f} s, "
            f"slowest {timing['slowest']:.2f} s)"
        )


def _replay_rates(result: dict) -> None:
    good, bad = result["good"], result["bad"]
    table = Table(title=f"Replay {result['suite']} · {result['prompt_version']} · first attempts")
    for column in ("", "answers", "rate", "target", ""):
        table.add_column(column, justify="right" if column else "left")
    for name, row, done in (("good kept", good, good["kept"]), ("bad stopped", bad, bad["stopped"])):
        target = result["targets"].get(name.replace(" ", "_"))
        met = "" if target is None or target["met"] is None else ("met" if target["met"] else "[red]MISSED")
        table.add_row(
            name,
            f"{done} of {row['n']}",
            "–" if row["rate"] is None else f"{row['rate']:.1%}",
            "" if target is None else f"{target['target']:.0%}",
            met,
        )
    out.print(table)


def skipped(lines: Iterable[dict]) -> None:
    for line in lines:
        err.print(f"not replayed: {line['where']}: {line['reason']}", highlight=False)


def agreements(found: Iterable[Agreement]) -> None:
    table = Table(title="Agreement with the labels")
    for column in ("rater", "dimension", "label", "n", "AUC", "kappa", "threshold"):
        table.add_column(column)
    for a in found:
        table.add_row(
            a.rater,
            a.dimension,
            a.label,
            str(a.n),
            "–" if a.auc is None else f"{a.auc:.3f}",
            "–" if a.kappa is None else f"{a.kappa:.3f}",
            f"{a.threshold:.2f}",
        )
    out.print(table)


# What the practice learned ------------------------------------------------------------------


def learning(report: dict) -> None:
    out.print(
        f"Learned from {report['outcomes']} answered offers as of {report['as_of']} "
        f"(practice-wide acceptance {report['practice_rate']:.0%})"
    )
    for title, groups in (("by moment", report["by_moment"]), ("by segment", report["by_segment"])):
        table = Table(
            title=f"Converters {title} (offers with at least {report['min_outcomes']} outcomes)", expand=True
        )
        for column in ("", "", "offer", "accepted", "rate", "95% interval"):
            table.add_column(column)
        for group, ends in groups.items():
            for side in ("top", "bottom"):
                for row in ends[side]:
                    where = "" if title == "by moment" else f" ({row['moment_label']})"
                    table.add_row(
                        ends.get("label", group),
                        side,
                        row["offer_name"] + where,
                        f"{row['accepted']} of {row['trials']}",
                        f"{row['rate']:.0%}",
                        f"{row['low']:.0%}-{row['high']:.0%}",
                    )
        out.print(table)
    _off_policy(report["off_policy"])
    out.print(lift_line(report["lift"]))


def _off_policy(op: dict) -> None:
    if not op["presentations"]:
        out.print(f"Off-policy estimate: {op['note']}.")
        return
    out.print(
        f"Off-policy estimate over {op['presentations']} logged presentations "
        f"(revenue per presented offer): as logged ${op['logged_policy']:,.0f}; current "
        f"policy ${op['current_policy']['ips']:,.0f} (self-normalised "
        f"${op['current_policy']['self_normalised'] or 0:,.0f}); always the top rule "
        f"${op['top_rule']['ips']:,.0f} (self-normalised "
        f"${op['top_rule']['self_normalised'] or 0:,.0f})"
    )


def diagnostic(figures: dict) -> None:
    touch = Table(
        title=f"Touchpoints ({figures['touchpoints_in_use']} of "
        f"{figures['touchpoints_possible']} in use, {figures['window']})"
    )
    for column in ("moment", "presented", "accepted", "rate", "95% interval"):
        touch.add_column(column)
    for t in figures["touchpoints"]:
        touch.add_row(
            t["label"],
            str(t["presented"]),
            f"{t['accepted']} of {t['trials']}",
            percent(t["rate"]),
            f"{t['low']:.0%}-{t['high']:.0%}" if t["trials"] else "–",
        )
    out.print(touch)
    table = Table(title="Annual what-if: patients x touchpoints x acceptance x average cross-sell")
    for column in ("", "this practice", "the article"):
        table.add_column(column, justify="right" if column else "left")
    for row in what_if_rows(figures):
        table.add_row(*row)
    out.print(table)


# The demo ---------------------------------------------------------------------------------------


def demo(home: Path, report: ImportReport, result: ScanResult, drafted: WeekDrafts) -> None:
    """What the demo built: the import, the queue, the top draft, the logins, where to look."""
    out.print(
        f"imported {report.lines:,} lines: {report.added['patients']} patients, "
        f"{report.added['events']:,} events, {report.added['offers']} past offers, "
        f"{report.added['outcomes']} outcomes"
    )
    queue(result)
    if drafted.drafts:
        out.print("\nThe top patient's draft, as a coordinator will review it:")
        draft(drafted.drafts[0])
    passed = sum(d.passed for d in drafted.drafts)
    out.print(f"\n{len(drafted.drafts)} drafts are waiting for review ({passed} pass every guard).")
    logins = Table(title="Demo logins (password: " + DEMO_PASSWORD + ")")
    for column in ("user id", "role", "name"):
        logins.add_column(column)
    for user_id, role, name in DEMO_USERS:
        logins.add_row(user_id, role, name)
    out.print(logins)
    out.print(
        f"Explore it: export CROSSSELL_HOME={home}\n"
        f"  crosssell scan --as-of {result.as_of.isoformat()} --format json | less\n"
        f"  crosssell audit   crosssell users list   crosssell rules show"
    )
