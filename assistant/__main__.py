"""`python -m assistant` is the `crosssell` command."""

from assistant.cli import app

app()
