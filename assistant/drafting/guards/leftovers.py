"""What a drafter leaves behind that no patient should read: placeholders for a person to fill in
("[Practice Name]", "{first_name}", "<booking link>", "TBD"), links the practice has not
allowed, and markup a plain message would show as symbols (HTML, markdown)."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.drafting.guards.lexicon import Policy

HTML_TAGS = (
    "a|abbr|applet|b|blockquote|body|br|button|center|code|div|em|embed|font|footer|form|frame|"
    "frameset|h[1-6]|head|header|hr|html|i|iframe|img|input|li|link|main|marquee|math|meta|nav|"
    "noscript|object|ol|p|pre|script|section|small|span|strong|style|sub|sup|svg|table|tbody|td|"
    "textarea|th|thead|tr|u|ul|video|audio|xmp"
)
"""Elements named bare (`<b>`, `<svg>`); any other name is HTML with an attribute (`<x y=1>`),
as a closing tag (`</x>`) or self-closing (`<x/>`), and a placeholder otherwise (`<first name>`)."""
HTML = re.compile(
    rf"</?(?:{HTML_TAGS})\b[^<>\n]*>"
    r"|</[a-z][\w:-]*\s*>"
    r"|<[a-z][\w:-]*(?:\s[^<>\n]*=[^<>\n]*|\s*/)>"
    r"|<[!?](?:doctype\b|\[cdata\[|xml\b)[^<>\n]*>?",
    re.IGNORECASE,
)
PLACEHOLDERS = (
    re.compile(r"\[[^\[\]\n]{1,60}\](?!\()"),
    re.compile(r"\{\{[^\n]*?\}\}|\{[^{}\n]{1,60}\}"),
    re.compile(r"<(?![!?])[^<>\n]{1,60}>"),
    re.compile(r"\bX{2,}\b|\bx{2}/x{2}\b|_{3,}|\$[A-Za-z_]\w*"),
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>()\[\]\"']+", re.IGNORECASE)
DOMAIN_PATH = re.compile(r"(?<![@\w.-])(?:[a-z0-9-]+\.)+[a-z]{2,}/[^\s<>()\[\]\"']*", re.IGNORECASE)
"""A bare address with a path ("harborskin.example/results"), whatever its ending."""
UNDERLINED = r"(?:(?<=\S\n)|(?<=\S[ \t]\n)|(?<=\S[ \t]{2}\n))"
"""At the start of a line right under a line of text: where `===` or `---` makes it a heading."""
LINKING = (
    (re.compile(r"!\[[^\[\]\n]*\]\([^()\s]*\)"), "a markdown image"),
    (re.compile(r"(?<!!)\[[^\[\]\n]+\]\([^()\s]+\)"), "a markdown link"),
    (re.compile(r"<(?:https?|ftp|mailto):[^<>\s]+>", re.IGNORECASE), "a markdown link"),
    (re.compile(r"^[ \t]{0,3}\[[^\[\]\n]+\]:[ \t]*\S+", re.MULTILINE), "a markdown link"),
)
"""Markup around a link, found before the links themselves are set aside."""
MARKUP = (
    (HTML, "an HTML tag"),
    (re.compile(r"<!--[^\n]*?(?:-->|$)", re.MULTILINE), "an HTML comment"),
    (re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});", re.IGNORECASE), "an HTML entity"),
    (re.compile(r"\b(?:java|vb|live)script\s*:|\bdata:[a-z]+/[\w.+-]+[;,]", re.IGNORECASE), "a script link"),
    (re.compile(r"\{\{[^\n]*?\}\}|\{%[^\n]*?%\}|\{#[^\n]*?#\}|<%[^\n]*?%>|\$\{[^}\n]*\}"), "template syntax"),
    (re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__"), "markdown bold"),
    (re.compile(r"(?<![\w*])\*(?=[^\s*])[^*\n]+(?<=[^\s*])\*(?![\w*])"), "markdown emphasis"),
    (re.compile(r"(?<![\w_])_(?=[^\s_])[^_\n]+(?<=[^\s_])_(?![\w_])"), "markdown emphasis"),
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+\S[^\n]*", re.MULTILINE), "a markdown heading"),
    (re.compile(rf"{UNDERLINED}^[ ]{{0,3}}(?:=+|-+)[ \t]*$", re.MULTILINE), "a markdown heading underline"),
    (re.compile(r"^[ ]{0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$", re.M), "a markdown rule"),
    (re.compile(r"`[^`\n]+`"), "code formatting"),
)


def placeholders(text: str, policy: Policy) -> list[str]:
    """Every placeholder left in, as written."""
    found = [m.group() for pattern in PLACEHOLDERS for m in pattern.finditer(text)]
    found = [said for said in found if not HTML.fullmatch(said)]
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
    """(what it is, as written) for every piece of markup: HTML, markdown, template syntax; the
    links themselves are the privacy guard's to judge."""
    found = [(what, m.group()) for pattern, what in LINKING for m in pattern.finditer(text)]
    for link in links(text, policy, []):
        text = text.replace(link, " " * len(link))
    return found + [(what, m.group()) for pattern, what in MARKUP for m in pattern.finditer(text)]


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
