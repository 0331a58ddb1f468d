"""The next start's first frame from what the last session kept (``first-screen.json`` in
the cache folder): the note as laid out, used only for the same section, width, theme and
code, and then exactly what rendering gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dvatui.app import first_screen_path, make_app
from dvatui.widgets.note_view import NoteView

NOTES = Path(__file__).resolve().parent.parent / "snapshots" / "notes"


def _app(tmp_path: Path) -> Any:
    return make_app(notes=NOTES, db_path=tmp_path / "dvatui.json")


class _Renders:
    """Counts the note pane's renders of a section (a kept layout is not a render)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = NoteView._render_section

        def render(view: NoteView, section: Any, width: int) -> Any:
            self.count += 1
            return original(view, section, width)

        monkeypatch.setattr(NoteView, "_render_section", render)


async def _first_session(tmp_path: Path, size: tuple[int, int]) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("q")  # quitting keeps the screen
    path = first_screen_path()
    assert path is not None and path.exists()


async def test_a_restart_draws_the_kept_screen_which_is_what_rendering_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _first_session(tmp_path, (80, 24))
    renders = _Renders(monkeypatch)
    app = _app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        note = app.screen.query_one(NoteView)
        assert renders.count == 0  # the note came from what was kept
        assert note.section is not None
        fresh = note._render_section(note.section, note._layout_width)
        assert note._layout.lines == fresh.lines  # segment for segment, styles included
        assert note._layout.spans == fresh.spans


@pytest.mark.parametrize(
    "change", ["width", "theme", "code", "damaged", "notes", "escape", "bad-style"]
)
async def test_what_was_kept_is_not_used_when_anything_differs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    await _first_session(tmp_path, (80, 24))
    path = first_screen_path()
    assert path is not None
    size = (80, 24)
    if change == "width":
        size = (90, 24)
    elif change == "code":
        data = json.loads(path.read_text())
        data["code"] = "0" * 32
        path.write_text(json.dumps(data))
    elif change == "damaged":
        path.write_text('{"format": "dvatui-first-screen-2", "notes": [{"key": ')
    elif change == "notes":  # the section's text changed: its key does not match
        data = json.loads(path.read_text())
        data["notes"][0]["key"] = "f" * 32
        path.write_text(json.dumps(data))
    elif change in ("escape", "bad-style"):  # written by hand into our own cache
        data = json.loads(path.read_text())
        row = data["notes"][0]["lines"][0]
        if change == "escape":
            row.append(["\x1b]52;c;ZWNobyBQV05FRA==\x07", None])  # OSC 52: the clipboard
        else:
            row.append(["x", "not a [style"])
        path.write_text(json.dumps(data))
    renders = _Renders(monkeypatch)
    app = _app(tmp_path)
    if change == "theme":
        app.theme = "textual-light"
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert renders.count >= 1  # rendered, not taken from what was kept
        note = app.screen.query_one(NoteView)
        assert note.section is not None
        fresh = note._render_section(note.section, note._layout_width)
        assert note._layout.lines == fresh.lines


async def test_a_kept_file_that_others_could_write_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _first_session(tmp_path, (80, 24))
    path = first_screen_path()
    assert path is not None
    path.chmod(0o666)
    renders = _Renders(monkeypatch)
    app = _app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert renders.count >= 1


async def test_a_learner_with_two_terminal_sizes_starts_from_what_was_kept_in_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session at 80 columns, then one at 120: the second renders (nothing was kept at
    its width) and keeps the section at both widths, so a third at 80 columns, and a fourth
    at 120, start from what was kept, which is what rendering gives."""
    await _first_session(tmp_path, (80, 24))
    renders = _Renders(monkeypatch)
    await _first_session(tmp_path, (120, 30))
    assert renders.count >= 1  # 120 columns: nothing kept at that width
    path = first_screen_path()
    assert path is not None
    widths = [note["width"] for note in json.loads(path.read_text())["notes"]]
    assert len(widths) == 2 and len(set(widths)) == 2
    for size in ((80, 24), (120, 30)):
        renders.count = 0
        app = _app(tmp_path)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            assert renders.count == 0, size  # drawn from what was kept
            note = app.screen.query_one(NoteView)
            assert note.section is not None
            fresh = note._render_section(note.section, note._layout_width)
            assert note._layout.lines == fresh.lines
            await pilot.press("q")
    assert len(json.loads(path.read_text())["notes"]) == 2


async def test_a_start_from_the_corpus_cache_needs_no_markdown_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With nothing kept from a last session, the note and the quiz come from the sections
    the corpus cache prepared (``domain/prepared.py``): nothing is parsed for them."""
    from dvatui.domain import cache, prepared
    from dvatui.widgets import markup, note_view
    from dvatui.widgets.quiz_panel import QuizPanel

    cache.load_corpus_cached(NOTES)  # written now (the app writes it after a first frame)
    parsed: list[str] = []

    def parse(text: str) -> Any:
        parsed.append(text)
        raise AssertionError("parsed")

    monkeypatch.setattr(note_view, "prepare_blocks", parse)
    monkeypatch.setattr(prepared, "question_runs", parse)
    monkeypatch.setattr(note_view, "note_markdown_class", lambda: parse("rich"))
    markup.inline_runs.cache_clear()
    app = _app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        note = app.screen.query_one(NoteView)
        assert note._layout is not None and any(note._layout.lines)
        quiz = app.screen.query_one(QuizPanel)
        assert quiz.questions
        first = quiz.questions[0]
        for source in (first.stem, *(choice.text for choice in first.choices)):
            assert markup.inline_runs(source)  # offered: not parsed
    markup.inline_runs.cache_clear()
    assert [text for text in parsed if text != "*warm* `up`"] == []


@pytest.mark.parametrize("worker_ran", [True, False])
async def test_a_start_that_parsed_the_notes_writes_the_corpus_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, worker_ran: bool
) -> None:
    """After a miss the cache is written in a thread after the first frame; a learner who
    quits before that thread ran still leaves it written (the next start reads it)."""
    from dvatui.app import DvaApp
    from dvatui.domain import cache

    if not worker_ran:
        monkeypatch.setattr(DvaApp, "_after_first_frame", lambda app: None)
    app = _app(tmp_path)
    assert app._unsaved_cache is not None and app._unsaved_cache.missed
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        if worker_ran:
            await app.workers.wait_for_complete()
            assert not app._unsaved_cache.missed  # written before quitting
        await pilot.press("q")
    written = sorted(path.suffix for path in cache.cache_dir().glob("corpus-*"))
    assert written == [".json", ".prepared"]
    again = _app(tmp_path)
    assert again._unsaved_cache is None  # a hit
    assert again.session.corpus.prepared
