"""schemathesis over /openapi.json: generated requests, seeded and bounded, against the API over
the shared dev practice. No answer may be a 5xx, and every answer must match the schema: its
status is declared, and its body matches the declared model (an error's, `Error`)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from assistant.api import create_app
from tests.review_desk import AS_OF, PASSWORD, build_desk

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
DRAFTING = r"^/v1/drafts(/week|/\{draft_id\}/regenerate)?$"
"""The routes that write drafts (the slow ones): POST /drafts, /drafts/week, .../regenerate."""


# The schema is the app's own, read without starting it; the requests go to an app over a
# practice of the test's.
schema = schemathesis.openapi.from_dict(create_app().openapi())
# The unprefixed paths are the same routes as /v1's, marked deprecated: fuzzing them twice
# would double the cost and find nothing new.
schema = schema.exclude(deprecated=True)


@pytest.fixture(scope="module")
def desk(tmp_path_factory, matcher):
    return build_desk(tmp_path_factory.mktemp("fuzz"), matcher)


@pytest.fixture(scope="module")
def app(desk):
    return create_app(desk.review)


@pytest.fixture(scope="module")
def draft_id(desk) -> str:
    """A stored draft: a route on a draft gets this one, so its body is fuzzed against a real
    draft (guards, versions, transitions) rather than answered 404."""
    return desk.review.create(desk.users["coordinator"], desk.ready()[0], AS_OF).id


def _call(case, desk, app, draft_id: str) -> None:
    """The admin's API token; logging out is fuzzed with a session of its own, so it never
    ends the token every other case uses."""
    token = desk.tokens["admin"]
    if case.path.endswith("/auth/logout"):
        token = desk.review.login("admin1", PASSWORD)[1]
    if "draft_id" in (case.path_parameters or {}):
        case.path_parameters["draft_id"] = draft_id
    headers = {"Authorization": f"Bearer {token}"}
    case.call_and_validate(app=app, headers=headers, checks=CHECKS, timeout=TIMEOUT)


BUDGET = dict(derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
TIMEOUT = 120
"""Seconds for one answer: drafting the whole week takes a while on a small machine."""


@schema.exclude(path_regex=DRAFTING, method="POST").parametrize()
@settings(max_examples=30, **BUDGET)
def test_no_5xx_and_every_answer_matches_the_schema(case, desk, app, draft_id):
    _call(case, desk, app, draft_id)


@schema.include(path_regex=DRAFTING, method="POST").parametrize()
@settings(max_examples=6, **BUDGET)
def test_drafting_routes_never_5xx_and_match_the_schema(case, desk, app, draft_id):
    _call(case, desk, app, draft_id)
