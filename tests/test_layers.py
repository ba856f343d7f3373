"""Dependencies point inward: no module under `assistant/` imports a layer above its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
LAYERS = (
    ("errors",),
    ("clock", "settings", "private"),
    ("domain",),
    # the capabilities, in the order they use one another
    ("storage", "knowledge", "drafting", "reports", "sending", "servers", "synthetic"),
    ("semantic",),  # the goal matcher's cache is in storage
    ("evals", "retrieval"),  # both read drafting's briefs and the knowledge passages
    ("exports",),  # reads the presets in knowledge; matches services with semantic
    ("app",),
    ("api",),
    ("cli", "ui"),  # `crosssell serve` starts the API
    ("__main__",),
)
"""Low to high. A module imports its own part of the package and the layers below its own,
never a neighbour in its own layer."""
ONLY = {"domain": {"errors"}}
"""Plain domain code: not even the clock or the settings."""
RANK = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p != PACKAGE / "__init__.py")


def part_of(path: Path) -> str:
    return path.relative_to(PACKAGE).with_suffix("").parts[0]


def imported_parts(path: Path) -> set[str]:
    """The package's parts a module imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = (
                [f"{node.module}.{alias.name}" for alias in node.names]
                if node.module == "assistant"
                else [node.module]
            )
        else:
            names = []
        found |= {name.split(".")[1] for name in names if name.startswith("assistant.")}
    return found


def test_every_part_of_the_package_has_a_layer():
    assert {part_of(p) for p in MODULES} <= set(RANK)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_upward(path: Path):
    own = part_of(path)
    others = imported_parts(path) - {own}
    upward = {part for part in others if RANK[part] >= RANK[own]}
    assert not upward, f"{own} may not import {sorted(upward)}"
    if own in ONLY:
        assert others <= ONLY[own], f"{own} imports {sorted(others - ONLY[own])}"


def test_relative_imports_are_not_used():
    """The check reads absolute imports only; a relative one would slip past it."""
    relative = [
        str(p.relative_to(PACKAGE))
        for p in MODULES
        for node in ast.walk(ast.parse(p.read_text()))
        if isinstance(node, ast.ImportFrom) and node.level
    ]
    assert relative == []
