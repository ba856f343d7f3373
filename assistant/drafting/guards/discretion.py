"""The discretion guard, the practice's rules for what others may see. A subject line and an SMS
show on lock screens and in shared inboxes: they never name sensitive care or give a clinical
value. An email body tells progress in the patient's own terms ("down 16 lb"), never their
measurements (a body weight, doses, lab values), unless the practice shares them. And the
patient's own first-person words are never pasted back: a message says them in its own words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from assistant.drafting.brief import Brief, Grounds, aliases
from assistant.drafting.guards.base import Checked, Finding, Guard
from assistant.drafting.guards.lexicon import Policy, normalise, whole_words

NUM = r"\d+(?:\.\d+)?"
UNIT = r"(?:lbs?|pounds?|kgs?|kilos?|kilograms?)"
WHOLE = r"(?!\d|\.\d)"
TIMES = r"(?:days?|weeks?|months?|years?|visits?|sessions?|times?|hours?|minutes?)\b"
WEIGHT = re.compile(rf"(?<![\w.$]){NUM}(?:\s*|-){UNIT}(?!\w)", re.IGNORECASE)
RANGE = re.compile(
    rf"(?<![\w.$])(?:from\s+)?{NUM}(?:\s*{UNIT})?\s*(?:to|->|\u2192)\s*{NUM}\s*{UNIT}(?!\w)"
    rf"|\bfrom\s+{NUM}\s*{UNIT}\s+to\s+{NUM}{WHOLE}(?!\w)",
    re.IGNORECASE,
)
AT_WEIGHT = re.compile(
    r"(?:\byou(?:'re| are| were)\s+(?:now\s+|down\s+)?(?:at|to)|\bweigh(?:s|ed|ing)?(?:\s+in)?(?:\s+at)?"
    r"|\bweight(?:\s+(?:is|was|of|at|now|came in at|down to))+|\b(?:down|got|came)\s+to|\breached"
    r"|\bscale\s+(?:says|said|reads|read|shows|showed))"
    rf"\s+(?:about\s+|around\s+|just\s+)?({NUM}){WHOLE}(?!\s*(?:%|percent\b|{TIMES}))",
    re.IGNORECASE,
)
LIGHTEST = 40
"""A bare number under this is not read as a body weight ("you're at 12")."""
PROGRESS_BEFORE = re.compile(
    r"\b(?:down|lost|losing|lose|dropped|dropping|shed|shedding|off|minus|reach|reaching|get to|"
    r"getting to|aim for|aiming for|on your way to|(?:goal|target)(?: weight)? of)\s+"
    r"(?:(?:about|almost|nearly|over|more than|another|a full|a|by|roughly|around|just|some)\s+)*$",
    re.IGNORECASE,
)
PROGRESS_AFTER = re.compile(
    r"^(?!\s*,?\s*(?:down|up)\s+from\b)\s*(?:[\w']+\s+){0,2}?"
    r"(?:down|lighter|off|gone|lost|lose|less|fewer|loss|drop|closer)\b",
    re.IGNORECASE,
)
WEIGHT_SHARE = re.compile(
    rf"(?<![\w.]){NUM}\s*(?:%|percent)\s+(?:of\s+)?(?:[\w']+\s+){{0,2}}?weight\b", re.IGNORECASE
)
DOSE_UNIT = r"(?:mg|mcg|\u00b5g|ug|ml|cc|iu|units?)\b(?!\s*/)"
LAB_UNIT = r"(?:[mnp\u00b5u]?(?:g|mol|iu|u))\s*/\s*(?:d?l|ml)\b"
DOSE = re.compile(rf"(?<![\w.$]){NUM}(?:\s*|-){DOSE_UNIT}", re.IGNORECASE)
LAB = re.compile(rf"(?<![\w.$]){NUM}\s*{LAB_UNIT}", re.IGNORECASE)
MEASURE_VALUE = re.compile(
    r"(?:[\s:=,]+(?:is|was|of|at|to|from|now|down|up|went|came|dropped|rose|reading|level|levels|"
    rf"score|your|a|an|the)){{0,4}}[\s:=,]+{NUM}{WHOLE}(?!\s*{TIMES})(?:\s*(?:%|{DOSE_UNIT}|{LAB_UNIT}))?",
    re.IGNORECASE,
)
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
FIRST_PERSON = frozenset({"i", "i'm", "i've", "i'd", "i'll", "my", "me", "mine", "myself"})
RUN = 4
"""A run of this many words copied from the patient's record is pasting, not paraphrase."""
QUOTED_RUN = 3
"""In quotation marks, this many of the patient's words are a quote of them."""
QUOTED = re.compile(r'"([^"\n]{2,300})"|(?<!\w)\'([^\n]{2,300}?)\'(?!\w)')

Span = tuple[int, int, str]
"""Where something was said in a text, and what."""


class Discretion(Guard):
    name = "discretion"
    blocks = True
    dimension = "compliance"
    passing = "subject and SMS discreet, no measurements, the patient's words not quoted"

    def check(self, draft: Checked) -> list[Finding]:
        message, brief, grounds = draft.message, draft.brief, draft.grounds
        subject, body = normalise(message.subject), normalise(message.body)
        problems: list[Finding] = []
        if subject.strip():
            problems += self._exposed("the subject", subject, brief, grounds)
        if brief.channel == "sms":
            problems += self._exposed("the SMS", body, brief, grounds)
        elif not grounds.measurements_allowed:
            problems += [
                Finding("measurement", f"the email gives {what}: '{said}'", phrases=(said,))
                for what, (_, _, said) in measurements(body, self.policy, progress=False)
            ]
        return problems + [
            Finding("patient_words", f"quotes the patient's words: '{said}'", phrases=(said,))
            for said in pasted(draft.text, _patient_texts(brief, grounds))
        ]

    def _exposed(self, where: str, text: str, brief: Brief, grounds: Grounds) -> list[Finding]:
        """What a lock screen must not show: sensitive care by any name, or a clinical value.
        The practice's own name is its signature, whatever words it has ("Skin Labs")."""
        if brief.practice.strip():
            text = whole_words(brief.practice).sub(lambda m: " " * len(m.group()), text)
        names = [*brief.sensitive, *(a for s in grounds.menu if s.sensitive for a in aliases(s))]
        care = tuple(sensitive_care(text, names, self.policy))
        named = ", ".join(f"'{said}'" for said in care)
        problems = (
            [Finding("sensitive_care", f"{where} names sensitive care: {named}", phrases=care)]
            if named
            else []
        )
        return problems + [
            Finding("clinical_value", f"{where} gives {what}: '{said}'", phrases=(said,))
            for what, (_, _, said) in measurements(text, self.policy, progress=True)
        ]


def sensitive_care(text: str, names: Iterable[str], policy: Policy) -> list[str]:
    """Sensitive care a text names, by the menu's names for it or in general terms."""
    found = [(m.start(), m.end(), m.group()) for n in names for m in whole_words(n).finditer(text)]
    found += [(at, at + len(said), said) for _, said, at in policy.sensitive_terms.find(text)]
    return [said for _, _, said in _outermost(found)]


def measurements(text: str, policy: Policy, *, progress: bool) -> list[tuple[str, Span]]:
    """Clinical values in a text, each with what it is ("a weight"), in reading order. Weights
    said as progress or a goal ("down 16 lb", "reach 160 lb") and shares of body weight count
    only with `progress`: they are the patient's own terms, fine in an email body."""
    ranges = _spans(RANGE, text)
    weights = ranges + [w for w in _spans(WEIGHT, text) if not any(_overlap(w, r) for r in ranges)]
    found = [("a weight", span) for span in weights if progress or not _progress(text, span)]
    bare = [(m.start(1), m.end(1), m.group()) for m in _weights_at(text)]
    found += [("a weight", span) for span in bare if progress or not _progress(text, span)]
    if progress:
        found += [("a share of body weight", span) for span in _spans(WEIGHT_SHARE, text)]
    found += [("a dose", span) for span in _spans(DOSE, text)]
    found += [("a lab value", span) for span in _spans(LAB, text)]
    spans = [span for _, span in found]
    for _, said, at in policy.clinical_measures.find(text):
        value = MEASURE_VALUE.match(text, at + len(said))
        span = (at, value.end(), text[at : value.end()]) if value else None
        if span is not None and not any(_overlap(span, other) for other in spans):
            found.append(("a clinical value", span))
    named = {span: what for what, span in found}
    return [(named[span], span) for span in _outermost(named)]


def _spans(pattern: re.Pattern, text: str) -> list[Span]:
    return [(m.start(), m.end(), m.group()) for m in pattern.finditer(text)]


def _weights_at(text: str) -> Iterator[re.Match]:
    """Bare numbers said as a body weight: "you're at 191", "you weigh 191"."""
    return (m for m in AT_WEIGHT.finditer(text) if float(m.group(1)) >= LIGHTEST)


def _progress(text: str, span: Span) -> bool:
    """Whether a weight is said as progress or a goal ("down 16 lb", "16 pounds lighter",
    "lose 10 to 15 pounds", "reach 160 lb"), not as a reading; "from 212 to 191 lb" is two
    readings, whatever comes before it."""
    start, end, said = span
    if said.lower().startswith("from"):
        return False
    before, after = text[max(0, start - 30) : start], text[end : end + 40]
    return bool(PROGRESS_BEFORE.search(before) or PROGRESS_AFTER.match(after))


def _outermost(spans: Iterable[Span]) -> list[Span]:
    """Once each, in reading order, the spans that overlap no earlier or longer one."""
    kept: list[Span] = []
    for span in sorted(set(spans), key=lambda s: (s[0], s[0] - s[1])):
        if not any(_overlap(k, span) for k in kept):
            kept.append(span)
    return kept


def _overlap(one: Span, other: Span) -> bool:
    return one[0] < other[1] and other[0] < one[1]


def _patient_texts(brief: Brief, grounds: Grounds) -> list[str]:
    """What the patient wrote or said, as the drafter saw it and as the record holds it."""
    return [*brief.goals, brief.signal, *(s.text for s in brief.snippets), grounds.record]


def pasted(text: str, sources: Iterable[str]) -> list[str]:
    """The patient's first-person words in a text: a run of `RUN` or more words copied from
    their record with "I", "my" or "me" in it, any quoted passage in the first person, or a
    quoted run of their own words ("sleeping better every week" in quotation marks)."""
    sources = list(sources)
    copied = _grams(sources, RUN)
    said = _words(text)
    runs: list[Span] = []
    start = 0
    while start + RUN <= len(said):
        if _gram(said, start) not in copied:
            start += 1
            continue
        end = start + RUN
        while end < len(said) and _gram(said, end - RUN + 1) in copied:
            end += 1
        if any(w.group().lower() in FIRST_PERSON for w in said[start:end]):
            runs.append((said[start].start(), said[end - 1].end(), ""))
        start = end
    theirs = _grams(sources, QUOTED_RUN)
    for match in QUOTED.finditer(text):
        inner = _words(match.group(1) or match.group(2))
        first_person = any(w.group().lower() in FIRST_PERSON for w in inner)
        quoted = any(_gram(inner, i, QUOTED_RUN) in theirs for i in range(len(inner) - QUOTED_RUN + 1))
        if first_person or quoted:
            runs.append((match.start(), match.end(), ""))
    return [text[start:end].strip("\"' ") for start, end, _ in _outermost(runs)]


def _words(text: str) -> list[re.Match]:
    return list(WORD.finditer(text))


def _gram(words: list[re.Match], start: int, size: int = RUN) -> tuple[str, ...]:
    return tuple(w.group().lower() for w in words[start : start + size])


def _grams(sources: Iterable[str], size: int) -> set[tuple[str, ...]]:
    """Every run of `size` words in the patient's texts."""
    found: set[tuple[str, ...]] = set()
    for source in sources:
        words = [w.group().lower() for w in _words(normalise(source))]
        found.update(tuple(words[i : i + size]) for i in range(len(words) - size + 1))
    return found
