"""Reloading changed notes files, and one data file per notes collection."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from dvatui import cli
from dvatui.domain import loader as loader_module
from dvatui.domain.loader import LAST_GOOD, NotesLoader, corpus_digest, load_corpus
from dvatui.paths import shipped_notes_dir
from dvatui.store import Store
from dvatui.study.collections import (
    collection_db_path,
    other_collections,
    remember_root,
    take_over_from,
)

A = "# Alpha\n\n## One\n\n- first fact\n"
B = "# Beta\n\n## Two\n\n- second fact\n\nFront::Back\n"


@pytest.fixture
def folder(tmp_path: Path, write_notes: Callable[[Path, dict[str, str]], Path]) -> Path:
    return write_notes(tmp_path / "notes", {"a.md": A, "b.md": B})


def mark_section(db: Path, section_id: str) -> None:
    """Bookmark a section in the data file ``db``."""
    chapter = section_id.split("/", 1)[0]
    Store.open(db).add_bookmark(
        target_id=section_id, kind="section", chapter_id=chapter, section_id=section_id, label="x"
    )


def test_only_changed_files_are_parsed_again(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loader = NotesLoader(folder)
    first = loader.load()
    assert corpus_digest(first) == corpus_digest(load_corpus(folder))
    assert not loader.changed()
    parsed: list[str] = []
    real = loader_module.parse_file
    monkeypatch.setattr(
        loader_module, "parse_file", lambda p, *a, **k: parsed.append(p.name) or real(p, *a, **k)
    )
    (folder / "b.md").write_text(B + "- third fact\n")
    assert loader.changed()
    corpus = loader.load()
    assert parsed == ["b.md"]
    assert [s.title for s in corpus.sections()] == ["Alpha", "One", "Beta", "Two"]
    (folder / "c.md").write_text("# Gamma\n\n- new\n")
    assert loader.changed()
    assert [c.title for c in loader.load().chapters] == ["Alpha", "Beta", "Gamma"]
    (folder / "a.md").unlink()
    assert [c.title for c in loader.load().chapters] == ["Beta", "Gamma"]


def test_a_broken_file_keeps_its_last_good_version(folder: Path) -> None:
    loader = NotesLoader(folder)
    loader.load()
    (folder / "b.md").write_text(B + "\n```quiz\n? Q\n- [x] a\n- [ ] b\nstray\n> x\n```\n")
    corpus = loader.load()
    assert corpus.errors == []
    (warning,) = corpus.problems
    assert warning.severity == "warning" and warning.line == 13
    assert warning.message.endswith(f"({LAST_GOOD})")
    assert corpus.questions() == []  # the last good version had none
    (folder / "b.md").write_text(B)
    assert loader.load().problems == []


def test_a_file_broken_from_the_start_reports_errors(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text("# X\n\n```quiz\n? Q\n- [x] a\n```\n")
    assert NotesLoader(tmp_path).load().errors


def test_each_collection_has_its_own_data_file(tmp_path: Path, folder: Path) -> None:
    base = tmp_path / "data" / "dvatui.json"
    shipped = shipped_notes_dir()
    assert collection_db_path(base, shipped, shipped) == base
    own = collection_db_path(base, folder, shipped)
    assert own.parent == base.with_name("dvatui.json.collections")
    assert own.name.startswith("notes-") and own.suffix == ".json"
    assert collection_db_path(base, folder / ".." / "notes", shipped) == own
    assert collection_db_path(base, tmp_path / "other" / "notes", shipped) != own


def test_older_data_of_these_notes_is_copied_over_once(tmp_path: Path, folder: Path) -> None:
    base = tmp_path / "dvatui.json"
    mark_section(base, "a/one")
    mark_section(base, "lambda/limits")  # the shipped notes' own: stays behind
    corpus = load_corpus(folder)
    own = collection_db_path(base, folder, shipped_notes_dir())
    assert take_over_from(base, own, corpus) == 1
    assert [b.target_id for b in Store.open(own).bookmarks()] == ["a/one"]
    assert take_over_from(base, own, corpus) == 0  # only before the file exists
    remember_root(own, folder)
    (found,) = other_collections(base, base)
    assert found.root == str(folder.resolve()) and found.how_to_open.endswith("/notes")
    assert [c.root for c in other_collections(base, own)] == ["the shipped notes"]


def test_check_prints_one_json_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.md").write_text(B + "\n```quiz\n? Q\n- [x] a\n- [ ] b\nstray\n> x\n```\n")
    code = cli.main(["check", "--notes", str(tmp_path), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert {k: data[k] for k in ("chapters", "sections", "questions", "cards")} == {
        "chapters": 1,
        "sections": 1,
        "questions": 1,
        "cards": 1,
    }
    assert data["errors"] == [
        {"file": str(tmp_path / "x.md"), "line": 13, "message": data["errors"][0]["message"]}
    ]
    assert "stray" in data["errors"][0]["message"] and data["warnings"] == []


def test_notes_copy_makes_the_shipped_notes_ones_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "mine"
    assert cli.main(["notes", "copy", str(target)]) == 0
    assert len(list(target.glob("*.md"))) == len(list(shipped_notes_dir().glob("*.md")))
    assert "dvatui --notes" in capsys.readouterr().out
    assert cli.main(["notes", "copy", str(target)]) == 2  # never over existing files
    assert "not an empty folder" in capsys.readouterr().err


def test_export_and_restore_follow_notes_to_the_collections_file(
    tmp_path: Path,
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("DVATUI_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    base = tmp_path / "data" / "dvatui" / "dvatui.json"
    own = collection_db_path(base, folder, shipped_notes_dir())
    mark_section(own, "a/one")
    assert cli.main(["export", "-", "--notes", str(folder)]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert [b["target_id"] for b in exported["bookmarks"]] == ["a/one"]
    assert cli.main(["export", "-"]) == 0  # the shipped notes' file: nothing of ours
    assert json.loads(capsys.readouterr().out)["bookmarks"] == []
    assert not base.exists() or Store.open(base, read_only=True).bookmarks() == []
