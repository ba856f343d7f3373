"""The people at the review desk: `users add|list|disable|password|token|tokens`, and the
`audit` log and its `audit verify`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, TypeVar

import typer

from assistant.app.accounts import User
from assistant.app.review import Review, open_review
from assistant.cli import render
from assistant.cli.common import Format, actor, fail, out, run
from assistant.domain.review import Role

T = TypeVar("T")

users = typer.Typer(help="Add, list and disable the people who review and send drafts.", no_args_is_help=True)
audit = typer.Typer()


def _operator() -> User:
    """Who a command-line change is audited as: the machine's user, with admin rights."""
    return User(actor(), "command line", Role.ADMIN)


def _at_desk(work: Callable[[Review, User], T]) -> T:
    """`work` done at the review desk by the operator; no model is started for it."""

    def action() -> T:
        with open_review(model=False) as review:
            return work(review, _operator())

    return run(action)


NewPassword = Annotated[
    str | None,
    typer.Option(
        help="at least 8 characters; asked for when not given (env CROSSSELL_NEW_PASSWORD)",
        envvar="CROSSSELL_NEW_PASSWORD",
    ),
]


def _new_password(given: str | None) -> str:
    return given or typer.prompt("password", hide_input=True, confirmation_prompt=True)


@users.command("add")
def users_add(
    user_id: Annotated[str, typer.Argument(help="login id (lowercase), e.g. maria")],
    role: Annotated[Role, typer.Option(help="coordinator, provider, qa or admin")],
    name: Annotated[str, typer.Option(help="the person's name, shown in the audit log")] = "",
    password: NewPassword = None,
) -> None:
    """Add a user. Prints their API token once (only a digest of it is stored)."""
    secret = _new_password(password)
    user, token = _at_desk(lambda desk, me: desk.add_user(me, user_id, role.value, secret, name))
    out.print(f"added {user.id} ({user.role.value})\nAPI token (shown once): {token}", highlight=False)


@users.command("list")
def users_list(fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """Everyone who can log in, with their role and whether they are active."""
    people = _at_desk(lambda desk, me: desk.users(me))
    if fmt is Format.json:
        render.print_json({"users": [u.as_dict() for u in people]})
        return
    render.users(people)


@users.command("disable")
def users_disable(user_id: Annotated[str, typer.Argument(help="login id")]) -> None:
    """Disable a user and revoke their tokens. Their audit trail stays."""
    user = _at_desk(lambda desk, me: desk.disable_user(me, user_id))
    out.print(f"disabled {user.id}")


@users.command("password")
def users_password(
    user_id: Annotated[str, typer.Argument(help="login id")], password: NewPassword = None
) -> None:
    """Set a user's password. Their sessions end and a login lockout is lifted; their API
    token keeps working."""
    secret = _new_password(password)
    _at_desk(lambda desk, me: desk.set_password(me, user_id, secret))
    out.print(f"password set for {user_id}; their sessions ended")


@users.command("token")
def users_token(
    user_id: Annotated[str, typer.Argument(help="login id")],
    days: Annotated[float | None, typer.Option(min=0, max=36500, help="expires after this many days")] = None,
    until: Annotated[
        datetime | None, typer.Option(help="expires at this time (the practice's time zone)")
    ] = None,
) -> None:
    """Issue a new API token for a user (the old one stops working); it never expires unless
    --days or --until says when."""
    if days is not None and until is not None:
        fail("give --days or --until, not both")
    expires = timedelta(days=days) if days is not None else until
    token, issued = _at_desk(lambda desk, me: desk.issue_token(me, user_id, expires))
    ends = f"expires {issued.expires_at.isoformat()}" if issued.expires_at else "never expires"
    out.print(f"API token for {user_id} (shown once): {token}\nit {ends}", highlight=False)


@users.command("tokens")
def users_tokens(
    user_id: Annotated[str, typer.Argument(help="login id")],
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """A user's live tokens (sessions and API token): when each expires and was last used."""
    held = _at_desk(lambda desk, me: desk.tokens(me, user_id))
    if fmt is Format.json:
        render.print_json({"user": user_id, "tokens": [t.as_dict() for t in held]})
        return
    render.tokens(user_id, held)


@audit.callback(invoke_without_command=True)
def audit_log(
    context: typer.Context,
    draft: Annotated[str | None, typer.Option(help="only this draft's trail")] = None,
    patient: Annotated[str | None, typer.Option(help="only this patient's entries")] = None,
    user: Annotated[str | None, typer.Option(help="only what this user did")] = None,
    limit: Annotated[int, typer.Option(help="the last N entries")] = 200,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """The append-only audit log: every reading of patient data, view, edit, approval,
    rejection, send and outcome, with who, when and what changed. `audit verify` checks that
    it is as it was written."""
    if context.invoked_subcommand is not None:
        return
    entries = _at_desk(
        lambda desk, me: desk.audit(me, draft_id=draft, patient_id=patient, user=user, limit=limit)
    )
    if fmt is Format.json:
        render.print_json({"entries": [e.as_dict() for e in entries]})
        return
    render.audit(entries)


@audit.command("verify")
def audit_verify(fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """Check the log's hash chain, entry by entry, and its end against the stored head. Exit
    status 0 when it is whole; 10, naming the first altered, missing or cut-off entry, when not."""
    check = _at_desk(lambda desk, me: desk.verify_audit(me))
    if fmt is Format.json:
        render.print_json(check.as_dict())
    elif check.intact:
        out.print(f"the audit log is intact: {check.entries} entries, each chained to the one before")
    run(check.confirm)
