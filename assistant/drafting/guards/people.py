"""Who a draft names, read as a person reads it: look-alike letters, hidden characters, width and
accents make no difference ("Nоra" with a Cyrillic о is Nora). A name is a capitalised word; a
first name that is also a common word ("Hope you are well", "Grace") names someone at the start of
a sentence only when a person's verb follows ("Hope loved hers"). The people of the patient's own
record (a friend she referred, a relative in a note, her provider) are found here too."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.domain.names import WORD, fold, name_keys
from assistant.drafting.brief import Brief, Grounds, aliases
from assistant.drafting.guards.figures import MONTHS, WEEKDAYS
from assistant.drafting.guards.lexicon import Policy

OPENS = re.compile(r"(?:^|[.!?:;\n]|[\n.!?]\s*[\"'(])\s*$")
"""What comes before the first word of a sentence (or of a line)."""
INITIALS = re.compile(r"(?<![\w.])([A-Z])(?:\.\s*|\s+)(?:[A-Z]\.\s*)?$")
"""Initials just before a surname ("L. Cohen", "J Smith", "J. R. Smith")."""
TITLE = re.compile(r"\b([^\W\d_]+)\.?\s+$")
CALENDAR = frozenset(MONTHS) | frozenset(WEEKDAYS) | frozenset(d[:3] for d in WEEKDAYS)


@dataclass(frozen=True, slots=True)
class Word:
    """A word of the draft that may be a name."""

    text: str
    key: str
    start: int
    end: int
    opens: bool
    """It begins a sentence or a line, or stands in a title-case line ("Your Skin Care Plan")."""


def words(text: str) -> list[Word]:
    """The capitalised words of a text (already `plain`), possessives dropped ("Nora's")."""
    titled = _title_lines(text)
    found = []
    for match in WORD.finditer(text):
        word = re.sub(r"'s$", "", match.group())
        if not word[:1].isupper():
            continue
        opens = bool(OPENS.search(text[: match.start()])) or _line_of(text, match.start()) in titled
        found.append(Word(word, fold(word), match.start(), match.end(), opens))
    return found


def _title_lines(text: str) -> set[int]:
    """The lines (by number) where most words of four letters or more are capitalised."""
    titled = set()
    for number, line in enumerate(text.split("\n")):
        long = [w for w in WORD.findall(line) if len(w) >= 4]
        if len(long) >= 3 and sum(w[0].isupper() for w in long) >= 0.7 * len(long):
            titled.add(number)
    return titled


def _line_of(text: str, at: int) -> int:
    return text.count("\n", 0, at)


def follows(text: str, word: Word, policy: Policy) -> bool:
    """Whether a person's verb follows the word within two words ("Hope loved", "Grace, who")."""
    after = [fold(w) for w in WORD.findall(text[word.end : word.end + 40])[:2]]
    return any(w in policy.person_verbs for w in after)


def named(text: str, word: Word, policy: Policy) -> bool:
    """Whether a capitalised word reads as a name: a common word that opens a sentence does only
    with a person's verb after it."""
    common = word.key in policy.name_words or word.key in policy.stopwords or word.key in policy.common_words
    return not (common and word.opens) or follows(text, word, policy)


def initial_before(text: str, word: Word) -> str:
    """The initials written just before a surname ("L.", "J"), or "" (a bare "I" or "A" is a
    word, not an initial)."""
    found = INITIALS.search(text[max(0, word.start - 8) : word.start])
    if found is None or (found.group(1) in "IA" and "." not in found.group()):
        return ""
    return found.group().strip()


def title_before(text: str, word: Word, policy: Policy) -> bool:
    """Whether a title comes just before the word ("Ms. Haddad", "Dr Kim")."""
    before = TITLE.search(text[max(0, word.start - 14) : word.start])
    return before is not None and fold(before.group(1)) in policy.titles


def next_word(words_: list[Word], index: int, text: str) -> Word | None:
    """The word right after this one, with only spaces between."""
    if index + 1 >= len(words_):
        return None
    after = words_[index + 1]
    return after if not text[words_[index].end : after.start].strip() else None


def not_names(brief: Brief, grounds: Grounds) -> frozenset[str]:
    """Keys never read as another person: the patient's own first name, the coordinator's and
    the practice's words, months and weekdays, and the words of the menu's names."""
    menu = " ".join(a for s in grounds.menu for a in aliases(s))
    return _keys_of(f"{brief.coordinator} {brief.practice} {menu}") | name_keys(brief.first_name) | CALENDAR


@lru_cache(maxsize=256)
def _keys_of(text: str) -> frozenset[str]:
    return frozenset(fold(w) for w in WORD.findall(text))


def record_people(grounds: Grounds, policy: Policy) -> dict[str, str]:
    """The people of the patient's record, by name key: the grounds' other people (referred
    friends, providers) and anyone a note names after a relation ("her sister Maria Lopez")."""
    names = [*grounds.other_people, *_relatives(grounds.record, policy.relations)]
    found: dict[str, str] = {}
    for name in names:
        for word in WORD.findall(name):
            key = fold(word)
            if word[0].isupper() and key not in policy.titles and key not in policy.stopwords:
                found.setdefault(key, word)
    return found


@lru_cache(maxsize=256)
def _relatives(record: str, relations: tuple[str, ...]) -> tuple[str, ...]:
    if not relations:
        return ()
    said = "|".join(re.escape(r).replace(r"\ ", r"\s+") for r in sorted(relations, key=len, reverse=True))
    pattern = re.compile(
        rf"(?i:\b(?:{said}))(?:'s)?\b[,:]?\s+(?i:(?:named|called)\s+)?([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)"
    )
    return tuple(m.group(1) for m in pattern.finditer(record))
