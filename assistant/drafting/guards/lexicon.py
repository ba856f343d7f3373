"""The words the guards look for: phrase lists from `knowledge/guards.json` with their limits,
and whole-word matching that every guard (and the eval reader) shares."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

NEGATION = re.compile(
    r"\b(?:no|not|never|without|n't)\s+(?:\w+\s+){0,2}$|n't\s+(?:\w+\s+){0,2}$", re.IGNORECASE
)


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
                if negatable and NEGATION.search(text[max(0, match.start() - 30) : match.start()]):
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


COVERAGE = 0.75
SIMILARITY = 0.8
WORD_SIMILARITY = 0.7


@dataclass(frozen=True, slots=True)
class ClaimWords:
    """The cue words of claims (`claims` in `knowledge/guards.json`; its `_about` says how they are
    read). Word lists hold lowercase words; `synonyms` maps a word to its group."""

    effects: frozenset[str] = frozenset()
    light: frozenset[str] = frozenset()
    outcomes: frozenset[str] = frozenset()
    people_outcomes: frozenset[str] = frozenset()
    people: frozenset[str] = frozenset()
    results: frozenset[str] = frozenset()
    outcome_nouns: frozenset[str] = frozenset()
    modals: frozenset[str] = frozenset()
    adverbs: frozenset[str] = frozenset()
    desires: frozenset[str] = frozenset()
    practice: frozenset[str] = frozenset()
    logistics: frozenset[str] = frozenset()
    filler: frozenset[str] = frozenset()
    frequency: frozenset[str] = frozenset()
    sessions: frozenset[str] = frozenset()
    span_words: frozenset[str] = frozenset()
    absences: tuple[str, ...] = ()
    certainty: Phrases = field(default_factory=lambda: Phrases.of([]))
    absolutes: Phrases = field(default_factory=lambda: Phrases.of([]))
    comparisons: Phrases = field(default_factory=lambda: Phrases.of([]))
    record: Phrases = field(default_factory=lambda: Phrases.of([]))
    immediate: Phrases = field(default_factory=lambda: Phrases.of([]))
    overnight: Phrases = field(default_factory=lambda: Phrases.of([]))
    synonyms: tuple[frozenset[str], ...] = ()
    numbers: dict[str, float] = field(default_factory=dict)
    time_numbers: dict[str, float] = field(default_factory=dict)
    multipliers: dict[str, float] = field(default_factory=dict)
    vague: dict[str, tuple[float, float]] = field(default_factory=dict)
    units: dict[str, float] = field(default_factory=dict)
    coverage: float = COVERAGE
    similarity: float = SIMILARITY
    word_similarity: float = WORD_SIMILARITY

    @classmethod
    def from_lexicon(cls, words: dict) -> ClaimWords:
        sets = (
            "effects",
            "light",
            "outcomes",
            "people_outcomes",
            "people",
            "results",
            "outcome_nouns",
            "modals",
            "adverbs",
            "desires",
            "practice",
            "logistics",
            "filler",
            "frequency",
            "sessions",
            "span_words",
        )
        phrases = ("certainty", "absolutes", "comparisons", "record", "immediate", "overnight")
        lists: dict[str, Any] = {name: frozenset(w.lower() for w in words.get(name, [])) for name in sets}
        lists |= {name: Phrases.of(words.get(name, [])) for name in phrases}
        return cls(
            **lists,
            absences=tuple(w.lower() for w in words.get("absences", [])),
            synonyms=tuple(frozenset(w.lower() for w in group) for group in words.get("synonyms", [])),
            numbers={k.lower(): float(v) for k, v in words.get("numbers", {}).items()},
            time_numbers={k.lower(): float(v) for k, v in words.get("time_numbers", {}).items()},
            multipliers={k.lower(): float(v) for k, v in words.get("multipliers", {}).items()},
            vague={k.lower(): (float(v[0]), float(v[1])) for k, v in words.get("vague", {}).items()},
            units={k.lower(): float(v) for k, v in words.get("units", {}).items()},
            coverage=float(words.get("coverage", COVERAGE)),
            similarity=float(words.get("similarity", SIMILARITY)),
            word_similarity=float(words.get("word_similarity", WORD_SIMILARITY)),
        )


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
    moment_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per moment, words that speak to what the patient just did (their feedback, their visit)."""
    discreet_care: tuple[str, ...] = ()
    """How a message may name sensitive care discreetly ("the program", "the plan")."""
    sensitive_terms: Phrases = Phrases(())
    """Words that name sensitive care whatever the menu calls it: never on a lock screen."""
    clinical_measures: Phrases = Phrases(())
    """What a clinical value is a value of (BMI, A1C, a dose): with a number, a measurement."""
    claims: ClaimWords = field(default_factory=ClaimWords)

    @classmethod
    def from_lexicon(cls, lexicon: dict) -> Policy:
        lists = (
            "urgency",
            "guilt_fear",
            "pressure",
            "guarantees",
            "medical_claims",
            "discounts",
            "polite_free",
            "generic",
            "salesy",
            "treatments",
            "sensitive_terms",
            "clinical_measures",
        )
        return cls(
            limits=dict(lexicon["limits"]),
            acronyms=frozenset(a.upper() for a in lexicon.get("acronyms", [])),
            stopwords=frozenset(w.lower() for w in lexicon.get("stopwords", [])),
            common_words=frozenset(w.lower() for w in lexicon.get("common_words", [])),
            moment_words={m: tuple(words) for m, words in lexicon.get("moment_words", {}).items()},
            discreet_care=tuple(lexicon.get("discreet_care", [])),
            claims=ClaimWords.from_lexicon(lexicon.get("claims", {})),
            **{name: Phrases.of(lexicon.get(name, [])) for name in lists},
        )


def normalise(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')


def contains(haystack: str, phrase: str) -> bool:
    """Whole-word, case-insensitive: "Botox" is in "your Botox visit", "lb" is not in "lbs"."""
    return whole_words(phrase).search(haystack) is not None


@lru_cache(maxsize=4096)
def whole_words(phrase: str) -> re.Pattern:
    """The phrase as a whole-word, case-insensitive pattern, any run of spaces between words."""
    words = r"\s+".join(re.escape(w) for w in phrase.split())
    return re.compile(r"(?<!\w)" + words + r"(?!\w)", re.IGNORECASE)
