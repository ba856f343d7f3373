from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pytest

from assistant.domain.contract import parse_service, service_line
from assistant.domain.moments import Moment
from assistant.domain.records import NextStep, Service
from assistant.exports.services import (
    LEFT_OFF,
    MEANING,
    NEAREST,
    ServiceMatch,
    ServiceNames,
    Tally,
    key,
    proposed_menu,
    service_id,
    suggested_entry,
    suggestions,
)

MENU = [
    Service(
        "botox",
        "Botox (neurotoxin)",
        "injectables",
        450,
        "per area",
        aliases=("Tox",),
        next_steps=(NextStep("filler", (Moment.RESULTS_VISIBLE,), "volume"),),
    ),
    Service("filler", "Dermal filler", "injectables", 750, "per syringe"),
    Service("hydrafacial", "HydraFacial", "skin", 225, ""),
]


class Scripted:
    """A meaning model that scores only the pairs it is told, and counts what it is asked."""

    def __init__(self, scores: dict[tuple[str, str], float]) -> None:
        self.scores = scores
        self.asked: Counter = Counter()

    def similarities(self, goal: str, texts: Sequence[str]) -> list[float]:
        self.asked[goal] += 1
        return [self.scores.get((goal, text), 0.0) for text in texts]


def test_a_name_matches_by_the_menus_name_or_id_whatever_its_case_and_spacing():
    names = ServiceNames(MENU, Scripted({}))
    assert names.match("  botox   (NEUROTOXIN) ") == ServiceMatch("botox", "name", 1.0)
    assert names.match("HYDRAFACIAL") == ServiceMatch("hydrafacial", "name", 1.0)
    assert names.match("filler") == ServiceMatch("filler", "name", 1.0)


def test_then_by_an_alias_the_menu_gives():
    assert ServiceNames(MENU, Scripted({})).match("tox") == ServiceMatch("botox", "alias", 1.0)


def test_a_quantity_written_into_the_name_is_no_part_of_it():
    names = ServiceNames(MENU, Scripted({}))
    assert names.match("Tox - 20 units") == ServiceMatch("botox", "alias", 1.0)
    assert names.match("HydraFacial (2 sessions)") == ServiceMatch("hydrafacial", "name", 1.0)
    assert names.match("Dermal filler x2") == ServiceMatch("filler", "name", 1.0)
    assert names.match("Tox 40u") == ServiceMatch("botox", "alias", 1.0)


def test_then_by_meaning_with_its_confidence_when_one_service_is_clearly_nearest():
    meaning = Scripted({("lip filler", "Dermal filler"): 0.82, ("lip filler", "Tox"): 0.4})
    names = ServiceNames(MENU, meaning)
    assert names.match("Lip Filler 1 syringe") == ServiceMatch("filler", "meaning", 0.82)
    assert names.match("lip  filler") == ServiceMatch("filler", "meaning", 0.82)
    assert meaning.asked == {"lip filler": 1}  # each name worked out once


def test_a_name_near_two_services_or_near_none_matches_nothing():
    meaning = Scripted(
        {
            ("injectables", "Botox (neurotoxin)"): 0.71,
            ("injectables", "Dermal filler"): 0.70,
            ("gift card", "HydraFacial"): MEANING - 0.01,
        }
    )
    names = ServiceNames(MENU, meaning)
    assert names.match("Injectables") is None
    assert names.match("Gift card") is None
    closest = names.closest("Gift card")
    assert closest is not None and closest.service_id == "hydrafacial"
    assert names.closest("Injectables") is not None
    far = ServiceNames(MENU, Scripted({("ear piercing", "HydraFacial"): NEAREST - 0.01}))
    assert far.closest("Ear piercing") is None


def test_without_a_model_only_names_and_aliases_match():
    names = ServiceNames(MENU)
    assert names.match("Tox") == ServiceMatch("botox", "alias", 1.0)
    assert names.match("Lip filler") is None and names.closest("Lip filler") is None


def test_an_unmatched_name_gets_a_menu_line_with_the_median_paid_and_its_category():
    tally = Tally("Lash Lift & Tint")
    for paid, category in ((95.0, "Lashes"), (None, ""), (120.0, "Lashes"), (80.0, "Brows"), (0.0, "")):
        tally.add(paid, category)
    taken = {"botox", "lash_lift_tint"}
    entry = suggested_entry(tally, taken)
    assert entry == {
        "type": "service",
        "id": "lash_lift_tint_2",
        "name": "Lash Lift & Tint",
        "category": "Lashes",
        "price": 95.0,
        "kind": "treatment",
    }
    assert "lash_lift_tint_2" in taken
    assert parse_service(entry).name == "Lash Lift & Tint"  # importable as it stands


def test_a_suggested_line_borrows_the_closest_services_category_and_reads_its_kind():
    tally = Tally("Retinol serum")
    tally.add(64.0, "")
    entry = suggested_entry(tally, set(), MENU[2])
    assert (entry["category"], entry["kind"], entry["price"]) == ("skin", "product", 64.0)
    membership = Tally("Glow Club Membership")
    assert suggested_entry(membership, set())["kind"] == "membership"
    assert suggested_entry(membership, set())["price"] == 0


@pytest.mark.parametrize(
    ("name", "wanted"),
    [("Zoë's Signature Facial", "zoe_s_signature_facial"), ("  ---  ", "service"), ("IV: Myers", "iv_myers")],
)
def test_service_ids_are_plain_and_never_empty(name, wanted):
    assert service_id(name) == wanted


def test_unmatched_names_are_suggested_most_rows_first_with_the_nearest_service_as_a_hint():
    meaning = Scripted({("brow wax", "HydraFacial"): 0.5})
    names = ServiceNames(MENU, meaning)
    tallies = {"gift card": Tally("Gift Card"), "brow wax": Tally("Brow wax")}
    found = suggestions(Counter({"Gift Card": 2, "Brow wax": 5}), tallies, names)
    assert [(s.name, s.rows) for s in found] == [("Brow wax", 5), ("Gift Card", 2)]
    assert found[0].closest is not None and found[0].closest.service_id == "hydrafacial"
    assert found[0].entry is not None and found[0].entry["category"] == "skin"
    assert (found[1].closest, found[1].entry, found[1].note) == (None, None, LEFT_OFF)


@pytest.mark.parametrize(
    "name", ["Gift Card", "gift certificate", "$100 Gift Voucher", "Voucher", "Package deposit", "eGift card"]
)
def test_a_gift_card_voucher_or_deposit_is_not_a_treatment_and_is_left_off_the_menu(name):
    names = ServiceNames(MENU)
    tally = Tally(name)
    tally.add(100.0, "")
    [suggestion] = suggestions(Counter({name: 1}), {name.casefold(): tally}, names)
    assert (suggestion.name, suggestion.rows, suggestion.entry, suggestion.note) == (name, 1, None, LEFT_OFF)
    proposal = proposed_menu({name.casefold(): tally}, names)
    assert {line["id"] for line in proposal.services} == {s.id for s in MENU}
    assert [(n.name, n.service_id, n.how) for n in proposal.names] == [(name, "", "left off")]


def test_a_treatment_named_like_a_package_is_still_suggested():
    names = ServiceNames(MENU)
    tally = Tally("Laser package (6 sessions)")
    [suggestion] = suggestions(Counter({tally.name: 1}), {key(tally.name): tally}, names)
    assert suggestion.entry is not None and suggestion.entry["kind"] == "treatment"


def test_a_proposed_menu_keeps_every_service_adds_the_exports_names_and_prices():
    meaning = Scripted({("botox cosmetic", "Botox (neurotoxin)"): 0.8})
    names = ServiceNames(MENU, meaning)
    tallies = {}
    for name, paid in (
        ("Botox Cosmetic 20u", [300.0, 320.0]),
        ("Tox", [400.0]),
        ("HydraFacial", []),
        ("Ear piercing", [40.0]),
    ):
        tally = tallies[name.casefold()] = Tally(name)
        for amount in paid:
            tally.add(amount, "")
    proposal = proposed_menu(tallies, names)
    lines = {line["id"]: line for line in proposal.services}
    assert set(lines) == {"botox", "filler", "hydrafacial", "ear_piercing"}
    assert lines["botox"]["aliases"] == ["Tox", "Botox Cosmetic 20u"]  # an alias already there is kept once
    assert lines["botox"]["price"] == 320.0  # the median over all the names it matched
    assert lines["botox"]["next_steps"] == [{"to": "filler", "moments": ["results_visible"], "why": "volume"}]
    assert lines["hydrafacial"]["price"] == 225  # no price paid: the menu's stays
    assert lines["ear_piercing"]["price"] == 40.0
    assert {(n.name, n.service_id, n.how) for n in proposal.names} == {
        ("Botox Cosmetic 20u", "botox", "meaning"),
        ("Tox", "botox", "alias"),
        ("HydraFacial", "hydrafacial", "name"),
        ("Ear piercing", "ear_piercing", "new"),
    }
    assert [parse_service(line).id for line in proposal.services] == list(lines)  # all importable


def test_a_service_line_reads_back_as_the_same_service():
    for service in MENU:
        assert parse_service(service_line(service)) == service


@pytest.fixture(scope="module")
def default_names(matcher):
    """The bundled menu with the real offline model."""
    from assistant.knowledge import Knowledge
    from assistant.settings import bundled

    return ServiceNames(list(Knowledge(bundled("knowledge")).default_menu), matcher)


@pytest.mark.parametrize(
    ("name", "service"),
    [
        ("Chemical Peel (medium)", "chemical_peel"),
        ("Myers cocktail IV", "iv_therapy"),
        ("Semaglutide injection - 2.4 mg", "glp1_program"),
        ("Laser resurfacing (CO2)", "laser_resurfacing"),
        ("Dysport 50u", "botox"),
        ("Juvederm Voluma 1 syringe", "filler"),
    ],
)
def test_the_default_menu_with_the_offline_model_knows_a_booking_systems_names(default_names, name, service):
    match = default_names.match(name)
    assert match is not None and match.service_id == service


@pytest.mark.parametrize("name", ["Ear piercing", "Gift Card", "Lash lift", "Laser hair removal", "Massage"])
def test_and_matches_no_service_to_care_that_is_not_on_it(default_names, name):
    assert default_names.match(name) is None
