"""The privacy guard: no contact details, no other patient or person from the record, no private
record fields, no links but the practice's own and no markup, and the greeting names this
patient. Names are compared folded (`domain.names`), so look-alike letters, hidden characters
and accents do not hide one."""

from __future__ import annotations

import re

from assistant.domain.names import OtherPatient, fold, name_keys, plain
from assistant.drafting.guards.base import Checked, Finding, Guard
from assistant.drafting.guards.leftovers import EMAIL, allowed, links, markup
from assistant.drafting.guards.people import (
    Word,
    initial_before,
    named,
    next_word,
    not_names,
    record_people,
    title_before,
    words,
)

PHONE = re.compile(r"(?<!\w)\+?\(?\d[\d\s().-]{6,}\d(?!\w)")
SALUTATION = re.compile(
    r"^\s*(?i:hi|hello|hey|dear|good (?:morning|afternoon|evening))\s+"
    r"([A-Z][\w'-]*)",
    re.MULTILINE,
)
NOT_NAMES = frozenset({"there", "again", "friend", "everyone", "all", "team", "from"})
ID = re.compile(r"(?<![\w-])[\w-]*\d[\w-]*(?![\w-])")


class Privacy(Guard):
    name = "privacy"
    blocks = True
    dimension = "compliance"
    passing = "no contact details, no other patient, no private record fields"

    def check(self, draft: Checked) -> list[Finding]:
        text, brief, grounds = plain(draft.text), draft.brief, draft.grounds
        problems = []
        emails = tuple(m.group() for m in EMAIL.finditer(text))
        if emails:
            problems.append(Finding("contact", "contains an email address", phrases=emails))
        phones = tuple(m.group() for m in PHONE.finditer(text) if len(re.sub(r"\D", "", m.group())) >= 7)
        if phones:
            problems.append(Finding("contact", "contains a phone number", phrases=phones))
        problems += [
            Finding("private", f"contains the patient's private detail '{p}'", phrases=(p,))
            for p in grounds.private
            if p and p.lower() in text.lower()
        ]
        for match in SALUTATION.finditer(text):
            said = fold(match.group(1))
            if said not in name_keys(brief.first_name) and said not in NOT_NAMES:
                greeted = brief.first_name or "the patient (whose record gives no name to use)"
                problems.append(
                    Finding(
                        "greeting", f"greets '{match.group(1)}', not {greeted}", phrases=(match.group(1),)
                    )
                )
        problems += self._leftovers(draft.text, text, grounds.links)
        named_words = words(text)
        skip = not_names(brief, grounds)
        problems += self._record_people(text, named_words, skip, draft)
        return problems + self._other_patients(text, named_words, skip, brief.patient_id)

    def _leftovers(self, written: str, text: str, allowlist: list[str]) -> list[Finding]:
        """Links the practice has not allowed, and markup a plain message would show as symbols.
        A link counts as written too, since look-alike letters that read as the practice's own
        address ("bооk" with Cyrillic о) lead somewhere else."""
        said = [*links(text, self.policy, allowlist), *links(written, self.policy, allowlist)]
        found = [
            Finding("link", f"contains a link the practice has not allowed: {link}", phrases=(link,))
            for link in dict.fromkeys(said)
            if not allowed(link, allowlist)
        ]
        return found + [
            Finding("markup", f"contains {what}: {said}", phrases=(said,))
            for what, said in markup(text, self.policy)
        ]

    def _record_people(
        self, text: str, found: list[Word], skip: frozenset[str], draft: Checked
    ) -> list[Finding]:
        people = record_people(draft.grounds, self.policy)
        return [
            Finding(
                "other_person", f"names another person from the record: '{people[w.key]}'", phrases=(w.text,)
            )
            for w in found
            if w.key in people and w.key not in skip and named(text, w, self.policy)
        ]

    def _other_patients(
        self, text: str, found: list[Word], skip: frozenset[str], patient_id: str
    ) -> list[Finding]:
        """Other patients of the practice, where there is a directory to ask: a full name, a first
        name alone, initials or a title with a surname, an id."""
        if self.directory is None:
            return []
        ids = {fold(m.group()) for m in ID.finditer(text) if _id_like(m.group())}
        others = self.directory.other_patients(patient_id, {w.key for w in found} - skip, ids)
        said = [f"id {p.id}" for p in others if fold(p.id) in ids]
        for index, word in enumerate(found):
            if word.key not in skip:
                after = next_word(found, index, text)
                ways = [w for other in others if (w := self._said(text, word, after, other))[0]]
                said += [w for w, _ in sorted(ways, key=lambda w: not w[1])[:1]]
        return [Finding("other_patient", f"names another patient: {s}") for s in dict.fromkeys(said)]

    def _said(self, text: str, word: Word, after: Word | None, other: OtherPatient) -> tuple[str, bool]:
        """How the draft names this other patient at this word, and whether it is in full
        (("", False) where it does not)."""
        first, last = name_keys(other.first_name), name_keys(other.last_name)
        if word.key in first and after is not None and after.key in last:
            return other.full_name, True
        if word.key in first and named(text, word, self.policy):
            return f"the first name '{word.text}'", False
        initials = initial_before(text, word) if word.key in last else ""
        if initials and fold(other.first_name)[:1] == fold(initials)[:1]:
            return f"{initials} {word.text}", True
        if word.key in last and title_before(text, word, self.policy):
            return f"a title and the surname '{word.text}'", False
        return "", False


def _id_like(token: str) -> bool:
    """A token that may be a patient id: letters and digits ("d001"), or a long number."""
    return any(c.isalpha() for c in token) or len(token) >= 6
