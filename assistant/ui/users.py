"""The people who use the desk, for admins: who has which role, adding someone, disabling
someone, setting a password. Each change asks for a confirmation, and the desk (which audits
it) says why it refuses one."""

from __future__ import annotations

import streamlit as st

from assistant.app.accounts import User
from assistant.app.review import Review
from assistant.domain.review import Role
from assistant.ui.desk import attempt, flash, md

TOKEN_KEY = "users_new_token"
"""A new user's API token, kept for one run so it can be shown once after the rerun."""


def users_screen(desk: Review, user: User) -> None:
    st.title("Users")
    people = attempt(lambda: desk.users(user))
    if people is None:
        return
    _new_token()
    st.dataframe(
        [{"User id": p.id, "Name": p.name, "Role": p.role.value, "Active": p.active} for p in people],
        hide_index=True,
    )
    add, disable, password = st.tabs(["Add a user", "Disable a user", "Set a password"])
    with add:
        _add(desk, user)
    with disable:
        _disable(desk, user, [p for p in people if p.active])
    with password:
        _password(desk, user, people)


def _new_token() -> None:
    token = st.session_state.pop(TOKEN_KEY, None)
    if token:
        st.info(
            "The new user's API token, shown this once (for an integration; they log in with the password):"
        )
        st.code(token, language=None)


def _add(desk: Review, user: User) -> None:
    with st.form("user_add", clear_on_submit=False):
        user_id = st.text_input(
            "User id", key="user_add_id", help="lowercase letters, digits, '.', '_', '-' or '@'"
        )
        name = st.text_input("Name", key="user_add_name")
        role = st.selectbox("Role", [r.value for r in Role], key="user_add_role")
        secret = st.text_input("Password", type="password", key="user_add_password")
        sure = st.checkbox("Yes, add this user with this role", key="user_add_confirm")
        pressed = st.form_submit_button("Add user", type="primary", key="user_add_submit")
    if not pressed:
        return
    if not sure:
        st.warning("Tick the confirmation to add the user.")
        return
    added = attempt(lambda: desk.add_user(user, user_id, role, secret, name))
    if added is not None:
        new, token = added
        st.session_state[TOKEN_KEY] = token
        _done(f"Added {new.id} as {new.role.value}.")


def _disable(desk: Review, user: User, active: list[User]) -> None:
    if not active:
        st.caption("Nobody is active.")
        return
    with st.form("user_disable"):
        who = st.selectbox(
            "User", [p.id for p in active], key="user_disable_id", format_func=lambda i: _label(active, i)
        )
        sure = st.checkbox(
            "Yes, disable this user: their sessions and tokens end now", key="user_disable_confirm"
        )
        pressed = st.form_submit_button("Disable user", key="user_disable_submit")
    if not pressed:
        return
    if not sure:
        st.warning("Tick the confirmation to disable the user.")
        return
    disabled = attempt(lambda: desk.disable_user(user, who))
    if disabled is not None:
        _done(f"Disabled {disabled.id}: they can no longer log in. Their audit trail stays.")


def _password(desk: Review, user: User, people: list[User]) -> None:
    with st.form("user_password", clear_on_submit=True):
        who = st.selectbox(
            "User", [p.id for p in people], key="user_password_id", format_func=lambda i: _label(people, i)
        )
        secret = st.text_input("New password", type="password", key="user_password_new")
        sure = st.checkbox("Yes, set this password: their sessions end now", key="user_password_confirm")
        pressed = st.form_submit_button("Set password", key="user_password_submit")
    if not pressed:
        return
    if not sure:
        st.warning("Tick the confirmation to set the password.")
        return
    if attempt(lambda: _set_password(desk, user, who, secret)):
        _done(f"Set a new password for {who}; their sessions have ended.")


def _set_password(desk: Review, user: User, who: str, secret: str) -> bool:
    """True once set (the desk answers nothing), so `attempt`'s None means it refused."""
    desk.set_password(user, who, secret)
    return True


def _label(people: list[User], user_id: str) -> str:
    found = next((p for p in people if p.id == user_id), None)
    return f"{user_id} ({found.name}, {found.role.value})" if found and found.name else user_id


def _done(message: str) -> None:
    flash("success", md(message))
    st.rerun()
