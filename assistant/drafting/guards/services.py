"""How a draft names treatments: the menu's services it mentions (the offer, the patient's own
history, a second offer) and treatments the menu does not have.

A menu service other than the offer may be mentioned as history ("after your Botox"); it is a
second offer when a price stands beside it ("our HydraFacial ($225)"), when an invitation comes
just before it ("try a HydraFacial"), or when "our", "a" or "an" introduce it and an invitation
follows ("a HydraFacial pairs nicely too"). A treatment the menu lacks is one in the lexicon, a
modality before a treatment noun ("microcurrent facial", "B12 shot", "LED therapy"), or
"new" before one ("our new glow facial"), that no menu name, record or page covers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.domain.records import Service
from assistant.drafting.brief import Grounds, aliases
from assistant.drafting.guards.figures import MONEY, MONTHS, WEEKDAYS, price_of
from assistant.drafting.guards.lexicon import Policy, contains, whole_words

CLAUSE = re.compile(r"[;!?\n]|\.(?!\d)")
NEXT_TO = re.compile(r"\s*(?:for\s+)?(?:an?\s+|the\s+)?", re.IGNORECASE)
"""Between a price and the service it is written before ("$225 for a HydraFacial")."""
INVITED = re.compile(r"^(?:\s+(?!(?:your|her|his|my|their)\b)[\w'-]+){0,2}\s+$", re.IGNORECASE)
"""Between an invitation and a service: at most two words, none of them the patient's own."""
INTRODUCED = re.compile(r"\b(?:our|an?|another)\s+$", re.IGNORECASE)
NAMED = re.compile(r"^(?:[A-Z0-9+-]{2,}|\w*\d\w*|[a-z]+[A-Z]\w*)$")
"""A word that names a thing: an acronym ("LED"), letters and digits ("B12"), inner capitals."""
CALENDAR = frozenset(MONTHS) | frozenset(WEEKDAYS)


@dataclass(frozen=True, slots=True)
class Mention:
    service: Service
    start: int
    end: int


def mentions(text: str, services: list[Service]) -> list[Mention]:
    """Every service the text names, in reading order; where names overlap the longest wins
    ("Botox touch-up" is not also Botox)."""
    spans = [
        Mention(s, m.start(), m.end())
        for s in services
        for a in aliases(s)
        for m in whole_words(a).finditer(text)
    ]
    taken: list[Mention] = []
    for span in sorted(spans, key=lambda m: (m.start - m.end, m.start)):
        if not any(span.start < t.end and t.start < span.end for t in taken):
            taken.append(span)
    return sorted(taken, key=lambda m: m.start)


def second_offers(text: str, grounds: Grounds, policy: Policy) -> list[tuple[Service, str]]:
    """(service, the sign) for every menu service besides the offer that the draft offers."""
    offer = grounds.offer
    named = mentions(text, list(grounds.menu))
    found: dict[str, tuple[Service, str]] = {}
    for owner, value, _ in priced(text, named, offer):
        if owner is None:
            owner = next((s for s in grounds.menu if s.id != offer.id and _same(value, s.price)), None)
        if owner is not None:
            found.setdefault(owner.id, (owner, "with its price"))
    for mention in named:
        if mention.service.id != offer.id and _invited(text, mention, policy):
            found.setdefault(mention.service.id, (mention.service, "with an invitation"))
    return [v for k, v in found.items() if k != offer.id]


def priced(text: str, named: list[Mention], offer: Service) -> list[tuple[Service | None, float, re.Match]]:
    """Each price and the service it belongs to: the one named right after it ("a $225
    HydraFacial"), else the last one named before it in its clause, else none. The offer's own
    price is the offer's wherever it stands ("It is $149 per month."), unless it is that
    service's price too."""
    found: list[tuple[Service | None, float, re.Match]] = []
    for price in MONEY.finditer(text):
        value = price_of(price)
        if value is None:
            continue
        owner = _owner(text, price, named)
        if _same(value, offer.price) and (owner is None or not _same(value, owner.price)):
            owner = offer
        found.append((owner, value, price))
    return found


def _owner(text: str, price: re.Match, named: list[Mention]) -> Service | None:
    clause_start = max((m.end() for m in CLAUSE.finditer(text, 0, price.start())), default=0)
    after = next((m for m in named if m.start >= price.end()), None)
    if after is not None and NEXT_TO.fullmatch(text[price.end() : after.start]):
        return after.service
    before = [m for m in named if clause_start <= m.start and m.end <= price.start()]
    return before[-1].service if before else None


def _same(a: float, b: float) -> bool:
    return abs(a - b) < 0.005


def _invited(text: str, mention: Mention, policy: Policy) -> bool:
    before = text[max(0, mention.start - 60) : mention.start]
    for _, said, at in policy.offer_invitations.find(before):
        if INVITED.match(before[at + len(said) :] or " "):
            return True
    if not INTRODUCED.search(before):
        return False
    after = CLAUSE.split(text[mention.end : mention.end + 50], maxsplit=1)[0]
    return any(at <= _word_offset(after, 4) for _, _, at in policy.offer_followers.find(after))


def _word_offset(text: str, words: int) -> int:
    """Where the given word of the text starts (its end, when it has fewer)."""
    starts = [m.start() for m in re.finditer(r"\S+", text)]
    return starts[words] if len(starts) > words else len(text)


def unlisted(text: str, grounds: Grounds, policy: Policy) -> list[str]:
    """Treatments the draft names that no menu name, record or page covers: from the lexicon,
    a modality before a treatment noun, or "new" before one."""
    covered = "\n".join([*(a for s in grounds.menu for a in aliases(s)), grounds.record, grounds.authorised])
    found = [said for _, said, _ in policy.treatments.find(text) if not contains(covered, said)]
    nouns = "|".join(re.escape(n) for n in sorted(policy.treatment_nouns, key=len, reverse=True))
    if not nouns:
        return found
    for match in re.finditer(rf"(?<![\w'])((?:[\w+'-]+\s+){{1,3}})({nouns})\b", text, re.IGNORECASE):
        modifiers = _modifiers(text, match, policy)
        if any(not _covers(covered, m, match.group(2)) for m in modifiers):
            found.append(f"{' '.join(modifiers)} {match.group(2)}")
    return [f for f in dict.fromkeys(found) if not any(f != o and contains(o, f) for o in found)]


def _modifiers(text: str, match: re.Match, policy: Policy) -> list[str]:
    """The words before a treatment noun that say which treatment it is."""
    words = match.group(1).split()
    if any(w.lower() == "new" for w in words[:-1]):
        after_new = words[[w.lower() for w in words].index("new") + 1 :]
        return [w for w in after_new if w.lower() not in policy.stopwords | policy.common_words]
    phrase = " ".join(words)
    modal = sorted((at, said) for _, said, at in policy.modalities.find(phrase))
    if modal:
        return [modal[-1][1]]
    last = words[-1]
    before = text[: match.start(1) + match.group(1).rfind(last)]
    opens = not before.strip() or re.search(r"[.!?\n]\s*$", before) is not None
    if last.endswith("'s") or last.lower() in policy.stopwords or last.lower() in CALENDAR:
        return []
    if NAMED.match(last) or (last[0].isupper() and not opens):
        return [last]
    return []


def _covers(covered: str, modifier: str, noun: str) -> bool:
    if contains(covered, modifier):
        return True
    compact = re.sub(r"[\s-]+", "", covered.lower())
    return re.sub(r"[\s-]+", "", f"{modifier}{noun}".lower()) in compact
