"""The specificity guard: the draft is about this patient (their name, their own history) and
this offer (its name and price), and says what prompted it now. An SMS to a patient in sensitive
care is read on lock screens: it need not name their care, nor a sensitive offer (its price does)."""

from __future__ import annotations

import re

from assistant.domain.moments import Moment
from assistant.domain.records import Service
from assistant.drafting.brief import Brief, Grounds, aliases, money, short_name
from assistant.drafting.guards.base import Checked, Finding, Guard
from assistant.drafting.guards.figures import MONEY, price_of
from assistant.drafting.guards.lexicon import contains, normalise

DISCREET_CONTEXT = re.compile(r"\byour (?:new )?(?:results|progress|goals?|plan)\b", re.IGNORECASE)
"""How an SMS refers to sensitive care it may not name (discretion keeps it off lock screens)."""


class Specificity(Guard):
    name = "specificity"
    dimension = "specificity"
    passing = "names the patient's own history and the offer with its price"

    def check(self, draft: Checked) -> list[Finding]:
        text, brief, offer = draft.text, draft.brief, draft.grounds.offer
        problems = []
        if brief.first_name and not contains(text, brief.first_name):
            problems.append(Finding("name", f"does not address {brief.first_name} by name"))
        if not self._own_context(text, brief, draft.grounds):
            problems.append(
                Finding("own_context", "names none of the patient's own treatments, results or goals")
            )
        if not self._offer_named(text, brief, offer):
            problems.append(Finding("offer", f"does not name the offer ({offer.name})"))
        if not _price_named(text, offer.price):
            unit = f" per {offer.unit}" if offer.unit else ""
            problems.append(Finding("price", f"does not give the offer's price ({money(offer.price)}{unit})"))
        if not self._signal(text, brief):
            problems.append(Finding("signal", "does not say what prompted the message now", blocking=False))
        problems += [
            Finding("generic", f"generic: '{said}'", phrases=(said,))
            for _, said, _ in self.policy.generic.find(text)
        ]
        return problems

    def _offer_named(self, text: str, brief: Brief, offer: Service) -> bool:
        """By any of its names, by most of its distinctive words ("the skin care kit" for the
        Medical-grade skin care kit, "VIP" for the VIP membership), or, for sensitive care that
        a message may only name discreetly, by the kind of care it is ("the program we
        discussed")."""
        if any(contains(text, a) for a in aliases(offer)):
            return True
        words = self._name_words(offer)
        found = [w for w in words if contains(text, w)]
        if any(w.isupper() for w in found) or (words and len(found) * 2 >= len(words)):
            return True
        return brief.offer.sensitive and any(contains(text, w) for w in self.policy.discreet_care)

    def _name_words(self, service: Service) -> list[str]:
        """The words of a service's short name that tell it apart (not "care", "program")."""
        plain = self.policy.stopwords | self.policy.common_words
        words = re.findall(r"[\w+-]+", short_name(service))
        return [w for w in words if w.isupper() or (len(w) > 2 and w.lower() not in plain)]

    def _signal(self, text: str, brief: Brief) -> bool:
        """Whether the message mentions what happened (a number, a date or a word of it)."""
        said = normalise(brief.signal)
        if any(contains(text, n) for n in re.findall(r"\d+(?:\.\d+)?", said)):
            return True
        words = (
            {w for w in re.findall(r"[a-z][a-z'-]{3,}", said.lower())}
            - self.policy.stopwords
            - {w.lower() for w in brief.offer.name.split()}
        )
        return any(contains(text, w) for w in words)

    def _own_context(self, text: str, brief: Brief, grounds: Grounds) -> bool:
        """At a first consultation the service talked about is the patient's own history too."""
        if brief.channel == "sms" and brief.sensitive and DISCREET_CONTEXT.search(text):
            return True
        intake = brief.moment is Moment.INTAKE
        own = [s for s in grounds.treatments if s.id != grounds.offer.id or intake]
        if any(contains(text, a) for s in own for a in aliases(s)):
            return True
        if any(contains(text, w) for s in own for w in self._name_words(s)):
            return True
        if any(contains(text, w) for w in self.policy.moment_words.get(brief.moment.value, [])):
            return True
        if any(contains(text, goal) for goal in brief.goals if goal):
            return True
        words = {w for g in brief.goals for w in re.findall(r"[a-z']{4,}", g.lower())} - self.policy.stopwords
        if any(contains(text, w) for w in words):
            return True
        if brief.change and any(contains(text, n) for n in re.findall(r"\d+(?:\.\d+)?", brief.change)):
            return True
        return any(contains(text, w) for w in self._record_words(brief))

    def _record_words(self, brief: Brief) -> set[str]:
        """Distinctive words of the patient's own record entries ("forehead", "fading"):
        not everyday or practice words, not the offer's name, not the patient's name."""
        said = " ".join(normalise(s.text) for s in brief.snippets)
        words = set(re.findall(r"[a-z][a-z'-]{4,}", said.lower()))
        offer = set(re.findall(r"[a-z']+", brief.offer.name.lower()))
        return words - self.policy.stopwords - self.policy.common_words - offer - {brief.first_name.lower()}


def _price_named(text: str, price: float) -> bool:
    for match in MONEY.finditer(text):
        value = price_of(match)
        if value is not None and abs(value - price) < 0.005:
            return True
    return False
