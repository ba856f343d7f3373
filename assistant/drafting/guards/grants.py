"""Free and price terms by meaning. A grant is any wording that gives something at no charge
("on us", "no charge", "waived", "thrown in") or at a lower price ("$50 off", "a reduced rate",
"member pricing"), with the thing it grants: the words around it. A draft's grant passes only
where the offered service's own entry grants the same kind of thing, for the same amounts, and
the same thing: "member pricing" for the membership whose entry says member pricing, never "a
complimentary consultation" because some other page says "complimentary"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.domain.records import Service
from assistant.drafting.brief import money
from assistant.drafting.guards.lexicon import Policy, widest

CLAUSE = re.compile(r"[^.!?;:,\n\u2013\u2014]+")
SENTENCE = re.compile(r"[^.!?;\n]+")
WORD = re.compile(r"[$\d][\d,.%]*%?|[a-z][a-z'\-]*", re.IGNORECASE)
AMOUNT = re.compile(r"\$\s?\d[\d,]*(?:\.\d+)?|\d+(?:\.\d+)?\s?(?:%|percent\b)|\bhalf\b", re.IGNORECASE)
DRAFT_REACH = 5
TERMS_REACH = 10
"""How many words either side of a grant say what it grants: in a draft, within its clause; in
the offer's entry, within its sentence (an entry lists what comes with it at length)."""


@dataclass(frozen=True, slots=True)
class Grant:
    """Something given free or at a lower price, and what: its own words (`things`), the loose
    ones ("a free month": `loose`), a price term's modifier ("member" pricing) and its amounts."""

    said: str
    at: int
    kind: str
    things: frozenset[str]
    loose: frozenset[str]
    modifier: str
    amounts: frozenset[str]

    def within(self, granted: list[Grant]) -> bool:
        """Whether one of the entry's grants gives the same."""
        return any(self._same(other) for other in granted)

    def _same(self, other: Grant) -> bool:
        if other.kind != self.kind or not self.amounts <= other.amounts:
            return False
        if self.modifier:
            return self.modifier == other.modifier
        if self.things:
            return bool(self.things & other.things)
        if self.loose:
            return bool(self.loose & (other.loose | other.things))
        return _root(self.said) == _root(other.said)


class Granting:
    """Finds grants in a text with the policy's word classes (`guards.json` "grants")."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        words = policy.grants
        self.kinds = {"free": words["free"], "price": words["price"], "price_terms": words["price_terms"]}
        self.loose = words["vague"].phrases
        self.ignored = (
            policy.stopwords
            | words["filler"].phrases
            | {_root(w) for p in policy.discounts.phrases for w in _words(p)}
        )

    def find(self, text: str, offer: Service, *, entry: bool = False) -> list[Grant]:
        """The grants of a draft, or (`entry`) of the offered service's own entry. Polite "free"
        ("feel free", "hassle-free") and negated terms ("we don't offer discounts") grant nothing;
        what an entry says the service includes is part of its price, not a grant."""
        found = [
            (kind, said, at)
            for kind, phrases in self.kinds.items()
            for _, said, at in phrases.find(text, negatable=True)
            if not self._polite(text, said, at)
        ]
        return [self._grant(text, kind, said, at, offer, entry) for kind, said, at in widest(found)]

    def _grant(self, text: str, kind: str, said: str, at: int, offer: Service, entry: bool) -> Grant:
        """The grant and what it grants: the words around it in its clause (in an entry, its
        sentence), less the offer's own name; the amounts right at it, less the offer's price."""
        start, part = next(
            (
                (m.start(), m.group())
                for m in (SENTENCE if entry else CLAUSE).finditer(text)
                if m.start() <= at < m.end()
            ),
            (0, text),
        )
        reach = TERMS_REACH if entry else DRAFT_REACH
        before = _words(part[: at - start])[-reach:]
        after = _words(part[at - start + len(said) :])[:reach]
        named = {_root(w) for w in _words(offer.name)}
        near = [_root(w) for w in before + after if w[0].isalpha()]
        near = [w for w in near if len(w) > 2 and w not in self.ignored and w not in named]
        close = " ".join([*before[-1:], said, *after[:2]])
        amounts = {_amount(a) for a in AMOUNT.findall(close)} - {_amount(money(offer.price))}
        return Grant(
            said=said,
            at=at,
            kind="price" if kind == "price_terms" else kind,
            things=frozenset(w for w in near if w not in self.loose),
            loose=frozenset(w for w in near if w in self.loose),
            modifier=_root(" ".join(_words(said)[:-1])) if kind == "price_terms" else "",
            amounts=frozenset(amounts),
        )

    def _polite(self, text: str, said: str, at: int) -> bool:
        """Whether a "free" only says free to do something, free time, or free of something."""
        if said.lower() != "free":
            return False
        if at > 0 and text[at - 1] == "-":
            return True
        low = max(0, at - 20)
        return any(
            low + start <= at < low + start + len(polite)
            for _, polite, start in self.policy.polite_free.find(text[low : at + 24])
        )


def _words(text: str) -> list[str]:
    return [w.lower().strip("'-") for w in WORD.findall(text)]


def _root(word: str) -> str:
    """ "facials" and "facial", "members'" and "member": one thing."""
    word = word.lower().strip("'-")
    word = word.removesuffix("'s")
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _amount(text: str) -> str:
    """ "15 percent" and "15%", "$ 50" and "$50": one amount."""
    return re.sub(r"[\s,]", "", text.lower()).replace("percent", "%")
