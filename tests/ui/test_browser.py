"""End to end in headless Chromium against the real review screen server: a coordinator edits
and submits a draft, a provider approves it, the coordinator sends it; the store agrees."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.errors import ConfigurationError
from assistant.servers import free_port, running, ui_command
from tests.conftest import NOW
from tests.ui.conftest import AS_OF, PASSWORD, Clinic, build_clinic

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
STARTUP_SECONDS = 60
STEP_MS = 20_000


@pytest.fixture
def served(tmp_path: Path, matcher) -> Iterator[tuple[Clinic, str]]:
    """The practice, and the address of `crosssell ui` serving it from a subprocess (stopped
    when the test ends, whatever happened)."""
    if not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM}: the browser test needs the Debian package"
        if os.environ.get("CI"):
            pytest.fail(reason + " (.ci/setup installs it)")
        pytest.skip(reason)
    clinic = build_clinic(tmp_path / "home", matcher)
    host, port = "127.0.0.1", free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSSELL_")}
    env.update(
        CROSSSELL_HOME=str(clinic.home),
        CROSSSELL_LLM="none",
        CROSSSELL_EMAIL_SENDER="outbox",
        CROSSSELL_UI_AS_OF=AS_OF.isoformat(),
        CROSSSELL_CLOCK=NOW,  # the test's now, whatever the hour: a send must not wait for a morning
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )
    log = tmp_path / "screen.log"
    try:
        with running(
            ui_command(host, port), f"http://{host}:{port}/_stcore/health", env, log, timeout=STARTUP_SECONDS
        ):
            yield clinic, f"http://{host}:{port}"
    except ConfigurationError as exc:
        pytest.fail(f"the review screen did not start: {exc}\n{log.read_text()}")


WIDTHS = {"desktop": 1400, "tablet": 1024}
"""The widths a practice's staff use: a desk's screen and a tablet held at the front desk."""


@pytest.mark.parametrize("device", WIDTHS)
def test_the_coordinators_and_the_providers_week_from_needs_me(served, tmp_path, device):
    """A coordinator finds the draft in "Needs me", edits and submits it; the provider finds it
    in theirs and approves it; the coordinator sends it from "To send". At each width, with a
    picture of each step (kept with CROSSSELL_KEEP_SCREENSHOTS)."""
    from playwright.sync_api import expect, sync_playwright

    clinic, url = served
    draft = clinic.draft(to_send=True)
    width = WIDTHS[device]
    shots: list[Path] = []

    def picture(page, name: str) -> None:
        shots.append(tmp_path / f"{name}-{width}.png")
        page.screenshot(path=str(shots[-1]))

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 1000})
            page.set_default_timeout(STEP_MS)
            expect.set_options(timeout=STEP_MS)
            page.goto(url)

            log_in(page, "carol")
            expect(page.get_by_role("heading", name="Needs me")).to_be_visible()  # where each role lands
            expect(page.get_by_role("heading", name=re.compile(r"^To submit \(\d+\)"))).to_be_visible()
            picture(page, "needs-me-coordinator")
            open_draft(page, draft.id, NEEDS_ME)
            body = page.get_by_label("Body", exact=True)
            expect(body).to_have_value(draft.body)
            picture(page, "draft")
            body.fill(draft.body + "\n\nWe look forward to seeing you again.")
            click(page, "Save")
            expect(page.get_by_text("Saved as version 2")).to_be_visible()
            settle(page)  # the version 1 fields are gone
            page.get_by_label("Comment", exact=True).fill("Checked her last visit")
            click(page, "Submit for approval")
            expect(page.get_by_text("Status: pending approval")).to_be_visible()
            log_out(page)

            log_in(page, "pat")
            expect(page.get_by_role("heading", name=re.compile(r"^To approve \(1\)"))).to_be_visible()
            expect(page.get_by_text("Checked her last visit")).to_be_visible()  # the submitter's note
            picture(page, "needs-me-provider")
            open_draft(page, draft.id, NEEDS_ME)
            click(page, "Approve")
            expect(page.get_by_text("Status: approved")).to_be_visible()
            log_out(page)

            log_in(page, "carol")
            expect(page.get_by_role("heading", name=re.compile(r"^To send \(1\)"))).to_be_visible()
            open_draft(page, draft.id, NEEDS_ME)
            click(page, "Send")
            expect(page.get_by_text("Status: sent")).to_be_visible()
            page.get_by_role("button", name="Back to the list").scroll_into_view_if_needed()
            picture(page, "sent")
        finally:
            browser.close()
    for shot in shots:
        keep(shot)

    stored = clinic.stored(draft.id)
    assert stored.status == "sent" and stored.body.endswith("seeing you again.")
    assert stored.approved_by == "pat" and stored.edited_by == "carol"
    assert "offer_presented" in clinic.offer_events(draft)


def test_a_login_survives_a_refresh_and_a_drafts_link_opens_it_in_another_page(served):
    """The session token lives in a cookie (never in the address); the address names the screen
    and the draft, so a refresh stays where it was and a copied link opens the same draft."""
    from playwright.sync_api import expect, sync_playwright

    clinic, url = served
    draft = clinic.draft()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.set_default_timeout(STEP_MS)
            expect.set_options(timeout=STEP_MS)
            page = context.new_page()
            page.goto(url)
            log_in(page, "carol")
            page.wait_for_function("document.cookie.includes('crosssell_session=')")
            (cookie,) = [c for c in context.cookies() if c["name"] == "crosssell_session"]
            assert cookie["sameSite"] == "Strict" and cookie["path"] == "/" and cookie["expires"] > 0
            assert clinic.review.accounts.authenticate(cookie["value"]).id == "carol"

            page.reload()
            expect(page.get_by_role("button", name="Log out", exact=True)).to_be_visible()
            open_draft(page, draft.id, "Drafts")
            expect(page).to_have_url(re.compile(rf"[?&]draft={re.escape(draft.id)}(&|$)"))
            link = page.url
            assert "screen=drafts" in link and cookie["value"] not in link

            other = context.new_page()
            other.goto(link)
            expect(other.get_by_label("Body", exact=True)).to_have_value(draft.body)
            log_out(other)
            other.wait_for_function("!document.cookie.includes('crosssell_session=')")
            other.reload()
            expect(other.get_by_role("button", name="Log in", exact=True)).to_be_visible()
            assert not [c for c in context.cookies() if c["name"] == "crosssell_session"]
        finally:
            browser.close()


def log_in(page, who: str) -> None:
    from playwright.sync_api import expect

    page.get_by_label("User id", exact=True).fill(who)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    click(page, "Log in")
    expect(page.get_by_role("button", name="Log out", exact=True)).to_be_visible()


def log_out(page) -> None:
    from playwright.sync_api import expect

    click(page, "Log out")
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()


NEEDS_ME = re.compile(r"^Needs me \(\d+\)$")
"""The landing screen's name in the sidebar, with its count."""


def open_draft(page, draft_id: str, screen: str | re.Pattern) -> None:
    from playwright.sync_api import expect

    page.get_by_test_id("stSidebar").get_by_text(screen, exact=True).click()
    page.locator(f".st-key-open-{draft_id} button").click()
    expect(page.get_by_role("button", name="Back to the list", exact=True)).to_be_visible()


def settle(page) -> None:
    """Waits for Streamlit's rerun to end: no element left over from the run before."""
    page.wait_for_function("""() => !document.querySelector('[data-stale="true"]')""")


def click(page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()


def keep(screenshot: Path) -> None:
    """Copies the screenshot where a person can look at it, when they asked for that."""
    assert screenshot.stat().st_size > 0
    if os.environ.get("CROSSSELL_KEEP_SCREENSHOTS"):
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy2(screenshot, ARTIFACTS / screenshot.name)
