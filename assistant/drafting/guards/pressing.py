"""Pressure in any phrasing, as patterns over the parts of a clause: a limited supply said to run
out (scarcity), a date an offer or a decision is held to (deadline), a push to decide fast
(prodding), and telling the patient what they must buy or book (obligation).

Each part is a class of words in `guards.json` "pressing"; what counts is how the parts stand to
each other in one clause. A negation just before them ("no need to decide today") or a condition
("if you need to reschedule") takes the pressure away; so do the patient's own things ("your
schedule is full") and the record's own dates ("your renewal on December 10")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.drafting.guards.figures import DAY_MONTH, MONTH_DAY, MONTHS
from assistant.drafting.guards.lexicon import Phrases, WordClasses, widest

SENTENCE = re.compile(r"[^.!?;\n]+")
CLAUSE = re.compile(
    r"[^,:()\u2013\u2014]+?(?=[,:()\u2013\u2014]|\s-\s|\b(?:but|though|although|however|yet)\b|$)"
)
"""A clause ends at a comma, a colon, a dash or a bracket, or before "but", "though" or "yet"."""
WORD = re.compile(r"[\w'$%]+")
NEAR = 5
"""How many words apart two parts of one pattern may stand."""


@dataclass(frozen=True, slots=True)
class Pressed:
    """One piece of pressure: its kind (scarcity, deadline, prodding, obligation) and its words."""

    kind: str
    said: str
    at: int


Piece = tuple[str, str, int]
"""(kind, words, position) of one piece of pressure in a clause."""


@dataclass(frozen=True, slots=True)
class Clause:
    """A clause, where it starts in the text, and the sentence it is part of."""

    text: str
    at: int
    sentence: str

    def words_before(self, at: int, count: int) -> str:
        return " ".join(WORD.findall(self.text[:at].lower())[-count:])

    def words_after(self, end: int, count: int) -> str:
        return " ".join(WORD.findall(self.text[end:].lower())[:count])


def pressed(text: str, words: WordClasses, record_dates: set[tuple[int, int]] | None = None) -> list[Pressed]:
    """Every piece of pressure in the text; `record_dates` are the (month, day) dates of the
    patient's record, which are facts, never deadlines."""
    reader = Reader(words, record_dates or set())
    found: list[Piece] = []
    for clause in clauses(text):
        for rule in (reader.scarcity, reader.deadlines, reader.prodding, reader.obligations):
            found += [(kind, said, clause.at + at) for kind, said, at in rule(clause)]
    return [Pressed(*piece) for piece in widest(found)]


def clauses(text: str) -> Iterator[Clause]:
    for sentence in SENTENCE.finditer(text):
        for clause in CLAUSE.finditer(sentence.group()):
            if clause.group().strip():
                yield Clause(clause.group(), sentence.start() + clause.start(), sentence.group())


class Reader:
    """The four patterns over one clause, from the word classes."""

    def __init__(self, words: WordClasses, record_dates: set[tuple[int, int]]) -> None:
        self.words = words
        self.record_dates = record_dates

    # What takes the pressure away --------------------------------------------------------------

    def negated(self, clause: Clause, at: int) -> bool:
        """A negation among the few words before: "no need to", "aren't", "nothing to"."""
        near = clause.words_before(at, 4)
        return bool(self.words["negators"].find(near)) or "n't" in near

    def conditioned(self, clause: Clause, at: int) -> bool:
        return bool(self.words["conditions"].find(clause.text[:at]))

    def own(self, clause: Clause, at: int) -> bool:
        """The patient's own things ("your schedule", "you have two sessions left")."""
        return bool(self.words["own"].find(clause.words_before(at, 3)))

    def pushed(self, clause: Clause, at: int) -> bool:
        """Whether a decision is put to the patient: first in its clause ("book soon"), after
        joining words ("so book soon") or after words that put it to them ("you can", "best to",
        "I'd"); not the practice's own act ("we'll call you soon"), a noun ("your reply"), a
        negation, a condition, or a clause that says there is no hurry ("whenever")."""
        before = clause.words_before(at, 4)
        addressed = (
            not before
            or all(w in self.words["joiners"].phrases for w in before.split())
            or self.words["addressing"].ends(before)
        )
        return (
            addressed
            and not self.negated(clause, at)
            and not self.conditioned(clause, at)
            and not self.words["calm"].find(clause.text)
        )

    # The patterns ------------------------------------------------------------------------------

    def scarcity(self, clause: Clause) -> list[Piece]:
        """A supply ("openings", "our calendar") with a sign that it runs out before it
        ("limited availability", "only a few spots") or after it ("spots are going fast"), or a
        sign that says it alone ("booked up", "snapped up")."""
        found = [
            ("scarcity", said, at)
            for _, said, at in self.words["scarcity_signs"].find(clause.text)
            if not self.negated(clause, at)
        ]
        for _, supply, at in self.words["supply"].find(clause.text):
            if not self.own(clause, at):
                found += self._signs_before(clause, at, at + len(supply))
                found += self._signs_after(clause, at, at + len(supply))
        return found

    def _signs_before(self, clause: Clause, at: int, end: int) -> list[Piece]:
        """ "only a few openings"; not "it takes only one appointment"."""
        found = []
        for _, sign, sign_at in self.words["scarcity_before"].find(clause.text[:at]):
            close = len(WORD.findall(clause.text[sign_at + len(sign) : at])) <= 2
            takes = self.words["takes"].find(clause.words_before(sign_at, 2))
            if close and not takes and not self.negated(clause, sign_at):
                found.append(("scarcity", clause.text[sign_at:end], sign_at))
        return found

    def _signs_after(self, clause: Clause, at: int, end: int) -> list[Piece]:
        """ "openings are going fast"; not "plenty of openings left", "limited to 30 minutes"."""
        if self.words["abundance"].find(clause.words_before(at, 3)):
            return []
        found = []
        for _, sign, sign_at in self.words["scarcity_after"].find(clause.text[end:]):
            start = end + sign_at
            close = len(WORD.findall(clause.text[end:start])) <= 2 * NEAR
            aimed = clause.words_after(start + len(sign), 1) == "to"
            if close and not aimed and not self.negated(clause, start):
                found.append(("scarcity", clause.text[at : start + len(sign)], at))
        return found

    def deadlines(self, clause: Clause) -> list[Piece]:
        """A marker and a time ("until Friday", "by the end of the month") that something ends
        at, or that an offer or a decision is held to; an offer said to go away ("this rate won't
        last")."""
        found = []
        offered = bool(self.words["deadline_offers"].find(clause.sentence))
        for _, marker, at in self.words["deadline_markers"].find(clause.text):
            end = self._time_after(clause.text, at + len(marker))
            if end is None or self.negated(clause, at) or self.recorded(clause.text[at + len(marker) :]):
                continue
            ending = bool(self.words["deadline_endings"].find(marker))
            only = "only" in f"{clause.words_before(at, 1)} {clause.words_after(at, 5)}".split()
            if (ending and not self.own(clause, at)) or offered or only or self._decided_before(clause, at):
                found.append(("deadline", clause.text[at:end], at))
        if offered:
            found += [
                ("deadline", said, at)
                for _, said, at in self.words["deadline_limits"].find(clause.text)
                if not self.negated(clause, at)
            ]
        return found

    def prodding(self, clause: Clause) -> list[Piece]:
        """A push for speed: said alone ("sooner rather than later", "while you still can"), or
        a decision put to the patient and a speed ("let us know soon", "book this week")."""
        found = [
            ("prodding", said, at)
            for _, said, at in self.words["prodding"].find(clause.text)
            if not self.negated(clause, at)
        ]
        for _, verb, at in self.words["decisions"].find(clause.text):
            end = at + len(verb)
            speed = self._speed_after(clause.text, end, ("speed",), NEAR)
            if speed is not None and self.pushed(clause, at):
                found.append(("prodding", clause.text[at:speed], at))
        return found

    def obligations(self, clause: Clause) -> list[Piece]:
        """Telling the patient they must buy or book ("you need to book", "you have to try
        this", "you must start now"); not "all you need to do is reply", "if you need to
        reschedule", "do you need to", "you don't need to"."""
        found = []
        text = clause.text
        for _, said, at in self.words["obligations"].find(text):
            before = clause.words_before(at, 3)
            if (
                self.words["auxiliaries"].ends(before)
                or self.words["minimisers"].find(before)
                or self.conditioned(clause, at)
                or self._softened(said)
            ):
                continue
            pos = at + len(said)
            gap = self.words["intensifiers"].leading(text[pos:])
            if self.words["minimisers"].find(gap):
                continue
            pos += len(gap)
            pos += len(self.words["do_is"].leading(text[pos:]))
            end = _phrase_end(self.words["decisions"], text, pos) or _phrase_end(
                self.words["obligation_acts"], text, pos
            )
            end = end or self._speed_after(text, pos, ("speed", "urging"), 3)
            if end is not None:
                found.append(("obligation", text[at:end], at))
        return found

    # Parts -------------------------------------------------------------------------------------

    def _softened(self, obligation: str) -> bool:
        """ "you don't need to", "you just need to", "you would need to": no obligation put."""
        gap = " ".join(WORD.findall(obligation.lower())[1:-2])
        return "n't" in gap or any(
            self.words[name].find(gap) for name in ("negators", "minimisers", "auxiliaries")
        )

    def _decided_before(self, clause: Clause, at: int) -> bool:
        """A decision put to the patient ("let us know by Friday") or the patient's answer
        ("we'd love an answer by Friday") earlier in the clause."""
        decided = any(
            len(WORD.findall(clause.text[verb_at:at])) <= NEAR + 3 and self.pushed(clause, verb_at)
            for _, _, verb_at in self.words["decisions"].find(clause.text[:at])
        )
        return decided or any(
            len(WORD.findall(clause.text[answer_at:at])) <= NEAR + 3 and not self.negated(clause, answer_at)
            for _, _, answer_at in self.words["answers"].find(clause.text[:at])
        )

    def _speed_after(self, text: str, pos: int, classes: tuple[str, ...], within: int) -> int | None:
        """Where a speed ("soon", "this week") ends that follows `pos` within a few words."""
        for name in classes:
            for _, speed, at in self.words[name].find(text[pos:]):
                if len(WORD.findall(text[pos : pos + at])) <= within:
                    return pos + at + len(speed)
        return None

    def _time_after(self, text: str, pos: int) -> int | None:
        """Where the time ends that a marker is followed by, past a filler ("until next Friday",
        "ends on the 31st")."""
        end = _phrase_end(self.words["deadline_times"], text, pos)
        if end is None:
            filler = _phrase_end(self.words["deadline_fillers"], text, pos)
            end = _phrase_end(self.words["deadline_times"], text, filler) if filler else None
        return end

    def recorded(self, after: str) -> bool:
        """Whether the date a marker is followed by is a date of the patient's record (a fact,
        not a deadline)."""
        for pattern, month_group, day_group in ((MONTH_DAY, 1, 2), (DAY_MONTH, 2, 1)):
            found = pattern.search(after[:24])
            if found:
                date = (MONTHS[found.group(month_group).lower()[:3]], int(found.group(day_group)))
                return date in self.record_dates
        return False


def _phrase_end(phrases: Phrases, text: str, pos: int) -> int | None:
    """Where a phrase of the class ends that starts at `pos` (past spaces), if one does."""
    rest = text[pos:]
    found = phrases.at_start(rest)
    return pos + len(rest) - len(rest.lstrip()) + len(found) if found else None
