"""The checks every draft must pass before a coordinator sees it as ready: each a named guard with
pass/fail and a detail a person can act on. Guards are plain code over the draft, its brief and
its grounds; they know nothing of the drafter that wrote it. One module per guard; `registry`
lists them."""

from assistant.drafting.guards.base import Checked, Directory, Finding, Guard, Meaning
from assistant.drafting.guards.figures import DAY_MONTH, MONTH_DAY, MONTHS
from assistant.drafting.guards.lexicon import Policy, contains
from assistant.drafting.guards.privacy import SALUTATION
from assistant.drafting.guards.registry import GUARDS, Guards, blocks_submission

__all__ = [
    "DAY_MONTH",
    "GUARDS",
    "MONTHS",
    "MONTH_DAY",
    "SALUTATION",
    "Checked",
    "Directory",
    "Finding",
    "Guard",
    "Guards",
    "Meaning",
    "Policy",
    "blocks_submission",
    "contains",
]
