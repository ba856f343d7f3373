"""What a drafter leaves behind that no patient should read: placeholders for a person to fill in
("[Practice Name]", "{first_name}", "<booking link>", "TBD"), links the practice has not
allowed, and markup a plain message would show as symbols (HTML, markdown)."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.drafting.guards.lexicon import Policy

HTML_TAGS = (
    "a|abbr|b|blockquote|body|br|button|center|code|div|em|font|footer|form|h[1-6]|head|header|hr|"
    "html|i|img|input|li|link|main|meta|nav|ol|p|pre|script|section|small|span|strong|style|sub|"
    "sup|table|tbody|td|th|thead|tr|u|ul"
)
PLACEHOLDERS = (
    re.compile(r"\[[^\[\]\n]{1,60}\](?!\()"),
    re.compile(r"\{\{[^\n]*?\}\}|\{[^{}\n]{1,60}\}"),
    re.compile(rf"<(?!/?(?:{HTML_TAGS})\b)[^<>\n]{{1,60}}>", re.IGNORECASE),
    re.compile(r"\bX{2,}\b|\bx{2}/x{2}\b|_{3,}|\$[A-Za-z_]\w*"),
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>()\[\]\"']+", re.IGNORECASE)
DOMAIN_PATH = re.compile(r"(?<![@\w.-])(?:[a-z0-9-]+\.)+[a-z]{2,}/[^\s<>()\[\]\"']*", re.IGNORECASE)
"""A bare address with a path ("harborskin.example/results"), whatever its ending."""
MARKUP = (
    (re.compile(r"\[[^\[\]\n]+\]\([^()\s]+\)"), "a markdown link"),
    (re.compile(rf"</?(?:{HTML_TAGS})\b[^<>\n]*>", re.IGNORECASE), "an HTML tag"),
    (re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__"), "markdown bold"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])[^*\n]+(?<=[^\s*])\*(?![\w*])"), "markdown emphasis"),
    (re.compile(r"(?<![\w_])_(?=[^\s_])[^_\n]+(?<=[^\s_])_(?![\w_])"), "markdown emphasis"),
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+\S[^\n]*", re.MULTILINE), "a markdown heading"),
    (re.compile(r"`[^`\n]+`"), "code formatting"),
)


def placeholders(text: str, policy: Policy) -> list[str]:
    """Every placeholder left in, as written."""
    found = [m.group() for pattern in PLACEHOLDERS for m in pattern.finditer(text)]
    return found + [said for _, said, _ in policy.placeholders.find(text)]


def links(text: str, policy: Policy, allowlist: list[str]) -> list[str]:
    """Every web address: with a scheme, starting "www.", a bare one with a path ("bit.ly/x"),
    or a bare domain with a known ending (the allowed links' endings too)."""
    text = EMAIL.sub(lambda m: " " * len(m.group()), text)
    endings = {*policy.link_domains, *(_bare(a).split("/")[0].rsplit(".", 1)[-1] for a in allowlist)}
    found = []
    for pattern in (URL, DOMAIN_PATH, _domains(tuple(sorted(endings)))):
        for match in pattern.finditer(text):
            found.append(match.group().rstrip(".,;:!?)'\""))
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    return found


def markup(text: str, policy: Policy) -> list[tuple[str, str]]:
    """(what it is, as written) for every piece of markup, links aside."""
    found = [(what, m.group()) for pattern, what in MARKUP[:1] for m in pattern.finditer(text)]
    for link in links(text, policy, []):
        text = text.replace(link, " " * len(link))
    return found + [(what, m.group()) for pattern, what in MARKUP[1:] for m in pattern.finditer(text)]


def allowed(link: str, allowlist: list[str]) -> bool:
    """Whether a link is one the practice allows, whatever its scheme, "www." or final slash."""
    return _bare(link) in {_bare(a) for a in allowlist}


def _bare(link: str) -> str:
    link = re.sub(r"^(?:https?://)?(?:www\.)?", "", link.strip().lower())
    return link.rstrip("/")


@lru_cache(maxsize=8)
def _domains(endings: tuple[str, ...]) -> re.Pattern:
    if not endings:
        return re.compile(r"(?!)")
    tlds = "|".join(re.escape(e) for e in sorted(endings, key=len, reverse=True))
    return re.compile(
        rf"(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{tlds})\b(?:/[^\s<>()\[\]\"']*)?",
        re.IGNORECASE,
    )
