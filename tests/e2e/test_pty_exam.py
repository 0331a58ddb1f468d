"""End to end: a mock exam in the installed ``dvatui`` survives ``kill -9``.

The learner answers 5 questions, the process is killed, and ``dvatui exam`` resumes at
question 6 with 5 answered and the time that was left.
"""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest

from .ptyharness import PtySession, pty_env
from .test_pty_session import STARTUP, STEP, dvatui_script

pytestmark = pytest.mark.e2e
LEFT = re.compile(r"⏱ (\d+):(\d\d):(\d\d) left · (\d+) answered")


def seconds_left(text: str) -> tuple[int, int]:
    found = LEFT.search(text)
    assert found, text
    h, m, s, answered = (int(g) for g in found.groups())
    return h * 3600 + m * 60 + s, answered


def test_answer_five_kill_9_resume(tmp_path: Path) -> None:
    db = tmp_path / "data.json"
    with PtySession(
        [dvatui_script(), "exam"], cols=100, rows=30, env=pty_env(db, animations=False)
    ) as s:
        s.wait_for("Question 1 of 65", STARTUP)
        for n in range(1, 6):
            s.send(b"1")
            s.wait_for(f"{n} answered", STEP)
            s.send(b"\r")
            s.wait_for(f"Question {n + 1} of 65", STEP)
        s.wait_for("5 answered, 60 unanswered", STEP)
        s.wait_quiet(1.2)  # a tick or so, so that time has passed and been saved
        before, _ = seconds_left(s.text())
        s.proc.send_signal(signal.SIGKILL)
        s.proc.wait(timeout=STEP)

    with PtySession(
        [dvatui_script(), "exam"], cols=100, rows=30, env=pty_env(db, animations=False)
    ) as s:
        s.wait_for("Question 6 of 65", STARTUP)
        left, answered = seconds_left(s.text())
        assert answered == 5
        assert before - 2 <= left <= before + 1, (before, left)  # the time that was left
        assert left < 130 * 60 - 1
        s.send(b"q")
        s.wait_for("Bookmark", STEP)
        assert s.close() == 0, s.text()
