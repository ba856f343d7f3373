"""Links and sessions that last, through Streamlit's AppTest: the page's address names the screen
and the open draft, so a link or a refresh opens them; the session token is kept in a cookie
that a refresh logs back in with, that a logout drops and that an ended session does not reopen.

AppTest sends no cookies (Streamlit reads them from the browser's request), so the browser's
cookie jar is a fake here: `links.browser_cookies` returns the test's. The browser test
(tests/ui/test_browser.py) checks the real cookie in Chromium."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from assistant.app.accounts import Accounts
from assistant.clock import Clock
from assistant.errors import Unauthenticated
from assistant.ui import links
from tests.ui.conftest import APP, PASSWORD, Clinic
from tests.ui.helpers import field, go_to, labels, log_in, messages, open_draft, press, ran, shown

COOKIE_SET = re.compile(r'crosssell_session=" \+ encodeURIComponent\("([^"]*)"\) \+ "; Path=/; Max-Age=(\d+)')


@pytest.fixture
def jar(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The browser's cookies as the screen reads them when the page loads."""
    cookies: dict[str, str] = {}
    monkeypatch.setattr(links, "browser_cookies", lambda: cookies)
    return cookies


@pytest.fixture
def linked(screen_env: Clinic) -> Callable[..., AppTest]:
    """Opens the page at an address with these parameters (`?screen=drafts&draft=…`), logged in
    as `who` unless None."""

    def open_link(who: str | None = "carol", **params: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params.update(params)
        ran(at.run())
        if who is not None:
            log_in(at, who, PASSWORD)
        return at

    return open_link


def cookie_writes(at: AppTest) -> list[tuple[str, int]]:
    """What the page's scripts set the session cookie to: (value, seconds it lasts)."""
    return [(m.group(1), int(m.group(2))) for h in at.html if (m := COOKIE_SET.search(h.value))]


def logged_in(at: AppTest) -> bool:
    return "Log out" in labels(at)


def session_of(clinic: Clinic, who: str) -> str:
    return clinic.review.login(who, PASSWORD)[1]


# The address -----------------------------------------------------------------------------------


def test_every_screen_has_its_own_short_slug(linked):
    slugs = [links.slug(name) for name in linked("pat").sidebar.radio(key="screen").options]
    assert len(slugs) > 3 and len(set(slugs)) == len(slugs)
    assert links.slug("Ready this week") == "queue" and links.slug("Approval queue") == "approvals"
    assert links.slug("Drafts") == "drafts" and links.slug("Needs me") == "needs"
    assert links.slug("A screen added later") == "a-screen-added-later"


def test_a_link_to_a_screen_opens_that_screen_after_logging_in(linked):
    at = linked(screen="drafts")
    assert at.sidebar.radio(key="screen").value == "Drafts"
    assert at.query_params["screen"] == "drafts"


def test_choosing_a_screen_puts_it_in_the_address(linked):
    at = linked()
    assert at.query_params["screen"] == "needs"  # the landing screen
    at = go_to(at, "Dashboard")
    assert at.query_params["screen"] == "dashboard"


def test_a_link_to_a_screen_that_is_not_yours_says_so_and_shows_your_first(linked):
    at = linked(screen="import")  # the owner's screen; carol coordinates
    assert at.sidebar.radio(key="screen").value == "Needs me"
    assert any("not one of yours" in m for m in messages(at, "warning"))
    assert at.query_params["screen"] == "needs"


def test_a_link_to_a_draft_opens_it_after_logging_in_and_the_view_is_audited(linked, clinic):
    draft = clinic.draft()
    at = linked(screen="drafts", draft=draft.id)
    assert field(at, "Body").value == draft.body
    assert "Status: drafted" in shown(at)
    carol = clinic.people["carol"]
    assert [e.action for e in clinic.review.audit(carol, draft_id=draft.id)][-1] == "view"


def test_opening_a_draft_puts_it_in_the_address_and_closing_it_takes_it_out(linked, clinic):
    draft = clinic.draft()
    at = open_draft(linked(), draft.id)
    assert at.query_params["draft"] == draft.id and at.query_params["screen"] == "drafts"
    at = press(at, "Back to the list")
    assert "draft" not in at.query_params
    assert "Body" not in {w.label for w in at.text_area}


def test_choosing_another_screen_closes_the_linked_draft(linked, clinic):
    draft = clinic.draft()
    at = go_to(linked(draft=draft.id), "Dashboard")
    assert "draft" not in at.query_params and "Body" not in {w.label for w in at.text_area}


def test_a_link_to_an_unknown_draft_says_so_and_shows_the_screen(linked):
    at = linked(screen="drafts", draft="no-such-draft")
    assert any(
        "The draft in this link cannot be opened" in m and "no-such-draft" in m for m in messages(at, "error")
    )
    assert "draft" not in at.query_params
    assert at.sidebar.radio(key="screen").value == "Drafts"


# The session's cookie --------------------------------------------------------------------------


def test_a_login_keeps_the_token_in_a_cookie_for_its_life_and_never_in_the_address(linked, clinic, jar):
    at = linked(screen="drafts")
    ((token, seconds),) = cookie_writes(at)
    assert clinic.review.accounts.authenticate(token).id == "carol"
    assert seconds == clinic.review.accounts.session_hours * 3600
    (script,) = (h.value for h in at.html if "crosssell_session" in h.value)
    assert "SameSite=Strict" in script and '"https:" ? "; Secure"' in script
    assert token not in str(at.query_params)
    assert not cookie_writes(ran(at.run()))  # written once, not on every run


def test_a_token_in_the_cookie_logs_in_without_a_password(linked, clinic, jar):
    jar[links.COOKIE] = session_of(clinic, "pat")
    at = linked(who=None, screen="approvals")
    assert logged_in(at)
    assert "pat" in "\n".join(m.value for m in at.sidebar.markdown)
    assert at.sidebar.radio(key="screen").value == "Approval queue"


def test_a_refresh_with_a_draft_link_reopens_the_draft(linked, clinic, jar):
    draft = clinic.draft()
    jar[links.COOKIE] = session_of(clinic, "carol")
    at = linked(who=None, draft=draft.id)
    assert field(at, "Body").value == draft.body


def test_logging_out_drops_the_cookie_and_ends_the_session(linked, clinic, jar):
    token = jar[links.COOKIE] = session_of(clinic, "carol")
    at = press(linked(who=None), "Log out")
    assert not logged_in(at) and "Log in" in labels(at)
    assert cookie_writes(at) == [("", 0)]
    with pytest.raises(Unauthenticated):
        clinic.review.accounts.authenticate(token)
    at = ran(at.run())  # the cookie this page was loaded with is stale: it logs no one back in
    assert not logged_in(at) and not messages(at, "warning")


def test_a_cookie_read_after_a_logout_in_the_same_session_is_not_used(linked, clinic, jar):
    """The page keeps the cookies it was loaded with: a logout must not be undone by them, even
    by a token that still works (one the logout could not revoke, say)."""
    jar[links.COOKIE] = session_of(clinic, "carol")
    at = press(linked(who=None), "Log out")
    jar[links.COOKIE] = session_of(clinic, "carol")
    assert not logged_in(ran(at.run()))


def test_an_expired_session_in_the_cookie_is_refused_and_dropped(linked, clinic, jar):
    long_ago = Accounts(clinic.review.repository, Clock.fixed(datetime(2020, 1, 1, 12, tzinfo=UTC)), 1.0)
    jar[links.COOKIE] = long_ago.login("carol", PASSWORD)[1]  # a session of an hour, years ago
    at = linked(who=None)
    assert not logged_in(at) and "Log in" in labels(at)
    assert any("session has ended" in m for m in messages(at, "info"))
    assert cookie_writes(at) == [("", 0)]


def test_an_ended_session_logs_out_on_the_next_click(linked, clinic, jar):
    """The desk checks the token on every run: a session ended elsewhere (the user logged out in
    another tab) ends here too, and the cookie goes."""
    token = jar[links.COOKIE] = session_of(clinic, "carol")
    at = linked(who=None)
    assert logged_in(at)
    clinic.review.logout(token)
    at = go_to(at, "Drafts")
    assert not logged_in(at)
    assert cookie_writes(at) == [("", 0)]
