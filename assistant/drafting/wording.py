"""How the template drafter words what the brief holds: one phrasing per patient and line, names
and prices as they read mid-sentence, the menu's reason as a clause, the patient's goal in the
second person, and the signature. The phrasings themselves are in the templates (`prompts/`)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from assistant.drafting.brief import Brief, money, plain_name
from assistant.drafting.guards.lexicon import normalise


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


VERBS = _words(
    """
    add adjust age aid avoid balance be become begin boost brighten build calm carry change clean
    cleanse clear climb complement complete continue control cover cut dance deepen deliver do drop
    ease enhance enjoy extend fade feel fill finish firm fit fix focus follow gain get give glow
    go grow have help hide hike hit hold hydrate improve include increase keep last learn lessen lift
    lighten look lose lower maintain make manage match minimise minimize moisturise moisturize move
    nourish open pair perk plan play plump prepare prolong protect provide quit raise reach rebuild
    recover reduce refine refresh regain relax relieve remove renew repair replenish restore
    resurface return rid run see sculpt settle shape shed show sleep slim smooth soften soothe stay
    stop strengthen stretch support sustain swim take tighten tone top train travel trim turn walk
    wear work
    """
)
"""Base forms of verbs that goals and menu reasons start with; other words are judged by their
endings, and where neither tells, the text is left out rather than risk bad grammar."""

CHANGE_VERBS = _words("lose drop shed gain cut trim")
"""A goal with a number is repeated only as a change ("losing 50 pounds"), never a value ("160 lb")."""

DESCRIBING = _words("a an the more less fewer no some")
ADJECTIVES = _words("even clear smooth firm slim calm young lean tight bright soft full flat strong fit")
"""Words that describe as often as they act: "clear skin" is a wish, "clear my skin" a deed."""
PARTICLES = _words("up down out off back away into in on through rid over")
MASS = _words(
    """
    skin energy sleep focus confidence hair tone texture weight strength stamina mood health
    balance glow radiance volume definition muscle libido hydration posture fitness cellulite fat
    acne redness pigmentation elasticity firmness clarity motivation rest vitality recovery
    circulation digestion mobility memory wellbeing well-being
    """
)
"""Nouns that take no "a": "your goal of clearer skin", but "of a smoother forehead"."""
PLURALS = _words("feet teeth people children men women")
ADJECTIVE_ENDINGS = ("er", "est", "ing", "ed", "y", "ful", "al", "ous", "ive", "ic", "less", "ish", "ble")
DETERMINERS = _words("a an the your their its his her our this that these those every each more some any")
FINITE = _words("is are was were will would can could may might has have had does do did")
SUBORDINATE = _words(
    "once when while as after before until if because so since where that which who with without "
    "on in at for to from between during"
)
PRONOUNS = _words("it this they we you he she there")
PLAIN_WORD = re.compile(r"[A-Z][a-z]+(?:-[a-z]+)*")
VOWEL_SOUND = re.compile(
    r"(?i)(?:[aio]|e(?!u)|u(?!ni|s[eu]|ti|r[aeiou])|hour|honest|hono|heir|8|1[18](?!\d))"
)
WANTING = re.compile(
    r"^(?:i(?:'d|'m| am| would| really)?\s+(?:really\s+)?"
    r"(?:want|wanna|like|love|hope|hoping|need|plan|planning|wish|trying|try|aim|aiming)(?:\s+to)?\s+"
    r"|(?:my\s+)?(?:main\s+|new\s+|big\s+)?goal\s+is(?:\s+to)?\s+|goal:\s*|to\s+)",
    re.IGNORECASE,
)
SECOND_PERSON = tuple(
    (re.compile(rf"\b{mine}\b", re.IGNORECASE), yours)
    for mine, yours in (
        ("i'm", "you're"),
        ("i've", "you've"),
        ("i'd", "you'd"),
        ("i'll", "you'll"),
        ("i am", "you are"),
        ("i was", "you were"),
        ("i", "you"),
        ("myself", "yourself"),
        ("mine", "yours"),
        ("my", "your"),
        ("me", "you"),
    )
)
OTHER_PEOPLE = re.compile(r"\b(?:we|us|our|ours|ourselves|you|your|yours|yourself)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Words:
    """What a template may say about this patient and offer, worded for where it goes.

    Discreet words (subject lines and SMS, read on lock screens and shared inboxes) name no
    sensitive line of care: such a treatment or offer is blank, for the template to speak of it
    discreetly, and no goal, reason or progress that could give it away is there."""

    treatment: str
    booked: str
    offer: str
    price: str
    reason: str
    reason_kind: str
    """ "does" for a verb phrase ("protects your results"), "brings" for a noun phrase."""
    summary: str
    goal: str
    """What follows "your goal": "of losing 50 pounds before your knee surgery"."""
    progress: str
    coordinator: str
    """The coordinator's first name, as a text message says who it is from."""
    signature: str
    link: str


def words(brief: Brief, goal: str, discreet: bool) -> Words:
    """The words for one brief; `goal` is the patient's goal when it is safe to repeat."""
    sensitive = set(brief.sensitive)
    private = discreet and bool(sensitive)
    hidden = discreet and brief.offer.sensitive

    def named(name: str) -> str:
        return "" if discreet and name in sensitive else mid_sentence(name)

    kind, said = reason(brief.offer.why)
    aimed = aim(goal)
    return Words(
        treatment=named(brief.treatment),
        booked=named(brief.booked),
        offer="" if hidden else mid_sentence(plain_name(brief.offer.name)),
        price=each(brief.offer.price, brief.offer.unit),
        reason="" if private else said,
        reason_kind="" if private else kind,
        summary="" if hidden else described(brief.offer.summary),
        goal="" if private or (discreet and re.search(r"\d", aimed)) else aimed,
        progress="" if discreet else progress(brief.change),
        coordinator=first_name(brief.coordinator),
        signature=signature(brief.coordinator, brief.practice),
        link=brief.booking_url.strip(),
    )


def pick(brief: Brief, slot: str, *options: str) -> str:
    """One of the options that is not empty, the same for the same patient, slot and wording
    every time (a stable hash, never Python's `hash`, which changes between runs); other
    patients get others, and each regeneration (`brief.wording`) moves every line on by one."""
    offered = [text for text in (" ".join(str(o).split()) for o in options) if text]
    if not offered:
        return ""
    digest = hashlib.sha256(f"{brief.patient_id}/{slot}".encode()).digest()
    return offered[(int.from_bytes(digest[:8], "big") + brief.wording) % len(offered)]


def mid_sentence(name: str) -> str:
    """A name as it reads mid-sentence: "Medical-grade skin care kit" -> "medical-grade skin
    care kit". Single words, brands, acronyms and title case keep theirs ("Botox", "HydraFacial",
    "IV hydration therapy", "VIP membership", "GLP-1 medical weight loss")."""
    name = " ".join(name.split())
    first, _, rest = name.partition(" ")
    if not rest or not PLAIN_WORD.fullmatch(first) or any(w[:1].isupper() for w in rest.split()):
        return name
    return f"{first.lower()} {rest}"


def sentence(text: str) -> str:
    """The text with its first letter capitalised, the rest as it was."""
    return text[:1].upper() + text[1:]


def article(word: str) -> str:
    """ "a" or "an", by how the word sounds: "an hour", "a unit", "a membership"."""
    spoken = VOWEL_SOUND.match(word) and not re.match(r"(?i)one\b|once\b", word)
    return "an" if spoken else "a"


def each(price: float, unit: str) -> str:
    """The price as a person says it: "$149 a month", "$750 a session", "$600 for 3 sessions"."""
    unit = re.sub(r"(?i)^(?:per|a|an)\s+", "", " ".join(unit.split()))
    if not unit:
        return money(price)
    if re.match(r"\d+ ", unit):
        return f"{money(price)} for {unit}"
    return f"{money(price)} {article(unit)} {unit}"


def reason(why: str) -> tuple[str, str]:
    """The menu's reason for the offer, as ("does", verb phrase) to follow "it" ("protects your
    results"), ("brings", noun phrase, as written) to follow "it comes with" ("priority booking"),
    or ("", "") for anything else ("maintenance opens the door to aesthetics": a clause of its own)."""
    text = " ".join(normalise(why).split()).strip(" .,;")
    if not text or re.search(r"[.!?;:\"()]", text):
        return "", ""
    found = text.split()
    if len(found) > 1 and found[0].lower() in ("it", "this") and _third_person(found[1]):
        found = found[1:]
    if _third_person(found[0]):
        return "does", " ".join([found[0].lower(), *found[1:]])
    if _noun_phrase([w.lower().strip(",") for w in found]):
        return "brings", " ".join(found)
    return "", ""


def described(summary: str) -> str:
    """The offer's summary as a sentence: "A provider-supervised program." reads "It is a
    provider-supervised program."; a sentence of its own stays as it is."""
    summary = " ".join(summary.split())
    if re.match(r"(?:A|An) ", summary):
        return f"It is {summary[0].lower()}{summary[1:]}"
    return summary


def _noun_phrase(found: list[str]) -> bool:
    """Whether the words up to any subordinate part ("once ...", "on every ...") hold no verb of
    their own: no "is", no subject followed by its verb ("maintenance opens", "results last")."""
    if found[0] in PRONOUNS or (found[0] in VERBS and len(found) > 1 and found[1] in DETERMINERS):
        return False
    head = found
    for index, word in enumerate(found):
        if index and word in SUBORDINATE:
            head = found[:index]
            break
    for earlier, word in zip(head, head[1:], strict=False):
        if word in FINITE or earlier in FINITE:
            return False
        if earlier not in ("and", "or") and _third_person(word):
            return False
        if earlier.endswith("s") and not earlier.endswith("ss") and word in VERBS:
            return False
    return head[0] not in FINITE


def _third_person(word: str) -> bool:
    """ "protects", "firms", "supplies", "tightens": a verb after "it"."""
    word = word.lower().strip(",")
    if len(word) < 4 or not word.endswith("s") or word.endswith(("ss", "us", "is", "'s")):
        return False
    stems = {word[:-1], word[:-2], word[:-3] + "y"}
    return bool(stems & VERBS) or (len(word) > 5 and word.endswith(("izes", "ises", "ifies", "ens")))


def aim(goal: str) -> str:
    """The patient's goal in the second person, as it follows "your goal": "lose 50 pounds before
    my knee surgery" -> "of losing 50 pounds before your knee surgery"; "clearer skin" -> "of
    clearer skin"; "" where it cannot be turned cleanly (never pasted back as written)."""
    text = " ".join(normalise(goal).split()).strip(" .!,")
    if not text or re.search(r"[.!?;:\"()\[\]{}<>]", text):
        return ""
    text = WANTING.sub("", text, count=1)
    if not text or OTHER_PEOPLE.search(text):
        return ""
    for pattern, yours in SECOND_PERSON:
        text = pattern.sub(yours, text)
    first, _, rest = text.partition(" ")
    word, second = first.lower(), rest.split(" ", 1)[0].lower()
    acting = second in DETERMINERS or second in PARTICLES or second[:1].isdigit()
    if acting if word in ADJECTIVES else word in VERBS:
        return _doing(word, rest)
    if re.search(r"\d", text) or not rest:
        return f"of {word}" if word in MASS else ""
    if word in DESCRIBING:
        return f"of {word} {rest}"
    if word in ADJECTIVES or word.endswith(ADJECTIVE_ENDINGS):
        return f"of {_counted(f'{word} {rest}')}"
    return ""


def _doing(verb: str, rest: str) -> str:
    """A goal that starts with a verb: "of losing 50 pounds", or "to sleep better and feel like
    yourself" where a gerund would be unsure. A number goes only with a change ("losing 50")."""
    if re.search(r"\d", rest) and verb not in CHANGE_VERBS:
        return ""
    tail = f" {rest}" if rest else ""
    ing = gerund(verb)
    if ing and not re.search(r"\b(?:and|or)\b|^\w+ing\b", rest):
        return f"of {ing}{tail}"
    return f"to {verb}{tail}"


def _counted(phrase: str) -> str:
    """ "a smoother forehead" but "clearer skin", "smaller pores": an article where the main
    noun (the last before "at", "that", "around" ...) is one of a kind that can be counted."""
    found = phrase.split()
    head = found
    for index, word in enumerate(found):
        if index and (word in SUBORDINATE or word in ("around", "like", "under", "by", "of")):
            head = found[:index]
            break
    noun = head[-1]
    if (noun.endswith("s") and not noun.endswith("ss")) or noun in MASS or noun in PLURALS:
        return phrase
    return f"{article(phrase)} {phrase}"


def gerund(verb: str) -> str:
    """ "lose" -> "losing", "get" -> "getting", "sleep" -> "sleeping"; "" where the spelling
    turns on stress ("visit", "control"), for the caller to say "to visit"."""
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb == "be" or verb.endswith(("ee", "ye", "oe")):
        return verb + "ing"
    if verb.endswith("e"):
        return verb[:-1] + "ing"
    letters = verb.replace("qu", "q")
    if re.search(r"[^aeiou][aeiou][^aeiouwxy]$", letters):
        one_syllable = len(re.findall(r"[aeiouy]+", letters)) == 1
        return verb + verb[-1] + "ing" if one_syllable else ""
    return verb + "ing"


def progress(change: str) -> str:
    """The patient's progress as it reads after "you are" ("down 16.5 lb", "sleeping better");
    "" where the brief's words do not read so, and never a measurement ("from 212 to 191 lb")."""
    text = " ".join(change.split()).strip(" .")
    if not text or re.search(r"\bfrom\b.*\d.*\bto\b", text):
        return ""
    first = text.split()[0].lower()
    return text if first in ("down", "up") or (len(first) > 4 and first.endswith("ing")) else ""


def signature(coordinator: str, practice: str) -> str:
    """ "Maria, Harbor Skin & Wellness" (the coordinator's first name); "The team at Harbor
    Skin & Wellness" without a coordinator; "Your care team" when neither is set."""
    coordinator, practice = first_name(coordinator), " ".join(practice.split())
    if coordinator and practice:
        return f"{coordinator}, {practice}"
    if coordinator:
        return f"{coordinator}, your care team"
    return f"The team at {practice}" if practice else "Your care team"


def first_name(name: str) -> str:
    """ "Maria Santos" -> "Maria": a coordinator signs with their first name."""
    return name.split()[0] if name.split() else ""
