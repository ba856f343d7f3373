"""The "Ready this week" queue as a table: this week's top patients and the rest, sorted,
filtered, searched, and a selected row's why and draft, read through the audited desk."""

from __future__ import annotations

import re

from assistant.domain.moments import Moment
from tests.ui.conftest import AS_OF
from tests.ui.helpers import field, go_to, listed, messages, ran, section, select, shown, table

CAPACITY = 5


def queue(clinic) -> list[dict]:
    return clinic.review.queue(clinic.people["carol"], AS_OF)["ready"]


def test_the_queue_is_a_table_of_this_weeks_top_and_the_rest_also_ready(screen, clinic):
    clinic.review.practice.set_rule("weekly_capacity", str(CAPACITY))
    try:
        ready = queue(clinic)
        at = go_to(screen("carol"), "Ready this week")
        assert listed(at) == [i["name"] for i in ready[:CAPACITY]]  # this week, highest value first
        assert all(" " in name for name in listed(at))  # full names, not first names
        frame = table(at).value
        assert list(frame.columns) == [
            "Patient",
            "Moment",
            "Signal",
            "Offer",
            "Price",
            "Expected value",
            "Channel",
            "Draft",
            "Week",
        ]
        top = ready[0]
        assert frame["Moment"][0] == Moment(top["moment"]).label
        assert frame["Expected value"][0] == round(top["expected_value"])
        assert frame["Draft"][0] == top["draft"]["status"]
        assert top["signal"].startswith(frame["Signal"][0].removesuffix(" …"))
        at = section(at, "Also ready")
        assert listed(at) == [i["name"] for i in ready[CAPACITY:]]
        assert set(table(at).value["Week"]) == {"also ready"}
        at = section(at, "All ready")
        assert listed(at) == [i["name"] for i in ready]
        assert f"the top {CAPACITY} by expected value" in shown(at)
    finally:
        clinic.review.practice.set_rule("weekly_capacity", "12")


def test_the_queue_filters_by_moment_offer_channel_and_draft_status_and_searches_names(screen, clinic):
    ready = queue(clinic)
    at = section(go_to(screen("carol"), "Ready this week"), "All ready")
    moment = ready[0]["moment"]
    at = ran(at.multiselect(key="queue_moment").select(moment).run())
    assert listed(at) == [i["name"] for i in ready if i["moment"] == moment]
    at = ran(at.multiselect(key="queue_moment").unselect(moment).run())

    offer = ready[-1]["offer_name"]
    at = ran(at.multiselect(key="queue_offer").select(offer).run())
    assert listed(at) == [i["name"] for i in ready if i["offer_name"] == offer]
    at = ran(at.multiselect(key="queue_offer").unselect(offer).run())

    at = ran(at.multiselect(key="queue_status").select("not drafted").run())
    assert set(listed(at)) == {i["name"] for i in ready if i["patient_id"] in clinic.undrafted}
    at = ran(at.multiselect(key="queue_status").unselect("not drafted").run())

    at = ran(at.multiselect(key="queue_channel").select("email").run())
    assert listed(at) == [i["name"] for i in ready if i["channel"] == "email"]
    at = ran(at.multiselect(key="queue_channel").unselect("email").run())

    last_name = ready[1]["name"].split()[-1]
    at = ran(field(at, "Search by name").input(last_name.lower()).run())
    assert listed(at) == [i["name"] for i in ready if last_name.lower() in i["name"].lower()]
    at = ran(field(at, "Search by name").input("nobody-is-called-this").run())
    assert not at.dataframe and "No ready patient matches these filters." in messages(at, "info")


def test_selecting_a_row_shows_the_why_and_the_draft_text_and_the_view_is_audited(screen, clinic):
    top = queue(clinic)[0]
    draft = clinic.review.get(clinic.people["carol"], top["draft"]["id"])
    at = go_to(screen("carol"), "Ready this week")
    assert "Why:" not in shown(at) and f"open-{draft.id}" not in {b.key for b in at.button}
    views = _views(clinic, draft.id)
    at = select(at, top["name"])
    page = shown(at)
    assert top["signal"] in page and all(reason in page for reason in top["reasons"])
    assert top["evidence"] in page
    assert draft.body in [t.value for t in at.text]
    assert _views(clinic, draft.id) == views + 1  # the preview was read through the desk
    ran(at.run())  # the row stays selected: the same version is not read again
    assert _views(clinic, draft.id) == views + 1
    at = ran(at.button(key=f"open-{draft.id}").click().run())
    assert field(at, "Body").value == draft.body


def test_money_on_the_queue_is_one_kind_prices_as_paid_and_expected_values_in_whole_dollars(screen, clinic):
    top = queue(clinic)[0]
    at = select(go_to(screen("carol"), "Ready this week"), top["name"])
    page = shown(at)
    assert f"expected value ${round(top['expected_value']):,} " in page
    assert not re.search(r"expected value \$[\d,]+\.\d", page)


def test_a_coordinator_drafts_an_undrafted_patient_from_the_selected_row(screen, clinic):
    patient = clinic.undrafted[-1]
    item = next(i for i in queue(clinic) if i["patient_id"] == patient)
    at = select(section(go_to(screen("carol"), "Ready this week"), "All ready"), item["name"])
    at = ran(at.button(key=f"draft-{patient}").click().run())
    stored = clinic.review.drafts(clinic.people["carol"], patient_id=patient)
    assert len(stored) == 1 and stored[0]["status"] == "drafted"
    assert any(f"Drafted for {patient}" in m for m in messages(at, "success"))


def _views(clinic, draft_id: str) -> int:
    return sum(1 for e in clinic.review.repository.audit() if e.action == "view" and e.draft_id == draft_id)
