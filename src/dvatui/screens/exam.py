"""The mock exam (``X``, ``dvatui exam``): 65 questions, 130 minutes, results at the end.

Every answer, flag and move is saved as it happens, and the time left every second (the
clock runs only while this screen is up), so a killed process or a dropped SSH connection
resumes where it stopped. No right or wrong is shown until the exam is submitted.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Header, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from dvatui.domain.exam import PASS_SCORE, ExamState
from dvatui.domain.grading import shown_order
from dvatui.domain.model import DOMAINS, Question
from dvatui.domain.targets import note_location
from dvatui.messages import study_app
from dvatui.study import StudySession
from dvatui.widgets.exam_question import ExamChoiceChanged, ExamNextRequested, ExamQuestion
from dvatui.widgets.key_bar import KeyBar
from dvatui.widgets.markup import inline_markdown

Jump = tuple[str, str | None] | None
TICK = 1.0


def clock_text(seconds: float) -> str:
    total = max(int(seconds + 0.999), 0)
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


class ExamScreen(Screen[Jump]):
    """One question at a time, a countdown, a navigator, submit at the end."""

    DEFAULT_CSS = """
    ExamScreen #exam-status { height: 1; padding: 0 1; background: $boost; }
    ExamScreen #exam-question { height: 1fr; border: round $primary; padding: 0 1; }
    """

    HELP_PANES = ("exam",)
    BINDINGS = [
        Binding("n", "move(1)", "Next", id="exam-next"),
        Binding("p", "move(-1)", "Previous", id="exam-previous"),
        Binding("f", "flag", "Flag", id="exam-flag", tooltip="Flag for review (or unflag)"),
        Binding("g", "navigator", "All questions", id="exam-navigator"),
        Binding("s", "submit", "Submit", id="exam-submit", tooltip="Finish the exam"),
        Binding("q", "leave", "Pause", id="exam-pause", tooltip="Leave; the clock stops"),
        Binding("question_mark", "help", "Help", id="exam-help"),
    ]

    def __init__(self, exam: ExamState) -> None:
        super().__init__()
        self.exam = exam
        self._timer: Timer | None = None
        self._last_tick: float | None = None

    @property
    def session(self) -> StudySession:
        return study_app(self).session

    def compose(self) -> ComposeResult:
        yield Header(icon="▤")
        yield Static(id="exam-status")
        yield ExamQuestion(id="exam-question")
        yield KeyBar()

    def on_mount(self) -> None:
        self.exam = self.exam.at(self.exam.first_unanswered())
        self._show()
        self.query_one(ExamQuestion).focus()

    def on_screen_resume(self) -> None:
        self._last_tick = self._now()
        if self._timer is None:
            self._timer = self.set_interval(TICK, self._tick)
        else:
            self._timer.resume()

    def on_screen_suspend(self) -> None:
        self._tick()  # count the time up to now, then stop the clock
        if self._timer is not None:
            self._timer.pause()
        self._last_tick = None

    def _now(self) -> float:
        return self.session.clock().timestamp()

    # -- state --------------------------------------------------------------------------------
    def _save(self, exam: ExamState) -> None:
        self.exam = exam
        self.session.save_exam(exam)

    def _tick(self) -> None:
        if self._last_tick is None or self.exam.finished:
            return
        now = self._now()
        elapsed, self._last_tick = now - self._last_tick, now
        self._save(self.exam.tick(elapsed))
        self._status()
        if self.exam.timed_out:
            self.notify("Time is up: the exam is submitted.", timeout=6)
            self._finish()

    def _question(self, index: int | None = None) -> Question | None:
        position = self.exam.position if index is None else index
        return self.session.corpus.question(self.exam.question_ids[position])

    def _show(self) -> None:
        question = self._question()
        self._status()
        view = self.query_one(ExamQuestion)
        if question is None:  # the notes changed since the exam was drawn
            view.show(
                Question(
                    id=self.exam.question_ids[self.exam.position],
                    chapter_id="",
                    section_id="",
                    stem="This question is no longer in the notes. Move on with n.",
                    choices=(),
                    explanation="",
                    domain="",
                    path=self.session.corpus.root,
                    line=0,
                ),
                (),
                (),
                Text(""),
            )
            return
        order = shown_order(question, f"{self.exam.id}:{question.id}")
        flag = " · ⚑ flagged" if question.id in self.exam.flags else ""
        heading = Text(
            f"Question {self.exam.position + 1} of {len(self.exam.question_ids)}{flag}",
            style="dim",
        )
        view.show(question, order, self.exam.answers.get(question.id, ()), heading)

    def _status(self) -> None:
        exam = self.exam
        left = len(exam.unanswered())
        line = (
            f"⏱ {clock_text(exam.remaining_s)} left · {len(exam.answers)} answered, "
            f"{left} unanswered, {len(exam.flags)} flagged"
        )
        self.query_one("#exam-status", Static).update(Text(line, style="bold"))

    # -- keys ---------------------------------------------------------------------------------
    @on(ExamChoiceChanged)
    def _choice(self, message: ExamChoiceChanged) -> None:
        message.stop()
        self._save(self.exam.answer(message.question_id, message.chosen))
        self._status()

    @on(ExamNextRequested)
    def _next(self, message: ExamNextRequested) -> None:
        message.stop()
        self.action_move(1)

    def action_move(self, step: int) -> None:
        """Go to the next (or previous) question."""
        target = self.exam.position + step
        if target >= len(self.exam.question_ids):
            self.notify("That was the last question: press s to submit, g to see them all.")
            return
        self._save(self.exam.at(target))
        self._show()

    def action_flag(self) -> None:
        """Flag the question for review (or take the flag off)."""
        self._save(self.exam.flag(self.exam.question_ids[self.exam.position]))
        self._show()

    def action_navigator(self) -> None:
        """Every question: answered, unanswered, flagged; pick one to go there."""

        def go(index: int | None) -> None:
            if index is not None:
                self._save(self.exam.at(index))
                self._show()

        self.app.push_screen(NavigatorScreen(self.exam), go)

    def action_submit(self) -> None:
        """Finish the exam, after saying what is unanswered and flagged."""

        def done(sure: bool | None) -> None:
            if sure:
                self._finish()

        self.app.push_screen(SubmitScreen(self.exam), done)

    def _finish(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._last_tick = None
        finished = self.session.finish_exam(self.exam)
        self.exam = finished
        # The results go on top; closing them closes this screen with their choice.
        self.app.push_screen(ExamResultScreen(finished), self.dismiss)

    def action_leave(self) -> None:
        """Leave the exam for now (it is saved; the clock stops until you come back)."""
        self.notify("Your mock exam is saved; X (or dvatui exam) resumes it.", timeout=5)
        self.dismiss(None)

    def action_help(self) -> None:
        """Show every key."""
        from dvatui.screens.dialogs import HelpScreen

        self.app.push_screen(HelpScreen(self))


class NavigatorScreen(ModalScreen[int | None]):
    """All questions of the exam: ✓ answered, · unanswered, ⚑ flagged."""

    DEFAULT_CSS = """
    NavigatorScreen { align: center middle; }
    NavigatorScreen #navigator { width: 70; max-width: 95%; height: 80%; }
    """
    BINDINGS = [
        Binding("escape,q,g", "close", "Close", id="navigator-close"),
        Binding("j", "move(1)", show=False, id="navigator-down"),
        Binding("k", "move(-1)", show=False, id="navigator-up"),
    ]

    def __init__(self, exam: ExamState) -> None:
        super().__init__()
        self.exam = exam

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("All questions (enter goes there)", classes="dialog-title")
            yield OptionList(id="navigator")
            yield Static(
                "✓ answered · · unanswered · ⚑ flagged · enter go · q close", classes="dialog-hint"
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        for index, qid in enumerate(self.exam.question_ids):
            mark = "✓" if qid in self.exam.answers else "·"
            flag = " ⚑" if qid in self.exam.flags else ""
            state = "answered" if qid in self.exam.answers else "unanswered"
            options.add_option(Option(Text(f"{mark} {index + 1:2d}  {state}{flag}")))
        options.highlighted = self.exam.position
        options.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_index)

    def action_move(self, step: int) -> None:
        """Move the highlight."""
        options = self.query_one(OptionList)
        options.action_cursor_down() if step > 0 else options.action_cursor_up()

    def action_close(self) -> None:
        """Close without moving."""
        self.dismiss(None)


class SubmitScreen(ModalScreen[bool]):
    """Submit? With what is still unanswered and flagged."""

    BINDINGS = [
        Binding("y,s", "answer(True)", "Submit", id="submit-yes"),
        Binding("n,escape,q", "answer(False)", "Keep going", id="submit-no"),
    ]

    def __init__(self, exam: ExamState) -> None:
        super().__init__()
        self.exam = exam

    def compose(self) -> ComposeResult:
        left, flags = len(self.exam.unanswered()), len(self.exam.flags)
        with Vertical(classes="dialog"):
            yield Static("Submit the mock exam?", classes="dialog-title")
            yield Static(
                Text(
                    f"{left} unanswered, {flags} flagged, "
                    f"{clock_text(self.exam.remaining_s)} left. "
                    "Unanswered questions count as wrong."
                )
            )
            yield Static("y submit · n keep going", classes="dialog-hint")

    def action_answer(self, sure: bool) -> None:
        """Close with the answer."""
        self.dismiss(sure)


class ExamResultScreen(Screen[Jump]):
    """Score, pass or fail, domains with bars, time used; then every question reviewed."""

    DEFAULT_CSS = """
    ExamResultScreen #result-box { height: auto; padding: 0 1; }
    ExamResultScreen .domain-row { height: 1; }
    ExamResultScreen .domain-row Static { width: 24; }
    ExamResultScreen .domain-row ProgressBar { width: 1fr; }
    ExamResultScreen #result-review { height: 1fr; border: round $primary; }
    """
    HELP_PANES = ()
    BINDINGS = [
        Binding("enter", "jump", "Read the note", id="result-jump"),
        Binding("q", "close", "Back", id="result-close"),
        Binding("j", "move(1)", show=False, id="result-down"),
        Binding("k", "move(-1)", show=False, id="result-up"),
    ]

    def __init__(self, exam: ExamState) -> None:
        super().__init__()
        self.exam = exam
        self.rows: list[str] = []

    @property
    def session(self) -> StudySession:
        return study_app(self).session

    def compose(self) -> ComposeResult:
        result = self.exam.result
        assert result is not None
        verdict = "PASS" if result.passed else "NOT YET"
        used = clock_text(result.used_s)
        yield Header(icon="▤")
        with VerticalScroll(id="result-box"):
            yield Static(
                Text.assemble(
                    (f"{verdict}  ", "bold"),
                    f"estimated score {result.score} (pass {PASS_SCORE}) · ",
                    f"{result.correct}/{result.total} right · time used {used}",
                )
            )
            for domain in DOMAINS:
                right, asked = result.by_domain.get(domain, (0, 0))
                with Horizontal(classes="domain-row"):
                    yield Static(f"{domain:16s} {right:2d}/{asked:<2d}")
                    bar = ProgressBar(total=max(asked, 1), show_eta=False, show_percentage=True)
                    bar.progress = right
                    yield bar
        yield OptionList(id="result-review")
        yield KeyBar()

    def on_mount(self) -> None:
        review = self.query_one(OptionList)
        review.border_title = "Every question (enter: the note that teaches it)"
        questions: Mapping[str, Question | None] = {
            qid: self.session.corpus.question(qid) for qid in self.exam.question_ids
        }
        for index, qid in enumerate(self.exam.question_ids):
            question = questions[qid]
            if question is None:
                continue
            chosen = frozenset(self.exam.answers.get(qid, ()))
            right = chosen == question.correct_indices
            text = Text()
            text.append("✓ " if right else "✗ ", style="bold")
            text.append(f"{index + 1}. ")
            text.append_text(inline_markdown(question.stem))
            yours = "; ".join(question.choices[i].text for i in sorted(chosen)) or "(none)"
            key = "; ".join(question.choices[i].text for i in sorted(question.correct_indices))
            text.append("\n   yours: ", style="dim")
            text.append_text(inline_markdown(yours, style="dim"))
            text.append("\n   right: ")
            text.append_text(inline_markdown(key, style="bold"))
            text.append("\n   ")
            text.append_text(inline_markdown(question.explanation, style="dim"))
            review.add_option(Option(text))
            self.rows.append(qid)
        review.focus()

    def _current(self) -> Question | None:
        index = self.query_one(OptionList).highlighted
        if index is None or index >= len(self.rows):
            return None
        return self.session.corpus.question(self.rows[index])

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_jump()

    def action_jump(self) -> None:
        """Go to the note item that teaches the highlighted question's answer."""
        question = self._current()
        if question is None:
            return
        self.dismiss(note_location(self.session.corpus, question))

    def action_move(self, step: int) -> None:
        """Move the highlight."""
        options = self.query_one(OptionList)
        options.action_cursor_down() if step > 0 else options.action_cursor_up()

    def action_close(self) -> None:
        """Back to the notes."""
        self.dismiss(None)
