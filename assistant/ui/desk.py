"""The review desk this server serves, the person logged in, and the few helpers every screen
shares: messages that survive a rerun, and the desk's refusals shown in its own words."""

from __future__ import annotations

import atexit
import os
import re
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date, timedelta
from typing import TypeVar

import streamlit as st

from assistant.app.accounts import User
from assistant.app.practice import Practice
from assistant.app.review import Review, open_review
from assistant.domain.moments import Moment
from assistant.domain.review import ALLOWED, FROM, Action, Status
from assistant.drafting.content import Draft
from assistant.errors import CrosssellError, Unauthenticated
from assistant.settings import Settings
from assistant.ui import links

AS_OF_VARIABLE = "CROSSSELL_UI_AS_OF"
"""Sets the default "as of" day of the queue (the demo practice lives on a fixed day)."""

T = TypeVar("T")
_MARKDOWN_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#$~|&!=+-:"})
_LINKABLE = re.compile(r"(?:https?://|www\.)[^\s`]*|[-.\w+]+@[-\w]+(?:\.[-\w]+)+", re.IGNORECASE)
"""What the screen turns into a link whatever its escapes: web and email addresses."""
_NUMBERED = re.compile(r"^(\d+)([.)])")
LOGGED_OUT = "logged_out"
"""Set by a logout: this session no longer takes the browser's cookie."""
_MESSAGES = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}


# The desk ---------------------------------------------------------------------------------------


def review() -> Review:
    """The desk over the practice the environment names; one per practice per server process."""
    settings = Settings()
    return _open(str(settings.home), settings.url, settings.backend)


@st.cache_resource(show_spinner="Opening the practice…")
def _open(home: str, url: str, backend: str) -> Review:
    # The arguments key the cache: a server keeps serving the practice it was started for,
    # and a test that points CROSSSELL_HOME elsewhere gets its own desk. The drafting backend
    # (a local model server, say) stays open for as long as the process runs.
    stack = ExitStack()
    desk = stack.enter_context(open_review(Practice(Settings())))
    atexit.register(stack.close)
    return desk


def attempt(call: Callable[[], T]) -> T | None:
    """Runs one desk call; a refusal is shown as the desk words it, since it says what to do."""
    try:
        return call()
    except CrosssellError as exc:
        st.error(str(exc))
        return None


def offered(user: User, action: Action, status: str | None = None) -> bool:
    """Whether to show a button: the domain's own tables, read rather than restated. The desk
    still decides; a button shown in a race only leads to its refusal on screen."""
    if user.role not in ALLOWED[action]:
        return False
    return status is None or action not in FROM or Status(status) in FROM[action]


# The person logged in ---------------------------------------------------------------------------


def current_user(desk: Review) -> User | None:
    """The session's user, checked on every run so a disabled user or an expired session ends.
    A session that holds no token yet (a refresh, a link opened) takes the browser's cookie,
    unless this session logged out: the cookie the page was loaded with is stale then."""
    token = st.session_state.get("token")
    from_cookie = False
    if not token and not st.session_state.get(LOGGED_OUT):
        token = links.cookie_token()
        from_cookie = bool(token)
    user = None
    if token:
        try:
            user = desk.accounts.authenticate(token)
        except Unauthenticated as exc:
            log_out()
            if from_cookie:
                flash("info", "Your last session has ended; please log in again.")
            else:
                flash("warning", f"Please log in again: {exc}")
        else:
            st.session_state["token"] = token
    links.write_cookie()
    return user


def log_in(token: str, lasts: timedelta | None = None) -> None:
    """Keeps the token for this session and, for `lasts` (the token's life), in the browser's
    cookie, so a refresh stays logged in."""
    st.session_state["token"] = token
    st.session_state.pop(LOGGED_OUT, None)
    if lasts is not None:
        links.keep_cookie(token, lasts)


def log_out() -> None:
    """Forgets everything this browser session held: the token, the open draft, the filters;
    drops the browser's cookie, and remembers the logout (the cookie this page was loaded with
    must not log it back in)."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state[LOGGED_OUT] = True
    links.drop_cookie()


# The open draft ---------------------------------------------------------------------------------


def open_draft(desk: Review, user: User, draft_id: str) -> None:
    """Opens a draft (the desk audits the view) and shows it on the next run, its id in the
    page's address."""
    draft = attempt(lambda: desk.get(user, draft_id))
    if draft is not None:
        st.session_state["draft"] = draft
        links.show_draft_in_address(draft.id)
        st.rerun()


def opened() -> Draft | None:
    return st.session_state.get("draft")


def opened_or_linked(desk: Review, user: User) -> Draft | None:
    """The open draft, or the one the page's address names (a link, a refresh): opened as a
    click would open it (audited); one that cannot be opened is said why, not shown."""
    draft = opened()
    linked = links.linked_draft()
    if draft is not None or linked is None:
        return draft
    try:
        draft = desk.get(user, linked)
    except CrosssellError as exc:
        st.error(f"The draft in this link cannot be opened: {exc}")
        links.show_draft_in_address(None)
        return None
    st.session_state["draft"] = draft
    return draft


def close_draft() -> None:
    st.session_state.pop("draft", None)
    links.show_draft_in_address(None)


def changed(draft: Draft, message: str, kind: str = "success") -> None:
    """After a desk call changed the draft: keep the desk's answer, say what happened (`kind`:
    success, or warning or error where what was saved still fails a guard), rerun."""
    st.session_state["draft"] = draft
    flash(kind, message)
    st.rerun()


# Messages and words -----------------------------------------------------------------------------


def flash(kind: str, text: str) -> None:
    """A message for the next run (an action reruns the page to show the new state)."""
    st.session_state.setdefault("flash", []).append((kind, text))


def show_flash() -> None:
    for kind, text in st.session_state.pop("flash", []):
        _MESSAGES[kind](text)


def default_as_of() -> date:
    raw = os.environ.get(AS_OF_VARIABLE, "").strip()
    if raw:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            st.warning(f"{AS_OF_VARIABLE}={raw!r} is not a date (YYYY-MM-DD); using today")
    return review().clock.today()


def md(text: object) -> str:
    """Patient, model and practice text shown as written, never read as Markdown, HTML or LaTeX
    ($750): on one line, so no line of it starts a heading, a rule or a list; every mark that
    Markdown reads escaped; a web or email address in a code span, as an escape does not stop
    the screen from making it a link."""
    line = " ".join(str(text).split())
    parts, start = [], 0
    for found in _LINKABLE.finditer(line):
        parts += [line[start : found.start()].translate(_MARKDOWN_SPECIALS), f"`{found.group()}`"]
        start = found.end()
    parts.append(line[start:].translate(_MARKDOWN_SPECIALS))
    return _NUMBERED.sub(r"\1\\\2", "".join(parts))


def money(amount: float, whole: bool = False) -> str:
    """A price as the patient pays it ($149, $149.50); `whole` for an estimate (an expected
    value), in whole dollars: "$122.28" beside a price of "$122" reads as two kinds of money."""
    if whole or float(amount).is_integer():
        return f"${round(amount):,}"
    return f"${amount:,.2f}"


def moment_label(moment: str) -> str:
    try:
        return Moment(moment).label
    except ValueError:
        return moment.replace("_", " ")


def status_label(status: str) -> str:
    return status.replace("_", " ")
