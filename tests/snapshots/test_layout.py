"""SVG snapshots of the layout at 80x24 and 160x48 (pytest-textual-snapshot).

Review changes with the HTML report before running ``pytest --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

from dvatui.app import make_app

NOTES = Path(__file__).resolve().parents[1] / "fixtures" / "notes"


def _app(tmp_path: Path):
    return make_app(notes=NOTES, db_path=tmp_path / "dvatui.json")


def test_wide_three_panes(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=(160, 48), press=["j", "tab", "j"])


def test_wide_after_an_answer(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(
        _app(tmp_path), terminal_size=(160, 48), press=["G", "tab", "tab", "2", "enter"]
    )


def test_narrow_note_pane(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), press=["j", "tab", "j", "b"])


def test_narrow_quiz_pane(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=(80, 24), press=["j", "tab", "tab", "a"])


def test_too_small(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(_app(tmp_path), terminal_size=(50, 12))
