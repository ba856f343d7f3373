"""How names compare: one name whatever its case, accents, character width, hidden characters or
look-alike letters ("Nоra" with a Cyrillic о is Nora; Zoë is Zoe and Zoe is Zoë).

Both sides of a comparison fold the same way: the privacy guard folds the words of a draft, the
repository folds its patients' names. The table lives here, in plain domain code, because both
use it (storage may not read the knowledge files)."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

HIDDEN = dict.fromkeys(
    map(ord, "\u00ad\u034f\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff")
)
"""Soft hyphens, zero-width spaces and joiners, direction marks, word joiners."""

LOOKALIKES = str.maketrans(
    {
        # Cyrillic
        "А": "A", "В": "B", "Е": "E", "Ѕ": "S", "І": "I", "Ј": "J", "К": "K", "М": "M", "Н": "H",
        "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ү": "Y", "Һ": "H", "Ԁ": "D",
        "а": "a", "в": "b", "г": "r", "е": "e", "ё": "e", "ѕ": "s", "і": "i", "ї": "i", "ј": "j",
        "к": "k", "м": "m", "н": "h", "о": "o", "п": "n", "р": "p", "с": "c", "т": "t", "у": "y",
        "х": "x", "ү": "y", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ɡ": "g",
        # Greek
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
        "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "α": "a", "ε": "e", "ι": "i", "κ": "k",
        "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
        # Latin letters with no decomposition
        "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "æ": "ae", "Æ": "AE",
        "œ": "oe", "Œ": "OE", "ð": "d", "þ": "th",
        # Apostrophes
        "\u2019": "'", "\u2018": "'", "\u02bc": "'",
    }
)  # fmt: skip
WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
"""A word of a name: letters, joined by apostrophes and hyphens ("O'Brien", "Hye-jin")."""
FIRST_PART = re.compile(r"[\s-]")
MARKUP = re.compile(
    r"<!--.*?(?:-->|$)|<(script|style)\b.*?(?:</\1\s*>|$)|<[^<>]*>?|[*_~`#]+",
    re.IGNORECASE | re.DOTALL,
)
"""HTML comments, script and style elements with what they hold, tags, and markdown's marks."""
GREETABLE = re.compile(r"[^\W\d_]+(?:(?:['-]|\.? )[^\W\d_]+){0,3}\.?")
"""A name a message may greet: up to four words of letters, joined by spaces, apostrophes,
hyphens or initials' dots ("Anne-Marie", "O'Brien", "Mary Kate", "J. R.")."""
GREETABLE_CHARS = 40


def plain(text: str) -> str:
    """The text as a reader sees it: compatibility forms (full-width letters, ligatures) made
    plain, hidden characters dropped, look-alike letters Latin. Case is kept."""
    return unicodedata.normalize("NFKC", text).translate(HIDDEN).translate(LOOKALIKES)


def greeting_name(name: str) -> str:
    """The name as a message may greet it: markup and entities dropped ("<b>Ann</b>" and
    "Ann<script>...</script>" are Ann); "" when what is left is not a name ("=HYPERLINK(...)",
    a sentence, a link), for the message to greet without one."""
    text = unicodedata.normalize("NFKC", name).translate(HIDDEN)
    text = MARKUP.sub(" ", html.unescape(MARKUP.sub(" ", text)))
    text = " ".join(text.split())
    return text if len(text) <= GREETABLE_CHARS and GREETABLE.fullmatch(text) else ""


def fold(name: str) -> str:
    """The key a name compares by: plain, case-folded, without accents."""
    if name.isascii():
        return name.lower()
    decomposed = unicodedata.normalize("NFKD", plain(name).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(LOOKALIKES)


def name_keys(name: str) -> set[str]:
    """The keys a stored name is found by: the whole name, and its first word when it has more
    than one ("Mary Kate", "Anne-Marie" are found by "Mary" and "Anne" too)."""
    key = " ".join(fold(name).split())
    first = FIRST_PART.split(key, maxsplit=1)[0]
    return {key, first} if key else set()


@dataclass(frozen=True, slots=True)
class OtherPatient:
    """A patient of the practice other than the one a draft is for, as the directory knows them."""

    id: str
    first_name: str
    last_name: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
