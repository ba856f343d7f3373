"""The audit log's service side: whether its chain is whole (`crosssell audit verify`), and what
its entries say about a draft written or opened and a queue shown, whoever asked (the review
desk or the command line)."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.app.practice import ScanResult
from assistant.domain.audit import Break, first_break
from assistant.drafting.content import Draft
from assistant.errors import Tampered
from assistant.storage.repository import Repository


@dataclass(frozen=True, slots=True)
class AuditCheck:
    """The walk of the chain: how many entries were whole, what the head recorded, and the
    first break."""

    entries: int
    head: int | None
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None

    def as_dict(self) -> dict:
        return {
            "intact": self.intact,
            "entries": self.entries,
            "head": self.head,
            "broken": self.broken.as_dict() if self.broken else None,
        }

    def confirm(self) -> None:
        """Raises `Tampered`, naming the first break, unless the log is whole."""
        if self.broken is not None:
            raise Tampered(f"the audit log was altered at {self.broken}")


def verify(repository: Repository) -> AuditCheck:
    """Walks the whole log, seal by seal, and holds its end against the stored head."""
    with repository.audit_chain() as (head, entries):
        whole, broken = first_break(entries, head)
    return AuditCheck(whole, head.entries if head else None, broken)


def draft_text(draft: Draft) -> dict:
    return {"subject": draft.subject, "body": draft.body}


def drafted(draft: Draft) -> dict:
    """What the entry for a new draft keeps: its status, its text and who wrote it."""
    return {"status": draft.status, "after": draft_text(draft), "drafter": draft.drafter}


def opened(draft: Draft) -> dict:
    """What the entry for a draft someone opened keeps: the status and version they saw."""
    return {"status": draft.status, "version": draft.version}


def scanned(scan: ScanResult) -> dict:
    """What the entry for a queue someone was shown keeps: the day and whose offers were on it."""
    return {
        "as_of": scan.as_of.isoformat(),
        "patients": [r.patient.id for r in scan.ready],
        "suppressed": len(scan.suppressed),
    }
