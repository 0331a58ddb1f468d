"""SVG snapshots of the progress screen (``S``) at 80x24 and 160x48.

The data is made before the app starts, with a fake clock, on notes written here (so that
edits to the shipped notes do not move these pictures); the app's session gets a fixed
clock and UTC as the learner's zone, so nothing depends on the wall clock.
Review changes with the HTML report before running ``pytest --snapshot-update``.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from textual.pilot import Pilot

from dvatui.app import DvaApp
from dvatui.domain.loader import load_corpus
from dvatui.domain.model import DOMAINS, Corpus
from dvatui.screens.progress import ProgressScreen
from dvatui.study import StudySession

NOW = datetime(2030, 1, 20, 12, 0, tzinfo=UTC)
SKILL = {"development": 0.8, "security": 0.7, "deployment": 0.6, "troubleshooting": 0.45}


def write_notes(folder: Path, per_section: int = 8) -> Path:
    """A chapter per domain, three sections each, ``per_section`` questions a section."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, domain in enumerate(DOMAINS, 1):
        lines = [
            "---",
            f"title: {domain.capitalize()} Chapter",
            f"domains: [{domain}]",
            "---",
            "",
            f"# {domain.capitalize()} Chapter",
            "",
        ]
        for part in range(1, 4):
            lines += [f"## {domain.capitalize()} part {part}", "", f"- A fact of part {part}.", ""]
            lines.append("```quiz")
            for n in range(per_section):
                lines += [
                    f"id: {domain}-{part}-{n}",
                    f"? Question {n} of {domain} part {part}?",
                    "- [x] Right",
                    "- [ ] Wrong",
                    "- [ ] Also wrong",
                    "- [ ] Not this",
                    "> Because.",
                    "",
                ]
            lines += ["```", ""]
        (folder / f"{number:02d}-{domain}.md").write_text("\n".join(lines), encoding="utf-8")
    return folder


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def build_history(corpus: Corpus, db_path: Path) -> None:
    """Four weeks of answers (a skill per domain), an exam date and two mock exams."""
    rng = random.Random(8)
    clock = Clock(NOW - timedelta(days=27))
    session = StudySession(corpus, db_path, clock=clock, tz=UTC)
    session.open()
    questions = corpus.questions()
    for day in range(28):
        if day % 6 == 5:
            continue  # a day off now and then
        clock.now = NOW - timedelta(days=27 - day, hours=2)
        for question in rng.sample(questions, 4 + day % 5):
            right = rng.random() < SKILL[question.domain]
            session.answer(question.id, (0,) if right else (1,))
            clock.now += timedelta(minutes=1)
        if day in (10, 24):
            exam = session.start_exam(seed=day)
            for qid in exam.question_ids:
                domain = exam.domains[qid]
                right = rng.random() < SKILL[domain] + (0.1 if day == 24 else -0.1)
                exam = exam.answer(qid, (0,) if right else (1,))
            session.finish_exam(exam)
    clock.now = NOW
    session.set_exam_date(date(2030, 3, 1))
    assert not session.flush()


def progress_app(tmp_path: Path, *, history: bool = True) -> DvaApp:
    notes = write_notes(tmp_path / "notes")
    db_path = tmp_path / "dvatui.json"
    corpus = load_corpus(notes)
    if history:
        build_history(corpus, db_path)
    session = StudySession(corpus, db_path, clock=lambda: NOW, tz=UTC)
    return DvaApp(corpus, db_path, session=session)


async def open_progress(pilot: Pilot[None]) -> None:
    await pilot.pause()
    pilot.app.push_screen(ProgressScreen())
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_progress_wide(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(progress_app(tmp_path), terminal_size=(160, 48), run_before=open_progress)


def test_progress_narrow_top(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(progress_app(tmp_path), terminal_size=(80, 24), run_before=open_progress)


def test_progress_narrow_plots(snap_compare, tmp_path: Path) -> None:
    async def scrolled(pilot: Pilot[None]) -> None:
        await open_progress(pilot)
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()

    assert snap_compare(progress_app(tmp_path), terminal_size=(80, 24), run_before=scrolled)


def test_progress_empty_narrow(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(
        progress_app(tmp_path, history=False), terminal_size=(80, 24), run_before=open_progress
    )
