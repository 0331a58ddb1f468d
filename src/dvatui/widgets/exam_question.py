"""One mock-exam question: the stem and the options, picked with keys, no feedback.

Unlike the quiz panel it never grades: a pick posts ``ExamChoiceChanged`` with the chosen
canonical indexes, and ``enter`` posts ``ExamNextRequested``. Options are shown in the order
the screen gives (shuffled per exam); keys follow the shown order.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from dvatui.domain.model import Question
from dvatui.widgets.markup import inline_markdown

LETTERS = "abcde"


class ExamChoiceChanged(Message):
    """The learner's choice for a question changed (canonical indexes)."""

    def __init__(self, question_id: str, chosen: tuple[int, ...]) -> None:
        super().__init__()
        self.question_id = question_id
        self.chosen = chosen


class ExamNextRequested(Message):
    """``enter``: confirm and go to the next question."""


class ExamQuestion(VerticalScroll, can_focus=True):
    """Shows a question and takes picks; the screen keeps the answers."""

    BINDINGS = [
        *(
            Binding(str(n), f"choose({n - 1})", "Pick", show=False, id=f"exam-choose-{n}")
            for n in range(1, 7)
        ),
        *(
            Binding(ch, f"choose({i})", "Pick", show=False, id=f"exam-choose-{ch}")
            for i, ch in enumerate(LETTERS)
        ),
        Binding("j,down", "move(1)", "Down", show=False, id="exam-down"),
        Binding("k,up", "move(-1)", "Up", show=False, id="exam-up"),
        Binding(
            "space",
            "toggle_focus",
            "Pick the option under the pointer",
            show=False,
            id="exam-toggle",
        ),
        Binding(
            "enter",
            "confirm",
            "Next",
            tooltip="Confirm and go to the next question",
            id="exam-confirm",
        ),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.question: Question | None = None
        self.order: tuple[int, ...] = ()
        self.chosen: frozenset[int] = frozenset()
        self.pointer = 0
        self.heading = Text()

    def compose(self) -> ComposeResult:
        yield Static(id="exam-body")

    def show(
        self, question: Question, order: tuple[int, ...], chosen: tuple[int, ...], heading: Text
    ) -> None:
        """Show ``question`` with its options in ``order`` and the learner's current pick."""
        if self.question is None or self.question.id != question.id:
            self.pointer = 0
            self.scroll_home(animate=False)
        self.question, self.order, self.chosen = question, order, frozenset(chosen)
        self.heading = heading
        self._paint()

    def _paint(self) -> None:
        q = self.question
        if q is None:
            return
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        multi = q.choose > 1
        for position, index in enumerate(self.order):
            picked = index in self.chosen
            box = ("[x]" if picked else "[ ]") if multi else ("(•)" if picked else "( )")
            pointer = "›" if position == self.pointer else " "
            style = "bold" if picked else ""
            grid.add_row(
                Text(f"{pointer}{position + 1} {box}", style=style),
                inline_markdown(q.choices[index].text, style=style),
            )
        final = LETTERS[min(len(q.choices), len(LETTERS)) - 1]
        how = (
            f"Pick {q.choose}: 1-{len(q.choices)} or a-{final} toggle"
            if multi
            else f"Pick 1-{len(q.choices)} or a-{final}"
        )
        hint = Text(f"{how} · enter next · n/p move · f flag · g all questions · s submit")
        hint.stylize("dim")
        body = Group(
            self.heading,
            Text(""),
            inline_markdown(q.stem, style="bold"),
            Text(""),
            grid,
            Text(""),
            hint,
        )
        self.query_one("#exam-body", Static).update(body)

    def action_choose(self, position: int) -> None:
        """Pick the option shown at ``position`` (toggle in a choose-N question)."""
        q = self.question
        if q is None or position >= len(self.order):
            return
        index = self.order[position]
        self.pointer = position
        if q.choose > 1:
            self.chosen = self.chosen ^ {index}
        else:
            self.chosen = frozenset() if self.chosen == {index} else frozenset({index})
        self._paint()
        self.post_message(ExamChoiceChanged(q.id, tuple(sorted(self.chosen))))

    def action_move(self, step: int) -> None:
        """Move the pointer."""
        if self.order:
            self.pointer = (self.pointer + step) % len(self.order)
            self._paint()

    def action_toggle_focus(self) -> None:
        """Pick the option under the pointer."""
        self.action_choose(self.pointer)

    def action_confirm(self) -> None:
        """Confirm and go on."""
        self.post_message(ExamNextRequested())
