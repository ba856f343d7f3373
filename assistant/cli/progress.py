"""The one progress bar: on stderr, and only when someone is watching it in a terminal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TimeRemainingColumn

from assistant.cli.common import err


class Bar:
    """What a long job reports to: `advance` by what it just read, or `update` done of total."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress = progress
        self._task = task

    def advance(self, step: int) -> None:
        self._progress.advance(self._task, step)

    def update(self, done: int, total: int) -> None:
        self._progress.update(self._task, completed=done, total=total)


@contextmanager
def progress(
    description: str, quiet: bool, total: int | None = None, *, in_bytes: bool = False
) -> Iterator[Bar]:
    """A bar for one job; `in_bytes` counts bytes (an import) rather than items (drafts, cases)."""
    counter = DownloadColumn() if in_bytes else "{task.completed}/{task.total}"
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        counter,
        TimeRemainingColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
    ) as shown:
        yield Bar(shown, shown.add_task(description, total=total))
