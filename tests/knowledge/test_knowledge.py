"""A knowledge folder is read once per process and read again when one of its files changes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from assistant.app.practice import Practice
from assistant.errors import ConfigurationError
from assistant.knowledge import Knowledge
from assistant.settings import Settings, bundled


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped knowledge, ours to edit."""
    return Path(shutil.copytree(bundled("knowledge"), tmp_path / "knowledge"))


def rewrite_unseen(path: Path, text: str) -> None:
    """New content of the same size and modification time: only a fresh read can see it."""
    before = path.stat()
    assert len(text.encode()) == before.st_size
    path.write_text(text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_each_file_is_read_once_and_kept(folder: Path):
    knowledge = Knowledge.at(folder)
    first = [
        knowledge.default_menu,
        knowledge.sentiment,
        knowledge.guard_lexicon,
        knowledge.segmentation,
        knowledge.service_pages,
    ]
    lexicon = folder / "guards.json"
    rewrite_unseen(lexicon, lexicon.read_text().replace('"limits"', '"LIMITS"', 1))
    page = folder / "services" / "botox.md"
    rewrite_unseen(page, page.read_text().replace("## What it is", "## WHAT IT IS", 1))
    again = [
        knowledge.default_menu,
        knowledge.sentiment,
        knowledge.guard_lexicon,
        knowledge.segmentation,
        knowledge.service_pages,
    ]
    assert all(a is b for a, b in zip(first, again, strict=True))
    assert "limits" in knowledge.guard_lexicon


def test_an_edited_file_is_read_again(folder: Path):
    knowledge = Knowledge.at(folder)
    assert knowledge.guard_lexicon["limits"]["sms_opt_out"]
    lexicon = folder / "guards.json"
    edited = json.loads(lexicon.read_text())
    edited["limits"]["sms_opt_out"] = "Text STOP to stop."
    lexicon.write_text(json.dumps(edited))
    assert knowledge.guard_lexicon["limits"]["sms_opt_out"] == "Text STOP to stop."
    assert "chemical_peel" in knowledge.service_pages
    (folder / "services" / "chemical_peel.md").unlink()
    assert "chemical_peel" not in knowledge.service_pages


def test_one_knowledge_per_folder_in_a_process(folder: Path, tmp_path: Path):
    assert Knowledge.at(folder) is Knowledge.at(folder / ".." / "knowledge")
    practice = Practice(Settings(home=tmp_path / "home", database_url=None, knowledge_dir=folder))
    assert practice.knowledge is Knowledge.at(folder)


def test_an_unreadable_file_names_itself(folder: Path):
    knowledge = Knowledge.at(folder)
    assert knowledge.sentiment
    (folder / "sentiment.json").write_text("{not json")
    with pytest.raises(ConfigurationError, match="cannot read the feedback lexicon"):
        _ = knowledge.sentiment
    (folder / "guards.json").unlink()
    with pytest.raises(ConfigurationError, match="cannot read the guard lexicon"):
        _ = knowledge.guard_lexicon
