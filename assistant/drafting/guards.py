"""The checks every draft must pass before a coordinator sees it as ready: each a named guard with
pass/fail and a detail a person can act on. Guards are plain code over the draft, its brief and
its grounds; they know nothing of the drafter that wrote it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import textstat

from assistant.domain.records import Service
from assistant.drafting.brief import Brief, Grounds, aliases, money
from assistant.drafting.content import DraftContent, GuardResult

MONTHS = {m: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")], 1) for m in names}
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|" \
         r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
MONTH_DAY = re.compile(rf"\b{_MONTH}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.IGNORECASE)
DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b", re.IGNORECASE)
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
SLASH_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b")
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")s?\b", re.IGNORECASE)
MONEY = re.compile(r"\$\s?(\d[\d,]*(?:\.\d{1,2})?)|\b(\d[\d,]*(?:\.\d{1,2})?)\s*(?:dollars|usd)\b",
                   re.IGNORECASE)
NUMBER = re.compile(r"(?<![\w.\-/+$])(\d[\d,]*(?:\.\d+)?)(?![\w/])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE = re.compile(r"(?<!\w)\+?\(?\d[\d\s().-]{6,}\d(?!\w)")
SALUTATION = re.compile(r"^\s*(?i:hi|hello|hey|dear|good (?:morning|afternoon|evening))\s+"
                        r"([A-Z][\w'-]*)", re.MULTILINE)
NOT_NAMES = frozenset({"there", "again", "friend", "everyone", "all", "team", "from"})
NEGATION = re.compile(r"\b(?:no|not|never|without|n't)\s+(?:\w+\s+){0,2}$|n't\s+(?:\w+\s+){0,2}$",
                      re.IGNORECASE)
NEXT_STEP = re.compile(r"\b(reply|book|call|schedule|let us know|get in touch|ask us|visit)\b",
                       re.IGNORECASE)
INSTRUCTION = re.compile(r"\b(ignore|instruction|instructions|system|assistant|prompt|disregard|"
                         r"tell the patient|say that|write that)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a guard noticed. A blocking finding fails the guard; a soft one only lowers
    the eval score of the same dimension (one implementation, two uses)."""

    kind: str
    text: str
    blocking: bool = True


class Directory(Protocol):
    """Looks up other patients of the practice among names and ids a draft mentions."""

    def other_patients(self, patient_id: str, names: set[tuple[str, str]], ids: set[str]
                       ) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class Phrases:
    """A list of phrases compiled for whole-word, case-insensitive search (`*` is a wildcard)."""

    patterns: tuple[tuple[str, re.Pattern], ...]

    @classmethod
    def of(cls, phrases: Iterable[str]) -> Phrases:
        return cls(tuple((p, _compile(p)) for p in phrases))

    def find(self, text: str, *, negatable: bool = False) -> list[tuple[str, str, int]]:
        """(phrase, matched text, position) for every phrase found."""
        found = []
        for phrase, pattern in self.patterns:
            for match in pattern.finditer(text):
                if negatable and NEGATION.search(text[max(0, match.start() - 30):match.start()]):
                    continue
                found.append((phrase, match.group(), match.start()))
        return found


def _compile(phrase: str) -> re.Pattern:
    parts = []
    for token in phrase.lower().split():
        if token == "*":
            parts.append(r"\S+")
        elif token.startswith("*"):
            parts.append(r"\S*" + re.escape(token[1:]))
        elif token.endswith("*"):
            parts.append(re.escape(token[:-1]) + r"\w*")
        else:
            parts.append(re.escape(token))
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Policy:
    """Limits and lexicons, from `knowledge/guards.json`."""

    limits: dict
    urgency: Phrases
    guilt_fear: Phrases
    pressure: Phrases
    guarantees: Phrases
    medical_claims: Phrases
    discounts: Phrases
    polite_free: Phrases
    generic: Phrases
    salesy: Phrases
    treatments: Phrases
    acronyms: frozenset[str]
    stopwords: frozenset[str]
    common_words: frozenset[str] = frozenset()

    @classmethod
    def from_lexicon(cls, lexicon: dict) -> Policy:
        lists = ("urgency", "guilt_fear", "pressure", "guarantees", "medical_claims", "discounts",
                 "polite_free", "generic", "salesy", "treatments")
        return cls(limits=dict(lexicon["limits"]),
                   acronyms=frozenset(a.upper() for a in lexicon.get("acronyms", [])),
                   stopwords=frozenset(w.lower() for w in lexicon.get("stopwords", [])),
                   common_words=frozenset(w.lower() for w in lexicon.get("common_words", [])),
                   **{name: Phrases.of(lexicon.get(name, [])) for name in lists})


def normalise(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace(
        "\u201d", '"')


def contains(haystack: str, phrase: str) -> bool:
    """Whole-word, case-insensitive: "Botox" is in "your Botox visit", "lb" is not in "lbs"."""
    return _literal(phrase).search(haystack) is not None


@lru_cache(maxsize=4096)
def _literal(phrase: str) -> re.Pattern:
    words = r"\s+".join(re.escape(w) for w in phrase.split())
    return re.compile(r"(?<!\w)" + words + r"(?!\w)", re.IGNORECASE)


class Guards:
    """Runs the six guards in order; each returns one result."""

    NAMES = ("schema", "grounding", "tone", "compliance", "privacy", "specificity")

    def __init__(self, policy: Policy, directory: Directory | None = None) -> None:
        self.policy = policy
        self.directory = directory

    def check(self, content: DraftContent | None, brief: Brief, grounds: Grounds,
              schema_error: str | None = None) -> list[GuardResult]:
        schema = self.schema(content, brief, grounds, schema_error)
        if content is None or not schema.passed and not content.body.strip():
            return [schema] + [GuardResult(name=n, passed=False, detail="no message to check")
                               for n in self.NAMES[1:]]
        checks: Sequence[Callable[[DraftContent, Brief, Grounds], GuardResult]] = (
            self.grounding, self.tone, self.compliance, self.privacy, self.specificity)
        return [schema, *(check(content, brief, grounds) for check in checks)]

    def harmless(self, text: str) -> bool:
        """Whether patient text is safe to repeat in a message: nothing any guard objects to
        and nothing that reads as an instruction."""
        text = normalise(text)
        if INSTRUCTION.search(text) or re.search(r"\b[A-Z]{4,}\b", text):
            return False
        lists = (self.policy.urgency, self.policy.guilt_fear, self.policy.pressure,
                 self.policy.guarantees, self.policy.medical_claims, self.policy.discounts,
                 self.policy.treatments, self.policy.generic)
        return not any(phrases.find(text) for phrases in lists)

    # schema -----------------------------------------------------------------------------

    def schema(self, content: DraftContent | None, brief: Brief, grounds: Grounds,
               error: str | None) -> GuardResult:
        if content is None:
            return _result("schema", [Finding("schema", error or "no structured output")])
        problems = [error] if error else []
        if not content.body.strip():
            problems.append("the body is empty")
        if brief.channel == "email" and not content.subject.strip():
            problems.append("an email needs a subject")
        if len(content.subject) > self.policy.limits["max_subject_chars"]:
            problems.append(f"the subject is over {self.policy.limits['max_subject_chars']} "
                            "characters")
        unknown = [f.source for f in content.facts if f.source not in grounds.source_ids]
        if unknown:
            problems.append("facts cite unknown sources: " + ", ".join(sorted(set(unknown))))
        return _result("schema", [Finding("schema", p) for p in problems],
                       "subject, body and cited sources are well formed")

    # grounding --------------------------------------------------------------------------

    def grounding(self, content: DraftContent, brief: Brief, grounds: Grounds) -> GuardResult:
        return _result("grounding", self.grounding_findings(content, brief, grounds),
                       "every service, price, number and date traces to the record, menu or "
                       "knowledge pages")

    def grounding_findings(self, content: DraftContent, brief: Brief, grounds: Grounds
                           ) -> list[Finding]:
        text = normalise(f"{content.subject}\n{content.body}")
        problems: list[Finding] = []
        text = self._dates(text, grounds, problems)
        text = self._money(text, grounds, problems)
        for match in NUMBER.finditer(text):
            value = _number(match.group(1))
            if value is not None and not _known(value, grounds.numbers):
                problems.append(Finding("number", f"the number {match.group(1)} is not in the "
                                        "record, menu or knowledge pages"))
        for _, said, _ in self.policy.treatments.find(text):
            if not contains(grounds.record, said) and not contains(grounds.authorised, said):
                problems.append(Finding("treatment", f"'{said}' is not on the menu or in the "
                                        "patient's record"))
        for _, said, at in self.policy.discounts.find(text):
            if self._polite(text, said, at) or contains(grounds.authorised, said):
                continue
            problems.append(Finding("terms", f"'{said}' offers terms the practice has not "
                                    "authorised"))
        return problems

    def _dates(self, text: str, grounds: Grounds, problems: list[Finding]) -> str:
        def check(match: re.Match, month: int, day: int) -> str:
            if (month, day) not in grounds.dates:
                problems.append(Finding("date", f"the date '{match.group()}' is not in the "
                                        "patient's record"))
            return " "

        text = MONTH_DAY.sub(lambda m: check(m, MONTHS[m.group(1).lower()[:3]], int(m.group(2))),
                             text)
        text = DAY_MONTH.sub(lambda m: check(m, MONTHS[m.group(2).lower()[:3]], int(m.group(1))),
                             text)
        text = ISO_DATE.sub(lambda m: check(m, int(m.group(2)), int(m.group(3))), text)
        text = SLASH_DATE.sub(lambda m: check(m, int(m.group(1)), int(m.group(2))), text)
        for match in WEEKDAY.finditer(text):
            if WEEKDAYS.index(match.group(1).lower()) not in grounds.weekdays:
                problems.append(Finding("date", f"'{match.group()}' is not a day in the "
                                        "patient's record"))
        return text

    def _money(self, text: str, grounds: Grounds, problems: list[Finding]) -> str:
        named = {s.id: s for s in _mentioned(text, grounds.menu)}
        allowed = {s.price for s in named.values()} | {grounds.offer.price} | grounds.amounts
        for service, said in _prices_after_names(text, list(named.values())):
            if abs(said - service.price) > 0.005:
                problems.append(Finding("price", f"{service.name} costs {money(service.price)} "
                                        f"on the menu, the draft says {money(said)}"))
        for match in MONEY.finditer(text):
            value = _number(match.group(1) or match.group(2))
            if value is not None and not _known(value, allowed):
                problems.append(Finding("price", f"the price {match.group().strip()} is not a "
                                        "menu price of a service the draft names"))
        return MONEY.sub(" ", text)

    def _polite(self, text: str, said: str, at: int) -> bool:
        if said.lower() != "free":
            return False
        if at > 0 and text[at - 1] == "-":
            return True
        window = text[max(0, at - 12):at + 16]
        return bool(self.policy.polite_free.find(window))

    # tone -------------------------------------------------------------------------------

    def tone(self, content: DraftContent, brief: Brief, grounds: Grounds) -> GuardResult:
        grade = reading_grade(content.body)
        return _result("tone", self.tone_findings(content, brief, grounds),
                       f"calm, no pressure (reading grade {grade:.1f})")

    def tone_findings(self, content: DraftContent, brief: Brief, grounds: Grounds
                      ) -> list[Finding]:
        text = normalise(f"{content.subject}\n{content.body}")
        problems = []
        for kind, label, phrases in (("urgency", "false urgency", self.policy.urgency),
                                     ("guilt_fear", "guilt or fear", self.policy.guilt_fear),
                                     ("pressure", "pressure", self.policy.pressure)):
            for _, said, _ in phrases.find(text, negatable=True):
                problems.append(Finding(kind, f"{label}: '{said}'"))
        for _, said, _ in self.policy.salesy.find(text, negatable=True):
            problems.append(Finding("salesy", f"sales talk: '{said}'", blocking=False))
        limit = self.policy.limits[f"max_exclamations_{brief.channel}"]
        count = text.count("!")
        if count:
            over = count > limit
            problems.append(Finding("exclamations", f"{count} exclamation mark"
                                    f"{'s' if count > 1 else ''}" +
                                    (f" (at most {limit})" if over else ""), blocking=over))
        if "!!" in text or "?!" in text:
            problems.append(Finding("exclamations", "repeated exclamation marks"))
        shouted = [w for w in re.findall(r"\b[A-Z][A-Z0-9+\-]{2,}\b", text)
                   if w not in self.policy.acronyms and w.lower() not in grounds.authorised.lower()]
        if shouted:
            problems.append(Finding("shouting", "shouting in capitals: " +
                                    ", ".join(sorted(set(shouted)))))
        grade = reading_grade(content.body)
        if grade > self.policy.limits["max_reading_grade"]:
            problems.append(Finding("reading_grade", f"reading grade {grade:.1f} (at most "
                                    f"{self.policy.limits['max_reading_grade']})"))
        return problems

    # compliance -------------------------------------------------------------------------

    def compliance(self, content: DraftContent, brief: Brief, grounds: Grounds) -> GuardResult:
        detail = ("SMS length and opt-out" if brief.channel == "sms" else "email length") + \
            ", no guarantees, claims only from the knowledge pages"
        return _result("compliance", self.compliance_findings(content, brief, grounds), detail)

    def compliance_findings(self, content: DraftContent, brief: Brief, grounds: Grounds
                            ) -> list[Finding]:
        text = normalise(f"{content.subject}\n{content.body}")
        problems = [Finding("guarantee", f"guaranteed outcome: '{said}'")
                    for _, said, _ in self.policy.guarantees.find(text, negatable=True)]
        for _, said, _ in self.policy.medical_claims.find(text):
            if not contains(grounds.authorised, said):
                problems.append(Finding("medical_claim", "medical claim beyond the knowledge "
                                        f"pages: '{said}'"))
        limits = self.policy.limits
        body = content.body.strip()
        if brief.channel == "sms":
            if len(body) > limits["sms_max_chars"]:
                problems.append(Finding("length", f"SMS is {len(body)} characters (at most "
                                        f"{limits['sms_max_chars']})"))
            if limits["sms_opt_out"].lower() not in body.lower():
                problems.append(Finding("opt_out", f"SMS lacks \"{limits['sms_opt_out']}\""))
        else:
            words = len(body.split())
            if words > limits["email_max_words"]:
                problems.append(Finding("length", f"email is {words} words (at most "
                                        f"{limits['email_max_words']})"))
            if not NEXT_STEP.search(body):
                problems.append(Finding("next_step", "no clear next step (reply or book a time)"))
        return problems

    # privacy ----------------------------------------------------------------------------

    def privacy(self, content: DraftContent, brief: Brief, grounds: Grounds) -> GuardResult:
        return _result("privacy", self.privacy_findings(content, brief, grounds),
                       "no contact details, no other patient, no private record fields")

    def privacy_findings(self, content: DraftContent, brief: Brief, grounds: Grounds
                         ) -> list[Finding]:
        text = normalise(f"{content.subject}\n{content.body}")
        problems = []
        if EMAIL.search(text):
            problems.append(Finding("contact", "contains an email address"))
        if any(len(re.sub(r"\D", "", m.group())) >= 7 for m in PHONE.finditer(text)):
            problems.append(Finding("contact", "contains a phone number"))
        problems += [Finding("private", f"contains the patient's private detail '{p}'")
                     for p in grounds.private if p and p.lower() in text.lower()]
        for match in SALUTATION.finditer(text):
            said = match.group(1).lower()
            if said != brief.first_name.lower() and said not in NOT_NAMES:
                problems.append(Finding("greeting", f"greets '{match.group(1)}', not "
                                        f"{brief.first_name}"))
        problems += [Finding("other_person", f"names another person from the record: '{n}'")
                     for n in grounds.other_people if contains(text, n)]
        if self.directory is not None:
            names = set(re.findall(r"\b([A-Z][a-z'-]+)\s+([A-Z][a-z'-]+)\b", text))
            ids = set(re.findall(r"\b[\w-]*\d[\w-]*\b", text))
            for other in self.directory.other_patients(brief.patient_id, names, ids):
                problems.append(Finding("other_patient", f"names another patient: {other}"))
        return problems

    # specificity ------------------------------------------------------------------------

    def specificity(self, content: DraftContent, brief: Brief, grounds: Grounds) -> GuardResult:
        return _result("specificity", self.specificity_findings(content, brief, grounds),
                       "names the patient's own history and the offer with its price")

    def specificity_findings(self, content: DraftContent, brief: Brief, grounds: Grounds
                             ) -> list[Finding]:
        text = normalise(f"{content.subject}\n{content.body}")
        problems = []
        if not contains(text, brief.first_name):
            problems.append(Finding("name", f"does not address {brief.first_name} by name"))
        if not self._own_context(text, brief, grounds):
            problems.append(Finding("own_context", "names none of the patient's own treatments, "
                                    "results or goals"))
        offer = grounds.offer
        if not any(contains(text, a) for a in aliases(offer)):
            problems.append(Finding("offer", f"does not name the offer ({offer.name})"))
        if not _price_named(text, offer.price):
            unit = f" per {offer.unit}" if offer.unit else ""
            problems.append(Finding("price", f"does not give the offer's price "
                                    f"({money(offer.price)}{unit})"))
        if not self._signal(text, brief):
            problems.append(Finding("signal", "does not say what prompted the message now",
                                    blocking=False))
        problems += [Finding("generic", f"generic: '{said}'")
                     for _, said, _ in self.policy.generic.find(text)]
        return problems

    def _signal(self, text: str, brief: Brief) -> bool:
        """Whether the message mentions what happened (a number, a date or a word of it)."""
        said = normalise(brief.signal)
        if any(contains(text, n) for n in re.findall(r"\d+(?:\.\d+)?", said)):
            return True
        words = {w for w in re.findall(r"[a-z][a-z'-]{3,}", said.lower())} - \
            self.policy.stopwords - {w.lower() for w in brief.offer.name.split()}
        return any(contains(text, w) for w in words)

    def _own_context(self, text: str, brief: Brief, grounds: Grounds) -> bool:
        own = [s for s in grounds.treatments if s.id != grounds.offer.id]
        if any(contains(text, a) for s in own for a in aliases(s)):
            return True
        if any(contains(text, goal) for goal in brief.goals if goal):
            return True
        words = {w for g in brief.goals for w in re.findall(r"[a-z']{4,}", g.lower())} - \
            self.policy.stopwords
        if any(contains(text, w) for w in words):
            return True
        if brief.change and any(contains(text, n)
                                for n in re.findall(r"\d+(?:\.\d+)?", brief.change)):
            return True
        return any(contains(text, w) for w in self._record_words(brief))

    def _record_words(self, brief: Brief) -> set[str]:
        """Distinctive words of the patient's own record entries ("forehead", "fading"):
        not everyday or practice words, not the offer's name, not the patient's name."""
        said = " ".join(normalise(s.text) for s in brief.snippets)
        words = set(re.findall(r"[a-z][a-z'-]{4,}", said.lower()))
        offer = set(re.findall(r"[a-z']+", brief.offer.name.lower()))
        return words - self.policy.stopwords - self.policy.common_words - offer - \
            {brief.first_name.lower()}


def reading_grade(text: str) -> float:
    return float(textstat.flesch_kincaid_grade(text)) if text.strip() else 0.0


def _result(name: str, findings: list[Finding], ok: str = "") -> GuardResult:
    problems = _unique([f.text for f in findings if f.blocking])
    if problems:
        return GuardResult(name=name, passed=False, detail="; ".join(problems))
    return GuardResult(name=name, passed=True, detail=ok or "passed")


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _number(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def _known(value: float, known: set[float]) -> bool:
    return value in known or any(abs(value - k) < 0.005 for k in known)


def _mentioned(text: str, menu) -> list[Service]:
    return [s for s in menu if any(contains(text, a) for a in aliases(s))]


def _prices_after_names(text: str, services: list[Service]) -> list[tuple[Service, float]]:
    """A price written right after a service's name, in the same clause and with no other
    service named between them, is that service's price."""
    pairs = []
    for service in services:
        others = [s for s in services if s is not service]
        for alias in aliases(service):
            for match in _literal(alias).finditer(text):
                tail = re.split(r"[.;!?\n]", text[match.end():match.end() + 60], maxsplit=1)[0]
                price = MONEY.search(tail)
                if price is None or _mentioned(tail[:price.start()], others):
                    continue
                value = _number(price.group(1) or price.group(2))
                if value is not None:
                    pairs.append((service, value))
    return pairs


def _price_named(text: str, price: float) -> bool:
    for match in MONEY.finditer(text):
        value = _number(match.group(1) or match.group(2))
        if value is not None and abs(value - price) < 0.005:
            return True
    return False
