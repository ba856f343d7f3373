"""The guards a draft must pass, in the order a person reads their results, and the `Guards`
that runs them. A new guard is a module of its own and a line in `GUARDS`: the drafting loop,
the review desk and the eval scorers all read this list."""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.drafting.brief import Brief, Grounds
from assistant.drafting.content import DraftContent, GuardResult
from assistant.drafting.guards.base import Checked, Directory, Guard, Meaning
from assistant.drafting.guards.compliance import Compliance
from assistant.drafting.guards.discretion import Discretion
from assistant.drafting.guards.grounding import Grounding
from assistant.drafting.guards.leftovers import links, markup, placeholders
from assistant.drafting.guards.lexicon import Policy, normalise
from assistant.drafting.guards.privacy import Privacy
from assistant.drafting.guards.schema import Schema
from assistant.drafting.guards.specificity import Specificity
from assistant.drafting.guards.tone import Tone

GUARDS: list[type[Guard]] = [Schema, Grounding, Tone, Compliance, Privacy, Discretion, Specificity]

BLOCKING = frozenset(guard.name for guard in GUARDS if guard.blocks)
"""The names of the guards that block submission, for results stored before they said so."""

INSTRUCTION = re.compile(
    r"\b(ignore|instruction|instructions|system|assistant|prompt|disregard|"
    r"tell the patient|say that|write that)\b",
    re.IGNORECASE,
)


class Guards:
    """Runs every registered guard over a draft; each gives one result. `directory` finds other
    patients a draft names; `meaning` lets a paraphrased claim pass on its meaning (without it,
    claims are checked by their words alone)."""

    def __init__(
        self, policy: Policy, directory: Directory | None = None, meaning: Meaning | None = None
    ) -> None:
        self.policy = policy
        self._guards = [guard(policy, directory, meaning) for guard in GUARDS]

    def __iter__(self) -> Iterator[Guard]:
        return iter(self._guards)

    def check(
        self, content: DraftContent | None, brief: Brief, grounds: Grounds, schema_error: str | None = None
    ) -> list[GuardResult]:
        draft = Checked(content, brief, grounds, schema_error)
        empty = content is None or not content.body.strip()
        return [
            guard.unchecked() if empty and guard.needs_message else guard.result(draft)
            for guard in self._guards
        ]

    def harmless(self, text: str) -> bool:
        """Whether patient text is safe to repeat in a message: nothing any guard objects to
        (no link, markup or placeholder) and nothing that reads as an instruction."""
        text = normalise(text)
        if INSTRUCTION.search(text) or re.search(r"\b[A-Z]{4,}\b", text):
            return False
        if links(text, self.policy, []) or markup(text, self.policy) or placeholders(text, self.policy):
            return False
        lists = (
            self.policy.urgency,
            self.policy.guilt_fear,
            self.policy.pressure,
            self.policy.guarantees,
            self.policy.medical_claims,
            self.policy.discounts,
            self.policy.treatments,
            self.policy.generic,
        )
        return not any(phrases.find(text) for phrases in lists)


def blocks_submission(result: GuardResult) -> bool:
    """Whether a guard's result, failing, stops its draft from going to a provider."""
    return result.blocks or result.name in BLOCKING
