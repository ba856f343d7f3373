"""Links and sessions that last: the screen and the open draft are in the page's address, so a
draft can be linked and a refresh comes back to it; the session token is kept in a cookie, so a
refresh does not log anyone out. The token never goes in the address (addresses are copied,
logged and shared); the cookie lives as long as the token does, and the desk still checks the
token on every run."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import timedelta

import streamlit as st

COOKIE = "crosssell_session"
SCREEN = "screen"
"""The address's parameter for the screen, by its slug (`?screen=drafts`)."""
DRAFT = "draft"
"""The address's parameter for the open draft, by its id (`?draft=<id>`)."""
SHORT = {"Needs me": "needs", "Ready this week": "queue", "Approval queue": "approvals"}
"""Slugs shorter than the name's own; every other screen's slug is its name, lowercased and
hyphenated ("Dashboard": `dashboard`), so a new screen has a link without a line here."""
_PENDING = "_cookie_pending"
"""What the browser's cookie should become on this run: (token, seconds) to keep, None to drop."""
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


# The address --------------------------------------------------------------------------------


def slug(name: str) -> str:
    """A screen's name as its address says it."""
    return SHORT.get(name) or _NOT_SLUG.sub("-", name.lower()).strip("-")


def linked_screen(names: Iterable[str]) -> str | None:
    """The screen the address names, among `names` (those this user may open); None where the
    address names none. One it names but this user may not open, or that does not exist, is
    said on screen and the first screen is shown instead."""
    wanted = st.query_params.get(SCREEN)
    if not wanted:
        return None
    for name in names:
        if slug(name) == wanted:
            return name
    st.warning(f"This link's screen ({wanted!r}) is not one of yours; showing your first screen.")
    return None


def show_screen_in_address(name: str) -> None:
    if st.query_params.get(SCREEN) != slug(name):
        st.query_params[SCREEN] = slug(name)


def linked_draft() -> str | None:
    return st.query_params.get(DRAFT) or None


def show_draft_in_address(draft_id: str | None) -> None:
    """The open draft's id in the address, or none where no draft is open."""
    if draft_id is None:
        st.query_params.pop(DRAFT, None)
    elif st.query_params.get(DRAFT) != draft_id:
        st.query_params[DRAFT] = draft_id


# The cookie ---------------------------------------------------------------------------------


def browser_cookies() -> Mapping[str, str]:
    """The cookies the browser sent when it opened this session (Streamlit reads them once, on
    the page's load: a cookie set later is read on the next load)."""
    return st.context.cookies


def cookie_token() -> str | None:
    """The session token the browser keeps, if any (anything but a string is none: a client
    that is not a browser, Streamlit's AppTest, may hand back stand-ins)."""
    value = browser_cookies().get(COOKIE)
    return value if isinstance(value, str) and value else None


def keep_cookie(token: str, lasts: timedelta) -> None:
    """Asks the next run to keep `token` in the browser for as long as it `lasts`."""
    st.session_state[_PENDING] = (token, max(0, int(lasts.total_seconds())))


def drop_cookie() -> None:
    """Asks the next run to drop the browser's cookie (logged out, or the token ended)."""
    st.session_state[_PENDING] = None


def write_cookie() -> None:
    """Sets or drops the cookie, as asked, with a script in the page (Streamlit sets no cookie
    of its own; a script cannot make it HttpOnly). SameSite=Strict: no other site's page sends
    it; Secure where the page is served over https."""
    if _PENDING not in st.session_state:
        return
    pending = st.session_state.pop(_PENDING)
    value, seconds = pending if pending is not None else ("", 0)
    st.html(cookie_script(value, seconds), unsafe_allow_javascript=True)


def cookie_script(value: str, seconds: int) -> str:
    """The script that sets the cookie to `value` for `seconds` (0: drops it)."""
    return (
        "<script>document.cookie = "
        f"{json.dumps(COOKIE + '=')} + encodeURIComponent({json.dumps(value)}) + "
        f'"; Path=/; Max-Age={seconds}; SameSite=Strict" + '
        '(window.location.protocol === "https:" ? "; Secure" : "");</script>'
    )
