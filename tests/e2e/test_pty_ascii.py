"""End to end: in a terminal whose locale is not UTF-8 the app writes ASCII only, and it is
still the same screen: borders, the tree's guides and the marks line up."""

from __future__ import annotations

from pathlib import Path

import pytest

from .ptyharness import PtySession, pty_env
from .test_pty_session import dvatui_script

pytestmark = pytest.mark.e2e


def test_a_c_locale_gets_ascii_only(tmp_path: Path) -> None:
    env = pty_env(tmp_path / "dvatui.json", animations=False, extra={"LANG": "C"})
    with PtySession([dvatui_script()], cols=100, rows=30, env=env) as s:
        s.wait_for("Bookmark", 15)
        s.wait_quiet(0.3, 5)
        s.send("n")
        s.wait_quiet(0.3, 5)
        screen = s.text()
        assert screen.isascii(), screen
        lines = screen.split("\n")
        assert lines[1].startswith("+- Sections ") and lines[1].rstrip().endswith("+")
        assert any(line.startswith("|+ >IAM") for line in lines)  # guide, cursor marker
        assert "> 1 ( )" in screen  # the quiz's pointer (a right angle quote in UTF-8)


def test_a_utf8_locale_keeps_box_drawing(tmp_path: Path) -> None:
    env = pty_env(tmp_path / "dvatui.json", animations=False)
    with PtySession([dvatui_script()], cols=100, rows=30, env=env) as s:
        s.wait_for("Bookmark", 15)
        assert "╭─ Sections" in s.text()
