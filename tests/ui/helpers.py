"""What a person does on the review screen, for AppTest: log in, go to a screen, open a draft,
type, press a button; and what they read there."""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

MARKDOWN_KINDS = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "success",
    "info",
    "warning",
    "error",
)
"""The elements whose text the screen reads as Markdown."""
COMMONMARK = MarkdownIt("commonmark")
LINKABLE = re.compile(r"(?:https?://|www\.)[-.\w]+|[-.\w+]+@[-\w]+(?:\.[-\w]+)+", re.IGNORECASE)
"""What the screen makes a link in text, beyond CommonMark: GFM's bare web and email addresses."""


def ran(at: AppTest) -> AppTest:
    """A run that must not have crashed the script (a crash is a bug, not a refusal)."""
    assert not at.exception, [e.value for e in at.exception]
    return at


def log_in(at: AppTest, who: str, password: str) -> AppTest:
    at.text_input(key="login_user").input(who)
    at.text_input(key="login_password").input(password)
    return ran(at.button(key="login_submit").click().run())


def labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def press(at: AppTest, label: str) -> AppTest:
    buttons = [b for b in at.button if b.label == label]
    assert len(buttons) == 1, f"{len(buttons)} {label!r} buttons among {labels(at)}"
    return ran(buttons[0].click().run())


def field(at: AppTest, label: str):
    """The one text input or text area with this label."""
    found = [w for w in (*at.text_input, *at.text_area) if w.label == label]
    assert len(found) == 1, f"{len(found)} fields labelled {label!r}"
    return found[0]


def go_to(at: AppTest, screen: str) -> AppTest:
    return ran(at.sidebar.radio(key="screen").set_value(screen).run())


def open_draft(at: AppTest, draft_id: str, screen: str = "Drafts") -> AppTest:
    go_to(at, screen)
    return ran(at.button(key=f"open-{draft_id}").click().run())


def shown(at: AppTest) -> str:
    """Every message, heading and line of text on the page, as a person reads it."""
    parts = [e.value for kind in MARKDOWN_KINDS for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def rendered(at: AppTest) -> list[str]:
    """Every Markdown element's text as HTML, as the screen renders it: CommonMark, and a bare
    address outside code as a link (GFM's autolinks, which Streamlit's Markdown adds)."""
    pages = []
    for kind in MARKDOWN_KINDS:
        for element in getattr(at, kind):
            parts = re.split(r"(<code>.*?</code>)", COMMONMARK.render(str(element.value)), flags=re.DOTALL)
            pages.append(
                "".join(
                    part if part.startswith("<code>") else LINKABLE.sub(r'<a href="\g<0>">\g<0></a>', part)
                    for part in parts
                )
            )
    return pages


def read(pages: list[str]) -> str:
    """What a person reads in rendered HTML: tags dropped, entities as characters, one space."""
    text = re.sub(r"</?(?:p|li|ul|ol|h\d|br|hr|blockquote|pre)\b[^>]*>", " ", "\n".join(pages))
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", text)).split())


def messages(at: AppTest, kind: str) -> list[str]:
    return [str(e.value) for e in getattr(at, kind)]


def open_buttons(at: AppTest) -> set[str]:
    """The drafts listed on the page, by the id their Open button carries."""
    return {b.key.removeprefix("open-") for b in at.button if b.key and b.key.startswith("open-")}


# The queue's table ---------------------------------------------------------------------------


def table(at: AppTest):
    (frame,) = at.dataframe
    return frame


def listed(at: AppTest) -> list[str]:
    """The patients the queue's table lists, by full name, in its order."""
    return list(table(at).value["Patient"])


def select(at: AppTest, name: str) -> AppTest:
    """Clicks the patient's row (AppTest sets the table's selection as a click would)."""
    frame = table(at)
    row = listed(at).index(name)
    at.session_state[frame.key] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    return ran(at.run())


def section(at: AppTest, name: str) -> AppTest:
    return ran(at.radio(key="queue_section").set_value(name).run())
