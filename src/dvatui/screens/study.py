"""What every screen that asks questions shares: answering, flags, Hard/Easy and undo.

Thin: the quiz panel posts what the learner did, the study session grades, schedules and
saves, and this passes the outcome back down.
"""

from __future__ import annotations

from typing import TypeVar

from textual import on
from textual.binding import Binding
from textual.screen import Screen

from dvatui.messages import AnswerSubmitted, BookmarkToggleRequested, RateRequested, study_app
from dvatui.study import StudySession
from dvatui.widgets.quiz_panel import QuizPanel

RATING_NAMES = {2: "Hard", 3: "Good", 4: "Easy"}
ResultType = TypeVar("ResultType")


class StudyScreen(Screen[ResultType]):
    """A screen with a quiz panel: it answers, flags, re-rates and undoes through the session."""

    BINDINGS = [
        Binding("u", "undo", "Undo answer", id="undo", tooltip="Take back your last answer"),
    ]

    @property
    def session(self) -> StudySession:
        """The learner's study session (owned by the app)."""
        return study_app(self).session

    @property
    def quiz(self) -> QuizPanel:
        return self.query_one(QuizPanel)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo":
            return self.session.can_undo or None  # shown greyed out when nothing to undo
        return True

    @on(AnswerSubmitted)
    def _answer(self, message: AnswerSubmitted) -> None:
        message.stop()
        result = self.session.answer(message.question_id, message.chosen)
        if result is not None:
            self.quiz.show_result(result, self.session.results)
            self.answered(result.correct)
        self.refresh_bindings()

    def answered(self, correct: bool) -> None:
        """Called after each answer is graded (a screen may keep a tally)."""

    def taken_back(self) -> None:
        """Called after an answer was undone."""

    @on(RateRequested)
    def _rate(self, message: RateRequested) -> None:
        message.stop()
        if self.session.rate(message.rating):
            when = self.session.next_review(message.question_id) or "later"
            self.notify(f"Marked {RATING_NAMES[message.rating]}: back {when}.", timeout=3)
            self.quiz.record_latest(self.session.results)

    @on(BookmarkToggleRequested)
    def _toggle_bookmark(self, message: BookmarkToggleRequested) -> None:
        message.stop()
        session = self.session
        location = session.locate(message.target_id)
        if not location.found:
            return
        on = message.target_id not in session.bookmarked  # the intent, from what is shown
        session.set_bookmark(message.target_id, on)
        self.quiz.set_flagged(session.flagged)
        if session.writable:  # else the save fails and the app says why
            label = location.label
            short = label if len(label) < 50 else label[:47] + "..."
            if location.kind == "question":
                verb = "Flagged: " if on else "Removed the flag: "
            else:
                verb = "Bookmarked: " if on else "Removed bookmark: "
            self.notify(verb + short, timeout=3, markup=False)

    def action_undo(self) -> None:
        """Take back the last answer of this session (several times to go further back)."""
        question_id = self.session.undo()
        if question_id is None:
            self.notify("Nothing to undo in this session.", timeout=2)
            return
        self.quiz.reopen(question_id)
        self.quiz.record_latest(self.session.results)
        self.taken_back()
        question = self.session.corpus.question(question_id)
        stem = " ".join(question.stem.split())[:60] if question is not None else question_id
        self.notify(f"Took back your answer to: {stem}", timeout=3, markup=False)
        self.refresh_bindings()
