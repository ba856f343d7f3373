"""The privacy guard: no contact details, no other patient or person from the record, no private
record fields, and the greeting names this patient."""

from __future__ import annotations

import re

from assistant.drafting.guards.base import Checked, Finding, Guard
from assistant.drafting.guards.lexicon import contains

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"(?<!\w)\+?\(?\d[\d\s().-]{6,}\d(?!\w)")
SALUTATION = re.compile(
    r"^\s*(?i:hi|hello|hey|dear|good (?:morning|afternoon|evening))\s+"
    r"([A-Z][\w'-]*)",
    re.MULTILINE,
)
NOT_NAMES = frozenset({"there", "again", "friend", "everyone", "all", "team", "from"})


class Privacy(Guard):
    name = "privacy"
    blocks = True
    dimension = "compliance"
    passing = "no contact details, no other patient, no private record fields"

    def check(self, draft: Checked) -> list[Finding]:
        text, brief, grounds = draft.text, draft.brief, draft.grounds
        problems = []
        if EMAIL.search(text):
            problems.append(Finding("contact", "contains an email address"))
        if any(len(re.sub(r"\D", "", m.group())) >= 7 for m in PHONE.finditer(text)):
            problems.append(Finding("contact", "contains a phone number"))
        problems += [
            Finding("private", f"contains the patient's private detail '{p}'")
            for p in grounds.private
            if p and p.lower() in text.lower()
        ]
        for match in SALUTATION.finditer(text):
            said = match.group(1).lower()
            if said != brief.first_name.lower() and said not in NOT_NAMES:
                problems.append(Finding("greeting", f"greets '{match.group(1)}', not {brief.first_name}"))
        problems += [
            Finding("other_person", f"names another person from the record: '{n}'")
            for n in grounds.other_people
            if contains(text, n)
        ]
        return problems + self._other_patients(text, brief.patient_id)

    def _other_patients(self, text: str, patient_id: str) -> list[Finding]:
        """Names and ids of the practice's other patients, where there is a directory to ask."""
        if self.directory is None:
            return []
        names = set(re.findall(r"\b([A-Z][a-z'-]+)\s+([A-Z][a-z'-]+)\b", text))
        ids = set(re.findall(r"\b[\w-]*\d[\w-]*\b", text))
        return [
            Finding("other_patient", f"names another patient: {other}")
            for other in self.directory.other_patients(patient_id, names, ids)
        ]
