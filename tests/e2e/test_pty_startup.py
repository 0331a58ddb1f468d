"""End to end: the first screen ``dvatui`` draws is already the settled one.

The app starts in a pty; the first time the screen shows the note, the quiz and the keys, it
is copied; once the output is quiet the two must be the same (but for a scrollbar's thumb,
which may come a frame later). Before this held, the note's first frame was laid out at 80
columns whatever the pane's width (its lines cut off), and the quiz pane rewrapped its text
when its scrollbar came. Checked for a first start and for a learner coming back to a later
section (the tree scrolled to it; the note and the quiz drawn from what the first session
kept, which must be what rendering them gives).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dvatui.domain.loader import load_corpus
from dvatui.paths import shipped_notes_dir
from dvatui.store import Store
from dvatui.study.session import POSITION_KEY

from .ptyharness import PtySession, pty_env
from .test_pty_session import dvatui_script

pytestmark = pytest.mark.e2e

SCROLLBAR = str.maketrans(dict.fromkeys("▁▂▃▄▅▆▇█▔", " "))


def ready_texts(db: Path) -> list[str]:
    """What the first screen must show to be usable: the first words of the note of the
    section the learner is at, the quiz's question line and the key bar."""
    corpus = load_corpus(shipped_notes_dir())
    place = Store.open(db).get_setting(POSITION_KEY) if db.exists() else None
    section = (corpus.section(place) if place else None) or next(corpus.sections())
    first = next(item for part in section.walk() for item in part.items)
    words = first.text.lstrip("- ").replace("*", "").replace("`", "").split()
    return [" ".join(words[:3]), "Question 1/", "Bookmark"]


def first_and_settled(
    env: dict[str, str], cols: int, rows: int, ready: list[str]
) -> tuple[str, str]:
    with PtySession([dvatui_script()], cols=cols, rows=rows, env=env) as s:
        first = ""
        for _ in range(600):  # read as it comes: the first usable frame on its own
            s.pump(0.05)
            if all(text in s.text() for text in ready):
                first = s.text()
                break
        assert first, f"never usable; screen:\n{s.text()}"
        s.wait_quiet(quiet=0.5, timeout=10)
        return first, s.text()


def move_on(env: dict[str, str], cols: int, rows: int, sections: int) -> None:
    """A first session that goes ``sections`` sections on and quits (the place is kept)."""
    with PtySession([dvatui_script()], cols=cols, rows=rows, env=env) as s:
        s.wait_for("Bookmark", 15)
        s.wait_quiet(0.3, 5)
        for _ in range(sections):
            s.send("n")
            s.wait_quiet(0.2, 5)
        s.wait_quiet(1.5, 5)  # the place is saved a second after the last move
        s.send("q")
        assert s.wait_exit(10) == 0


@pytest.mark.parametrize("returning", [False, True], ids=["first-start", "returning"])
@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_the_first_screen_is_the_settled_screen(
    tmp_path: Path, size: tuple[int, int], returning: bool
) -> None:
    db = tmp_path / "dvatui.json"
    env = pty_env(db, animations=False)
    if returning:
        move_on(env, *size, sections=12)
    first, settled = first_and_settled(env, *size, ready_texts(db))
    assert first.translate(SCROLLBAR) == settled.translate(SCROLLBAR), (
        f"first frame:\n{first}\n\nsettled:\n{settled}"
    )
    if returning:  # that first frame came from what the first session kept: the same screen
        fresh_env = {**env, "DVATUI_NO_CACHE": "1"}
        _first, fresh = first_and_settled(fresh_env, *size, ready_texts(db))
        assert fresh == settled


def test_a_deep_section_starts_a_third_of_the_way_down_the_tree(tmp_path: Path) -> None:
    """Coming back to a section far down the notes at 160x48 (three panes): from the first
    frame on, the tree shows its line a third of the way down with its chapter's line above
    it, not on the top line with the chapter out of view, and nothing moves after."""
    db = tmp_path / "dvatui.json"
    corpus = load_corpus(shipped_notes_dir())
    chapter = corpus.chapters[9]
    section = chapter.sections[3]
    Store.open(db).set_setting(POSITION_KEY, section.id)
    env = pty_env(db, animations=False)
    first, settled = first_and_settled(env, 160, 48, ready_texts(db))
    assert first.translate(SCROLLBAR) == settled.translate(SCROLLBAR), (
        f"first frame:\n{first}\n\nsettled:\n{settled}"
    )
    tree = [line[:34] for line in settled.splitlines()[2:46]]  # the tree pane's rows
    (cursor,) = [n for n, line in enumerate(tree) if "›" in line]
    assert 44 // 3 - 2 <= cursor <= 44 // 3 + 2, "\n".join(tree)
    assert any(chapter.title[:12] in line for line in tree[:cursor]), "\n".join(tree)
