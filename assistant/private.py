"""Patient data at rest is the practice's alone: every folder the product makes is 0700 and
every file 0600, whatever the umask the process was started with.

`folder` and `file` set the modes of what the product writes itself (the home, the database,
the outbox, the demo file); `keep` tightens the process's umask for what libraries write on
their own (Chroma's store, SQLite's write-ahead log)."""

from __future__ import annotations

import os
from pathlib import Path

FOLDER = 0o700
FILE = 0o600


def keep() -> None:
    """Makes this process create nothing that others can read; it only ever tightens."""
    os.umask(os.umask(0o077) | 0o077)


def folder(path: Path) -> Path:
    """`path`, made with any missing parents as 0700; a folder that already exists keeps its mode
    (it may be the operator's: /srv, /tmp)."""
    for missing in reversed([p for p in (path, *path.parents) if not p.exists()]):
        missing.mkdir(mode=FOLDER, exist_ok=True)
        missing.chmod(FOLDER)  # mkdir's mode passes through the umask
    return path


def file(path: Path) -> Path:
    """`path` as a file of mode 0600 (created empty if missing, tightened if not), its missing
    folders 0700; writing it afterwards keeps the mode."""
    folder(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE))
    path.chmod(FILE)
    return path
