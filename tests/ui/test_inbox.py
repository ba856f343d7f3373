""" "Needs me" on the review screen: every person lands on it, its count is in the sidebar, a
provider reads who submitted and their note, a coordinator reads the provider's rejection,
and Open opens the draft."""

from __future__ import annotations

from tests.ui.helpers import go_to, open_buttons, ran, read, rendered, shown


def landing(at) -> tuple[str, str]:
    """The screen selected on arrival, and how the sidebar names "Needs me"."""
    radio = at.sidebar.radio(key="screen")
    return radio.value, radio.options[0]


def test_every_role_lands_on_needs_me_with_its_count_in_the_sidebar(screen, clinic):
    for who in ("carol", "pat", "quinn"):
        at = screen(who)
        count = clinic.review.needs_count(clinic.people[who])
        assert landing(at) == ("Needs me", f"Needs me ({count})"), who
        assert "Needs me" in [h.value for h in at.header]
    assert clinic.review.needs_count(clinic.people["carol"]) > 0  # the week's drafts, to submit
    assert clinic.review.needs_count(clinic.people["quinn"]) == 0
    assert "you act on none" in shown(screen("quinn"))


def test_a_provider_reads_who_submitted_when_and_their_note_and_opens_the_draft(screen, clinic):
    carol, pat = clinic.people["carol"], clinic.people["pat"]
    draft = clinic.draft("drafted")
    before = clinic.review.needs_count(pat)
    clinic.review.submit(carol, draft.id, comment="She asked about *this* at her visit")
    at = screen("pat")
    assert landing(at)[1] == f"Needs me ({before + 1})"
    text = shown(at)
    assert "To approve (" in text and "Submitted by carol, " in text
    assert "She asked about *this* at her visit" in read(rendered(at))  # her words, not Markdown
    patient = clinic.review.repository.patient(draft.patient_id)
    assert patient.name in text
    assert draft.id in open_buttons(at)

    at = ran(at.button(key=f"open-{draft.id}").click().run())
    assert at.session_state["draft"].id == draft.id
    assert "Approve" in [b.label for b in at.button]


def test_a_coordinator_reads_the_providers_rejection_and_a_sent_draft_is_gone(screen, clinic):
    carol, pat = clinic.people["carol"], clinic.people["pat"]
    rejected = clinic.draft("pending_approval")
    clinic.review.reject(pat, rejected.id, "Too pushy about the <b>price</b>", rejected.version)
    sent = clinic.draft("sent")
    at = screen("carol")
    text = shown(at)
    assert "Rejected (" in text and "Rejected by pat, " in text
    assert "Too pushy about the <b>price</b>" in read(rendered(at))
    assert rejected.id in open_buttons(at) and sent.id not in open_buttons(at)
    assert landing(at)[1] == f"Needs me ({clinic.review.needs_count(carol)})"

    at = go_to(at, "Drafts")
    assert "Needs me" not in [h.value for h in at.header]
