"""Logging in and out: the desk's accounts check the password; the screen keeps only the token."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from assistant.app.accounts import User
from assistant.app.review import Review
from assistant.ui.desk import attempt, log_in, log_out, md


def login_screen(desk: Review) -> None:
    st.title("Crosssell review")
    st.caption(
        "Offers drafted for this week's patients, checked by a coordinator and approved by "
        "a provider before they go out."
    )
    form, _ = st.columns([2, 3])
    with form, st.form("login"):
        user_id = st.text_input("User id", key="login_user")
        password = st.text_input("Password", type="password", key="login_password")
        pressed = st.form_submit_button("Log in", type="primary", key="login_submit")
    if pressed:
        answer = attempt(lambda: desk.login(user_id, password))
        if answer is not None:
            log_in(answer[1], timedelta(hours=desk.accounts.session_hours))
            st.rerun()


def who(desk: Review, user: User) -> None:
    """The sidebar's first lines: who is logged in, in which role, and the way out."""
    st.sidebar.markdown(f"Logged in as **{md(user.name)}** ({md(user.id)})  \nRole: **{user.role.value}**")
    if st.sidebar.button("Log out", key="logout"):
        token = st.session_state.get("token")
        if token:
            attempt(lambda: desk.logout(token))
        log_out()
        st.rerun()
