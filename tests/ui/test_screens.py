"""The review screen through Streamlit's AppTest: what a coordinator, a provider and QA see and
do, checked against the store the review desk keeps."""

from __future__ import annotations

import json
import re

import pytest

from assistant.drafting.content import ReviewNote
from tests.review_desk import overwrite_draft
from tests.ui.conftest import AS_OF, PASSWORD
from tests.ui.helpers import (
    field,
    go_to,
    labels,
    messages,
    open_buttons,
    open_draft,
    press,
    ran,
    read,
    rendered,
    section,
    select,
    shown,
)


def markdown(at) -> list[str]:
    """Each Markdown element's text as a person reads it (the escapes dropped)."""
    return [str(m.value).replace("\\", "") for m in at.markdown]


PUSHY = "Act now! Only 2 spots left, book today or lose your results"


# Logging in and out ----------------------------------------------------------------------------


def test_a_coordinator_logs_in_and_sees_who_they_are_and_their_role(screen):
    at = screen("carol")
    sidebar = "\n".join(m.value for m in at.sidebar.markdown)
    assert "carol" in sidebar and "coordinator" in sidebar
    assert "Log out" in labels(at)
    assert "Ready this week" in shown(go_to(at, "Ready this week"))


def test_a_wrong_password_is_refused_with_the_reason(screen):
    at = screen("carol", password="not-the-password")
    assert any("wrong user id or password" in m for m in messages(at, "error"))
    assert "Log in" in labels(at) and "Log out" not in labels(at)


def test_logging_out_returns_to_the_login(screen):
    at = press(screen("carol"), "Log out")
    assert "Log in" in labels(at) and "Log out" not in labels(at)
    assert not at.sidebar.markdown


# Ready this week ----------------------------------------------------------------------------------


def test_a_provider_is_offered_no_draft_button(screen, clinic):
    at = section(go_to(screen("pat"), "Ready this week"), "All ready")
    ready = clinic.review.queue(clinic.people["pat"], AS_OF)["ready"]
    undrafted = next(i["name"] for i in ready if i["patient_id"] in clinic.undrafted)
    at = select(at, undrafted)
    assert "Why:" in shown(at) and "Draft" not in labels(at)


# The drafts -------------------------------------------------------------------------------------


def test_the_drafts_list_filters_by_status_and_by_moment(screen, clinic):
    pending = clinic.draft("pending_approval")
    carol = clinic.people["carol"]
    at = go_to(screen("carol"), "Drafts")
    assert open_buttons(at) == {d["id"] for d in clinic.review.drafts(carol)}

    at = ran(at.multiselect(key="filter_status").select("pending_approval").run())
    listed = open_buttons(at)
    assert pending.id in listed
    assert listed == {d["id"] for d in clinic.review.drafts(carol, statuses=["pending_approval"])}

    at = ran(at.selectbox(key="filter_moment").set_value(pending.moment).run())
    both = {
        d["id"] for d in clinic.review.drafts(carol, statuses=["pending_approval"], moment=pending.moment)
    }
    assert open_buttons(at) == both and pending.id in both

    other = next(d["moment"] for d in clinic.review.drafts(carol) if d["moment"] != pending.moment)
    at = ran(at.selectbox(key="filter_moment").set_value(other).run())
    assert pending.id not in open_buttons(at)


def test_the_draft_view_shows_the_draft_beside_its_history_and_sources(screen, clinic):
    draft = clinic.draft()
    carol = clinic.people["carol"]
    at = open_draft(screen("carol"), draft.id)
    assert field(at, "Subject").value == draft.subject
    assert field(at, "Body").value == draft.body
    page = shown(at)
    first_name = draft.brief["first_name"]
    assert f"{draft.offer_name} for {first_name} ({draft.patient_id})" in page
    assert "Status: drafted" in page
    history = clinic.review.history(carol, draft.id)
    said = next(m for m in markdown(at) if history[0]["sentence"] in m)
    assert all(event["sentence"] in said for event in history)
    assert not re.search(r"\d{4}-\d{2}-\d{2}|service_id|scheduled_for|: \w+;", said), said
    cited = next(m for m in markdown(at) if draft.sources[0].text in m)
    assert all(source.text in cited and source.id not in cited for source in draft.sources), cited
    assert all(f"**{guard.name}**" in page for guard in draft.guards)
    trail = at.dataframe[0].value
    assert ("carol", "view") in set(zip(trail["who"], trail["action"], strict=True))
    assert [e.action for e in clinic.review.audit(carol, draft_id=draft.id)] == ["create", "view"]


def test_qa_reads_a_draft_but_is_offered_no_edit_or_action(screen, clinic):
    draft = clinic.draft("pending_approval")
    at = open_draft(screen("quinn"), draft.id)
    assert field(at, "Body").disabled and field(at, "Body").value == draft.body
    assert not {"Check", "Save", "Submit for approval", "Approve", "Reject", "Send"} & set(labels(at))


# Editing ----------------------------------------------------------------------------------------


def test_check_shows_the_tone_guard_failing_on_pushy_text_before_saving(screen, clinic):
    draft = clinic.draft()
    at = open_draft(screen("carol"), draft.id)
    field(at, "Body").input(PUSHY)
    at = press(at, "Check")
    assert "Guards on your unsaved text" in shown(at)
    tone = [m for m in messages(at, "warning") if m.startswith("tone:")]
    assert tone and "false urgency" in tone[0] and "Act now" in tone[0]
    stored = clinic.stored(draft.id)
    assert (stored.status, stored.version, stored.body) == ("drafted", 1, draft.body)
    assert field(at, "Body").value == PUSHY  # the unsaved text is still there to fix


def test_save_stores_the_edit_and_shows_the_guards_run_again(screen, clinic):
    draft = clinic.draft()
    at = open_draft(screen("carol"), draft.id)
    subject = "A note from your care team"
    body = draft.body + "\n\nWe look forward to seeing you again."
    field(at, "Subject").input(subject)
    field(at, "Body").input(body)
    at = press(at, "Save")
    stored = clinic.stored(draft.id)
    assert (stored.status, stored.version, stored.edited_by) == ("edited", 2, "carol")
    assert (stored.subject, stored.body) == (subject, body)
    assert any("Saved as version 2" in m and "All guards pass" in m for m in messages(at, "success"))
    assert "Status: edited" in shown(at) and field(at, "Body").value == body


def test_a_pushy_save_is_kept_and_its_failing_guards_show(screen, clinic):
    draft = clinic.draft()
    at = open_draft(screen("carol"), draft.id)
    field(at, "Body").input(PUSHY)
    at = press(at, "Save")
    stored = clinic.stored(draft.id)
    assert stored.body == PUSHY and "tone" in [g.name for g in stored.guards if not g.passed]
    assert not any("Saved as version" in m for m in messages(at, "success"))  # no green on a failure
    assert any("Guards failing:" in m and "tone" in m for m in messages(at, "warning"))
    assert any(m.startswith("tone:") for m in messages(at, "warning"))


def test_a_save_on_a_stale_version_is_refused_and_says_to_reload(screen, clinic):
    draft = clinic.draft()
    at = open_draft(screen("carol"), draft.id)
    elsewhere = clinic.review.edit(
        clinic.people["carol"], draft.id, draft.version, None, draft.body + "\n\nSaved in another tab."
    )
    field(at, "Body").input(draft.body + "\n\nMy edit.")
    at = press(at, "Save")
    assert any("changed since you opened it" in m and "reload" in m for m in messages(at, "error"))
    assert clinic.stored(draft.id).body == elsewhere.body
    at = press(at, "Reload")
    assert field(at, "Body").value == elsewhere.body and "version 2" in shown(at)


# Submitting, approving, rejecting ----------------------------------------------------------------


def test_a_coordinator_submits_a_draft_for_approval_with_a_comment(screen, clinic):
    draft = clinic.draft()
    at = open_draft(screen("carol"), draft.id)
    field(at, "Comment").input("Please check the price line")
    at = press(at, "Submit for approval")
    stored = clinic.stored(draft.id)
    assert stored.status == "pending_approval"
    assert stored.notes[-1].comment == "Please check the price line"
    assert any("Submitted for approval" in m for m in messages(at, "success"))
    assert "Status: pending approval" in shown(at)


def test_a_compliance_failure_stops_submitting_with_the_reason(screen, clinic):
    draft = clinic.draft()
    at = open_draft(screen("carol"), draft.id)
    field(at, "Body").input(draft.body + "\n\nResults are guaranteed.")
    at = press(at, "Save")
    assert clinic.stored(draft.id).status == "needs_attention"
    submit = [b for b in at.button if b.label == "Submit for approval"]
    assert len(submit) == 1 and submit[0].disabled  # blocked on screen, with the reason beside it
    assert "Fix compliance before submitting" in shown(at)
    assert any(m.startswith("compliance:") for m in messages(at, "error"))  # a blocking failure: red


def test_a_provider_approves_from_the_approval_queue_with_a_comment(screen, clinic):
    draft = clinic.draft("pending_approval")
    at = go_to(screen("pat"), "Approval queue")
    assert "Approval queue" in shown(at) and draft.id in open_buttons(at)
    at = ran(at.button(key=f"open-{draft.id}").click().run())
    field(at, "Comment").input("Lovely, send it")
    at = press(at, "Approve")
    stored = clinic.stored(draft.id)
    assert (stored.status, stored.approved_by) == ("approved", "pat")
    assert stored.notes[-1].comment == "Lovely, send it"
    assert "Lovely, send it" in shown(at) and "Status: approved" in shown(at)
    assert draft.id not in open_buttons(go_to(at, "Approval queue"))


def test_a_provider_rejects_with_a_comment_and_a_rejection_needs_one(screen, clinic):
    draft = clinic.draft("pending_approval")
    at = open_draft(screen("pat"), draft.id, screen="Approval queue")
    at = press(at, "Reject")
    assert any("needs a comment" in m for m in messages(at, "error"))
    assert clinic.stored(draft.id).status == "pending_approval"
    field(at, "Comment").input("Too long; mention the membership price")
    at = press(at, "Reject")
    stored = clinic.stored(draft.id)
    assert stored.status == "rejected"
    assert stored.notes[-1].comment == "Too long; mention the membership price"


def test_a_coordinator_is_offered_no_approval_and_a_stale_approval_is_refused(screen, clinic):
    draft = clinic.draft("pending_approval")
    coordinator = open_draft(screen("carol"), draft.id)
    assert not {"Approve", "Reject"} & set(labels(coordinator))
    assert "Approval queue" not in coordinator.sidebar.radio(key="screen").options

    provider = open_draft(screen("pat"), draft.id, screen="Approval queue")
    clinic.review.edit(
        clinic.people["carol"], draft.id, draft.version, None, draft.body + "\n\nOne more line."
    )
    provider = press(provider, "Approve")
    assert any("changed since you opened it" in m for m in messages(provider, "error"))
    assert clinic.stored(draft.id).status == "pending_approval"
    assert clinic.stored(draft.id).approved_by is None


def test_a_rejected_draft_is_regenerated_not_resubmitted(screen, clinic):
    draft = clinic.draft("pending_approval")
    clinic.review.reject(clinic.people["pat"], draft.id, "Start again, warmer", draft.version)
    at = open_draft(screen("carol"), draft.id)
    assert "Start again, warmer" in shown(at)
    assert "Regenerate in new words" in labels(at) and "Submit for approval" not in labels(at)
    at = press(at, "Regenerate in new words")
    stored = clinic.stored(draft.id)
    assert (stored.status, stored.version) == ("drafted", draft.version + 2)
    assert any("Regenerated by template" in m for m in messages(at, "success"))
    assert "Submit for approval" in labels(at) and field(at, "Body").value == stored.body


# Sending and outcomes -----------------------------------------------------------------------------


def test_a_coordinator_sends_an_approved_draft(screen, clinic):
    draft = clinic.draft("approved", to_send=True)
    at = open_draft(screen("carol"), draft.id)
    at = press(at, "Send")
    stored = clinic.stored(draft.id)
    assert stored.status == "sent" and stored.sent_via
    sent = [m for m in messages(at, "success") if m.startswith("Sent by email to ")]
    assert sent and "outbox" not in sent[0] and "/" not in sent[0]  # in words, no server path
    assert "Status: sent" in shown(at) and "Message: delivered" in shown(at)
    assert "offer_presented" in clinic.offer_events(draft)
    assert {"Accepted", "Declined"} <= set(labels(at)) and "Send" not in labels(at)


@pytest.mark.parametrize(
    ("button", "status", "event"),
    [("Accepted", "accepted", "offer_accepted"), ("Declined", "declined", "offer_declined")],
)
def test_the_patients_answer_is_recorded(screen, clinic, button, status, event):
    draft = clinic.draft("sent")
    at = press(open_draft(screen("carol"), draft.id), button)
    assert clinic.stored(draft.id).status == status
    assert event in clinic.offer_events(draft)
    assert f"Status: {status}" in shown(at) and button not in labels(at)


# The dashboard ----------------------------------------------------------------------------------


def test_the_dashboard_shows_the_practices_figures_and_offers_the_printable_report(screen, clinic):
    at = go_to(screen("quinn"), "Dashboard")
    page = shown(at)
    for heading in (
        "This week's funnel",
        "Acceptance by moment",
        "Acceptance by offer",
        "Revenue from accepted offers",
        "Touchpoint coverage",
        "Revenue diagnostic",
    ):
        assert heading in page
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Touchpoints in use"].endswith("of 8")
    table = at.table[0].value
    assert "$54,000" in table.to_string()
    assert len(at.get("download_button")) == 1


# Patient and model text ---------------------------------------------------------------------------

HOSTILE = (
    "See https://evil.example/x or www.evil.example, write to x@evil.example\n===\n"
    "<b>bold</b> &amp; [a link](https://evil.example) ![a picture](https://evil.example/p.png)\n"
    "---\n# Title\n1. first $750 :red[red]"
)
"""A note as a patient or a model could write it: links, setext and ATX headings, a rule, HTML,
an entity, a markdown link and image, a list, LaTeX and a colour directive."""


def test_patient_and_model_text_shows_as_written_never_as_markup(screen, clinic, tmp_path):
    draft = clinic.draft()
    noted = tmp_path / "note.jsonl"
    event = {"type": "event", "id": f"{draft.patient_id}-note", "patient_id": draft.patient_id}
    event |= {"at": "2025-06-01T15:00:00Z", "kind": "feedback", "comment": HOSTILE}
    noted.write_text(json.dumps(event) + "\n")
    assert not clinic.review.practice.import_file(noted).rejected
    clinic.review.edit(clinic.people["carol"], draft.id, draft.version, None, f"{draft.body}\n\n{HOSTILE}")
    stored = clinic.stored(draft.id)
    stored.sources[0].text = HOSTILE
    stored.notes.append(ReviewNote(at=stored.created_at, actor="pat", action="reject", comment=HOSTILE))
    overwrite_draft(clinic.review, stored)

    pages = rendered(open_draft(screen("carol"), draft.id))
    markup = re.compile(r"<(?:a|h[1-6]|hr|b|i|img|ol|span)\b[^>]*>")
    made = [m.group() for page in pages for m in markup.finditer(page)]
    assert not made, made
    page = read(pages)
    assert page.count(" ".join(HOSTILE.split())) == 3  # the history, the sources, the notes
    assert "contains a link the practice has not allowed: https://evil.example/x" in page


# Importing an export -------------------------------------------------------------------------------

EXPORT = (
    "First Name,Last Name,Email,Mobile,Birthdate,City\n"
    "Ida,Screen,ida@screen.example,(415) 555-0301,12/10/1985,<b>Boston</b>\n"
    "Jon,Screen,jon@screen.example,415-555-0302,12/09/1986,Arlington\n"
    ",Screen,kay@screen.example,415-555-0303,12/08/1990,Nowhere\n"
)
"""A Vagaro customers export: two good clients (one with markup for a city) and a new one
without a first name."""


@pytest.fixture
def owner(clinic):
    """The practice's owner: an admin, the one role the Import page is for."""
    if "olive" not in {u.id for u in clinic.review.accounts.list()}:
        clinic.review.accounts.add("olive", "admin", PASSWORD, name="Olive")
    return "olive"


def table(at, column: str):
    """The one table on the page with this column, as a DataFrame."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, f"{len(found)} tables with a {column!r} column"
    return found[0]


def screens(at) -> list[str]:
    return list(at.sidebar.radio(key="screen").options)


def test_the_import_page_is_the_owners_alone(screen, owner):
    assert "Import" in screens(screen(owner))
    assert "Import" not in screens(screen("carol"))
    assert "Import" not in screens(screen("pat"))


def test_the_owner_dry_runs_an_export_then_confirms_it(screen, owner, clinic):
    def stored(email: str) -> list[dict]:
        return [p for p in clinic.review.repository.patient_records() if p.get("email") == email]

    at = go_to(screen(owner), "Import")
    at.file_uploader(key="import_file").upload("customers.csv", EXPORT.encode(), "text/csv")
    at.selectbox(key="import_preset").set_value("vagaro-customers")
    at = press(ran(at.run()), "Dry run")
    page = shown(at)
    assert "Dry run" in page and "nothing was stored" in page
    counts = table(at, "would add")
    assert counts.to_dict("records") == [
        {"table": "patients", "would add": 2, "would update": 0, "unchanged": 0}
    ]
    rejections = table(at, "reason").to_dict("records")
    assert rejections == [{"row": "4", "column": "First Name", "reason": "a new patient needs a first name"}]
    samples = table(at, "city")
    assert list(samples["city"]) == ["<b>Boston</b>", "Arlington"]  # as data, never markup
    assert "Email" in table(at, "columns in the file").to_string()
    assert not stored("ida@screen.example")

    at = press(at, "Confirm import")
    assert "Imported customers.csv: added 2 patients; updated nothing; 1 row rejected." in messages(
        at, "success"
    )
    assert "Confirm import" not in labels(at)
    assert stored("ida@screen.example")[0]["city"] == "<b>Boston</b>"
    assert not stored("kay@screen.example")
    entries = clinic.review.repository.audit(actor=owner, limit=None)
    assert {"import_dry_run", "import"} <= {e.action for e in entries}


def test_a_changed_choice_asks_for_a_new_dry_run_and_consent_is_stated(screen, owner, clinic):
    at = go_to(screen(owner), "Import")
    export = EXPORT.replace("screen.example", "consent.example").replace("555-03", "555-04")
    at.file_uploader(key="import_file").upload("clients.csv", export.encode(), "text/csv")
    at.selectbox(key="import_preset").set_value("vagaro-customers")
    at = press(ran(at.run()), "Dry run")
    at.checkbox(key="import_consent").check()
    at = ran(at.run())
    assert "Confirm import" not in labels(at)  # the dry run was for no consent
    at = press(press(at, "Dry run"), "Confirm import")
    assert "Imported clients.csv: added 2 patients, 2 events; updated nothing; 1 row rejected." in messages(
        at, "success"
    )
    assert "2 new clients given marketing consent on file." in shown(at)
