"""The `crosssell` command line: one module per group of commands, `render` for everything they
print, `common` for the error edge (our errors become exit codes there, and only there)."""

import typer

from assistant.cli import drafts, evals, learning, practice, serving, users

app = typer.Typer(
    rich_markup_mode="markdown",
    help="crosssell: which patients are ready for an offer this week, what to offer them, and why.",
    no_args_is_help=True,
    add_completion=False,
)

# In the order `crosssell --help` lists them.
app.command("import")(practice.import_)
app.command()(practice.scan)
app.command()(drafts.draft)
app.command()(practice.record)
app.add_typer(practice.menu, name="menu")
app.command()(serving.demo)
app.command()(serving.serve)
app.command()(serving.worker)
app.command()(serving.migrate)
app.command()(serving.ui)
app.command()(learning.diagnostic)
app.add_typer(practice.rules, name="rules")
app.add_typer(users.audit, name="audit")
app.add_typer(users.users, name="users")
app.add_typer(evals.evals, name="eval")
app.add_typer(learning.learn, name="learn")
