"""The audit log and users screens through AppTest: an admin narrows the log to one draft's
edit and reads what changed, adds, disables and resets people, each confirmed; a coordinator is
shown neither screen."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.ui.conftest import PASSWORD, Clinic
from tests.ui.helpers import go_to, labels, log_in, messages, ran, shown

ADMIN = "ada"


@pytest.fixture(scope="module", autouse=True)
def admin(clinic: Clinic):
    """The practice's owner, who may read the whole log and manage its people."""
    user = clinic.review.accounts.add(ADMIN, "admin", PASSWORD, name="Ada Owner")[0]
    clinic.people[ADMIN] = user
    return user


def screens(at) -> list[str]:
    return list(at.sidebar.radio(key="screen").options)


def submit(at, key: str):
    return ran(at.button(key=key).click().run())


# Who sees which screen ------------------------------------------------------------------------


def test_a_coordinator_is_shown_neither_the_audit_log_nor_the_users(screen):
    assert not {"Audit log", "Users"} & set(screens(screen("carol")))


def test_qa_reads_the_audit_log_but_manages_no_users(screen):
    listed = screens(screen("quinn"))
    assert "Audit log" in listed and "Users" not in listed


def test_an_admin_has_both_screens(screen):
    assert {"Audit log", "Users"} <= set(screens(screen(ADMIN)))


# The audit log --------------------------------------------------------------------------------


def test_an_admin_narrows_the_log_to_a_drafts_edit_and_reads_what_changed(screen, clinic):
    draft = clinic.draft()
    carol = clinic.people["carol"]
    added = "We also have a Tuesday evening slot open."
    edited = clinic.review.edit(carol, draft.id, draft.version, None, f"{draft.body}\n{added}")

    at = go_to(screen(ADMIN), "Audit log")
    assert any("The log is whole" in m for m in messages(at, "success"))
    at = ran(at.text_input(key="audit_subject").input(draft.id).run())
    rows = at.dataframe[0].value
    assert set(rows["Draft"]) == {draft.id}
    assert list(rows["Entry"]) == sorted(rows["Entry"], reverse=True)  # newest first
    assert set(rows["Action"]) >= {"create", "edit"}

    at = ran(at.multiselect(key="audit_action").select("edit").run())
    rows = at.dataframe[0].value
    assert list(rows["Action"]) == ["edit"] and list(rows["Who"]) == ["carol"]
    entry = int(rows["Entry"][0])
    at = ran(at.selectbox(key="audit_entry").set_value(entry).run())
    (diff,) = at.code
    assert f"+{added}" in diff.value
    assert not any(line.startswith("-") and not line.startswith("---") for line in diff.value.splitlines())
    whole = at.json[0].value
    assert added in whole and edited.body.splitlines()[0] in whole  # the detail, untruncated


def test_an_admin_filters_the_log_by_who_and_by_day(screen, clinic):
    at = go_to(screen(ADMIN), "Audit log")
    everyone = set(at.dataframe[0].value["Who"])
    assert {"carol", ADMIN} <= everyone
    at = ran(at.selectbox(key="audit_actor").set_value("carol").run())
    assert set(at.dataframe[0].value["Who"]) == {"carol"}
    tomorrow = clinic.review.clock.today() + timedelta(days=1)
    at = ran(at.date_input(key="audit_from").set_value(tomorrow).run())
    assert "No entry matches these filters." in shown(at) and not at.dataframe


# Users ----------------------------------------------------------------------------------------


def test_an_admin_adds_a_user_only_once_they_confirm(screen, clinic):
    at = go_to(screen(ADMIN), "Users")
    at.text_input(key="user_add_id").input("dana")
    at.text_input(key="user_add_name").input("Dana Desk")
    at.selectbox(key="user_add_role").set_value("coordinator")
    at.text_input(key="user_add_password").input(PASSWORD)
    at = submit(at, "user_add_submit")
    assert any("Tick the confirmation" in m for m in messages(at, "warning"))
    assert "dana" not in {u.id for u in clinic.review.accounts.list()}

    at.checkbox(key="user_add_confirm").check()
    at = submit(at, "user_add_submit")
    assert any("Added dana as coordinator" in m.replace("\\", "") for m in messages(at, "success"))
    assert at.code and at.code[0].value  # the API token, shown once
    assert "dana" in list(at.dataframe[0].value["User id"])
    assert "Log out" in labels(log_in(screen(), "dana", PASSWORD))


def test_the_desks_refusal_of_a_new_user_is_shown_in_its_words(screen, clinic):
    at = go_to(screen(ADMIN), "Users")
    at.text_input(key="user_add_id").input("Not A Valid Id!")
    at.text_input(key="user_add_password").input(PASSWORD)
    at.checkbox(key="user_add_confirm").check()
    at = submit(at, "user_add_submit")
    assert any("bad user id" in m for m in messages(at, "error"))


def test_an_admin_disables_a_user_who_then_cannot_log_in(screen, clinic):
    clinic.review.accounts.add("eve", "coordinator", PASSWORD, name="Eve")
    at = go_to(screen(ADMIN), "Users")
    at.selectbox(key="user_disable_id").set_value("eve")
    at = submit(at, "user_disable_submit")
    assert any("Tick the confirmation" in m for m in messages(at, "warning"))
    assert clinic.review.accounts.get("eve").active

    at.checkbox(key="user_disable_confirm").check()
    at = submit(at, "user_disable_submit")
    assert any("Disabled eve" in m for m in messages(at, "success"))
    assert not clinic.review.accounts.get("eve").active
    assert "eve" not in at.selectbox(key="user_disable_id").options
    assert "Log out" not in labels(log_in(screen(), "eve", PASSWORD))
    actions = [e.action for e in clinic.review.audit(clinic.people[ADMIN], user=ADMIN)]
    assert "user_disabled" in actions


def test_an_admin_cannot_disable_themselves_and_is_told_why(screen, clinic):
    at = go_to(screen(ADMIN), "Users")
    at.selectbox(key="user_disable_id").set_value(ADMIN)
    at.checkbox(key="user_disable_confirm").check()
    at = submit(at, "user_disable_submit")
    assert any("you cannot disable yourself" in m for m in messages(at, "error"))
    assert clinic.review.accounts.get(ADMIN).active


def test_an_admin_sets_a_password_the_user_then_logs_in_with(screen, clinic):
    clinic.review.accounts.add("finn", "provider", PASSWORD, name="Finn")
    new = "a-fresh-password-2026"
    at = go_to(screen(ADMIN), "Users")
    at.selectbox(key="user_password_id").set_value("finn")
    at.text_input(key="user_password_new").input(new)
    at.checkbox(key="user_password_confirm").check()
    at = submit(at, "user_password_submit")
    assert any("Set a new password for finn" in m for m in messages(at, "success"))
    assert "Log out" in labels(log_in(screen(), "finn", new))
    assert "Log out" not in labels(log_in(screen(), "finn", PASSWORD))
