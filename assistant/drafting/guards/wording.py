"""How the claims check reads text: sentences, clauses, lowercase words and their stems. Drafts
and the practice's pages go through the same functions, so that they compare alike."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.drafting.guards.lexicon import normalise

SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\s*\n\s*")
CLAUSE_BREAK = re.compile(
    r"\s*[;:]\s+|\s+[\u2013\u2014-]+\s+|\s*\u2014\s*|,\s+(?=(?:and|but|so|while|which|because|though"
    r"|although|whereas|plus)\b)",
    re.IGNORECASE,
)
NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
TOKEN = re.compile(rf"\${NUMBER}|{NUMBER}%?|[a-z][a-z0-9+]*")
CONTRACTIONS = (
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bcan't\b"), "can not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'d\b"), " would"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"'m\b"), " am"),
    (re.compile(r"\b(it|that|there|here|what|who|he|she)'s\b"), r"\1 is"),
    (re.compile(r"'s\b"), ""),
)
SUFFIXES = (
    "ingly", "edly", "ations", "ation", "ments", "ment", "ings", "ness", "ions", "ion", "iest", "ies", "ied",
    "ier", "ily", "ing", "est", "ers", "er", "ed", "es", "en", "ly", "s",
)  # fmt: skip
Y_SUFFIXES = frozenset({"iest", "ies", "ied", "ier", "ily"})


def sentences(text: str) -> list[str]:
    """The sentences of a text: split at sentence ends and line breaks."""
    return [s.strip() for s in SENTENCE_END.split(normalise(text)) if s and s.strip()]


def clauses(sentence: str) -> list[str]:
    """A sentence's clauses: split at semicolons, colons, dashes and ", and"-like joints, so that
    a greeting or a wish before a claim is not read as part of it."""
    return [c.strip(" ,") for c in CLAUSE_BREAK.split(sentence) if c and c.strip(" ,")]


def words(text: str) -> list[str]:
    """Lowercase words and numbers, contractions expanded, "30-60" read as "30 to 60", "GLP-1" one
    word, "15 percent" as "15%", other hyphens and punctuation spaces."""
    text = normalise(text).lower()
    text = re.sub(r"(\d)\s*[-\u2013]\s*(\d)", r"\1 to \2", text)
    text = re.sub(r"([a-z])-(\d)", r"\1\2", text)
    text = re.sub(r"(\d)\s*(?:percent|per cent)\b", r"\1%", text)
    for pattern, replacement in CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return TOKEN.findall(text)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light stemmer: "firmer", "firms" and "firming" are "firm"; "tightening" is "tight". Both
    sides of every comparison are stemmed alike, so it only needs to be consistent."""
    for _ in range(2):
        word = _strip(word)
    return word


def _strip(word: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    base = word
    for suffix in SUFFIXES:
        if not word.endswith(suffix) or len(word) - len(suffix) < (4 if suffix == "en" else 3):
            continue
        if suffix == "s" and word.endswith(("ss", "us", "is")):
            return word
        base = word[: -len(suffix)] + ("y" if suffix in Y_SUFFIXES else "")
        break
    if base.endswith("e") and len(base) > 3:
        base = base[:-1]
    if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "aeiouylsz":
        base = base[:-1]
    return base


def forms(bases: frozenset[str]) -> frozenset[str]:
    """A verb list's regular forms: "firm" gives "firms", "firmed", "firming"."""
    found = set()
    for base in bases:
        found |= {base, base + "s", base + "es", base + "ed", base + "d", base + "ing"}
        if base.endswith("e"):
            found.add(base[:-1] + "ing")
        if base.endswith("y"):
            found |= {base[:-1] + "ies", base[:-1] + "ied"}
        if len(base) <= 4 and base[-1] not in "aeiouwy":
            found |= {base + base[-1] + "ed", base + base[-1] + "ing"}
    return frozenset(found)
