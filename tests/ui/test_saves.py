"""Saves run off the UI thread: keys never wait for the disk, and quitting waits for saves.

A deliberately slow store holds each answer's write on a ``threading.Event`` that the test
releases; nothing here sleeps.
"""

from __future__ import annotations

import asyncio
import errno
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from dvatui.app import DvaApp
from dvatui.domain.loader import load_corpus
from dvatui.screens.main import MainScreen
from dvatui.store import Answer, Bookmark, Store, StoreWriteError
from dvatui.study import StudySession
from dvatui.widgets.quiz_panel import QuizPanel
from dvatui.widgets.section_tree import SectionTree

from .conftest import NOTES

WIDE = (160, 48)


class Gate:
    """Holds every answer write until the test opens it."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.entered = threading.Event()

    def store(self) -> Callable[..., Store]:
        gate = self

        class SlowStore(Store):
            def record_answer(self, **kwargs: Any) -> Answer:
                gate.entered.set()
                assert gate.open.wait(10), "the test never released the write"
                return super().record_answer(**kwargs)

        return SlowStore.open


def app_with(db_path: Path, opener: Callable[..., Store]) -> DvaApp:
    corpus = load_corpus(NOTES)
    return DvaApp(corpus, db_path, session=StudySession(corpus, db_path, opener=opener))


def current(app: DvaApp) -> str | None:
    screen = app.screen
    assert isinstance(screen, MainScreen) and screen.current is not None
    return screen.current.id


async def saved(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_keys_respond_while_a_save_is_pending_and_quit_waits_for_it(db_path: Path) -> None:
    gate = Gate()
    app = app_with(db_path, gate.store())
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("G", "tab", "tab", "1", "b", "enter")  # beta-canary, right
        assert await asyncio.to_thread(gate.entered.wait, 10)  # its write is held
        quiz = app.query_one(QuizPanel)
        assert quiz.result is not None and quiz.result.correct
        assert "1/7 answered · 1 right" in app.title
        await pilot.press("n", "c", "enter")  # another answer, queued behind the first
        await pilot.pause()
        assert quiz.question is not None and quiz.question.id == "beta-fast-rollback"
        assert quiz.result is not None and not quiz.result.correct
        assert "2/7 answered · 1 right" in app.title
        tree = app.query_one(SectionTree)
        assert tree.cursor_node is not None and "2/3 ✓1" in str(tree.cursor_node.label)
        await pilot.press("shift+tab", "p")  # from the note pane: the previous section
        await pilot.pause()
        assert current(app) == "beta"
        assert Store.open(db_path, read_only=True).answers() == []  # nothing on disk yet
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code is None  # quitting waits for the held save
        gate.open.set()
        await saved(pilot)
    assert app.return_code == 0
    store = Store.open(db_path, read_only=True)
    assert [(a.question_id, a.correct) for a in store.answers()] == [
        ("beta-canary", True),
        ("beta-fast-rollback", False),
    ]
    assert store.get_setting("last_section", None) == "beta"


class FullDiskStore(Store):
    """Bookmark writes fail, as on a full disk."""

    def add_bookmark(self, **kwargs: Any) -> Bookmark:
        raise StoreWriteError(errno.ENOSPC, "No space left on device", str(self.path))


async def test_a_failed_save_is_shown_and_the_screen_shows_the_truth(db_path: Path) -> None:
    app = app_with(db_path, FullDiskStore.open)
    said: list[str] = []
    async with app.run_test(size=WIDE) as pilot:
        app.notify = lambda message, **kwargs: said.append(str(message))  # type: ignore[method-assign]
        await pilot.press("j", "b")
        await saved(pilot)
        assert any(
            m.startswith("Could not save the bookmark: ") and "No space left" in m for m in said
        ), said
        assert app.session.bookmarked == frozenset()
        tree = app.query_one(SectionTree)
        assert tree.cursor_node is not None
        assert str(tree.cursor_node.label).startswith("First Section")  # no star
    assert Store.open(db_path, read_only=True).bookmarks() == []


async def test_quitting_says_when_a_pending_save_fails(db_path: Path) -> None:
    gate = Gate()
    slow = gate.store()

    def failing(path: Path, **kwargs: Any) -> Store:
        store = slow(path, **kwargs)

        def refuse(**_: Any) -> Answer:
            gate.entered.set()
            assert gate.open.wait(10)
            raise StoreWriteError(errno.EIO, "Input/output error", str(path))

        store.record_answer = refuse  # type: ignore[method-assign]
        return store

    app = app_with(db_path, failing)
    messages: list[str] = []
    real_exit = app.exit

    def exit_(*args: Any, **kwargs: Any) -> None:
        messages.append(str(kwargs.get("message") or ""))
        real_exit(*args, **kwargs)

    app.exit = exit_  # type: ignore[method-assign]
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("G", "tab", "tab", "1", "enter")
        assert await asyncio.to_thread(gate.entered.wait, 10)
        await pilot.press("q")
        gate.open.set()
        await saved(pilot)
    assert app.return_code == 2
    assert any("Could not save your answer" in m and "Input/output error" in m for m in messages), (
        messages
    )  # printed once the terminal is restored
    assert Store.open(db_path, read_only=True).answers() == []
