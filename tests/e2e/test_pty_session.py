"""End to end: the installed ``dvatui`` in a real pseudo-terminal, keys in, screen out.

A learner opens the second section, bookmarks its second note item and quits; the CLI sees the
bookmark; a second start returns to the same section and lists the bookmark under ``B``.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dvatui.domain.loader import load_corpus
from dvatui.paths import shipped_notes_dir

from .ptyharness import PtySession, pty_env

pytestmark = pytest.mark.e2e

COLS, ROWS = 79, 30  # below 80 columns one pane shows at a time
STARTUP = 15.0
STEP = 10.0
DIALOG_HINT = "q close"  # the bookmarks dialog's hint line


def dvatui_script() -> str:
    found = shutil.which("dvatui")
    if found:
        return found
    beside = Path(sys.executable).parent / "dvatui"
    if beside.exists():
        return str(beside)
    pytest.skip("the dvatui console script is not installed")


def note_pane_shows(crumb: str, title: str) -> Callable[[PtySession], bool]:
    """A check: the note pane (not the tree) shows this crumb line and, below it, the title."""

    def check(s: PtySession) -> bool:
        lines = s.screen.display
        return any(
            lines[row].startswith("│  " + crumb) and lines[row + 1].startswith("│  " + title)
            for row in range(len(lines) - 1)
        )

    return check


def start(db: Path) -> PtySession:
    return PtySession([dvatui_script()], cols=COLS, rows=ROWS, env=pty_env(db, animations=False))


def wait_first_screen(s: PtySession, tree_text: str) -> None:
    """The tree shows ``tree_text`` and the footer its keys."""
    s.wait_for(tree_text, STARTUP)
    s.wait_for("Bookmark", STARTUP)


def short(label: str, limit: int = 30) -> str:
    """The first words of a label, short enough not to be wrapped or cut on screen."""
    if len(label) <= limit:
        return label
    return label[:limit].rsplit(" ", 1)[0]


def test_bookmark_survives_restart(tmp_path: Path) -> None:
    corpus = load_corpus(shipped_notes_dir())
    order = list(corpus.sections())
    first_chapter = corpus.chapters[0].title
    target = next(s for s in order[1:] if len(s.items) >= 2)
    steps = order.index(target)
    crumb = corpus.chapter(target.chapter_id).title  # type: ignore[union-attr]
    db = tmp_path / "data.json"

    # First session: open the target section, bookmark its second item, quit.
    with start(db) as s:
        wait_first_screen(s, first_chapter)
        s.send(b"\t")  # tree -> notes
        s.wait_for("Chapter overview", STEP)
        for _ in range(steps):
            s.send(b"n")
        s.wait_until(note_pane_shows(crumb, target.title), STEP, f"note pane: {target.title}")
        s.send(b"j")
        s.send(b"b")
        s.wait_for("Bookmarked:", STEP)
        assert s.close() == 0, s.text()

    listed = subprocess.run(
        [dvatui_script(), "bookmarks", "--format", "json", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    marks = json.loads(listed.stdout)
    assert len(marks) == 1, marks
    mark = marks[0]
    assert mark["target_id"] == target.items[1].id
    assert mark["section_id"] == target.id
    assert mark["found"] is True

    # Second session: back in the same section; the bookmark is listed under B.
    with start(db) as s:
        # The tree may scroll the chapter line away to show the restored section.
        wait_first_screen(s, target.title)
        s.send(b"\t")
        s.wait_until(
            note_pane_shows(crumb, target.title), STEP, f"note pane back at {target.title}"
        )
        s.send(b"B")
        s.wait_for(DIALOG_HINT, STEP)
        # The dialog marks an item bookmark with a star; the note pane has "★  •" instead.
        s.wait_for("★ " + short(mark["label"]), STEP)
        s.send(b"q")  # closes the dialog
        s.wait_gone(DIALOG_HINT, STEP)
        assert s.close() == 0, s.text()


def _bookmark_first_item(s: PtySession, first_chapter: str) -> None:
    wait_first_screen(s, first_chapter)
    s.send(b"\t")  # tree -> notes
    s.wait_for("Chapter overview", STEP)
    s.send(b"b")
    s.wait_for("Bookmarked:", STEP)


def _bookmarks_in(db: Path) -> list[dict[str, object]]:
    listed = subprocess.run(
        [dvatui_script(), "bookmarks", "--format", "json", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    rows: list[dict[str, object]] = json.loads(listed.stdout)
    return rows


def test_sigterm_exits_cleanly_and_keeps_the_data(tmp_path: Path) -> None:
    db = tmp_path / "data.json"
    first_chapter = load_corpus(shipped_notes_dir()).chapters[0].title
    with start(db) as s:
        _bookmark_first_item(s, first_chapter)
        s.proc.send_signal(signal.SIGTERM)
        code = s.wait_exit(STEP)
        assert code == 0, s.text()
    assert len(_bookmarks_in(db)) == 1


def test_hang_up_ends_the_app_and_keeps_the_data(tmp_path: Path) -> None:
    """Closing the terminal (as sshd does when a connection drops) sends SIGHUP."""
    db = tmp_path / "data.json"
    first_chapter = load_corpus(shipped_notes_dir()).chapters[0].title
    s = start(db)
    try:
        _bookmark_first_item(s, first_chapter)
        s.send(b"\t\tj")  # to the quiz pane and back... then hang up at once
        s.proc.send_signal(signal.SIGHUP)  # what the kernel sends the session on hang-up
        s._close_fd()
        code = s.proc.wait(timeout=STEP)
    finally:
        if s.proc.poll() is None:
            s.proc.kill()
        s._close_fd()
    # Ended through the app's own exit (flushing to a dead terminal may still fail),
    # not killed by the signal, so its exit hooks ran.
    assert code != -signal.SIGHUP
    assert len(_bookmarks_in(db)) == 1
    assert not list(tmp_path.glob(".data.json.*.tmp"))
    from dvatui.store import Store

    store = Store.open(db)
    assert store.get_setting("last_section", None) is not None  # saved on the way out
