"""End to end: the first screen ``dvatui`` draws is already the settled one.

The app starts in a pty; the first time the screen shows the note, the quiz and the keys, it
is copied; once the output is quiet the two must be the same (but for a scrollbar's thumb,
which may come a frame later). Before this held, the note's first frame was laid out at 80
columns whatever the pane's width (its lines cut off), and the quiz pane rewrapped its text
when its scrollbar came.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dvatui.domain.loader import load_corpus
from dvatui.paths import shipped_notes_dir

from .ptyharness import PtySession, pty_env
from .test_pty_session import dvatui_script

pytestmark = pytest.mark.e2e

SCROLLBAR = str.maketrans({c: " " for c in "▁▂▃▄▅▆▇█▔"})


def first_and_settled(db: Path, cols: int, rows: int, ready: list[str]) -> tuple[str, str]:
    env = pty_env(db, animations=False)
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


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_the_first_screen_is_the_settled_screen(tmp_path: Path, size: tuple[int, int]) -> None:
    corpus = load_corpus(shipped_notes_dir())
    section = next(corpus.sections())
    words = " ".join(section.items[0].text.split()[:3])
    ready = [corpus.chapters[0].title, words, "Question 1/", "Bookmark"]
    first, settled = first_and_settled(tmp_path / "dvatui.json", *size, ready)
    assert first.translate(SCROLLBAR) == settled.translate(SCROLLBAR), (
        f"first frame:\n{first}\n\nsettled:\n{settled}"
    )
