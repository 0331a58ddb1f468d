"""End to end: the screen writer skips cells the terminal already shows; ``ctrl+l`` writes the
whole screen again, e.g. after another program wrote over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from .ptyharness import PtySession, pty_env
from .test_pty_session import dvatui_script

pytestmark = pytest.mark.e2e


def test_ctrl_l_repairs_a_screen_something_else_wrote_over(tmp_path: Path) -> None:
    env = pty_env(tmp_path / "dvatui.json", animations=False)
    with PtySession([dvatui_script()], cols=100, rows=30, env=env) as s:
        s.wait_for("Bookmark", 15)
        s.wait_quiet(0.5, 10)
        shown = s.text()
        # Another program (a `wall` message, a background job) writes over the screen.
        s.stream.feed(b"\x1b[5;10H*** written by someone else ***\x1b[12;3HXXXXXXXXXXXXXXXX")
        assert s.text() != shown
        s.send("\x0c")  # ctrl+l
        s.wait_quiet(0.3, 10)
        assert s.text() == shown


def _bytes_to_start(env: dict[str, str]) -> tuple[int, str]:
    with PtySession([dvatui_script()], cols=160, rows=48, env=env) as s:
        s.wait_for("Bookmark", 15)
        s.wait_quiet(0.8, 10)
        return s.bytes_read, s.text()


def test_start_up_skips_the_repaints_that_change_nothing(tmp_path: Path) -> None:
    """Right after its first frame Textual repaints the whole screen twice with nothing
    changed (62 KB at 160x48 in all when every update is written in full)."""
    full_env = pty_env(tmp_path / "full.json", animations=False, extra={"DVATUI_WIRE": "full"})
    full, full_screen = _bytes_to_start(full_env)
    ours, screen = _bytes_to_start(pty_env(tmp_path / "ours.json", animations=False))
    assert screen == full_screen
    assert ours < 0.6 * full, (ours, full)
