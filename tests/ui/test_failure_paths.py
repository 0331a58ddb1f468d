"""Failure paths never cost data: a busy lock, an uncopied damaged file, markup in user text,
and a signal that must end the process even when the event loop is stuck."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import OptionList

from dvatui.app import DvaApp, data_choices
from dvatui.screens.dialogs import DataProblemScreen
from dvatui.screens.main import MainScreen
from dvatui.store import CorruptStoreError, Store, StoreBusyError
from dvatui.store.locking import store_lock

from .conftest import NOTES

WIDE = (160, 48)
SRC = Path(__file__).resolve().parents[2] / "src"


async def test_a_busy_lock_offers_no_fresh_start_and_opens_by_itself_once_free(
    app_factory: Callable[..., DvaApp], db_path: Path
) -> None:
    store = Store.open(db_path)
    store.set_setting("theme", "textual-light")
    store.add_bookmark(
        target_id="keep-me", kind="section", chapter_id="c", section_id="s", label="L"
    )
    before = db_path.read_bytes()
    lock = store_lock(store.lock_path)
    lock.__enter__()
    app = app_factory()
    try:
        async with app.run_test(size=WIDE) as pilot:
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, DataProblemScreen)
            assert "fresh" not in dialog.choices and "retry" in dialog.choices
            await pilot.press("s")  # not offered: nothing happens
            await pilot.pause()
            assert app.screen is dialog and db_path.read_bytes() == before
            lock.__exit__(None, None, None)
            lock = None
            for _ in range(200):  # the background retry runs every 2 s
                await pilot.pause(0.05)
                if isinstance(app.screen, MainScreen):
                    break
            assert isinstance(app.screen, MainScreen)
            assert app.session.writable and "keep-me" in app.session.bookmarked
    finally:
        if lock is not None:
            lock.__exit__(None, None, None)
    assert Store.open(db_path).is_bookmarked("keep-me")


def test_start_fresh_is_offered_only_for_a_copied_damaged_file(tmp_path: Path) -> None:
    copied = CorruptStoreError(tmp_path / "d.json", "bad", raw=b"x")
    copied.backup_path = tmp_path / "d.json.corrupt-1"
    assert "fresh" in data_choices(copied)
    assert "fresh" not in data_choices(CorruptStoreError(tmp_path / "d.json", "bad", raw=b"x"))
    busy = StoreBusyError(tmp_path / "d.json", tmp_path / "d.json.lock", 1.0)
    assert data_choices(busy) == ("retry", "read-only", "quit")


async def test_a_damaged_file_that_could_not_be_copied_is_never_replaced(
    app_factory: Callable[..., DvaApp], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dvatui.store.store as store_module

    def no_copy(*_: object) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module, "preserve_copy", no_copy)
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b'{"_meta": ')
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DataProblemScreen)
        assert "fresh" not in app.screen.choices
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, DataProblemScreen)
    assert db_path.read_bytes() == b'{"_meta": '


MARKUP = "[/x] [/images] [@click=app.quit]quit[/] [b]bold"


async def test_markup_in_user_text_is_shown_as_text(tmp_path: Path, db_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(
        f"# Chapter {MARKUP}\n\n## Section [/images]\n\n- item {MARKUP}\n\n"
        "## Later section\n\n- plain\n",
        encoding="utf-8",
    )
    from dvatui.app import make_app

    app = make_app(notes=notes, db_path=db_path)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("tab", "j", "b")  # bookmark the item whose text is markup
        await pilot.pause()
        await app.workers.wait_for_complete()
        shown: dict[str, str] = {}
        for query in ("", "images", "later", "open bookmark"):
            await pilot.press("ctrl+p")
            await pilot.pause()
            if query:
                await pilot.press(*query)
            await pilot.pause(0.5)
            options = app.screen.query_one(OptionList)
            shown[query] = "\n".join(
                str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
            )
            await pilot.press("escape")
            await pilot.pause()
        assert app.is_running  # no crash, no live [@click] action
    assert "[/images]" in shown["images"]  # the section is listed, title and all
    assert "Later section" in shown["later"]  # ...and so are the sections after it
    assert "[@click=app.quit]" in shown["open bookmark"]
    assert "[/x]" in Store.open(db_path).bookmarks()[0].label


async def test_the_data_problem_dialog_shows_markup_as_text(
    app_factory: Callable[..., DvaApp], db_path: Path
) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_text(
        json.dumps(
            {
                "_meta": {"schema_version": 2, "generation": 1, "written_at": "t", "writer": "w"},
                "[/x]": [],
            }
        ),
        encoding="utf-8",
    )
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DataProblemScreen)
        shown = str(app.screen.query_one("#data-problem-message").render())
        assert "[/x]" in shown


STUCK_APP = """
import sys, time
sys.path.insert(0, {src!r})
from pathlib import Path
from dvatui.app import make_app

app = make_app(notes=Path({notes!r}), db_path=Path({db!r}))

def stuck() -> None:
    print("stuck", flush=True)
    while True:  # a bug that never gives the event loop back
        time.sleep(0.01)

app.SYNC_INTERVAL = 0.2
app._sync = stuck
app.run(headless=True)
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_ends_the_process_even_when_the_loop_is_stuck(tmp_path: Path, signum: int) -> None:
    script = tmp_path / "stuck.py"
    script.write_text(
        textwrap.dedent(
            STUCK_APP.format(src=str(SRC), notes=str(NOTES), db=str(tmp_path / "data" / "d.json"))
        )
    )
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TERM": "dumb"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # blocks until the loop is stuck
        assert line.strip() == b"stuck", proc.stderr.read() if proc.stderr else b""
        started = time.monotonic()
        proc.send_signal(signum)
        code = proc.wait(timeout=10)
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 128 + signum and took < 5.0, (code, took)


async def test_a_file_damaged_under_a_running_session_brings_the_dialog_not_a_crash(
    app_factory: Callable[..., DvaApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("j", "b")  # a bookmark, saved
        await pilot.pause()
        await app.workers.wait_for_complete()
        good = db_path.read_bytes()
        db_path.write_bytes(b'{"_meta": ')  # another process damages the file
        await pilot.press("n", "j", "b")  # keys and a save while it is damaged
        await pilot.pause()
        await app.workers.wait_for_complete()
        app._sync()  # the 2-second check, now
        await pilot.pause()
        assert isinstance(app.screen, DataProblemScreen)
        assert "fresh" in app.screen.choices  # the damaged file was copied aside
        assert app.is_running
    copies = [p for p in db_path.parent.iterdir() if ".corrupt-" in p.name]
    assert copies and copies[0].read_bytes() == b'{"_meta": '
    assert good != b'{"_meta": '


async def test_a_newer_dvatui_upgrading_the_file_meanwhile_gives_read_only_choice(
    app_factory: Callable[..., DvaApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("j", "b")
        await pilot.pause()
        await app.workers.wait_for_complete()
        data = json.loads(db_path.read_text(encoding="utf-8"))
        data["_meta"]["schema_version"] = 99
        db_path.write_text(json.dumps(data), encoding="utf-8")
        app._sync()
        await pilot.pause()
        assert isinstance(app.screen, DataProblemScreen)
        assert "read-only" in app.screen.choices
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and app.session.read_only
        await pilot.press("n")  # moving on does not crash
        await pilot.pause()
        assert app.is_running
