"""Shared fixtures: paths to the test notes, and a data file in a temporary folder."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(autouse=True)
def _isolated_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real user data folder from a test."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("DVATUI_CACHE_DIR", str(tmp_path / "dvatui-cache"))
    monkeypatch.delenv("DVATUI_DB", raising=False)
    monkeypatch.delenv("DVATUI_CONFIG", raising=False)
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)


# -- helpers shared by several test folders (fixtures: the folders are not one package) ----

Cells = list[list[tuple[object, ...]]]


def _pyte_cells(screen: Any) -> Cells:
    """What a pyte screen shows, cell by cell: the character, the background, the attributes
    that show on any cell, and the glyph's colour and weight where there is a glyph."""
    rows = []
    for y in range(screen.lines):
        row = []
        for x in range(screen.columns):
            c = screen.buffer[y][x]
            glyph = c.data.strip() != "" or c.reverse
            row.append(
                (
                    c.data,
                    c.bg,
                    c.reverse,
                    c.underscore,
                    c.strikethrough,
                    c.blink,
                    c.fg if glyph else None,
                    c.bold if glyph else None,
                    c.italics if glyph else None,
                )
            )
        rows.append(row)
    return rows


@pytest.fixture
def screen_cells() -> Callable[[Any], Cells]:
    """``screen_cells(pyte_screen)``: the screen cell by cell, to compare two renderings."""
    return _pyte_cells


def _rendered(renderable: Any, width: int = 100) -> str:
    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text(styles=False)


@pytest.fixture
def rendered() -> Callable[..., str]:
    """``rendered(renderable, width=100)``: a Rich renderable as plain text."""
    return _rendered


def _notes_app(notes: Path, db: Path) -> Any:
    from dvatui.app import make_app

    app = make_app(notes=notes, db_path=db)
    app.NOTES_POLL = 3600.0  # the tests poll by hand (``reload_notes``)
    return app


async def _reload_notes(app: Any, pilot: Any) -> None:
    app.poll_notes()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


@pytest.fixture
def notes_app() -> Callable[[Path, Path], Any]:
    """``notes_app(notes, db)``: the app on the learner's own notes, polled only by hand."""
    return _notes_app


@pytest.fixture
def reload_notes() -> Callable[[Any, Any], Awaitable[None]]:
    """``await reload_notes(app, pilot)``: one poll, as the timer does it, and its reload
    on screen."""
    return _reload_notes


@pytest.fixture
def plain_wire(monkeypatch: pytest.MonkeyPatch) -> None:
    """dvatui's screen writer with no shadow and no ASCII, whatever an app built by another
    test installed (``make_app`` installs the writer with the process's shadow)."""
    from dvatui.widgets import wire

    monkeypatch.setattr(wire, "_shadow", None)
    monkeypatch.setattr(wire, "_ascii_only", False)


def _write_notes(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def write_notes() -> Callable[[Path, dict[str, str]], Path]:
    """``write_notes(folder, {"a.md": text, ...})``: a notes folder of these files."""
    return _write_notes


async def _press_review(pilot: Any, app: Any) -> Any:
    from dvatui.screens.review import ReviewScreen

    await pilot.pause()
    await pilot.press("R")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


@pytest.fixture
def press_review() -> Callable[[Any, Any], Awaitable[Any]]:
    """``await press_review(pilot, app)``: from the main screen, R; review mode is on
    screen (returned)."""
    return _press_review


@pytest.fixture
def in_threads() -> Callable[[Callable[[int], None], int], None]:
    """``in_threads(work, count)``: run ``work(0)`` ... ``work(count - 1)`` in threads at
    once and wait for them all (the lock tests of the store and of ``store_lock``)."""
    import threading

    def run(work: Callable[[int], None], count: int) -> None:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    return run
