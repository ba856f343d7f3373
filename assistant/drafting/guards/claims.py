"""Claims a draft makes about what a treatment does, what it leads to and when, and whether the
practice's own pages support them.

A claim is found by its grammar, not by sample sentences: a treatment, the offer, its results or
"people" doing something (an effect verb in verb position), "you" being told of an outcome after
a modal ("you will see", "your skin can look smoother"), or certainty ("for good"). The practice
doing something ("we will keep you posted"), the patient's own record ("you told us ..."),
greetings, prices and logistics are not claims. A claim is supported when its effect words, its
timeframes and counts, and enough of its other words are in what the pages say about the service
it is about, or (with a `Meaning`) when its other words or the whole clause are close in meaning
to the pages'. Certainty is never supported. Cue words and thresholds are data (`claims` in
`knowledge/guards.json`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.drafting.guards.base import Meaning
from assistant.drafting.guards.figures import DAY_MONTH, ISO_DATE, MONTH_DAY, SLASH_DATE
from assistant.drafting.guards.leftovers import DOMAIN_PATH, URL
from assistant.drafting.guards.lexicon import NEGATION, ClaimWords, Phrases, whole_words
from assistant.drafting.guards.spans import DAY, Span, Spans
from assistant.drafting.guards.wording import clauses, forms, sentences, stem, words

NEVER = re.compile(r"(?!)")
QUOTED = re.compile(r'"[^"\n]*"')
PRONOUNS = frozenset({"it", "they", "these", "those", "this", "that", "which", "each"})
YOU = frozenset({"you", "your", "yourself"})
DETERMINERS = frozenset({"the", "a", "an", "your", "our", "my", "their", "his", "her", "its"})
COPULAS = frozenset({"is", "are", "was", "were", "be", "been", "being", "am"})
NOT_PLURAL = frozenset(
    {"is", "was", "has", "does", "us", "this", "its", "his", "yes", "plus", "as", "always"}
)


@dataclass(frozen=True, slots=True)
class Said:
    """What the practice's own pages say about one service: the name a person reads, the names a
    draft may call it by, and the texts."""

    name: str
    names: tuple[str, ...]
    texts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Claim:
    sentence: str
    clause: str
    tokens: tuple[str, ...]
    """Its words, up to the patient's own words if it quotes them ("... you mentioned")."""
    keys: tuple[str, ...]
    """Its effect and outcome words: each must be in the pages."""
    certain: str
    """The guarantee-like certainty it carries, if any."""
    absent: tuple[str, ...] = ()
    """What it says there is none of ("no downtime"): the pages must say so."""
    compared: tuple[str, ...] = ()
    """Its comparisons ("as good as"): the pages must make them."""


@dataclass(frozen=True, slots=True)
class Unsupported:
    sentence: str
    about: str
    reason: str


@dataclass(frozen=True, slots=True)
class Support:
    """Texts read for support: their stems, their spans (each with the stems of the clause that
    states it: what the span is about), their sentences and their words (for meaning)."""

    stems: frozenset[str]
    text: str
    """Its words, lowercase, one space apart."""
    absent: frozenset[str]
    """What it says there is none (or little) of."""
    spans: tuple[tuple[Span, frozenset[str]], ...]
    sentences: tuple[str, ...]
    words: tuple[str, ...]


@dataclass(slots=True)
class Verdict:
    claim: Claim
    about: str
    support: Support
    reason: str = ""
    uncovered: list[str] = field(default_factory=list)
    """Ordinary words the pages do not have, when they alone fail the claim."""
    needed: int = 0
    """How many of them meaning must cover for the claim to pass."""


class Claims:
    """Finds the claims of a text and says which the practice's pages do not support."""

    def __init__(self, words: ClaimWords, stopwords: frozenset[str], meaning: Meaning | None = None) -> None:
        self.words = words
        self.meaning = meaning
        self.stopwords = stopwords | words.filler | words.people | words.modals | words.adverbs
        self.spans = Spans(words, self.stopwords)
        self.effects = forms(words.effects)
        self.light = forms(words.light)
        self.outcomes = forms(words.outcomes)
        self.people_outcomes = forms(words.people_outcomes)
        self.outcome_nouns = frozenset(stem(w) for w in words.outcome_nouns)
        self.synonyms: dict[str, frozenset[str]] = {}
        for group in words.synonyms:
            stems = frozenset(stem(w) for w in group)
            for s in stems:
                self.synonyms[s] = self.synonyms.get(s, frozenset()) | stems
        self._supports: dict[tuple[str, ...], Support] = {}
        nouns = "|".join(re.escape(w) for w in sorted(words.absences, key=len, reverse=True))
        self.absent = (
            re.compile(rf"\b(?:no|without|zero|free of)\s+(?:\w+\s+)?({nouns})\b") if nouns else NEVER
        )

    # Finding claims ----------------------------------------------------------------------------

    def find(self, text: str, names: Iterable[str] = ()) -> list[Claim]:
        """The claim clauses of a text. `names` are the services' names: each is read as "it"
        (the subject "Body contouring" is a treatment, not the verb "contour"). Quoted words are
        someone's own ("in your words: ..."), not the practice's claims."""
        named = _named(tuple(sorted(set(names), key=len, reverse=True)))
        found = []
        for sentence in sentences(_unlinked(_undated(QUOTED.sub(" ", text)))):
            for clause in clauses(sentence):
                claim = self._claim(sentence, clause, named)
                if claim is not None:
                    found.append(claim)
        return found

    def _claim(self, sentence: str, clause: str, named: re.Pattern | None) -> Claim | None:
        every = words(named.sub(" it ", clause) if named else clause)
        joined = " ".join(every)
        tokens = tuple(every[: _start(self.words.record, joined)])
        own = " ".join(tokens)
        said_at, certain = _first(self.words.certainty, own)
        if certain and NEGATION.search(own[max(0, said_at - 45) : said_at]):
            certain = ""
        cues = self._cues(tokens)
        at, absolute = _first(self.words.absolutes, own)
        absent = tuple(m.group(1) for m in self.absent.finditer(own))
        compared = tuple(_found(self.words.comparisons, own))
        if not (
            cues
            or certain
            or absent
            or compared
            or (absolute and self._absolute(tokens, own[:at].count(" ")))
            or self._promised(tokens)
        ):
            return None
        keys = [tokens[at] for at in cues if tokens[at] in self.effects and tokens[at] not in self.light]
        keys += [t for t in tokens if t in self.words.results]
        return Claim(
            sentence, clause, tokens, tuple(dict.fromkeys(keys)), certain or absolute, absent, compared
        )

    def _cues(self, tokens: tuple[str, ...]) -> list[int]:
        """Where the clause says what a treatment does or what "you" will get."""
        cues: list[int] = []
        for at, token in enumerate(tokens):
            effect = token in self.effects and self._effect(tokens, at, bool(cues))
            if effect or self._outcome(tokens, at):
                cues.append(at)
        return cues

    def _effect(self, tokens: tuple[str, ...], at: int, after_cue: bool) -> bool:
        token = tokens[at]
        before = tokens[at - 1] if at else ""
        if token in self.words.effects and not self._verb_after(before, after_cue):
            return False
        if token not in self.words.effects and (before in DETERMINERS or before in COPULAS):
            return False
        subject = self._subject(tokens, at)
        if subject == "practice" or self._desired(tokens, at):
            return False
        return subject != "you" or self._modal_before(tokens, at)

    def _verb_after(self, before: str, after_cue: bool) -> bool:
        """Whether a base-form word ("repair", "last") stands where a verb would."""
        w = self.words
        return (
            before in w.modals
            or before in w.adverbs
            or before in PRONOUNS
            or before in YOU
            or before in w.people
            or (after_cue and before in ("and", "or"))
            or (len(before) > 3 and before.endswith("s") and before not in NOT_PLURAL)
        )

    def _outcome(self, tokens: tuple[str, ...], at: int) -> bool:
        token = tokens[at]
        is_result = token in self.words.results and self._modal_before(tokens, at)
        if token not in self.outcomes and token not in self.people_outcomes and not is_result:
            return False
        subject = self._subject(tokens, at)
        if subject == "practice" or self._desired(tokens, at) or self._logistics(tokens):
            return False
        if subject == "people":
            return True
        if token in self.people_outcomes:
            return False
        return is_result or (subject == "you" and self._modal_before(tokens, at))

    def _absolute(self, tokens: tuple[str, ...], at: int) -> bool:
        """ "members never wait": an absolute said of the treatment, its results, you or people."""
        return self._subject(tokens, at) != "practice" and not self._logistics(tokens)

    def _promised(self, tokens: tuple[str, ...]) -> bool:
        """ "You could be back in your jeans after two sessions": you, a modal and a timeframe
        or a count, unless it is logistics ("you can book in two weeks")."""
        you = [at for at, t in enumerate(tokens) if t in YOU]
        return (
            any(t in self.words.modals for at in you for t in tokens[at + 1 : at + 3])
            and not any(t in self.words.desires for t in tokens)
            and not self._logistics(tokens)
            and bool(self.spans.of(tokens))
        )

    def _logistics(self, tokens: tuple[str, ...]) -> bool:
        """ "You will find the link below": logistics, unless it also says what a treatment does."""
        return any(t in self.words.logistics for t in tokens) and not any(t in self.effects for t in tokens)

    def _subject(self, tokens: tuple[str, ...], at: int) -> str:
        """Who does it: "practice" (we, the team), "you", "people", or "it" (the treatment)."""
        for token in reversed(tokens[:at]):
            if token in self.words.practice:
                return "practice"
            if token in YOU:
                return "you"
            if token in self.words.people:
                return "people"
            if token in PRONOUNS:
                return "it"
        return "it"

    def _modal_before(self, tokens: tuple[str, ...], at: int) -> bool:
        return any(t in self.words.modals for t in tokens[max(0, at - 4) : at])

    def _desired(self, tokens: tuple[str, ...], at: int) -> bool:
        """ "If you would like to see ..." wishes; it does not promise."""
        return any(t in self.words.desires for t in tokens[max(0, at - 3) : at])

    # Judging them ------------------------------------------------------------------------------

    def check(
        self,
        text: str,
        offer: Said,
        others: Sequence[Said] = (),
        context: Sequence[str] = (),
        numbers: frozenset[float] = frozenset(),
    ) -> list[Unsupported]:
        """The claims of `text` that what the pages say about `offer` (and about each service of
        `others` a claim names) does not support. `context` (the patient's record, names) may
        cover a claim's ordinary words, never its effects or timeframes; `numbers` (those the
        record grounds) may be the counts it states ("now that you are down 21 pounds")."""
        claims = self.find(text, [*offer.names, *(n for s in others for n in s.names)])
        if not claims:
            return []
        known = self._support(tuple(context))
        names = frozenset(stem(w) for n in offer.names for w in words(n))
        verdicts = []
        for claim in claims:
            about = [offer, *(s for s in others if _names(claim.clause, s.names))]
            verdict = Verdict(
                claim,
                " and ".join(s.name for s in about),
                self._support(tuple(t for s in about for t in s.texts) + offer.names),
            )
            self._judge(verdict, known, names, numbers)
            verdicts.append(verdict)
        self._by_meaning([v for v in verdicts if v.needed])
        return [Unsupported(v.claim.sentence, v.about, v.reason) for v in verdicts if v.reason]

    def _judge(
        self, verdict: Verdict, known: Support, names: frozenset[str], numbers: frozenset[float]
    ) -> None:
        """Sets why the claim is not supported, if it is not; or, when only its ordinary words
        fall short, which of them meaning must cover."""
        claim, support = verdict.claim, verdict.support
        if claim.certain:
            verdict.reason = f"certainty '{claim.certain}' is never supported"
            return
        spans = self.spans.of(claim.tokens)
        spanned = {w for span in spans for w in span.text.split()}
        content = [t for t in claim.tokens if self._content(t) and t not in spanned]
        topic = frozenset(stem(t) for t in claim.tokens if t in self.light) | {stem(t) for t in content}
        if any(
            t in self.outcomes or t in self.people_outcomes or t in self.words.results for t in claim.tokens
        ):
            topic |= self.outcome_nouns
        for span in spans:
            counted = span.unit != DAY and {span.low, span.high} <= numbers
            if not counted and not self.spans.stated(span, support.spans, topic - names):
                kind = "timeframe" if span.unit == DAY else "number"
                verdict.reason = f"{kind} '{span.text}' not supported"
                return
        unsaid = [f"no {a}" for a in claim.absent if a not in support.absent]
        unsaid += [c for c in claim.compared if not whole_words(c).search(support.text)]
        if unsaid:
            verdict.reason = f"'{unsaid[0]}' is not what the pages say"
            return
        missing = [k for k in claim.keys if not self._covered(stem(k), support.stems)]
        if missing:
            verdict.reason = f"'{missing[0]}' is not what the pages say it does"
            return
        uncovered = [t for t in content if not self._covered(stem(t), support.stems | known.stems)]
        needed = len(uncovered) - int(len(content) * (1 - self.words.coverage) + 1e-9)
        if needed > 0:
            verdict.uncovered, verdict.needed = uncovered, needed
            verdict.reason = f"its wording is not in the pages ({', '.join(dict.fromkeys(uncovered))})"

    def _by_meaning(self, verdicts: list[Verdict]) -> None:
        """Claims short only on words pass when meaning covers enough of those words (each close
        to one of the pages' words) or the clause is close to one of the pages' sentences; one
        batch of similarities per draft."""
        if not verdicts or self.meaning is None:
            return
        texts = list(dict.fromkeys(t for v in verdicts for t in [v.claim.clause, *v.uncovered]))
        references = list(
            dict.fromkeys(r for v in verdicts for r in (*v.support.sentences, *v.support.words))
        )
        rows = dict(zip(texts, self.meaning.similarities(texts, references), strict=True))
        column = {r: n for n, r in enumerate(references)}
        for verdict in verdicts:
            said = [column[s] for s in verdict.support.sentences]
            vocabulary = [column[w] for w in verdict.support.words]
            close = max((rows[verdict.claim.clause][n] for n in said), default=0.0)
            covered = sum(
                1
                for w in verdict.uncovered
                if max((rows[w][n] for n in vocabulary), default=0.0) >= self.words.word_similarity
            )
            if close >= self.words.similarity or covered >= verdict.needed:
                verdict.reason = ""

    def _content(self, token: str) -> bool:
        return token.isalpha() and len(token) > 2 and token not in self.stopwords and token not in YOU

    def _covered(self, word: str, stems: frozenset[str]) -> bool:
        return word in stems or bool(self.synonyms.get(word, frozenset()) & stems)

    def _support(self, texts: tuple[str, ...]) -> Support:
        found = self._supports.get(texts)
        if found is None:
            found = self._read(texts)
            if len(self._supports) > 4096:
                self._supports.clear()
            self._supports[texts] = found
        return found

    def _read(self, texts: tuple[str, ...]) -> Support:
        said = sentences("\n".join(texts))
        parts = [tuple(words(c)) for sentence in said for c in clauses(sentence)]
        stems = [frozenset(stem(t) for t in part) for part in parts]
        spans = tuple((span, s) for part, s in zip(parts, stems, strict=True) for span in self.spans.of(part))
        vocabulary = dict.fromkeys(t for part in parts for t in part if self._content(t))
        text = " ".join(t for part in parts for t in part)
        absent = frozenset(m.group(1) for m in self.absent.finditer(text))
        return Support(frozenset().union(*stems), text, absent, spans, tuple(said), tuple(vocabulary))


def _unlinked(text: str) -> str:
    """The text without its web addresses, the sentence's closing stop kept: a link is where
    to book, no claim (which links may appear is the privacy guard's to judge)."""
    for pattern in (URL, DOMAIN_PATH):
        text = pattern.sub(lambda m: " " + m.group()[len(m.group().rstrip(".,;:!?)'\"")) :], text)
    return text


def _undated(text: str) -> str:
    """The text without its dates ("renews Dec 1"): a date is the record's, held against it by
    the grounding guard, never a number a claim makes."""
    for pattern in (MONTH_DAY, DAY_MONTH, ISO_DATE, SLASH_DATE):
        text = pattern.sub(" ", text)
    return text


def _matches(phrases: Phrases, text: str) -> list[int]:
    return sorted(m.start() for _, pattern in phrases.patterns for m in pattern.finditer(text))


def _found(phrases: Phrases, text: str) -> list[str]:
    return [m.group() for _, pattern in phrases.patterns for m in pattern.finditer(text)]


def _first(phrases: Phrases, text: str) -> tuple[int, str]:
    """Where the first phrase found starts, and what it says; (0, "") when none is."""
    found = sorted((m.start(), m.group()) for _, pattern in phrases.patterns for m in pattern.finditer(text))
    return found[0] if found else (0, "")


def _start(phrases: Phrases, text: str) -> int:
    """The index of the first word of the first phrase found; past the end when none is."""
    starts = _matches(phrases, text)
    return text[: starts[0]].count(" ") if starts else len(text.split())


@lru_cache(maxsize=256)
def _named(names: tuple[str, ...]) -> re.Pattern | None:
    if not names:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE)


def _names(text: str, names: Sequence[str]) -> bool:
    return any(whole_words(n).search(text) for n in names)
