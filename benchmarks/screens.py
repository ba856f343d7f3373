"""The review screen as a person uses it, timed: the demo practice (200 patients, its week
drafted), served by `crosssell ui` on loopback, driven by Debian's headless Chromium through
Playwright. Each role logs in and clicks every screen in its sidebar and opens a draft; a click
counts as done when Streamlit has finished the rerun (no stale element, no running widget) and
the screen's heading is shown. Target: every screen usable in under 2 s after a click.

With `--screenshots DIR` it also keeps a picture of each screen at each width (the README's
pictures come from `--screenshots docs/screenshots --widths 1400 --height 1500 --repeat 1`).
Run: `.venv/bin/python benchmarks/screens.py [--widths 1400 1024] [--repeat 3]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = "2026-11-24"
NOW = "2026-11-24T15:00:00+00:00"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TARGET_S = 2.0
ROLES = ("maria", "drlee", "owner")
SETTLED = """() => !document.querySelector('[data-stale="true"]')
    && !document.querySelector('[data-testid="stSkeleton"]')
    && !document.querySelector('[data-testid="stStatusWidget"] button')
    && !!document.querySelector('[data-testid="stMain"] h2, [data-testid="stMain"] h1')"""
"""Streamlit's rerun is over: nothing greyed out as stale, no placeholder still waiting for its
widget (a table, a chart), no "Stop" in the running widget, and the screen has its heading."""


def build(home: Path) -> None:
    os.environ["CROSSSELL_CLOCK"] = NOW  # the drafts are written on the demo's day, as served
    from assistant.app.demo import build_demo, prepare_review

    build_demo(home, date.fromisoformat(AS_OF))
    prepare_review(home, date.fromisoformat(AS_OF))


def environment(home: Path) -> dict[str, str]:
    from assistant.app.demo import demo_environment

    env = demo_environment(home, AS_OF, dict(os.environ))
    env.update(CROSSSELL_LLM="none", CROSSSELL_CLOCK=NOW, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return env


HEADING = """() => {
    const found = document.querySelector('[data-testid="stMain"] h1, [data-testid="stMain"] h2');
    return found ? found.textContent : "";
}"""
"""The screen's heading: each screen and a draft have their own."""


def heading(page) -> str:
    return page.evaluate(HEADING)


def settle(page, started: float, before: str) -> float:
    """Seconds from `started` until the rerun is over and the heading is no longer `before`:
    every screen and a draft have their own, so the old screen never counts as the new one."""
    page.wait_for_function(
        f"(before) => ({SETTLED})() && ({HEADING})() !== before", arg=before, timeout=60_000
    )
    return time.perf_counter() - started


def log_in(page, who: str, password: str) -> None:
    page.get_by_label("User id", exact=True).fill(who)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_role("button", name="Log out", exact=True).wait_for(timeout=60_000)
    page.wait_for_function(SETTLED, timeout=60_000)


def screens(page) -> list[str]:
    """The sidebar's screen names, as the radio shows them (without a count in brackets)."""
    labels = page.get_by_test_id("stSidebar").locator('[role="radiogroup"] label').all_inner_texts()
    return [label.strip() for label in labels]


def slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.split(" (")[0].lower()).strip("-")


def tour(page, who: str, width: int, keep: Path | None, timings: dict[str, list[float]]) -> None:
    """Clicks every screen of the sidebar, the one it landed on last (a click on the screen
    shown changes nothing), then opens the first draft a list offers."""
    names = screens(page)
    for name in names[1:] + names[:1]:
        before, started = heading(page), time.perf_counter()
        page.get_by_test_id("stSidebar").get_by_text(name, exact=True).click()
        timings.setdefault(f"{who}: {slug(name)}", []).append(settle(page, started, before))
        if keep:
            page.screenshot(path=str(keep / f"{slug(name)}-{who}-{width}.png"), full_page=True)
    drafts = page.get_by_test_id("stSidebar").get_by_text("Drafts", exact=True)
    if drafts.count():
        before = heading(page)
        drafts.click()
        settle(page, time.perf_counter(), before)
    opener = page.locator('[class*="st-key-open-"] button')
    if opener.count():
        before, started = heading(page), time.perf_counter()
        opener.first.click()
        timings.setdefault(f"{who}: open a draft", []).append(settle(page, started, before))
        if keep:
            page.screenshot(path=str(keep / f"draft-{who}-{width}.png"), full_page=True)


def tours(url: str, args: argparse.Namespace, timings: dict[str, list[float]]) -> None:
    from playwright.sync_api import sync_playwright

    from assistant.app.demo import DEMO_PASSWORD

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for width in args.widths:
                for who in ROLES:
                    for turn in range(args.repeat):
                        page = browser.new_page(viewport={"width": width, "height": args.height})
                        page.goto(url)
                        log_in(page, who, DEMO_PASSWORD)
                        tour(page, who, width, args.screenshots if turn == 0 else None, timings)
                        page.close()
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--widths", type=int, nargs="+", default=[1400, 1024])
    parser.add_argument("--height", type=int, default=1000, help="the window's height in pixels")
    parser.add_argument("--repeat", type=int, default=3, help="tours per role and width")
    parser.add_argument("--screenshots", type=Path, help="keep a picture of each screen here")
    args = parser.parse_args()

    from assistant.servers import free_port, running, ui_command

    if args.screenshots:
        args.screenshots.mkdir(parents=True, exist_ok=True)
    timings: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "demo"
        started = time.perf_counter()
        build(home)
        print(f"demo practice built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = Path(folder) / "screen.log"
        with running(ui_command("127.0.0.1", port), f"{url}/_stcore/health", environment(home), log, 120):
            tours(url, args, timings)
    clicks = {
        name: {"median_s": round(statistics.median(seconds), 2), "max_s": round(max(seconds), 2)}
        for name, seconds in sorted(timings.items())
    }
    slowest = max((c["median_s"] for c in clicks.values()), default=0.0)
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "target_s": TARGET_S,
        "clicks": clicks,
        "slowest_median_s": slowest,
        "met": slowest < TARGET_S,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
