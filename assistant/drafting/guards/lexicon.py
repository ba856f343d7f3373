"""The words the guards look for: phrase lists from `knowledge/guards.json` with their limits,
and whole-word matching that every guard (and the eval reader) shares."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

VOWEL_ENDINGS = (
    "ing|ed|er|ers|ation|ations|ative|ive|able|ible|ion|ions|ity|ities|ic|al|is|ise|ised|ising|"
    "ize|ized|izing|ization"
)
ENDINGS = (
    "s|es|d|r|rs|ly|ment|ments|ness|tic|tics|e|ify|ifies|ified|ifying|ification|tion|tions|tional|"
    "ant|ants|ance|ence|ally|ical|ically|izes|ises|isation|" + VOWEL_ENDINGS
)
"""The endings a trailing `*` allows: inflections (-s, -ed, -ing, -er) and the common derivations
(-ment, -ly, -ion, -ation, -ive, -able, -ity, -ic, -ify, -ize); never a letter run that makes
another word ("heal" + "th")."""
NUMBER_TOKEN = r"\d[\d,]*(?:\.\d+)?(?:st|nd|rd|th)?"
NEGATION = re.compile(
    r"\b(?:no|not|never|without|n't|cannot)\s+(?:\w+\s+){0,5}$|n't\s+(?:\w+\s+){0,5}$", re.IGNORECASE
)
"""A negation up to five words before a phrase: "we can't promise any result is permanent"."""


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
                if negatable and NEGATION.search(text[max(0, match.start() - 45) : match.start()]):
                    continue
                found.append((phrase, match.group(), match.start()))
        return found

    @property
    def phrases(self) -> frozenset[str]:
        return frozenset(phrase.lower() for phrase, _ in self.patterns)

    def at_start(self, text: str) -> str | None:
        """The longest phrase the text starts with (past spaces), if any."""
        text = text.lstrip()
        found = [m.group() for _, pattern in self.patterns if (m := pattern.match(text))]
        return max(found, key=len) if found else None

    def leading(self, text: str) -> str:
        """The start of the text made of these phrases one after another ("really definitely"
        in "really definitely book"), spaces included."""
        taken = 0
        while (found := self.at_start(text[taken:])) is not None:
            taken = text.index(found, taken) + len(found)
        return text[:taken]

    def ends(self, text: str) -> bool:
        """Whether the text ends with one of these phrases."""
        text = text.rstrip()
        return any(m.end() == len(text) for _, pattern in self.patterns for m in pattern.finditer(text))


EMPTY = Phrases(())


@dataclass(frozen=True, slots=True)
class WordClasses:
    """Named classes of words and phrases (`guards.json` "pressing", "grants"), the parts that
    sentence patterns are made of; a class the lexicon lacks is empty."""

    classes: dict[str, Phrases]

    @classmethod
    def of(cls, table: dict) -> WordClasses:
        return cls({name: Phrases.of(words) for name, words in table.items() if isinstance(words, list)})

    def __getitem__(self, name: str) -> Phrases:
        return self.classes.get(name, EMPTY)


def _compile(phrase: str) -> re.Pattern:
    parts = [_token(token) for token in phrase.lower().split()]
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


def _token(token: str) -> str:
    """One word of a phrase: `*` alone is any one word, a leading `*` any beginning, a trailing
    `*` the word's endings (`_endings`), and `#` any number ("only # left", "save #%")."""
    if token == "*":
        return r"\S+"
    core = token.strip("*")
    body = NUMBER_TOKEN.join(re.escape(part) for part in core.split("#"))
    if token.endswith("*"):
        body = _endings(core) if core[-1:].isalpha() and "#" not in core else body + r"\S*"
    return (r"\S*" if token.startswith("*") else "") + body


def _endings(stem: str) -> str:
    """A stem with the endings of its inflections and derivations: "heal*" is heal, heals,
    healed, healing, healer, never healthy; "cure*" is cures, cured, curing, curative, never
    curious; a final e drops before a vowel, a final y turns to i, a final consonant may double."""
    forms = [re.escape(stem) + f"(?:{ENDINGS})?"]
    if stem.endswith("e"):
        forms.append(re.escape(stem[:-1]) + f"(?:{VOWEL_ENDINGS})")
    elif stem.endswith("y"):
        forms.append(re.escape(stem[:-1]) + "(?:ies|ied|ier|iers|ily|iness)")
    elif re.search(r"[^aeiou][aeiou][bdgklmnprt]$", stem):
        forms.append(re.escape(stem + stem[-1]) + "(?:ing|ed|er|ers)")
    return "(?:" + "|".join(forms) + ")"


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
    """Every free and price term of `grants`, for whoever only asks whether a text offers terms."""
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
    pressing: WordClasses = field(default_factory=lambda: WordClasses({}))
    """The parts of scarcity, deadlines, prodding and obligations (`guards/pressing.py`)."""
    grants: WordClasses = field(default_factory=lambda: WordClasses({}))
    """The parts of free and price terms (`guards/grants.py`)."""
    name_words: frozenset[str] = frozenset()
    person_verbs: frozenset[str] = frozenset()
    relations: tuple[str, ...] = ()
    titles: frozenset[str] = frozenset()
    placeholders: Phrases = Phrases(())
    link_domains: tuple[str, ...] = ()
    treatment_nouns: tuple[str, ...] = ()
    modalities: Phrases = Phrases(())
    offer_invitations: Phrases = Phrases(())
    offer_followers: Phrases = Phrases(())
    count_nouns: tuple[str, ...] = ()

    @classmethod
    def from_lexicon(cls, lexicon: dict) -> Policy:
        lists = (
            "urgency",
            "guilt_fear",
            "pressure",
            "guarantees",
            "medical_claims",
            "polite_free",
            "generic",
            "salesy",
            "treatments",
            "sensitive_terms",
            "clinical_measures",
        )
        table = lexicon.get("grants", {})
        terms = price_terms(table)
        return cls(
            limits=dict(lexicon["limits"]),
            acronyms=frozenset(a.upper() for a in lexicon.get("acronyms", [])),
            stopwords=frozenset(w.lower() for w in lexicon.get("stopwords", [])),
            common_words=_words(lexicon, "common_words"),
            moment_words={m: tuple(words) for m, words in lexicon.get("moment_words", {}).items()},
            discreet_care=tuple(lexicon.get("discreet_care", [])),
            claims=ClaimWords.from_lexicon(lexicon.get("claims", {})),
            pressing=WordClasses.of(lexicon.get("pressing", {})),
            grants=WordClasses.of({**table, "price_terms": terms}),
            discounts=Phrases.of([*table.get("free", []), *table.get("price", []), *terms]),
            name_words=_words(lexicon, "name_words"),
            person_verbs=_words(lexicon, "person_verbs"),
            relations=tuple(lexicon.get("relations", [])),
            titles=_words(lexicon, "titles"),
            link_domains=tuple(lexicon.get("link_domains", [])),
            treatment_nouns=tuple(lexicon.get("treatment_nouns", [])),
            count_nouns=tuple(lexicon.get("count_nouns", [])),
            **{name: Phrases.of(lexicon.get(name, [])) for name in (*lists, *PHRASE_LISTS)},
        )


def price_terms(table: dict) -> list[str]:
    """Each price word after each of its modifiers ("member pricing", "reduced rate")."""
    return [f"{m} {h}" for m in table.get("price_modifiers", []) for h in table.get("price_heads", [])]


def widest(found: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """Of the (phrase, matched text, position) found, one per stretch of text: the widest of
    those that overlap, in the order of the text."""
    kept: list[tuple[str, str, int]] = []
    for item in sorted(found, key=lambda f: (-len(f[1]), f[2])):
        _, said, at = item
        if all(at >= k_at + len(k_said) or k_at >= at + len(said) for _, k_said, k_at in kept):
            kept.append(item)
    return sorted(kept, key=lambda f: f[2])


PHRASE_LISTS = ("placeholders", "modalities", "offer_invitations", "offer_followers")
"""Lists added for other people, leftovers and second offers, searched like the others."""


def _words(lexicon: dict, key: str) -> frozenset[str]:
    return frozenset(w.lower() for w in lexicon.get(key, []))


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
