"""One API over the shared dev practice per test module, and a bearer header per role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from tests.review_desk import build_desk


@pytest.fixture(scope="module")
def desk(tmp_path_factory, matcher):
    return build_desk(tmp_path_factory.mktemp("api"), matcher)


@pytest.fixture(scope="module")
def client(desk):
    with TestClient(create_app(desk.review)) as c:
        yield c


@pytest.fixture(scope="module")
def auth(desk):
    return {role: {"Authorization": f"Bearer {token}"} for role, token in desk.tokens.items()}
