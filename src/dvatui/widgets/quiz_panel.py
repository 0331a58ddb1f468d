"""The right pane: the quiz for the section being read.

The panel asks and shows; it does not grade. ``enter`` posts ``AnswerSubmitted`` with the
chosen indexes, and the screen passes the grade back through ``show_result``.

Choices are shown shuffled (:func:`~dvatui.domain.grading.shown_order`, with a seed the screen
gives per question); the keys follow the shown order, while ``selected``, the messages and
the grade keep to canonical indexes (the order in the notes file).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.reactive import reactive
from textual.widgets import Static

from dvatui.domain.grading import Grade, shown_order
from dvatui.domain.model import Question
from dvatui.messages import (
    AnswerSubmitted,
    BookmarkToggleRequested,
    RateRequested,
    SectionRequested,
)
from dvatui.widgets.lazy_styles import LazyComponentStyles
from dvatui.widgets.markup import InlineStyles, component_style, inline_markdown
from dvatui.widgets.quiet import QuietBorderTitle

VERDICT_LINES = 6
"""Lines of the verdict and explanation kept in view right after an answer."""
LETTERS = "abcde"
"""Letter keys for the first five choices (``f`` flags; a sixth choice is ``6``)."""


def _starts_row(line: list[Segment]) -> bool:
    """Whether a rendered line of the choices starts a choice (its number is in it)."""
    head = "".join(segment.text for segment in line)[:4]
    return any(ch.isdigit() for ch in head)


class HangingRows:
    """Rows of a key and a text: the key, a space, then the text wrapped in the width left,
    its later lines under its first (what a two-column ``Table.grid`` shows, without the
    table's measuring: ~3x faster, and the quiz pane paints it at every pick)."""

    def __init__(self, rows: list[tuple[Text, Text]]) -> None:
        self.rows = rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key_width = max((key.cell_len for key, _ in self.rows), default=0)
        room = options.max_width - key_width - 1
        if room < 1:  # no room for the text: keys only
            for key, _ in self.rows:
                yield from key.render(console)
                yield Segment.line()
            return
        # As wide as the widest text, if it fits (each text is padded to that width).
        widest = max(Measurement.get(console, options, text).maximum for _, text in self.rows)
        width = min(room, max(widest, 1))
        body = options.update(width=width, overflow="ellipsis", justify="left", height=None)
        new_line = Segment.line()
        under = Segment(" " * (key_width + 1))
        for key, text in self.rows:
            lines = console.render_lines(text, body, pad=True)
            yield from key.render(console)
            yield Segment(" " * (key_width - key.cell_len + 1))
            for number, line in enumerate(lines):
                if number:
                    yield under
                yield from line
                yield new_line


class QuizPanel(LazyComponentStyles, VerticalScroll, can_focus=True):
    """Asks the section's questions one at a time and shows the explanation after each."""

    HELP = """
## Quiz
Pick with 1-5 or a-e (space toggles in a "choose two" question), enter submits.
After the answer, r jumps to the note it tests and n goes to the next question.
"""

    BINDINGS = [
        Binding(
            "H", "rate(2)", "Hard", tooltip="Right, but it was hard: see it sooner", id="quiz-hard"
        ),
        Binding("E", "rate(4)", "Easy", tooltip="Right and easy: see it later", id="quiz-easy"),
        *(
            Binding(str(n), f"choose({n - 1})", "Pick a choice", show=False, id=f"quiz-choose-{n}")
            for n in range(1, 7)
        ),
        *(
            Binding(ch, f"choose({i})", "Pick a choice", show=False, id=f"quiz-choose-{ch}")
            for i, ch in enumerate(LETTERS)
        ),
        Binding("space", "toggle_focus", "Toggle", show=False, id="quiz-toggle"),
        Binding("j,down", "move(1)", "Down", show=False, id="quiz-down"),
        Binding("k,up", "move(-1)", "Up", show=False, id="quiz-up"),
        Binding("enter", "submit", "Submit", tooltip="Submit your answer", id="quiz-submit"),
        Binding(
            "enter",
            "go_on",
            "Next",
            tooltip="After an answer: the next question",
            id="quiz-go-on",
        ),
        Binding("n", "next_question(1)", "Next question", id="quiz-next"),
        Binding("p", "next_question(-1)", "Previous question", show=False, id="quiz-previous"),
        Binding(
            "r",
            "read_note",
            "Read the note",
            tooltip="Show the note this question tests",
            id="quiz-read-note",
        ),
        Binding(
            "f",
            "flag",
            "Flag",
            tooltip="Flag or unflag this question (listed in B)",
            id="quiz-flag",
        ),
    ]

    COMPONENT_CLASSES = {
        "quiz-panel--meta",
        "quiz-panel--stem",
        "quiz-panel--pointer",
        "quiz-panel--picked",
        "quiz-panel--right",
        "quiz-panel--wrong",
        "quiz-panel--other",
        "quiz-panel--flag",
        "quiz-panel--code",
        "quiz-panel--link",
        "quiz-panel--hint",
    }
    """Every colour of the pane comes from these (so from the theme). Nothing depends on
    colour alone: the pointer is ``›``, a pick ``(•)``/``[x]``, the grade ``✓``/``✗``."""

    DEFAULT_CSS = """
    QuizPanel {
        background: $surface;
        padding: 0 1;
        /* The text keeps its width when a long question brings the scrollbar: no rewrap
           (and no second paint) right after it is shown. */
        scrollbar-gutter: stable;
        & > .quiz-panel--meta { color: $text-muted; }
        & > .quiz-panel--stem { text-style: bold; }
        & > .quiz-panel--pointer { color: $text-primary; text-style: bold; }
        & > .quiz-panel--picked { color: $text-primary; text-style: bold; }
        & > .quiz-panel--right { color: $text-success; text-style: bold; }
        & > .quiz-panel--wrong { color: $text-error; text-style: bold; }
        & > .quiz-panel--other { color: $text-muted; }
        & > .quiz-panel--flag { color: $text-warning; }
        & > .quiz-panel--code { color: $text-accent; background: $foreground 7%; }
        & > .quiz-panel--link { color: $text-primary; text-style: underline; }
        & > .quiz-panel--hint { color: $text-muted; }
    }
    """

    border_title = QuietBorderTitle()

    index: reactive[int] = reactive(0, init=False)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.questions: list[Question] = []
        self.section_id: str | None = None
        self.selected: set[int] = set()
        self.focus_choice = 0
        self.result: Grade | None = None
        self.awaiting: str | None = None
        """The question id submitted and not graded yet (choices are frozen meanwhile)."""
        self.latest: Mapping[str, bool] = {}
        self.seed: Callable[[Question], str] | None = None
        """Gives the shuffle seed of a question; None shows the choices in file order."""
        self.target: Callable[[Question], tuple[str, str | None]] | None = None
        """Gives where ``r`` goes for a question: a section id and a note item id."""
        self._order: tuple[str, tuple[int, ...]] | None = None
        """The question id on screen and its choices' canonical indexes in shown order."""
        self.heading: Callable[[Question], RenderableType] | None = None
        """Replaces the first lines (question number, section counts), e.g. in review mode."""
        self.after_answer: Callable[[Question], list[RenderableType]] | None = None
        """Adds lines under the explanation once answered (review: the note, next due)."""
        self.on_end: Callable[[], None] | None = None
        """Called past the last question instead of the section's summary."""
        self.at_end = False
        """Past the last question: the pane shows the section's summary (right answers,
        what to review) and ``n`` goes on to the next section."""
        self.flagged: frozenset[str] = frozenset()
        """Ids of the questions the learner flagged (shown with a flag)."""
        self.rated: dict[str, int] = {}
        """Hard (2) or Easy (4) as the learner marked a question just answered."""

    def compose(self) -> ComposeResult:
        # One Static holding a Group: fewer widgets to style and lay out at start-up.
        yield Static(id="quiz-body")

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        if self.questions:
            self._paint()  # the styles are taken when painting

    # -- public ---------------------------------------------------------------------------
    def show_questions(
        self,
        section_id: str,
        questions: list[Question],
        latest: Mapping[str, bool],
        *,
        seed: Callable[[Question], str] | None = None,
        target: Callable[[Question], tuple[str, str | None]] | None = None,
    ) -> None:
        """Show a section's questions, starting with the first one not yet answered right.

        Args:
            section_id: The section the questions are shown with.
            questions: The questions, in canonical form.
            latest: Whether the learner's latest answer to each question was right.
            seed: Gives a question's shuffle seed. It is asked each time a question comes
                on screen, and the order then stays until the question leaves the screen.
            target: Gives where ``r`` takes the learner for a question: the section to
                show and the note item that teaches the answer (None: the section's top).
        """
        self.latest = latest
        self.seed = seed
        self.target = target
        if section_id == self.section_id and [q.id for q in questions] == [
            q.id for q in self.questions
        ]:
            return
        self.section_id = section_id
        self.questions = questions
        start = next((i for i, q in enumerate(questions) if not latest.get(q.id)), 0)
        self._reset()
        self.set_reactive(QuizPanel.index, start)
        self._paint()

    @property
    def question(self) -> Question | None:
        """The question on screen."""
        if not self.questions:
            return None
        return self.questions[min(self.index, len(self.questions) - 1)]

    @property
    def order(self) -> tuple[int, ...]:
        """Canonical indexes of the question's choices, in the order they are shown."""
        q = self.question
        if q is None:
            return ()
        if self._order is None or self._order[0] != q.id:
            if self.seed is None:
                shown = tuple(range(len(q.choices)))
            else:
                shown = shown_order(q, self.seed(q))
            self._order = (q.id, shown)
        return self._order[1]

    def _reset(self) -> None:
        if self.question is not None:
            self.rated.pop(self.question.id, None)
        self.selected = set()
        self.focus_choice = 0
        self.result = None
        self.awaiting = None
        self.at_end = False
        self._order = None  # shuffled again (with a fresh seed) when next painted

    # -- painting -------------------------------------------------------------------------
    def watch_index(self) -> None:
        self._reset()
        self._paint()
        self.refresh_bindings()

    def _paint(self) -> None:
        self.query_one("#quiz-body", Static).update(Group(*self._parts()))

    def _style(self, name: str) -> Style:
        """A component class's style, only what it sets (so it adds to what is under it)."""
        return component_style(self, f"quiz-panel--{name}")

    def _inline(self, source: str, style: Style | str = "") -> Text:
        """Inline Markdown (code spans, bold, italics, links) in the theme's colours.

        In a text with a colour of its own (a right or wrong choice), code spans keep that
        colour and are told apart by their background only."""
        code = self._style("code")
        if isinstance(style, Style) and style.color is not None:
            code = Style(bgcolor=code.bgcolor)
        styles = InlineStyles(code=code, link=self._style("link"), link_url=self._style("meta"))
        return inline_markdown(source, styles, style)

    def _parts(self) -> list[RenderableType]:
        if self.at_end and self.questions:
            return self._summary_parts()
        q = self.question
        meta, hint_style = self._style("meta"), self._style("hint")
        if q is None:
            return [
                Text("Quiz", style=meta),
                Text(""),
                Text("No questions for this section.", style="bold"),
                Text(""),
                Text("Pick another section on the left (n / p).", style=hint_style),
            ]
        answered = sum(1 for x in self.questions if x.id in self.latest)
        right = sum(1 for x in self.questions if self.latest.get(x.id))
        last = self.latest.get(q.id)
        head = Text(f"Question {self.index + 1}/{len(self.questions)} · {q.domain}", style=meta)
        if last is not None and self.result is None:
            head.append(" · last time ")
            head.append(*(("✓", self._style("right")) if last else ("✗", self._style("wrong"))))
        if q.id in self.flagged:
            head.append(" · ")
            head.append("⚑ flagged", style=self._style("flag"))
        head.append(f"\nsection: {answered}/{len(self.questions)} answered, {right} right")
        heading: RenderableType = self.heading(q) if self.heading is not None else head
        extra = f"  (choose {q.choose})" if q.choose > 1 and "choose" not in q.stem.lower() else ""
        stem = self._inline(q.stem, self._style("stem"))
        stem.append(extra)
        parts: list[RenderableType] = [
            heading,
            Text(""),
            stem,
            Text(""),
            self._choices_text(q),
            Text(""),
        ]
        final = LETTERS[len(q.choices) - 1]
        if self.result is None:
            if q.choose > 1:
                hint = (
                    f"Pick {q.choose}: 1-{len(q.choices)} or a-{final} (space toggles), then enter."
                )
            else:
                hint = f"Pick 1-{len(q.choices)} or a-{final}, then enter."
        else:
            verdict = (
                Text("✓ Correct. ", style=self._style("right"))
                if self.result.correct
                else Text("✗ Not quite. ", style=self._style("wrong"))
            )
            parts += [Text.assemble(verdict, self._inline(q.explanation)), Text("")]
            if self.after_answer is not None:
                parts += self.after_answer(q)
            hint = "n next question · r read the note · p previous"
            if self.result.correct:
                marked = {2: "marked Hard", 4: "marked Easy"}.get(self.rated.get(q.id, 0))
                hint = (f"{marked} · " if marked else "H hard · E easy (else Good) · ") + hint
        parts.append(Text(hint, style=hint_style))
        return parts

    def _summary_parts(self) -> list[RenderableType]:
        """Past the last question: how many are right, which to review, and what next."""
        meta = self._style("meta")
        total = len(self.questions)
        right = sum(1 for q in self.questions if self.latest.get(q.id))
        answered = sum(1 for q in self.questions if q.id in self.latest)
        score = Text(f"{right}/{total} right", style=self._style("stem"))
        score.append(f" · {answered}/{total} answered", style=meta)
        parts: list[RenderableType] = [
            Text("End of this section's quiz", style=meta),
            Text(""),
            score,
            Text(""),
        ]
        review = [(n, q) for n, q in enumerate(self.questions, 1) if not self.latest.get(q.id)]
        if review:
            parts.append(Text("To review:", style="bold"))
        else:
            parts.append(Text("✓ Every question right.", style=self._style("right")))
        for number, q in review:
            wrong = q.id in self.latest
            line = Text.assemble(
                ("✗ " if wrong else "· ", self._style("wrong") if wrong else meta),
                (f"{number}. ", meta),
                self._inline(q.stem),
                ("" if wrong else " (not answered)", meta),
                no_wrap=True,
                overflow="ellipsis",
            )
            parts.append(line)
        onward = "next section" if self._next_section_offered() else "start again"
        parts += [
            Text(""),
            Text(f"n or enter: {onward} · p back to question {total}", style=self._style("hint")),
        ]
        return parts

    def _next_section_offered(self) -> bool:
        """Whether the screen goes on to the next section (the main screen does; the list
        of mistakes, which asks one question at a time, does not)."""
        return callable(getattr(self.screen, "action_section", None))

    def _choices_text(self, q: Question) -> HangingRows:
        rows: list[tuple[Text, Text]] = []
        multi = q.choose > 1
        for position, i in enumerate(self.order):
            choice = q.choices[i]
            picked = i in self.selected
            box = ("[x]" if picked else "[ ]") if multi else ("(•)" if picked else "( )")
            style = Style()
            mark = " "
            if self.result is not None:
                if choice.correct:
                    style, mark = self._style("right"), "✓"
                elif picked:
                    style, mark = self._style("wrong"), "✗"
                else:
                    style = self._style("other")
            elif picked:
                style = self._style("picked")
            pointed = position == self.focus_choice and self.result is None
            key = Text(f"{mark}{position + 1} {box}", style=style)
            key = Text.assemble(("›" if pointed else " ", self._style("pointer")), key)
            rows.append((key, self._inline(choice.text, style)))
        return HangingRows(rows)

    def _scroll_to_pointer(self) -> None:
        """Keep the choice under the pointer in view (a long stem can push it below)."""
        q = self.question
        width = self.scrollable_content_region.width
        height = self.scrollable_content_region.height
        if q is None or self.result is not None or width <= 0 or height <= 0:
            return
        if self.virtual_size.height <= height:
            return
        console = self.app.console
        options = console.options.update_width(width)
        parts = self._parts()
        top = sum(len(console.render_lines(part, options, pad=False)) for part in parts[:4])
        rows = console.render_lines(self._choices_text(q), options, pad=False)
        starts = [n for n, line in enumerate(rows) if line and line[0].text.startswith("›")]
        if not starts:
            return
        first = top + starts[0]
        following = [n for n, line in enumerate(rows) if n > starts[0] and _starts_row(line)]
        last = top + (following[0] if following else len(rows)) - 1
        self.scroll_to_region(Region(0, first, width, last - first + 1), animate=False)

    # -- actions --------------------------------------------------------------------------
    def action_choose(self, position: int) -> None:
        """Pick the choice shown at ``position`` (replace in single-answer questions,
        toggle in choose-N)."""
        q = self.question
        if q is None or self.result is not None or self.awaiting or position >= len(q.choices):
            return
        self.focus_choice = position
        index = self.order[position]
        if q.choose > 1:
            self.selected ^= {index}
        else:
            self.selected = {index}
        self._paint()
        self.call_after_refresh(self._scroll_to_pointer)

    def action_toggle_focus(self) -> None:
        """Toggle the choice under the pointer."""
        self.action_choose(self.focus_choice)

    def action_move(self, step: int) -> None:
        """Move the pointer between choices, or scroll once the answer is shown."""
        q = self.question
        if q is None:
            return
        if self.result is not None or self.at_end:
            self.scroll_to(y=self.scroll_target_y + step, animate=False, immediate=True)
            return
        self.focus_choice = (self.focus_choice + step) % len(q.choices)
        self._paint()
        self.call_after_refresh(self._scroll_to_pointer)

    def action_go_on(self) -> None:
        """With the answer (or the section's summary) shown: on to the next question."""
        self.action_submit()

    def action_submit(self) -> None:
        """Submit the picked choices; with the answer shown, go to the next question."""
        q = self.question
        if q is None:
            return
        if self.result is not None or self.at_end:
            self.action_next_question(1)
            return
        if self.awaiting is not None:
            return
        if not self.selected:
            self.notify("Pick a choice first (1-5 or a-e).", severity="warning", timeout=3)
            return
        if q.choose > 1 and len(self.selected) != q.choose:
            self.notify(
                f"This question wants {q.choose} choices; you picked {len(self.selected)}.",
                severity="warning",
                timeout=3,
            )
            return
        self.awaiting = q.id
        self.post_message(AnswerSubmitted(q.id, tuple(sorted(self.selected))))

    def show_result(self, result: Grade, latest: Mapping[str, bool]) -> None:
        """Show the grade of the answer just submitted (if that question is still shown)."""
        self.latest = latest
        shown = self.question
        if shown is not None and self.awaiting == shown.id == result.question.id:
            self.awaiting = None
            self.result = result
            self.call_after_refresh(self._scroll_to_verdict)
        self._paint()
        self.refresh_bindings()  # Hard/Easy appear in the key bar after a right answer

    def _scroll_to_verdict(self) -> None:
        """After an answer, bring the marked choices and the verdict into view (a long stem
        on a small screen would leave them below the fold): the choices from the top, or,
        when the verdict would still be out of sight, as many of them as fit above the
        verdict's first lines."""
        q = self.question
        width = self.scrollable_content_region.width
        height = self.scrollable_content_region.height
        if q is None or self.result is None or width <= 0 or height <= 0:
            return
        if self.virtual_size.height <= height:
            return
        console = self.app.console
        options = console.options.update_width(width)
        heights = [len(console.render_lines(p, options, pad=False)) for p in self._parts()[:6]]
        choices, verdict = sum(heights[:4]), sum(heights)
        y = max(choices, verdict - height + VERDICT_LINES)
        self.scroll_to(y=min(y, self.max_scroll_y), animate=False, immediate=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("submit", "go_on"):  # one enter key; the key bar names what it does now
            answered = self.result is not None or self.at_end
            return answered if action == "go_on" else not answered
        if self.at_end and action in ("choose", "toggle_focus", "rate", "flag", "read_note"):
            return False  # the summary shows no question
        if action == "rate":  # only right after a right answer, before moving on
            return self.result is not None and self.result.correct
        return True

    def action_rate(self, rating: int) -> None:
        """Mark the right answer just given Hard or Easy (its card comes back sooner/later)."""
        q = self.question
        if q is not None and self.result is not None and self.result.correct:
            self.rated[q.id] = rating
            self.post_message(RateRequested(q.id, rating))
            self._paint()

    def action_flag(self) -> None:
        """Flag the question on screen (or take the flag off)."""
        q = self.question
        if q is not None:
            self.post_message(BookmarkToggleRequested(q.id, "question"))

    def reopen(self, question_id: str) -> None:
        """The answer to ``question_id`` was taken back: ask it again if it is on screen."""
        shown = self.question
        if shown is not None and shown.id == question_id:
            self._reset()
            self._paint()
            self.refresh_bindings()

    def set_flagged(self, flagged: frozenset[str]) -> None:
        self.flagged = flagged
        self._paint()

    def record_latest(self, latest: Mapping[str, bool]) -> None:
        """Take the learner's latest results (e.g. another session's answers)."""
        self.latest = latest
        self._paint()

    def action_next_question(self, step: int) -> None:
        """Go to the next (or previous) question of the section.

        Past the last question: ``on_end`` when it is set (review mode), else the section's
        summary; from the summary, ``n`` goes on to the next section (or, where the screen
        has none, to the first question) and ``p`` back to the last question."""
        if not self.questions:
            return
        target = self.index + step
        if self.at_end:
            if step < 0:  # back to the last question, as it was left
                self.at_end = False
                self._paint()
                self.refresh_bindings()
                return
            if self._next_section_offered():
                self.call_later(self.run_action, "screen.section(1)")
                return
            target = 0
        elif target >= len(self.questions) and self.on_end is not None:
            self.on_end()
            return
        elif target >= len(self.questions):
            self.at_end = True
            self._paint()
            self.refresh_bindings()
            self.scroll_home(animate=False)
            return
        elif target < 0:
            target = len(self.questions) - 1
        if target == self.index:
            self.watch_index()
        else:
            self.index = target
        self.scroll_home(animate=False)

    def action_read_note(self) -> None:
        """Show the note item that teaches this question's answer, highlighted."""
        q = self.question
        if q is None:
            return
        section_id, item_id = self.target(q) if self.target is not None else (q.section_id, None)
        self.post_message(SectionRequested(section_id, item_id=item_id, focus_note=True))
