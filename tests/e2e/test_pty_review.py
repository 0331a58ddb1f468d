"""End to end: review in the installed ``dvatui``; the due count survives a restart.

The learner starts ``dvatui review``, misses the first question and quits; the header of
the next start shows it due, and ``dvatui stats --format json`` agrees.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from dvatui.domain.grading import shown_order
from dvatui.domain.loader import load_corpus
from dvatui.paths import shipped_notes_dir

from .ptyharness import PtySession, pty_env
from .test_pty_session import STARTUP, STEP, dvatui_script

pytestmark = pytest.mark.e2e


def test_review_answer_quit_and_find_it_due(tmp_path: Path) -> None:
    db = tmp_path / "data.json"
    questions = load_corpus(shipped_notes_dir()).questions()
    first = questions[0]
    order = shown_order(first, f"{first.id}:0")  # what the learner sees, unanswered
    wrong = next(i for i in range(len(first.choices)) if i not in first.correct_indices)
    key = str(order.index(wrong) + 1)

    with PtySession(
        [dvatui_script(), "review"], cols=100, rows=30, env=pty_env(db, animations=False)
    ) as s:
        s.wait_for("Question 1/20", STARTUP)
        s.wait_for("0 due", STEP)
        s.send(key.encode())
        s.send(b"\r")
        s.wait_for("Not quite", STEP)
        s.wait_for("1 due", STEP)  # the header counts it at once
        s.send(b"q")  # back to the main screen
        s.wait_for("Bookmark", STEP)
        assert s.close() == 0, s.text()

    with PtySession([dvatui_script()], cols=100, rows=30, env=pty_env(db, animations=False)) as s:
        s.wait_for(f"1/{len(questions)} answered · 0 right · 1 due", STARTUP)
        assert s.close() == 0, s.text()

    stats = subprocess.run(
        [dvatui_script(), "stats", "--format", "json", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert stats.returncode == 0, stats.stderr
    data = json.loads(stats.stdout)
    assert (data["answered"], data["due_today"], data["reviews"]) == (1, 1, 1)
