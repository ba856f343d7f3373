"""The application around the routers: /v1 and the old paths, the spec, every error as JSON."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

import orjson
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.api.app import RESOURCES
from assistant.api.middleware import MAX_DEPTH as MAX
from assistant.api.routers import health
from assistant.app.accounts import User
from assistant.app.review import Review
from assistant.settings import Settings
from assistant.storage import database
from tests.review_desk import AS_OF, PASSWORD
from tests.shared_servers import DB_PASSWORD, dead_database_url

DAY = AS_OF.isoformat()
PREFIXES = ["/v1", ""]


@pytest.fixture(scope="module")
def ready(desk):
    """The patients ready on the cases' day, before any walk drafts or sends to them."""
    return desk.ready()


@pytest.fixture(scope="module")
def spec(client):
    return client.get("/openapi.json").json()


class Walk:
    """Calls routes under one prefix, and notes which route answered what."""

    def __init__(self, client: TestClient, prefix: str) -> None:
        self.client, self.prefix = client, prefix
        self.answers: list[tuple[str, str, int, Any]] = []

    def __call__(
        self, method: str, route: str, headers: dict | None = None, status: int = 200, **params: Any
    ) -> Any:
        path = route.format(**params.pop("ids", {}))
        answer = self.client.request(method.upper(), self.prefix + path, headers=headers, **params)
        assert answer.status_code == status, (method, self.prefix + path, answer.text)
        self.answers.append((method, route, status, answer.json()))
        return answer.json()


def walk_every_route(call: Walk, auth: dict, patients: list[str], user_id: str) -> None:
    co, pr, qa, ad = (auth[r] for r in ("coordinator", "provider", "qa", "admin"))
    call("get", "/health")
    session = call("post", "/auth/token", json={"user_id": "qa1", "password": PASSWORD})
    mine = {"Authorization": f"Bearer {session['token']}"}
    call("get", "/me", mine)
    call("post", "/auth/logout", mine)
    call(
        "post",
        "/events",
        co,
        json={
            "type": "event",
            "id": f"walk-{user_id}",
            "kind": "feedback",
            "patient_id": patients[0],
            "at": f"{DAY}T10:00:00Z",
            "score": 9,
            "comment": "ok",
        },
    )
    call("post", "/replies", co, json={"patient_id": patients[0], "channel": "email", "text": "thanks"})
    export = {"file": ("clients.csv", b"First Name,Last Name,Email\nAda,Walk,ada@walk.example\n", "text/csv")}
    call("post", "/imports", co, files=export, data={"preset": "vagaro-customers"})
    call("get", "/queue", qa, params={"as_of": DAY})
    first = call("post", "/drafts", co, status=201, json={"patient_id": patients[0]})
    ids = {"draft_id": first["id"]}
    call("get", "/drafts", qa, params={"patient_id": patients[0]})
    call("get", "/drafts/{draft_id}", co, ids=ids)
    call("get", "/drafts/{draft_id}/history", co, ids=ids)
    call("post", "/drafts/{draft_id}/check", co, ids=ids, json={"body": first["body"]})
    call("patch", "/drafts/{draft_id}", co, ids=ids, json={"version": 1, "body": first["body"] + " Thanks."})
    call("post", "/drafts/{draft_id}/regenerate", co, ids=ids, json={})
    submitted = call("post", "/drafts/{draft_id}/submit", co, ids=ids, json={})
    call("post", "/drafts/{draft_id}/approve", pr, ids=ids, json={"version": submitted["version"]})
    call("get", "/drafts/{draft_id}/preview", co, ids=ids)
    call("post", "/drafts/{draft_id}/test", co, ids=ids, json={"to": "carol@practice.example"})
    call("post", "/drafts/{draft_id}/send", co, ids=ids, json={})
    call("post", "/drafts/{draft_id}/outcome", co, ids=ids, json={"outcome": "accepted"})
    correction = {"outcome": "declined"}
    call("post", "/drafts/{draft_id}/outcome/correction", co, ids=ids, json=correction)
    second = call("post", "/drafts", co, status=201, json={"patient_id": patients[1]})
    submitted = call("post", "/drafts/{draft_id}/submit", co, ids={"draft_id": second["id"]}, json={})
    call(
        "post",
        "/drafts/{draft_id}/reject",
        pr,
        ids={"draft_id": second["id"]},
        json={"comment": "shorter, please", "version": submitted["version"]},
    )
    call("post", "/drafts/week", co, status=201, json={"limit": 1})
    call("get", "/learning", qa)
    call("get", "/diagnostic", pr)
    call("get", "/users", ad)
    call("post", "/users", ad, status=201, json={"user_id": user_id, "role": "qa", "password": PASSWORD})
    theirs = call("post", "/auth/token", json={"user_id": user_id, "password": PASSWORD})
    change = {"current_password": PASSWORD, "new_password": f"new {PASSWORD}"}
    call("post", "/auth/password", {"Authorization": f"Bearer {theirs['token']}"}, json=change)
    them = {"user_id": user_id}
    call("post", "/users/{user_id}/password", ad, ids=them, json={"password": PASSWORD})
    call("post", "/users/{user_id}/token", ad, status=201, ids=them, json={"expires_in_days": 30})
    call("get", "/users/{user_id}/tokens", ad, ids=them)
    call("post", "/users/{user_id}/disable", ad, ids=them)
    call("get", "/audit", ad, params={"draft_id": first["id"]})


def resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def assert_described(spec: dict, schema: dict, value: Any, where: str) -> None:
    """Every object in `value` has exactly the keys its schema lists, all the way down to the
    reports' free-form tables."""
    schema = resolve(spec, schema)
    if "anyOf" in schema:
        options = [resolve(spec, s) for s in schema["anyOf"]]
        schema = next(s for s in options if (s.get("type") == "null") == (value is None))
    if isinstance(value, list) and "items" in schema:
        for item in value:
            assert_described(spec, schema["items"], item, where + "[]")
    if isinstance(value, dict) and "properties" in schema:
        assert set(value) == set(schema["properties"]), where
        for key, item in value.items():
            assert_described(spec, schema["properties"][key], item, f"{where}.{key}")


def api_routes() -> set[tuple[str, str]]:
    """(method, path) of every route the routers declare, without a prefix."""
    return {
        (method.lower(), route.path)
        for resource in (health, *RESOURCES)
        for route in resource.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_route_answers_under_v1_and_its_old_path_as_the_spec_says(client, spec, auth, ready, prefix):
    call = Walk(client, prefix)
    walk_every_route(call, auth, ready[:2] if prefix else ready[2:4], f"walker{len(prefix)}")
    assert {(m, r) for m, r, _, _ in call.answers} == api_routes()
    for method, route, status, body in call.answers:
        described = spec["paths"][prefix + route][method]["responses"][str(status)]
        assert_described(
            spec, described["content"]["application/json"]["schema"], body, f"{method} {prefix}{route}"
        )


def test_the_spec_gives_every_route_its_answer_and_the_error_shape(spec):
    error = spec["components"]["schemas"]["Error"]
    assert {"error", "status"} <= set(error["required"])
    for method, route in api_routes():
        for path in ("/v1" + route, route):
            operation = spec["paths"][path][method]
            answers = operation["responses"]
            success = next(code for code in answers if code.startswith("2"))
            assert answers[success]["content"]["application/json"]["schema"], (path, method)
            assert answers["500"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }, (path, method)
            if route != "/health":
                assert {"401", "422"} <= set(answers), (path, method)
                assert operation.get("deprecated", False) == (path == route), (path, method)
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_an_unknown_path_is_a_json_404(client):
    for path in ("/v1/nothing-here", "/nothing-here", "/v2/queue"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert answer.json() == {"error": "Not Found", "status": 404}


def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(client, auth):
    for path in ("/v1/queue", "/queue"):
        answer = client.delete(path, headers=auth["qa"])
        assert answer.status_code == 405
        assert answer.json() == {"error": "Method Not Allowed", "status": 405}
        assert answer.headers["allow"] == "GET"


def test_bad_parameters_are_422_in_the_same_shape(client, auth):
    answer = client.get("/v1/learning", params={"top": 0}, headers=auth["qa"])
    assert answer.status_code == 422
    assert set(answer.json()) == {"error", "status"} and "top" in answer.json()["error"]


FIRST = "d001"


def _said_of(patient) -> list[str]:
    return [f"{patient.first_name} {patient.last_name}", patient.email]


class BrokenReview(Review):
    """A desk with a bug in it: the queue fails with a patient's data in the exception."""

    def queue(self, actor: User, as_of: date, limit: int | None = None) -> dict:
        patient = self.repository.patient(FIRST)
        raise RuntimeError(f"{', '.join(_said_of(patient))}: cannot rank")


def test_an_unexpected_failure_is_a_bare_json_500_logged_without_its_data(desk, auth, caplog):
    broken = BrokenReview(desk.practice, desk.review.drafting)
    # Whatever escapes the app, the server logs with its text: here nothing may escape.
    with TestClient(create_app(broken)) as client:
        for path in ("/v1/queue", "/queue"):
            answer = client.get(path, headers=auth["qa"])
            assert answer.status_code == 500
            assert answer.json() == {"error": "internal error", "status": 500}
            assert "Traceback" not in answer.text
        assert client.get("/v1/me", headers=auth["qa"]).status_code == 200
    failures = [caplog.handler.format(r) for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 2
    assert all("RuntimeError" in logged and "in queue" in logged for logged in failures)  # what, where
    for said in _said_of(desk.practice.repository.patient(FIRST)):
        assert not [text for text in (answer.text, *failures) if said in text], said


def test_a_database_gone_after_start_is_a_json_503_naming_it_without_the_password(
    desk, client, auth, tmp_path, monkeypatch
):
    """The practice opened and migrated at start; now its database answers no more."""
    url = dead_database_url()
    gone = database.connect(Settings(home=tmp_path, database_url=url))
    shown = url.replace(DB_PASSWORD, "***")
    with monkeypatch.context() as patch:
        patch.setattr(desk.practice.repository, "engine", gone)
        answers = [
            client.get("/v1/me", headers=auth["qa"]),
            client.get("/queue", headers=auth["qa"]),
            client.get("/v1/learning", headers=auth["qa"]),
            client.post("/v1/auth/token", json={"user_id": "qa1", "password": PASSWORD}),
        ]
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == "application/json"
        said = answer.json()
        assert set(said) == {"error", "status"} and said["status"] == 503
        assert said["error"].startswith(f"cannot reach the database at {shown} (")
        assert "Connection refused" in said["error"]
        assert DB_PASSWORD not in answer.text and "Traceback" not in answer.text
    assert client.get("/v1/me", headers=auth["qa"]).status_code == 200  # back once it is


SAFE_HEADERS = {
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
}


def test_every_answer_carries_the_safe_headers(desk, client, auth):
    broken = BrokenReview(desk.practice, desk.review.drafting)
    with TestClient(create_app(broken)) as failing:
        answers = [
            client.get("/health"),
            client.get("/v1/me", headers=auth["qa"]),
            client.get("/v1/queue"),  # 401
            client.get("/v1/nothing-here"),
            client.delete("/v1/queue", headers=auth["qa"]),
            client.get("/v1/learning", params={"top": 0}, headers=auth["qa"]),
            client.post("/v1/events", content=b"x" * (5 * 2**20 + 1), headers=auth["coordinator"]),
            client.get("/docs"),
            client.get("/openapi.json"),
            failing.get("/v1/queue", headers=auth["qa"]),
        ]
    assert {a.status_code for a in answers} == {200, 401, 404, 405, 413, 422, 500}
    for answer in answers:
        assert {k: answer.headers.get(k) for k in SAFE_HEADERS} == SAFE_HEADERS, answer.request.url


def _local_assets(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)=["']([^"']+)["']|url: ?["']([^"']+)["']""", html)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_load_everything_from_this_server(client, page):
    answer = client.get(page)
    assert answer.status_code == 200 and "text/html" in answer.headers["content-type"]
    assets = [a or b for a, b in _local_assets(answer.text)]
    scripts = [a for a in assets if a.endswith(".js")]
    assert scripts and "/openapi.json" in answer.text and "http" not in answer.text
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset
        fetched = client.get(asset)
        assert fetched.status_code == 200, asset
    for script in scripts:
        assert "javascript" in client.get(script).headers["content-type"], script


def _event_lines(patient_id: str, size: int) -> bytes:
    """JSON Lines of valid feedback events for one patient, `size` bytes or a little more."""
    lines, total = [], 0
    while total <= size:
        line = orjson.dumps(
            {
                "type": "event",
                "id": f"big-{len(lines)}",
                "kind": "feedback",
                "patient_id": patient_id,
                "at": f"{DAY}T09:00:00Z",
                "score": 8,
                "comment": "fine " * 40,
            }
        )
        lines.append(line)
        total += len(line) + 1
    return b"\n".join(lines)


def test_a_body_over_the_limit_is_413_naming_it_and_nothing_is_stored(desk, client, auth, ready):
    body = _event_lines(ready[-1], 5 * 2**20)
    ndjson = {**auth["coordinator"], "Content-Type": "application/x-ndjson"}
    declared = client.post("/v1/events", content=body, headers=ndjson)

    def chunks():  # no Content-Length: the body comes in pieces
        for start in range(0, len(body), 2**16):
            yield body[start : start + 2**16]

    streamed = client.post("/v1/events", content=chunks(), headers=ndjson)
    for answer in (declared, streamed):
        assert answer.status_code == 413
        assert answer.json() == {
            "error": "the request body is over the limit of 5 MiB (5242880 bytes)",
            "status": 413,
        }
    history = desk.practice.repository.history(ready[-1], 2**40)
    assert not [e for e in history.events if e.id.startswith("big-")]
    smaller = client.post("/v1/events", content=body[: 2**20].rsplit(b"\n", 1)[0], headers=ndjson)
    assert smaller.status_code == 200 and smaller.json()["rejected"] == 0


def test_json_nested_deeper_than_32_levels_is_422(client, auth):
    deep = "[" * 1000 + "]" * 1000
    inside = '{"patient_id": ' + '{"a": ' * 1000 + "1" + "}" * 1000 + "}"
    headers = {**auth["coordinator"], "Content-Type": "application/json"}
    tries = [("/v1/events", deep), ("/v1/events", inside), ("/v1/drafts", inside), ("/v1/auth/token", deep)]
    for path, body in tries:
        answer = client.post(path, content=body, headers=headers)
        assert answer.status_code == 422, (path, answer.text)
        message = f"the JSON nests arrays and objects deeper than {MAX} levels"
        assert answer.json() == {"error": message, "status": 422}
    within = client.post("/v1/replies", json={"patient_id": "x", "channel": "sms", "text": [[[["a"]]]]})
    assert within.status_code == 401  # 32 levels or fewer go on to the route


def test_the_text_to_check_or_save_has_a_length_limit(client, auth, ready):
    created = client.post("/v1/drafts", json={"patient_id": ready[-2]}, headers=auth["coordinator"])
    assert created.status_code in (200, 201), created.text
    draft = created.json()
    url = f"/v1/drafts/{draft['id']}"
    for method, path, body in (
        ("post", f"{url}/check", {"body": "word " * 2001}),
        ("post", f"{url}/check", {"subject": "s" * 301, "body": "fine"}),
        ("patch", url, {"version": draft["version"], "body": "word " * 2001}),
    ):
        answer = client.request(method, path, json=body, headers=auth["coordinator"])
        assert answer.status_code == 422, answer.text
        assert "at most" in answer.json()["error"]
    at_limit = client.post(f"{url}/check", json={"body": "word " * 2000}, headers=auth["coordinator"])
    assert at_limit.status_code == 200
