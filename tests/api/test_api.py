"""The HTTP API: every role rule, transition and error code, as an integration sees them."""

from __future__ import annotations

import orjson
import pytest

from tests.review_desk import AS_OF, PASSWORD

DAY = AS_OF.isoformat()


READY: list[str] = []
"""The ready queue as the module found it: sends take patients out of it, so indexes shift."""


def _draft(client, auth, desk, index: int) -> dict:
    if not READY:
        READY.extend(desk.ready())
    patient = READY[index]
    answer = client.post("/drafts", json={"patient_id": patient, "as_of": DAY}, headers=auth["coordinator"])
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_login_gives_a_token_that_works(client):
    answer = client.post("/auth/token", json={"user_id": "provider1", "password": PASSWORD})
    assert answer.status_code == 200
    token = answer.json()["token"]
    me = client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"id": "provider1", "name": "provider1", "role": "provider", "active": True}


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}]
)
def test_no_or_bad_token_is_401(client, headers):
    answer = client.get("/queue", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert "token" in answer.json()["error"]


def test_a_wrong_password_is_401(client):
    answer = client.post("/auth/token", json={"user_id": "provider1", "password": "wrong-pass"})
    assert answer.status_code == 401 and answer.json()["error"] == "wrong user id or password"


def test_the_queue_lists_ready_patients_with_why(client, auth, desk):
    answer = client.get("/queue", params={"as_of": DAY}, headers=auth["qa"])
    assert answer.status_code == 200
    ready = answer.json()["ready"]
    assert [r["patient_id"] for r in ready] == desk.ready()
    assert all(r["moment"] and r["signal"] and r["reasons"] and r["expected_value"] > 0 for r in ready)


def test_the_whole_lifecycle_over_http(client, auth, desk):
    draft = _draft(client, auth, desk, 0)
    assert draft["status"] == "drafted" and draft["version"] == 1
    url = f"/drafts/{draft['id']}"
    edited = client.patch(
        url, json={"version": 1, "body": draft["body"] + "\n\nSee you soon."}, headers=auth["coordinator"]
    ).json()
    assert (edited["status"], edited["version"]) == ("edited", 2)
    submitted = client.post(f"{url}/submit", json={"version": 2}, headers=auth["coordinator"]).json()
    assert submitted["status"] == "pending_approval"
    approved = client.post(
        f"{url}/approve", json={"version": submitted["version"], "comment": "ok"}, headers=auth["provider"]
    ).json()
    assert approved["status"] == "approved" and approved["approved_version"] == approved["version"]
    sent = client.post(f"{url}/send", json={}, headers=auth["coordinator"]).json()
    assert sent["status"] == "sent" and sent["sent_at"] and sent["delivery"]["state"] == "delivered"
    outcome = client.post(f"{url}/outcome", json={"outcome": "declined"}, headers=auth["coordinator"])
    assert outcome.json()["status"] == "declined"
    trail = client.get("/audit", params={"draft_id": draft["id"]}, headers=auth["qa"]).json()
    assert [e["action"] for e in trail] == [
        "create",
        "edit",
        "submit",
        "approve",
        "send",
        "delivered",
        "outcome",
    ]
    assert trail[1]["detail"]["after"]["body"].endswith("See you soon.")


ROLE_RULES = [
    ("approve", {"provider"}, 1),
    ("reject", {"provider"}, 6),
    ("submit", {"coordinator", "admin"}, 7),
]


@pytest.mark.parametrize(("step", "allowed", "index"), ROLE_RULES)
def test_role_rules_on_review_steps(client, auth, desk, step, allowed, index):
    draft = _draft(client, auth, desk, index)
    url = f"/drafts/{draft['id']}"
    if step != "submit":
        draft = client.post(f"{url}/submit", json={}, headers=auth["coordinator"]).json()
    body = {"comment": "x", "version": draft["version"]}
    for role in ("coordinator", "provider", "qa", "admin"):
        if role in allowed:
            continue
        answer = client.post(f"{url}/{step}", json=body, headers=auth[role])
        assert answer.status_code == 403, (step, role)
        assert f"you are a {role}" in answer.json()["error"]
    role = sorted(allowed)[0]
    assert client.post(f"{url}/{step}", json=body, headers=auth[role]).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body", "forbidden"),
    [
        ("post", "/drafts", {"patient_id": "d001"}, {"provider", "qa"}),
        ("post", "/drafts/week", {"limit": 1}, {"provider", "qa"}),
        ("get", "/users", None, {"coordinator", "provider", "qa"}),
        (
            "post",
            "/users",
            {"user_id": "zz", "role": "qa", "password": PASSWORD},
            {"coordinator", "provider", "qa"},
        ),
        ("get", "/audit", None, {"coordinator", "provider"}),
        ("post", "/events", [], {"provider", "qa"}),
        ("post", "/replies", {"patient_id": "d001", "channel": "sms", "text": "hi"}, {"provider", "qa"}),
    ],
)
def test_role_rules_on_everything_else(client, auth, method, path, body, forbidden):
    for role in forbidden:
        answer = getattr(client, method)(
            path, headers=auth[role], **({"json": body} if body is not None else {})
        )
        assert answer.status_code == 403, (path, role, answer.text)


def test_send_and_outcome_role_rules(client, auth, desk):
    draft = _draft(client, auth, desk, 2)
    url = f"/drafts/{draft['id']}"
    submitted = client.post(f"{url}/submit", json={}, headers=auth["coordinator"]).json()
    client.post(f"{url}/approve", json={"version": submitted["version"]}, headers=auth["provider"])
    for role in ("provider", "qa"):
        assert client.post(f"{url}/send", json={}, headers=auth[role]).status_code == 403
    assert client.post(f"{url}/send", json={}, headers=auth["coordinator"]).status_code == 200
    for role in ("provider", "qa"):
        answer = client.post(f"{url}/outcome", json={"outcome": "accepted"}, headers=auth[role])
        assert answer.status_code == 403


def test_unknown_ids_are_404(client, auth):
    for path in ("/drafts/dr-nope", "/drafts/dr-nope/history"):
        answer = client.get(path, headers=auth["coordinator"])
        assert answer.status_code == 404 and "dr-nope" in answer.json()["error"]
    answer = client.post("/drafts", json={"patient_id": "nobody"}, headers=auth["coordinator"])
    assert answer.status_code == 404 and "nobody" in answer.json()["error"]


def test_illegal_transitions_and_stale_versions_are_409(client, auth, desk):
    draft = _draft(client, auth, desk, 3)
    url = f"/drafts/{draft['id']}"
    answer = client.post(f"{url}/send", json={}, headers=auth["coordinator"])
    assert answer.status_code == 409 and "approve it first" in answer.json()["error"]
    assert client.post(f"{url}/approve", json={"version": 1}, headers=auth["provider"]).status_code == 409
    client.patch(url, json={"version": 1, "body": draft["body"] + " A."}, headers=auth["coordinator"])
    stale = client.patch(url, json={"version": 1, "body": draft["body"] + " B."}, headers=auth["provider"])
    assert stale.status_code == 409 and "version" in stale.json()["error"]
    assert client.get(url, headers=auth["coordinator"]).json()["body"].endswith(" A.")


def test_an_ineligible_patient_is_409_with_the_reason(client, auth, desk):
    suppressed = desk.review.scan(desk.users["qa"], AS_OF).suppressed
    no_consent = next(s.patient_id for s in suppressed if s.reason.value == "no marketing consent")
    answer = client.post(
        "/drafts", json={"patient_id": no_consent, "as_of": DAY}, headers=auth["coordinator"]
    )
    assert answer.status_code == 409 and "no marketing consent" in answer.json()["error"]


@pytest.mark.parametrize(
    ("path", "body", "named"),
    [
        ("/drafts", {"as_of": DAY}, "patient_id"),
        ("/drafts", {"patient_id": "d001", "channel": "fax"}, "channel"),
        ("/drafts/dr-x/reject", {"comment": "", "version": 1}, "comment"),
        ("/drafts/dr-x/reject", {"comment": "shorter"}, "version"),
        ("/drafts/dr-x/approve", {}, "version"),
        ("/drafts/dr-x/outcome", {"outcome": "maybe"}, "outcome"),
        ("/auth/token", {"user_id": "x"}, "password"),
    ],
)
def test_bad_bodies_are_422_naming_the_field(client, auth, path, body, named):
    answer = client.post(path, json=body, headers=auth["coordinator"])
    assert answer.status_code == 422
    assert named in answer.json()["error"]


def test_a_patch_without_its_version_is_422(client, auth, desk):
    draft = _draft(client, auth, desk, 4)
    answer = client.patch(f"/drafts/{draft['id']}", json={"body": "x"}, headers=auth["coordinator"])
    assert answer.status_code == 422 and "version" in answer.json()["error"]


def test_events_push_as_json_and_json_lines_with_bad_lines_named(client, auth, desk):
    event = {
        "type": "event",
        "id": "api-e1",
        "patient_id": "d001",
        "kind": "feedback",
        "at": f"{DAY}T10:00:00Z",
        "score": 9,
        "comment": "lovely",
    }
    one = client.post("/events", json=event, headers=auth["coordinator"])
    assert one.status_code == 200 and one.json()["added"]["events"] == 1
    lines = b"\n".join(
        [
            orjson.dumps({**event, "id": "api-e2"}),
            b"{not json",
            orjson.dumps({**event, "id": "api-e3", "patient_id": "ghost"}),
        ]
    )
    mixed = client.post(
        "/events", content=lines, headers={**auth["coordinator"], "Content-Type": "application/x-ndjson"}
    )
    assert mixed.status_code == 200
    report = mixed.json()
    assert report["added"]["events"] == 1 and report["rejected"] == 2
    assert [r["line"] for r in report["rejections"]] == [2, 3]
    assert "ghost" in report["rejections"][1]["message"]
    bad = client.post(
        "/events", content=b"{nope", headers={**auth["coordinator"], "Content-Type": "application/x-ndjson"}
    )
    assert bad.status_code == 422 and "line 1" in bad.json()["error"]
    stored = desk.practice.repository.history("d001", 2**40)
    assert {"api-e1", "api-e2"} <= {e.id for e in stored.events}


@pytest.mark.parametrize("body", [b"", b"  \n", b"[]"])
def test_an_empty_push_is_refused_after_the_role_check(client, auth, body):
    headers = {"Content-Type": "application/json"}
    assert client.post("/events", content=body, headers={**auth["provider"], **headers}).status_code == 403
    empty = client.post("/events", content=body, headers={**auth["coordinator"], **headers})
    assert empty.status_code == 422 and "nothing to import" in empty.json()["error"]


def test_a_stop_reply_becomes_an_opt_out(client, auth, desk):
    patient = desk.ready("sms")[0] if desk.ready("sms") else desk.ready()[0]
    answer = client.post(
        "/replies",
        json={"patient_id": patient, "channel": "sms", "text": " Stop "},
        headers=auth["coordinator"],
    )
    assert answer.json()["recorded"] == "opted_out"
    history = desk.practice.repository.history(patient, 2**40)
    assert [e.text("channel") for e in history.of_kind("opted_out")][-1] == "sms"


def test_replies_record_opt_outs_and_opt_ins_with_the_patients_words(client, auth, desk):
    practice, patient = desk.practice, "d014"  # opted out of everything on November 13

    def reply(channel: str, text: str, at: str) -> str:
        body = {"patient_id": patient, "channel": channel, "text": text, "at": at}
        answer = client.post("/replies", json=body, headers=auth["coordinator"])
        assert answer.status_code == 200, answer.text
        return answer.json()["recorded"]

    def closed() -> set[str]:
        history = practice.repository.history(patient, 2**40)
        rules = practice.eligibility()
        return {c for c in ("email", "sms") if rules.channel_block(history, AS_OF, c)}

    def last(kind: str):
        return list(practice.repository.history(patient, 2**40).of_kind(kind))[-1]

    assert closed() == {"email", "sms"}
    assert reply("sms", "STOP", "2026-11-20T10:00:00Z") == "opted_out"
    assert reply("sms", "START", "2026-11-21T10:00:00Z") == "opted_in" and closed() == {"email"}
    assert (last("opted_in").text("source"), last("opted_in").text("text")) == ("sms reply", "START")
    assert reply("sms", "HELP", "2026-11-21T11:00:00Z") == "help"
    feedback = practice.repository.history(patient, 2**40).of_kind("feedback")
    assert "HELP" in [e.text("comment") for e in feedback] and closed() == {"email"}
    assert reply("email", "Please take me off your list", "2026-11-22T10:00:00Z") == "opted_out"
    assert last("opted_out").text("channel") == "all" and closed() == {"email", "sms"}
    changes = [
        (e.actor, e.detail["channel"], e.detail["before"], e.detail["after"], e.detail["text"])
        for e in desk.review.audit(desk.users["qa"], patient_id=patient)
        if e.action == "consent_changed"
    ]
    assert changes[-4:] == [
        ("coordinator1", "sms", False, False, "STOP"),
        ("coordinator1", "sms", False, True, "START"),
        ("coordinator1", "email", False, False, "Please take me off your list"),
        ("coordinator1", "sms", True, False, "Please take me off your list"),
    ]


def test_users_are_managed_by_admins_and_disabled_users_lose_access(client, auth):
    made = client.post(
        "/users",
        json={"user_id": "temp.coord", "role": "coordinator", "password": PASSWORD},
        headers=auth["admin"],
    )
    assert made.status_code == 201
    token = {"Authorization": f"Bearer {made.json()['token']}"}
    assert client.get("/queue", params={"as_of": DAY}, headers=token).status_code == 200
    again = client.post(
        "/users", json={"user_id": "temp.coord", "role": "qa", "password": PASSWORD}, headers=auth["admin"]
    )
    assert again.status_code == 409
    weak = client.post(
        "/users", json={"user_id": "weak", "role": "qa", "password": "short"}, headers=auth["admin"]
    )
    assert weak.status_code == 422 and "8 characters" in weak.json()["error"]
    assert client.post("/users/temp.coord/disable", headers=auth["admin"]).status_code == 200
    assert client.get("/queue", headers=token).status_code == 401
    login = client.post("/auth/token", json={"user_id": "temp.coord", "password": PASSWORD})
    assert login.status_code == 401 and "disabled" in login.json()["error"]
    log = client.get("/audit", params={"actor": "admin1"}, headers=auth["admin"]).json()
    assert {"user_added", "user_disabled"} <= {e["action"] for e in log}


def test_openapi_docs_are_served(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/events", "/queue", "/drafts", "/drafts/{draft_id}/approve", "/users", "/audit"} <= set(paths)


def test_logout_ends_only_that_session_and_logins_are_audited(client, auth):
    token = client.post("/auth/token", json={"user_id": "qa1", "password": PASSWORD}).json()
    session = {"Authorization": f"Bearer {token['token']}"}
    assert client.post("/auth/logout", headers=session).json() == {"logged_out": "qa1"}
    assert client.get("/me", headers=session).status_code == 401
    assert client.get("/me", headers=auth["qa"]).status_code == 200  # the API token still works
    log = client.get("/audit", params={"actor": "qa1"}, headers=auth["admin"]).json()
    assert [e["action"] for e in log][-2:] == ["login", "logout"]


def test_draft_lists_name_the_patient_without_the_text(client, auth, desk):
    draft = _draft(client, auth, desk, 5)
    rows = client.get("/drafts", params={"patient_id": draft["patient_id"]}, headers=auth["qa"]).json()
    first_name = desk.practice.repository.patient(draft["patient_id"]).first_name
    assert rows and all(r["first_name"] == first_name for r in rows)
    assert not any("body" in r or "subject" in r for r in rows)


def test_what_was_learned_and_the_diagnostic_are_served(client, auth):
    report = client.get("/learning", params={"as_of": DAY}, headers=auth["qa"])
    assert report.status_code == 200 and {"by_moment", "by_segment", "off_policy"} <= set(report.json())
    figures = client.get("/diagnostic", params={"as_of": DAY}, headers=auth["provider"]).json()
    assert figures["what_if"]["article"]["annual"] == 54000
    assert client.get("/diagnostic").status_code == 401


def test_reading_drafts_and_a_patients_history_over_http_is_audited(client, auth, desk):
    rows = client.get("/drafts", headers=auth["provider"]).json()
    row = rows[0]
    events = client.get(f"/drafts/{row['id']}/history", headers=auth["provider"]).json()
    log = client.get("/audit", params={"actor": "provider1", "limit": 2}, headers=auth["admin"]).json()
    assert [e["action"] for e in log] == ["read_drafts", "read_history"]
    assert log[0]["detail"]["patients"] == sorted({r["patient_id"] for r in rows})
    assert (log[1]["patient_id"], log[1]["detail"]["draft"]) == (row["patient_id"], row["id"])
    assert log[1]["detail"]["events"] == len(events)
