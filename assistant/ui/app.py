"""The review screen's entry: `crosssell ui` serves this file with Streamlit."""

from __future__ import annotations

import streamlit as st

from assistant.app.accounts import User
from assistant.app.review import Review
from assistant.domain.review import ALLOWED, Action
from assistant.ui.audit import audit_screen
from assistant.ui.dashboard import dashboard
from assistant.ui.desk import close_draft, current_user, opened_or_linked, review, show_flash
from assistant.ui.draft_view import draft_view
from assistant.ui.imports import import_page
from assistant.ui.inbox import NEEDS_ME, needs_me
from assistant.ui.links import linked_screen, show_screen_in_address
from assistant.ui.lists import approval_queue, drafts_list, ready_this_week
from assistant.ui.login import login_screen, who
from assistant.ui.users import users_screen

SCREENS = {
    NEEDS_ME: needs_me,
    "Approval queue": approval_queue,
    "Ready this week": ready_this_week,
    "Drafts": drafts_list,
    "Dashboard": dashboard,
    "Import": import_page,
    "Audit log": audit_screen,
    "Users": users_screen,
}
# The owner's screens, by the action only the owner may take there (a comment: Streamlit shows a
# bare string in this script on the page).
OWNERS = {"Import": Action.CONSENT_ON_FILE, "Audit log": Action.READ_AUDIT, "Users": Action.MANAGE_USERS}


def screens_for(user: User) -> list[str]:
    """Everyone starts from what waits for them ("Needs me", with its count); those who
    approve also have the approval queue. Importing an export is the owner's (admin's) work,
    with the owner's word on consent."""
    names = [name for name in SCREENS if name not in OWNERS or user.role in ALLOWED[OWNERS[name]]]
    if user.role in ALLOWED[Action.APPROVE]:
        return names
    return [name for name in names if name != "Approval queue"]


def signed_in(desk: Review, user: User) -> None:
    who(desk, user)
    names = screens_for(user)
    if "screen" not in st.session_state:  # the session's first screen: the link's, if it names one
        st.session_state["screen"] = linked_screen(names) or names[0]
    waiting = desk.needs_count(user)
    screen = st.sidebar.radio(
        "Screen",
        names,
        key="screen",
        on_change=close_draft,
        format_func=lambda name: f"{name} ({waiting})" if name == NEEDS_ME else name,
    )
    show_screen_in_address(screen)
    show_flash()
    draft = opened_or_linked(desk, user)
    if draft is not None:
        draft_view(desk, user, draft)
    else:
        SCREENS[screen](desk, user)


def main() -> None:
    st.set_page_config(page_title="Crosssell review", layout="wide")
    st.set_option("client.toolbarMode", "viewer")  # no developer menu for the practice's staff
    desk = review()
    user = current_user(desk)
    if user is None:
        show_flash()
        login_screen(desk)
    else:
        signed_in(desk, user)


main()
