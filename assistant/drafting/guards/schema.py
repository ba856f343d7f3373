"""The schema guard: the drafter's answer is a well-formed message, with nothing left for a
person to fill in."""

from __future__ import annotations

from assistant.domain.names import plain
from assistant.drafting.guards.base import Checked, Finding, Guard
from assistant.drafting.guards.leftovers import placeholders


class Schema(Guard):
    """Subject, body and cited sources are there and well formed, and no placeholder is left in
    ("[Practice Name]", "{first_name}", "TBD"); it also speaks to a draft with no message at all
    (why the drafter gave none)."""

    name = "schema"
    needs_message = False
    passing = "subject, body and cited sources are well formed, with no placeholder left in"

    def check(self, draft: Checked) -> list[Finding]:
        content = draft.content
        if content is None:
            return [Finding("schema", draft.error or "no structured output")]
        problems = [draft.error] if draft.error else []
        if not content.body.strip():
            problems.append("the body is empty")
        if draft.brief.channel == "email" and not content.subject.strip():
            problems.append("an email needs a subject")
        limit = self.policy.limits["max_subject_chars"]
        if len(content.subject) > limit:
            problems.append(f"the subject is over {limit} characters")
        left = placeholders(plain(f"{content.subject}\n{content.body}"), self.policy)
        problems += [f"a placeholder is left in: {p}" for p in dict.fromkeys(left)]
        unknown = [f.source for f in content.facts if f.source not in draft.grounds.source_ids]
        if unknown:
            problems.append("facts cite unknown sources: " + ", ".join(sorted(set(unknown))))
        return [Finding("schema", p) for p in problems]
