"""The mock exam screen: navigate, change, flag, navigator, submit, time-out, resume."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.pilot import Pilot

from dvatui.app import DvaApp
from dvatui.domain.exam import EXAM_SECONDS, ExamState
from dvatui.domain.loader import load_corpus
from dvatui.domain.model import Corpus
from dvatui.paths import shipped_notes_dir
from dvatui.screens.dialogs import ConfirmScreen
from dvatui.screens.exam import ExamResultScreen, ExamScreen, NavigatorScreen, SubmitScreen
from dvatui.screens.main import MainScreen
from dvatui.store import Store
from dvatui.study import StudySession
from dvatui.widgets.exam_question import ExamQuestion

SIZE = (100, 30)
_CORPUS: list[Corpus] = []


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2030, 5, 6, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def shipped() -> Corpus:
    if not _CORPUS:
        _CORPUS.append(load_corpus(shipped_notes_dir()))
    return _CORPUS[0]


def make(db: Path, clock: Clock) -> DvaApp:
    corpus = shipped()
    return DvaApp(corpus, db, session=StudySession(corpus, db, clock=clock))


async def exam_on_screen(pilot: Pilot[None], app: DvaApp) -> ExamScreen:
    """An app started with ``start_exam()``: the exam is on screen."""
    await pilot.pause()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ExamScreen)
    return screen


def key_for(view: ExamQuestion, canonical: int) -> str:
    return str(view.order.index(canonical) + 1)


def stored_exam(db: Path) -> ExamState:
    exams = Store.open(db).exams()
    assert len(exams) == 1
    exam = ExamState.from_data(exams[0])
    assert exam is not None
    return exam


async def test_answer_change_flag_navigate_and_submit(tmp_path: Path) -> None:
    db, clock = tmp_path / "d.json", Clock()
    app = make(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("X")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExamScreen)
        view = screen.query_one(ExamQuestion)
        first = view.question
        assert first is not None
        wrong = next(i for i in range(len(first.choices)) if i not in first.correct_indices)
        await pilot.press(key_for(view, wrong))  # a wrong pick...
        await pilot.press(*[key_for(view, i) for i in sorted(first.correct_indices)])
        if first.choose > 1:
            await pilot.press(key_for(view, wrong))  # ...taken back (choose-N toggles)
        await pilot.press("f", "enter")  # flag it, go on
        await pilot.pause()
        assert screen.exam.position == 1
        await pilot.press("p")
        await pilot.pause()
        assert view.question is not None and view.question.id == first.id
        await app.workers.wait_for_complete()
        saved = stored_exam(db)
        assert saved.answers[first.id] == tuple(sorted(first.correct_indices))
        assert saved.flags == {first.id}
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, NavigatorScreen)
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.screen is screen and screen.exam.position == 2
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SubmitScreen)
        await pilot.press("n")  # keep going
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("s", "y")
        await pilot.pause()
        result = app.screen
        assert isinstance(result, ExamResultScreen)
        assert result.exam.result is not None and result.exam.result.correct == 1
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await app.workers.wait_for_complete()
    done = stored_exam(db)
    assert done.finished and done.result is not None and done.result.correct == 1
    history = Store.open(db).answers()
    assert [a.question_id for a in history] == [first.id] and history[0].card is not None


async def test_no_feedback_until_the_end(tmp_path: Path) -> None:
    db, clock = tmp_path / "d.json", Clock()
    app = make(db, clock)
    app.start_exam()
    async with app.run_test(size=SIZE) as pilot:
        screen = await exam_on_screen(pilot, app)
        view = screen.query_one(ExamQuestion)
        await pilot.press("1", "enter")
        await pilot.pause()
        shown = app.export_screenshot().replace("&#160;", " ")
        assert "Question 2 of 65" in shown  # the screenshot does hold the screen's text
        assert "Correct" not in shown and "Not quite" not in shown and "✓" not in shown
        assert Store.open(db).answers() == []  # nothing graded or reviewed yet
        assert view.question is not None


async def test_the_clock_runs_on_screen_and_time_out_submits(tmp_path: Path) -> None:
    db, clock = tmp_path / "d.json", Clock()
    app = make(db, clock)
    app.start_exam()
    async with app.run_test(size=SIZE) as pilot:
        screen = await exam_on_screen(pilot, app)
        clock.now += timedelta(seconds=90)
        screen._tick()
        assert screen.exam.remaining_s == EXAM_SECONDS - 90
        assert "2:08:30 left" in str(screen.query_one("#exam-status").render())
        await pilot.press("q")  # leave: the clock stops
        await pilot.pause()
        clock.now += timedelta(hours=5)  # away for five hours
        await pilot.press("X")
        await pilot.pause()
        again = app.screen
        assert isinstance(again, ExamScreen)
        clock.now += timedelta(seconds=1)
        again._tick()
        assert again.exam.remaining_s == EXAM_SECONDS - 91
        clock.now += timedelta(seconds=EXAM_SECONDS)
        again._tick()
        await pilot.pause()
        assert isinstance(app.screen, ExamResultScreen)
        await app.workers.wait_for_complete()
    assert stored_exam(db).finished


async def test_a_new_start_resumes_at_the_first_unanswered_question(tmp_path: Path) -> None:
    db, clock = tmp_path / "d.json", Clock()
    session = StudySession(shipped(), db, clock=clock)
    session.open()
    exam = session.start_exam(seed=3)
    for qid in exam.question_ids[:5]:
        exam = exam.answer(qid, (0,))
    exam = exam.flag(exam.question_ids[1]).tick(600)
    session.save_exam(exam)
    assert session.flush() == []
    app = make(db, clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await exam_on_screen(pilot, app)
        assert screen.exam.position == 5 and len(screen.exam.answers) == 5
        assert screen.exam.remaining_s == EXAM_SECONDS - 600
        assert screen.exam.flags == {exam.question_ids[1]}
