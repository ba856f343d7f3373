"""`crosssell demo`: a reproducible synthetic practice in a fresh home, scanned for this week."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from assistant import private
from assistant.app.accounts import SYSTEM
from assistant.app.drafting import WeekDrafts
from assistant.app.importer import ImportReport
from assistant.app.practice import Practice, ScanResult
from assistant.app.review import open_review
from assistant.errors import InputError
from assistant.settings import Settings
from assistant.synthetic import write_practice

DEMO_FILE = "demo-practice.jsonl"
DEMO_PASSWORD = "crosssell-demo"
DEMO_USERS = (
    ("maria", "coordinator", "Maria Santos (front desk)"),
    ("drlee", "provider", "Dr. Jordan Lee"),
    ("quinn", "qa", "Quinn Harper (QA)"),
    ("owner", "admin", "Practice owner"),
)
DEMO_PRACTICE = "Harbor Skin & Wellness"
DEMO_COORDINATOR = next(name for _, role, name in DEMO_USERS if role == "coordinator").split()[0]
"""The demo's drafts are signed by its coordinator (user `maria`) for its practice."""


def build_demo(
    home: Path, as_of: date, patients: int = 200, seed: int = 7
) -> tuple[Path, ImportReport, ScanResult]:
    """Replaces `home` with a new demo practice; returns (home, import report, scan)."""
    if patients < 1:
        raise InputError("--patients must be at least 1")
    home = home.expanduser().resolve()
    if home.exists():
        if not (home / DEMO_FILE).exists() and any(home.iterdir()):
            raise InputError(f"{home} holds something other than a demo practice; choose another --home")
        shutil.rmtree(home)
    source = private.file(home / DEMO_FILE)  # its folders too, 0700
    write_practice(source, patients, as_of, seed=seed)
    practice = Practice(demo_settings(home))
    report = practice.import_file(source)
    if report.rejected:
        raise InputError(f"the demo data broke the contract: {report.rejected[0]}")
    return home, report, practice.scan(as_of)


SHARED_STORAGE = (
    "CROSSSELL_DATABASE_URL",
    "CROSSSELL_CHROMA_URL",
    "CROSSSELL_CHROMA_TOKEN",
    "CROSSSELL_CHROMA_HEADERS",
    "CROSSSELL_CHROMA_TENANT",
    "CROSSSELL_PRACTICE_ID",
)
"""The settings that point a practice at shared servers: the demo and eval runs ignore them
(their synthetic patients never reach a real practice's database or vector store)."""


def demo_settings(home: Path) -> Settings:
    """The settings over the demo's home (its own SQLite file and embedded vector store,
    whatever servers are configured); a practice name and coordinator unless set."""
    settings = Settings(home=home, database_url=None, chroma_url=None)
    return settings.model_copy(update=demo_signature(settings))


def demo_environment(home: Path, day: str, environ: dict[str, str]) -> dict[str, str]:
    """The environment of the demo's API and review screen: the demo's home and day, and no
    shared server (nor its token) from the caller's environment."""
    env = {k: v for k, v in environ.items() if k not in SHARED_STORAGE}
    env.update(CROSSSELL_HOME=str(home), CROSSSELL_UI_AS_OF=day)
    signature = demo_signature(demo_settings(home))
    env.update({f"CROSSSELL_{key.upper()}": value for key, value in signature.items()})
    return env


def demo_signature(settings: Settings) -> dict[str, str]:
    """The demo's practice name and coordinator, where the user has not set their own."""
    return {
        "practice_name": settings.practice_name or DEMO_PRACTICE,
        "coordinator_name": settings.coordinator_name or DEMO_COORDINATOR,
    }


def prepare_review(home: Path, as_of: date) -> WeekDrafts:
    """Drafts the demo's week for review and adds the demo's users (one per role)."""
    with open_review(Practice(demo_settings(home))) as review:
        week = review.draft_week(SYSTEM, as_of)
        for user_id, role, name in DEMO_USERS:
            review.accounts.add(user_id, role, DEMO_PASSWORD, name)
    return week
