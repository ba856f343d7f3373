"""The words the guards look for: phrase lists from `knowledge/guards.json` with their limits,
and whole-word matching that every guard (and the eval reader) shares."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

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
            "discounts",
            "polite_free",
            "generic",
            "salesy",
            "treatments",
        )
        return cls(
            limits=dict(lexicon["limits"]),
            acronyms=frozenset(a.upper() for a in lexicon.get("acronyms", [])),
            stopwords=frozenset(w.lower() for w in lexicon.get("stopwords", [])),
            common_words=_words(lexicon, "common_words"),
            name_words=_words(lexicon, "name_words"),
            person_verbs=_words(lexicon, "person_verbs"),
            relations=tuple(lexicon.get("relations", [])),
            titles=_words(lexicon, "titles"),
            link_domains=tuple(lexicon.get("link_domains", [])),
            treatment_nouns=tuple(lexicon.get("treatment_nouns", [])),
            count_nouns=tuple(lexicon.get("count_nouns", [])),
            **{name: Phrases.of(lexicon.get(name, [])) for name in (*lists, *PHRASE_LISTS)},
        )


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
