"""Review mode, mistakes, flags, Hard/Easy and undo, driven by keys (pilot tests)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from dvatui.app import DvaApp
from dvatui.domain.model import Question
from dvatui.screens.main import MainScreen
from dvatui.screens.mistakes import MistakesScreen
from dvatui.screens.review import ReviewScreen
from dvatui.store import Store
from dvatui.widgets.note_view import NoteView
from dvatui.widgets.quiz_panel import QuizPanel

WIDE = (160, 48)
SMALL = (80, 24)


PressReview = Callable[[Pilot[None], DvaApp], Awaitable[ReviewScreen]]


def key_for(quiz: QuizPanel, canonical: int) -> str:
    """The key that picks a canonical choice, wherever the shuffle shows it."""
    return str(quiz.order.index(canonical) + 1)


def right_keys(quiz: QuizPanel) -> list[str]:
    """Keys that pick exactly the right choices (all of them in a choose-N question)."""
    q = quiz.question
    assert q is not None
    return [key_for(quiz, i) for i in sorted(q.correct_indices)]


def wrong_keys(quiz: QuizPanel) -> list[str]:
    """Keys that pick as many choices as asked, with at least one wrong."""
    q = quiz.question
    assert q is not None
    wrong = next(i for i in range(len(q.choices)) if i not in q.correct_indices)
    rest = sorted(q.correct_indices)[: q.choose - 1]
    return [key_for(quiz, i) for i in [wrong, *rest]]


async def answer(pilot: object, quiz: QuizPanel, *, right: bool) -> Question:
    q = quiz.question
    assert q is not None
    keys = right_keys(quiz) if right else wrong_keys(quiz)
    await pilot.press(*keys, "enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    assert quiz.result is not None and quiz.result.correct is right
    return q


async def test_review_mode_asks_due_then_new_and_q_returns(
    app_factory: Callable[..., DvaApp], db_path: Path, press_review: PressReview
) -> None:
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        screen = await press_review(pilot, app)
        quiz = screen.quiz
        total = len(app.session.corpus.questions())
        assert len(screen.questions) == min(total, 20)  # all new: up to the day's limit
        missed = await answer(pilot, quiz, right=False)
        shown = "\n".join(str(part) for part in quiz._parts())
        assert "Next review: again in" in shown and "The note it tests:" in shown
        await pilot.press("n")
        got = await answer(pilot, quiz, right=True)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert "2 due" in app.title
        await app.workers.wait_for_complete()
    stored = Store.open(db_path).progress()
    assert stored[missed.id].latest_correct is False and stored[got.id].latest_correct
    assert stored[missed.id].scheduling is not None


async def test_easy_after_a_right_answer_and_undo(
    app_factory: Callable[..., DvaApp], db_path: Path, press_review: PressReview
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        quiz = (await press_review(pilot, app)).quiz
        await pilot.press("E")  # nothing answered: not available
        q = await answer(pilot, quiz, right=True)
        before_easy = app.session.progress[q.id].scheduling
        await pilot.press("E")
        await pilot.pause()
        after_easy = app.session.progress[q.id].scheduling
        assert after_easy != before_easy and after_easy is not None
        assert after_easy["due"] > before_easy["due"]  # type: ignore[index]
        await app.workers.wait_for_complete()
        assert Store.open(db_path).answers()[0].rating == 4
        await pilot.press("u")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert quiz.result is None  # asked again
        assert q.id not in app.session.progress
    assert Store.open(db_path).answers() == []


async def test_flag_a_question_and_practise_the_flags(
    app_factory: Callable[..., DvaApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("tab", "tab")  # the quiz pane
        quiz = app.screen.query_one(QuizPanel)
        flagged = quiz.question
        assert flagged is not None
        await pilot.press("f")
        await pilot.pause()
        assert app.session.flagged == {flagged.id}
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.start_practice("flagged")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert [q.id for q in review.questions] == [flagged.id]
        await app.workers.wait_for_complete()
    marks = Store.open(db_path).bookmarks()
    assert [(b.kind, b.target_id) for b in marks] == [("question", flagged.id)]
    assert marks[0].label.startswith(" ".join(flagged.stem.split())[:30])


async def test_mistakes_list_retry_in_place_and_jump_to_the_note(
    app_factory: Callable[..., DvaApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("tab", "tab")
        quiz = app.screen.query_one(QuizPanel)
        first = await answer(pilot, quiz, right=False)
        await pilot.press("n")
        second = await answer(pilot, quiz, right=False)
        await pilot.press("M")
        await pilot.pause()
        mistakes = app.screen
        assert isinstance(mistakes, MistakesScreen)
        assert [q.id for q in mistakes.mistakes] == [second.id, first.id]  # newest first
        await pilot.press("space")  # try the newest again, in place
        await pilot.pause()
        retry = mistakes.quiz
        assert retry.question is not None and retry.question.id == second.id
        await answer(pilot, retry, right=True)
        await pilot.press("q")  # closes the retry, refills the list
        await pilot.pause()
        assert [q.id for q in mistakes.mistakes] == [first.id]
        await pilot.press("enter")  # jump to the note that teaches it
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        note = app.screen.query_one(NoteView)
        assert note.section is not None and note.marked is not None
        await app.workers.wait_for_complete()


async def test_review_starts_from_the_command_line_entry(
    app_factory: Callable[..., DvaApp], db_path: Path
) -> None:
    app = app_factory()
    app.start_review(practice="unseen", count=3)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert len(screen.questions) == 3 and screen.title_text == "Practice: unseen"


async def test_review_opened_again_is_refilled(
    app_factory: Callable[..., DvaApp], db_path: Path, press_review: PressReview
) -> None:
    app = app_factory()
    async with app.run_test(size=SMALL) as pilot:
        quiz = (await press_review(pilot, app)).quiz
        await pilot.press("n")
        missed = await answer(pilot, quiz, right=False)  # the second question, missed
        await pilot.press("q", "R")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.outcomes == []
        assert screen.questions[0].id == missed.id  # due now comes first
        assert screen.quiz.index == 0 and screen.quiz.result is None
        await app.workers.wait_for_complete()


async def test_a_leech_is_marked_in_the_tree_and_is_a_practice_set(
    app_factory: Callable[..., DvaApp], db_path: Path
) -> None:
    from dvatui.domain.loader import load_corpus
    from dvatui.domain.schedule import LEECH_LAPSES, Scheduler
    from dvatui.widgets.section_tree import SectionTree

    from .conftest import NOTES

    leech = load_corpus(NOTES).questions()[0]
    card = dict(Scheduler().review(leech.id, None, 1, datetime_now()))
    card["lapses"] = LEECH_LAPSES
    Store.open(db_path).record_answer(
        question_id=leech.id,
        section_id=leech.section_id,
        chapter_id=leech.chapter_id,
        chosen=(0,),
        correct=False,
        rating=1,
        review=lambda _before: card,
    )
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        tree = app.screen.query_one(SectionTree)
        node = tree._section_nodes[leech.section_id]
        assert str(node.label).endswith(" ⚠")
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.start_practice("leeches")
        await pilot.pause()
        assert [q.id for q in app.screen.questions] == [leech.id]  # type: ignore[attr-defined]


def datetime_now() -> object:
    from datetime import UTC, datetime

    return datetime.now(UTC)
