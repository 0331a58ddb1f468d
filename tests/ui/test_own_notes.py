"""The learner's own notes in the app: live reload, broken files, bookmarks that follow
edits, flashcards in review, and ``e`` (pilot tests on a temporary notes folder)."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dvatui.app import DvaApp, make_app
from dvatui.paths import shipped_notes_dir
from dvatui.screens.dialogs import BookmarksScreen
from dvatui.screens.main import MainScreen
from dvatui.screens.review import ReviewScreen
from dvatui.widgets.note_view import NoteView
from dvatui.widgets.recall_panel import RecallPanel
from dvatui.widgets.section_tree import SectionTree

SIZE = (120, 36)

QUEUES = """\
# Queues

## Visibility

- A received message stays hidden for the visibility timeout, 30 seconds by default.
- Long polling waits up to 20 seconds for a message to arrive.

Retention maximum::14 days

## Fan-out

- SNS pushes one message to many SQS queues.

```quiz
? Which service fans one message out to many queues?
- [x] SNS
- [ ] SQS
> SNS pushes to every subscribed queue.
```
"""

BROKEN = QUEUES.replace("- [ ] SQS\n", "- [ ] SQS\nstray line\n")


@pytest.fixture
def notes(tmp_path: Path, write_notes: Callable[[Path, dict[str, str]], Path]) -> Path:
    return write_notes(tmp_path / "mine", {"queues.md": QUEUES})


Reload = Callable[[DvaApp, Any], Awaitable[None]]


@pytest.fixture
def app(notes: Path, tmp_path: Path, notes_app: Callable[[Path, Path], DvaApp]) -> DvaApp:
    """The app on the notes folder, polled only by hand (``reload_notes``)."""
    return notes_app(notes, tmp_path / "db.json")


def titles(app: DvaApp) -> list[str]:
    tree = app.screen.query_one(SectionTree)
    return [str(node.label) for node in tree.root.children[0].children]


async def test_an_edit_on_disk_shows_up_and_keeps_the_place(
    notes: Path, app: DvaApp, reload_notes: Reload
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await reload_notes(app, pilot)  # the first poll parses everything once: nothing changes
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.show_section("queues/visibility")
        note = screen.query_one(NoteView)
        note.cursor = 1
        await pilot.pause()
        long_polling = note.items[1].id
        (notes / "queues.md").write_text(
            QUEUES.replace("# Queues\n\n", "# Queues\n\n## Basics\n\n- A queue holds messages.\n\n")
        )
        await reload_notes(app, pilot)
        assert any("Basics" in t for t in titles(app))
        assert screen.current is not None and screen.current.id == "queues/visibility"
        assert note.current_item is not None and note.current_item.id == long_polling


async def test_a_broken_file_keeps_its_last_good_version_until_fixed(
    notes: Path, app: DvaApp, reload_notes: Reload
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await reload_notes(app, pilot)
        screen = app.screen
        strip = screen.query_one("#notes-warning")
        assert not strip.has_class("-shown")
        (notes / "queues.md").write_text(BROKEN)
        await reload_notes(app, pilot)
        assert strip.has_class("-shown")
        shown = str(strip.render())
        assert "queues.md:" in shown and "last version that loaded" in shown
        assert len(app.session.corpus.questions()) == 1  # the old question is still there
        (notes / "queues.md").write_text(QUEUES)
        await reload_notes(app, pilot)
        assert not strip.has_class("-shown")


async def test_bookmarks_follow_an_edit_and_detach_when_deleted(
    notes: Path, app: DvaApp, reload_notes: Reload
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await reload_notes(app, pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.show_section("queues/visibility")
        note = screen.query_one(NoteView)
        note.focus()
        await pilot.press("b")
        await pilot.pause()
        (notes / "queues.md").write_text(QUEUES.replace("stays hidden", "stays invisible"))
        await reload_notes(app, pilot)
        await pilot.press("B")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, BookmarksScreen)
        (entry,) = dialog.entries
        assert entry.status == "moved" and "-hidden +invisible" in entry.hint
        await pilot.press("escape")
        await pilot.pause()
        (notes / "queues.md").write_text(
            QUEUES.replace(
                "- A received message stays hidden for the visibility timeout, 30 seconds "
                "by default.\n",
                "",
            )
        )
        await reload_notes(app, pilot)
        await pilot.press("B")
        await pilot.pause()
        (entry,) = app.screen.entries  # type: ignore[attr-defined]
        assert entry.status == "detached" and "stays hidden" in entry.text


async def test_flashcards_are_reviewed_as_recall(
    notes: Path,
    tmp_path: Path,
    notes_app: Callable[[Path, Path], DvaApp],
    rendered: Callable[..., str],
    press_review: Callable[[Any, DvaApp], Awaitable[ReviewScreen]],
) -> None:
    app = notes_app(notes, tmp_path / "db.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = await press_review(pilot, app)
        assert len(screen.questions) == 1 and len(screen.cards) == 1
        quiz = screen.quiz
        right = str(quiz.order.index(0) + 1)
        await pilot.press(right, "enter")
        await pilot.pause()
        await pilot.press("n")  # past the last question: on to the cards
        await pilot.pause()
        recall = screen.query_one(RecallPanel)
        assert screen.has_class("-cards") and recall.card is not None
        assert "14 days" not in rendered(recall.shown)
        await pilot.press("3")  # no rating before the answer is shown
        await pilot.pause()
        assert app.session.card_progress(recall.card.id) is None
        await pilot.press("space")
        await pilot.pause()
        assert "14 days" in rendered(recall.shown)
        card_id = recall.card.id
        await pilot.press("3")
        await pilot.pause()
        progress = app.session.card_progress(card_id)
        assert progress is not None and progress.latest_correct
        assert recall.card is None  # the last card: done
        await pilot.press("u")  # take the rating back: the card is shown again
        await pilot.pause()
        assert recall.card is not None and app.session.card_progress(card_id) is None


@contextlib.contextmanager
def _no_suspend(self: DvaApp) -> Iterator[None]:
    yield


async def test_e_opens_the_editor_at_the_section(
    notes: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    notes_app: Callable[[Path, Path], DvaApp],
) -> None:
    calls: list[list[str]] = []
    monkeypatch.setenv("EDITOR", "myeditor --wait")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setattr(DvaApp, "suspend", _no_suspend)
    monkeypatch.setattr(subprocess, "run", lambda argv, **_: calls.append(argv))
    app = notes_app(notes, tmp_path / "db.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.show_section("queues/fan-out")
        screen.query_one(SectionTree).focus()
        await pilot.press("e")
        await pilot.pause()
        await app.workers.wait_for_complete()
    # the Fan-out heading's line (the tree has the focus, not a note item)
    assert calls == [["myeditor", "--wait", "+10", str(notes / "queues.md")]]


async def test_e_on_the_shipped_notes_explains_how_to_copy_them(tmp_path: Path) -> None:
    app = make_app(notes=shipped_notes_dir(), db_path=tmp_path / "db.json")
    assert not app.notes_editable
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        assert any("dvatui notes copy" in m for m in shown)
