"""The study screen: section tree, note, quiz. Thin: it shows what the study session holds.

Widgets post requests up (``SectionRequested``, ``BookmarkToggleRequested``,
``AnswerSubmitted``); this screen asks the session (``app.session``) and passes what the
widgets show down to them. It repaints whenever the app publishes ``study_changed``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import Resize
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Header, Static

from dvatui.domain.model import LAST_GOOD, Flashcard, Question, Section
from dvatui.domain.targets import resolve_target
from dvatui.domain.text import clean_text
from dvatui.messages import (
    ExamRequested,
    PracticeRequested,
    SectionRequested,
    StudyChanged,
    TargetRequested,
    study_app,
)
from dvatui.screens.study import StudyScreen
from dvatui.widgets.breadcrumb import Breadcrumb
from dvatui.widgets.key_bar import KeyBar
from dvatui.widgets.markup import code_digest, offer_runs
from dvatui.widgets.note_view import KEPT_WIDTHS, NoteView
from dvatui.widgets.quiz_panel import QuizPanel
from dvatui.widgets.section_tree import SectionTree

if TYPE_CHECKING:
    from textual.command import Provider

    from dvatui.domain.exam import ExamState

WIDE_WIDTH = 100
"""From this many columns the tree, the note and the quiz show side by side."""
NARROW_WIDTH = 80
"""Below this many columns one pane shows at a time. From here up to ``WIDE_WIDTH`` the
note and the quiz show side by side, the tree is a drawer over the left (``s``) and a
breadcrumb line says where the learner is."""
MIN_WIDTH, MIN_HEIGHT = 60, 15
PANE_TITLES = ("Sections", "Notes", "Quiz")
PANE_IDS = ("tree-pane", "note-pane", "quiz-pane")
SAVE_POSITION_DELAY = 1.0
DUE_REVIEW = "due-review"
"""The name the due review's screen is installed under (built once, refilled each time)."""


def _section_commands() -> type[Provider]:
    """The "Go to section" palette provider (imported when the palette first opens)."""
    from dvatui.commands import SectionCommands

    return SectionCommands


def _practice_commands() -> type[Provider]:
    """The "Practice" palette provider (imported when the palette first opens)."""
    from dvatui.commands import PracticeCommands

    return PracticeCommands


def _bookmark_commands() -> type[Provider]:
    """The "Open bookmark" palette provider (imported when the palette first opens)."""
    from dvatui.commands import BookmarkCommands

    return BookmarkCommands


class MainScreen(StudyScreen[None]):
    """Read on the left and in the middle, answer on the right."""

    BINDINGS = [
        Binding("tab", "pane(1)", "Pane", id="pane-next", tooltip="Move to the next pane"),
        Binding("shift+tab", "pane(-1)", "Previous pane", show=False, id="pane-previous"),
        Binding(
            "s",
            "sections",
            "Sections",
            id="sections",
            tooltip="The section tree (below 100 columns a drawer: s again or enter closes it)",
        ),
        Binding(
            "z",
            "focus_mode",
            "Focus",
            id="focus-mode",
            tooltip="The note alone, full width (z again to leave)",
        ),
        Binding("question_mark", "help", "Help", id="help", tooltip="All keys"),
        Binding("n", "section(1)", "Next section", id="section-next"),
        Binding("p", "section(-1)", "Previous section", show=False, id="section-previous"),
        Binding("R", "review", "Review", id="review", tooltip="Review what is due (spaced)"),
        Binding("M", "mistakes", "Mistakes", id="mistakes", tooltip="Your wrong answers"),
        Binding("X", "exam", "Mock exam", id="exam", tooltip="A timed 65-question mock exam"),
        Binding(
            "S", "progress", "Progress", id="progress", tooltip="Readiness, plan, weak spots, plots"
        ),
        Binding("B", "bookmarks", "Bookmarks", id="bookmarks", tooltip="List your bookmarks"),
        Binding(
            "e",
            "edit",
            "Edit",
            show=False,
            id="edit-note",
            tooltip="Open this section in $EDITOR (your own notes)",
        ),
        Binding("slash", "search", "Search", id="search", tooltip="Search all notes"),
        Binding("t", "theme", "Theme", id="theme", tooltip="Pick a colour theme"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    COMMANDS = {_section_commands, _bookmark_commands, _practice_commands}
    AUTO_FOCUS = ".pane.-active"

    def __init__(self, *, first_screen: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self._first_screen = first_screen
        """What the last session kept of this screen (``first_screen_to_keep``)."""
        self.current: Section | None = None
        self._save_timer: Timer | None = None
        self.focus_mode = False
        """The note alone, full width (``z``)."""

    # -- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        # The layout's classes and the starting pane are known before anything is styled:
        # widgets are styled once, as they mount, instead of again at the first layout.
        width, height = self.app.size
        self.set_class(width < NARROW_WIDTH, "-narrow", update=False)
        self.set_class(NARROW_WIDTH <= width < WIDE_WIDTH, "-medium", update=False)
        self.set_class(width < MIN_WIDTH or height < MIN_HEIGHT, "-too-small", update=False)
        # Between 80 and 99 columns the tree is a drawer: start reading (`s` opens it).
        # The active pane gets the focus (AUTO_FOCUS).
        start = 1 if self.layout_mode == "medium" else 0
        classes = ["pane -active" if i == start else "pane" for i in range(len(PANE_IDS))]
        yield Header(icon="▤")
        yield Breadcrumb(id="crumb")
        with Horizontal(id="panes"):
            yield SectionTree(id=PANE_IDS[0], classes=classes[0])
            yield NoteView(id=PANE_IDS[1], classes=classes[1])
            yield QuizPanel(id=PANE_IDS[2], classes=classes[2])
        yield Static(id="too-small")
        yield Static(id="notes-warning")
        yield KeyBar()

    @property
    def panes(self) -> tuple[Widget, Widget, Widget]:
        """The tree, the note and the quiz pane, left to right."""
        return (self.query_one(SectionTree), self.query_one(NoteView), self.query_one(QuizPanel))

    def on_mount(self) -> None:
        start = 1 if self.layout_mode == "medium" else 0
        self._apply_layout(*self.app.size, active=start)  # restyles only what changed
        study_app(self).study_changed.subscribe(self, self._study_changed)
        self._start()

    def _start(self) -> None:
        """Fill the tree from the session and go to the learner's place."""
        session = self.session
        tree = self.query_one(SectionTree)
        tree.leeches = frozenset(session.leeches())
        # Between 80 and 99 columns the tree is a closed drawer: it is built right after the
        # first frame (~5 ms for 200-odd lines), or when it is first needed before that.
        drawer = self.layout_mode == "medium"
        tree.load(session.corpus, session.bookmarked, session.results, later=drawer)
        if drawer:
            self.call_after_refresh(tree.build_now)
        last = session.position
        target = (session.corpus.section(last) if last else None) or next(
            session.corpus.sections(), None
        )
        if target is not None:
            # The first frame shows the note and the quiz filled in: a frame with empty
            # panes first would only cost another full paint. What the last session kept
            # spares it the Markdown parser when the section, width and theme are the same.
            kept, self._first_screen = self._first_screen, None
            if kept is not None and kept.get("code") == code_digest():
                self.query_one(NoteView).offer_kept_layout(kept.get("notes"))
            self.show_section(target.id)
        self.update_progress()
        if session.corpus.problems:
            self.show_notes_warning()

    def _study_changed(self, change: StudyChanged) -> None:
        """Show what changed in the session: marks, counts, the title."""
        if change.reopened:
            self.current = None
            self._start()
            return
        if change.notes:
            self._notes_reloaded()
            return
        session = self.session
        self.query_one(NoteView).set_bookmarked(session.bookmarked)
        sections = set(change.sections) if change.sections is not None else None
        tree = self.query_one(SectionTree)
        leeches = frozenset(session.leeches())
        if leeches != tree.leeches:  # a new leech (or one fewer): its sections change too
            tree.leeches, sections = leeches, None
        tree.refresh_state(session.bookmarked, session.results, sections)
        self.query_one(QuizPanel).flagged = session.flagged
        self.query_one(QuizPanel).record_latest(session.results)
        self.update_progress()

    def _notes_reloaded(self) -> None:
        """The notes changed on disk: rebuild the tree and the panes, keeping the learner's
        place (the section and the item under the cursor, by id) and the tree's expansion."""
        session = self.session
        tree = self.query_one(SectionTree)
        note = self.query_one(NoteView)
        collapsed = tree.collapsed_ids()
        item = note.current_item.id if note.current_item is not None else None
        old = self.current
        tree.leeches = frozenset(session.leeches())
        tree.load(session.corpus, session.bookmarked, session.results)
        tree.collapse_ids(collapsed)
        note.forget_rendered()
        corpus = session.corpus
        target = corpus.section(old.id) if old is not None else None
        if target is None and old is not None:  # its heading changed: the nearest place
            chapter = corpus.chapter(old.chapter_id)
            target = chapter.overview if chapter is not None else None
        target = target or next(corpus.sections(), None)
        if target is not None:
            self.show_section(target.id)
            if item is not None:
                index = next((i for i, it in enumerate(note.items) if it.id == item), None)
                if index is not None:
                    note.cursor = index
        self.show_notes_warning()
        self.update_progress()

    def show_notes_warning(self) -> None:
        """A line above the keys while some notes file fails to load (file:line: what)."""
        problems = [
            p
            for p in self.session.corpus.problems
            if p.severity == "error" or p.message.endswith(f"({LAST_GOOD})")
        ]
        strip = self.query_one("#notes-warning", Static)
        strip.set_class(bool(problems), "-shown")
        if problems:
            first = problems[0]
            suffix = f" ({LAST_GOOD})"
            message = first.message.removesuffix(suffix)
            kept = "last version that loaded kept · " if message != first.message else ""
            more = f" (+{len(problems) - 1} more: dvatui check)" if len(problems) > 1 else ""
            line = f"⚠ {kept}{clean_text(str(first.path))}:{first.line}: {message}{more}"
            strip.update(Text(line, no_wrap=True, overflow="ellipsis"))

    def action_edit(self) -> None:
        """Open the section in the learner's editor (own notes), or say how to get a copy."""
        app = self.app
        if not getattr(app, "notes_editable", False):
            self.notify(
                "The shipped notes are read-only. To make them your own, copy them:\n"
                "  dvatui notes copy ~/dva-notes\nthen start with: dvatui --notes ~/dva-notes",
                title="Read-only notes",
                timeout=10,
                markup=False,
            )
            return
        section = self.current
        if section is None:
            return
        item = self.query_one(NoteView).current_item
        line = item.line if item is not None and self.focused is self.query_one(NoteView) else 0
        problem = app.edit_notes(section.path, line or section.line)  # type: ignore[attr-defined]
        if problem is not None:
            self.notify(f"Could not open the editor: {problem}", severity="warning", markup=False)

    # -- showing sections -----------------------------------------------------------------
    def show_section(
        self, section_id: str, *, item_id: str | None = None, highlight: str | None = None
    ) -> None:
        """Show a section in the note and quiz panes and select it in the tree."""
        session = self.session
        corpus = session.corpus
        section = corpus.section(section_id)
        if section is None:
            return
        self.current = section
        chapter = corpus.chapter(section.chapter_id)
        crumb = chapter.title if chapter and section.level > 1 else "Chapter overview"
        if section.parent_id:
            parent = corpus.section(section.parent_id)
            crumb += f" › {parent.title}" if parent else ""
        prepared = session.prepared_for(section.id)  # no Markdown parser needed for these
        offer_runs(prepared.runs)
        self.query_one(NoteView).show(
            section,
            crumb=crumb,
            bookmarked=session.bookmarked,
            item_id=item_id,
            highlight=highlight,
            prepared=prepared.items,
        )
        self.query_one(QuizPanel).flagged = session.flagged
        self.query_one(QuizPanel).show_questions(
            section.id,
            session.questions_for(section.id),
            session.results,
            seed=self._quiz_seed,
            target=self._quiz_target,
        )
        self.query_one(SectionTree).select_section(section.id)
        self._update_crumb()
        session.set_position(section.id)
        self._schedule_position_save()

    def first_screen_to_keep(self) -> dict[str, Any] | None:
        """What this screen shows, to draw the next start's first frame without laying out
        the note: the note as laid out (and at the widths of the last sessions' panes, for
        a learner with terminals of two sizes)."""
        if self.current is None:
            return None
        view = self.query_one(NoteView)
        now = view.kept_layout()
        notes = [now] if now is not None else []
        for width in view.kept_widths():  # the widths of earlier sessions, too
            if len(notes) >= KEPT_WIDTHS:
                break
            if all(note.get("width") != width for note in notes):
                other = view.kept_layout(width)
                if other is not None:
                    notes.append(other)
        return {"code": code_digest(), "notes": notes}

    def _schedule_position_save(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_POSITION_DELAY, self.session.save_position)

    @on(SectionRequested)
    def _section_requested(self, message: SectionRequested) -> None:
        message.stop()
        if message.from_tree_cursor and (
            self.query_one(SectionTree).cursor_section_id != message.section_id
        ):
            return  # the learner has moved on; a newer request is on its way or handled
        section_id = message.section_id
        if message.item_id is not None and self.current is not None:
            # An item the note pane already shows (e.g. in a subsection of the section
            # being studied): stay on this section, so the quiz keeps its place.
            shown = (item.id for part in self.current.walk() for item in part.items)
            if message.item_id in shown:
                section_id = self.current.id
        same = self.current is not None and self.current.id == section_id
        if not same or message.item_id or message.highlight:
            self.show_section(section_id, item_id=message.item_id, highlight=message.highlight)
        if message.focus_note:
            self.focus_pane(1)

    def _quiz_seed(self, question: Question) -> str:
        """The shuffle seed of a question: new after each answer, the same until then (a
        resumed session shows the order the learner last saw)."""
        progress = self.session.progress.get(question.id)
        return f"{question.id}:{progress.attempts if progress is not None else 0}"

    def _quiz_target(self, question: Question) -> tuple[str, str | None]:
        """Where ``r`` goes for a question: the note item that teaches the answer."""
        target = resolve_target(self.session.corpus, question)
        if target.item is None or target.section is None:
            return question.section_id, None
        own = self.session.corpus.section(question.section_id)
        in_own = own is not None and any(part is target.section for part in own.walk())
        return (question.section_id if in_own else target.section.id), target.item.id

    @on(TargetRequested)
    def _target_requested(self, message: TargetRequested) -> None:
        message.stop()
        self.jump_to(message.target_id)

    def update_progress(self) -> None:
        """Show overall progress in the header (and the plan, once there is an exam date)."""
        session = self.session
        tally = session.overall()
        head = f"dvatui · {tally.answered}/{tally.total} answered · {tally.correct} right"
        plan = session.plan()
        if plan is not None and plan.days_left > 0:
            head += (
                f" · exam in {plan.days_left} days · today: {plan.new_today} new,"
                f" {plan.reviews_today} due"
            )
        else:
            head += f" · {session.review_counts().due_today} due"
        self.app.title = head + (" · read-only" if session.read_only else "")

    # -- bookmarks and answers -------------------------------------------------------------
    def jump_to(self, target_id: str, highlight: str | None = None) -> None:
        """Show a bookmarked item or section and put the cursor there."""
        location = self.session.locate(target_id)
        if location.section is None:
            self.notify("That bookmark points at notes that are not loaded.", severity="warning")
            return
        item_id = location.item.id if location.item is not None else None
        self.show_section(location.section.id, item_id=item_id, highlight=highlight)
        self.focus_pane(1)

    # -- panes and layout -----------------------------------------------------------------
    @property
    def layout_mode(self) -> str:
        """``"wide"`` (three panes), ``"medium"`` (note and quiz, the tree a drawer) or
        ``"narrow"`` (one pane at a time)."""
        if self.has_class("-narrow"):
            return "narrow"
        return "medium" if self.has_class("-medium") else "wide"

    def _apply_layout(self, width: int, height: int, *, active: int | None = None) -> None:
        """Pick the layout for a terminal size (classes on the screen; main.tcss does the rest)."""
        if width >= WIDE_WIDTH and self.layout_mode != "wide":
            # The tree shows again: it could not scroll to its cursor while hidden.
            self.call_after_refresh(self.query_one(SectionTree).reveal_cursor)
        before = self._class_state()
        self.set_class(width < NARROW_WIDTH, "-narrow", update=False)
        self.set_class(NARROW_WIDTH <= width < WIDE_WIDTH, "-medium", update=False)
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        self.set_class(small, "-too-small", update=False)
        if small:  # (an update re-lays out the screen: only when the message shows)
            self.query_one("#too-small", Static).update(
                f"The terminal is {width}×{height}.\n"
                f"dvatui needs at least {MIN_WIDTH}×{MIN_HEIGHT}: make the window bigger."
            )
        self._show_active(self._pane_index() if active is None else active, restyle=False)
        self._restyle(before)

    def _class_state(self) -> tuple[frozenset[str], ...]:
        return (frozenset(self.classes), *(frozenset(p.classes) for p in self.panes))

    def _restyle(self, before: tuple[frozenset[str], ...]) -> None:
        """Restyle what changed class since ``before``: the screen, or only the panes."""
        after = self._class_state()
        if after[0] != before[0]:
            self.update_node_styles()
            return
        for pane, old, new in zip(self.panes, before[1:], after[1:], strict=True):
            if old != new:
                pane.update_node_styles()

    def focus_pane(self, index: int) -> None:
        """Make a pane active and focus it (leaving focus mode for another pane)."""
        if index != 1:
            self._set_focus_mode(False)
        self._show_active(index)
        # Focus now, not after a refresh: keys typed right after tab go to the new pane.
        self.set_focus(self.panes[index])

    def _show_active(self, index: int, *, restyle: bool = True) -> None:
        """Mark the active pane: it is the one shown below 80 columns, and the tree's
        drawer is open below 100 columns exactly while the tree is active."""
        tree = self.query_one(SectionTree)
        if index == 0 and not tree.has_class("-active") and self.layout_mode != "wide":
            # The tree shows again: it could not scroll to its cursor while hidden.
            self.call_after_refresh(tree.reveal_cursor)
        before = self._class_state()
        for i, pane in enumerate(self.panes):
            pane.set_class(i == index, "-active", update=False)
        self.set_class(self.layout_mode == "medium" and index == 0, "-drawer", update=False)
        if restyle:
            self._restyle(before)
        self._update_pane_titles(index)
        self._update_crumb()

    def _sync_with_tree(self) -> None:
        """Show the tree's cursor section now, in case its request is still queued."""
        wanted = self.query_one(SectionTree).cursor_section_id
        if wanted is not None and (self.current is None or self.current.id != wanted):
            self.show_section(wanted)

    def _pane_index(self) -> int:
        focused = self.focused
        for i, pane in enumerate(self.panes):
            if focused is not None and (focused is pane or pane in focused.ancestors):
                return i
        return 1

    def on_descendant_focus(self) -> None:
        index = self._pane_index()
        if index != 1:
            self._set_focus_mode(False)
        self._show_active(index)

    def _update_pane_titles(self, active: int) -> None:
        """Name the pane showing; below 80 columns also which one ``tab`` brings."""
        mode = self.layout_mode
        count = len(PANE_TITLES)
        for i, pane in enumerate(self.panes):
            title = PANE_TITLES[i]
            if self.focus_mode and i == 1:
                title = "Notes · focus mode (z leaves)"
            elif mode == "narrow":
                following = PANE_TITLES[(i + 1) % count]
                title = f"{title} ({i + 1}/{count}) · tab: {following}"
            elif mode == "medium" and i == 0:
                title = "Sections · enter opens · s closes"
            pane.border_title = title

    def _update_crumb(self) -> None:
        """The breadcrumb (80-99 columns and below): where the learner is, and keys."""
        crumb = self.query_one(Breadcrumb)
        path: list[str] = []
        section = self.current
        corpus = self.session.corpus
        while section is not None:
            path.insert(0, section.title)
            parent = corpus.section(section.parent_id) if section.parent_id else None
            if parent is None and section.level > 1:
                chapter = corpus.chapter(section.chapter_id)
                if chapter is not None:
                    path.insert(0, chapter.title)
            section = parent
        crumb.path = tuple(path)
        drawer = "close" if self.has_class("-drawer") else "sections"
        focus = "leave focus" if self.focus_mode else "focus"
        crumb.keys = (("s", drawer), ("z", focus))

    def on_resize(self, event: Resize) -> None:
        self._apply_layout(*event.size)

    def _set_focus_mode(self, on: bool) -> None:
        if on == self.focus_mode:
            return
        self.focus_mode = on
        self.set_class(on, "-focus")
        self._update_pane_titles(self._pane_index())
        self._update_crumb()

    # -- actions --------------------------------------------------------------------------
    def action_pane(self, step: int) -> None:
        """Move to the next (or previous) pane (out of focus mode)."""
        self._sync_with_tree()
        self._set_focus_mode(False)
        self.focus_pane((self._pane_index() + step) % len(PANE_TITLES))

    def action_sections(self) -> None:
        """Go to the section tree; from the tree (or its drawer), back to the note."""
        self._sync_with_tree()
        self.focus_pane(1 if self._pane_index() == 0 else 0)

    def action_focus_mode(self) -> None:
        """Show the note alone, full width; again to bring the other panes back."""
        on = not self.focus_mode
        if on:
            self.focus_pane(1)
        self._set_focus_mode(on)

    def action_section(self, step: int) -> None:
        """Show the next (or previous) section in reading order."""
        if self.current is None:
            return
        target = self.session.corpus.neighbour(self.current.id, step)
        if target is None:
            self.notify(
                "That was the last section." if step > 0 else "This is the first section.",
                timeout=2,
            )
            return
        self.show_section(target.id)

    def action_review(self) -> None:
        """Review what is due today, most overdue first, then new questions."""
        self.open_review(None, "Review")

    def open_review(
        self,
        questions: list[Question] | None,
        title: str,
        cards: list[Flashcard] | None = None,
    ) -> None:
        """Open review mode on what is due (``questions`` None) or on a practice set.

        The due review's screen is made once and kept: opening it again only refills it
        (building the screen is most of the cost of ``R``)."""
        from dvatui.screens.review import ReviewScreen

        if questions is None:
            if not self.app.is_screen_installed(DUE_REVIEW):
                self.app.install_screen(ReviewScreen(None, title), DUE_REVIEW)
            self.app.push_screen(DUE_REVIEW, self._back_from_study)
        else:
            self.app.push_screen(ReviewScreen(questions, title, cards), self._back_from_study)

    def action_exam(self) -> None:
        """Resume the unfinished mock exam, or offer to start one."""
        current = self.session.current_exam()
        if current is not None:
            self.open_exam(current)
            return
        from dvatui.screens.dialogs import ConfirmScreen

        def start(sure: bool | None) -> None:
            if sure:
                self.start_exam()

        self.app.push_screen(
            ConfirmScreen(
                "Start a mock exam?",
                "65 questions by the DVA-C02 domain weights, 130 minutes; no right or wrong"
                " until you submit. You can leave with q and come back: the clock stops"
                " while you are away.",
                yes="s start",
                no="q not now",
            ),
            start,
        )

    def start_exam(self) -> None:
        """Draw a new mock exam and open it."""
        from dvatui.domain.exam import ExamError

        try:
            exam = self.session.start_exam()
        except ExamError as exc:
            self.notify(str(exc).capitalize() + ".", severity="warning", timeout=10, markup=False)
            return
        self.open_exam(exam)

    def open_exam(self, exam: ExamState) -> None:
        """Show a mock exam (resumed at its first unanswered question)."""
        from dvatui.screens.exam import ExamScreen

        self.app.push_screen(ExamScreen(exam), self._back_from_study)

    def action_progress(self) -> None:
        """Readiness, the plan, the weakest sections, mock exams and plots."""
        from dvatui.screens.progress import ProgressScreen

        self.app.push_screen(ProgressScreen(), self._back_from_study)

    def action_mistakes(self) -> None:
        """List every question whose latest answer is wrong."""
        from dvatui.screens.mistakes import MistakesScreen

        self.app.push_screen(MistakesScreen(), self._back_from_study)

    def _back_from_study(self, jump: tuple[str, str | None] | None) -> None:
        """Back from review or mistakes: show what changed, and the note asked for."""
        self._study_changed(StudyChanged(None))
        if jump is not None:
            section_id, item_id = jump
            self.show_section(section_id, item_id=item_id)
            self.focus_pane(1)

    @on(ExamRequested)
    def _exam_requested(self, message: ExamRequested) -> None:
        message.stop()
        self.action_exam()

    @on(PracticeRequested)
    def _practice(self, message: PracticeRequested) -> None:
        message.stop()
        self.start_practice(message.name, message.count)

    def start_practice(self, name: str, count: int | None = None) -> None:
        """Open a practice set (``domain:KEY``, ``chapter:ID``, ``missed``...)."""
        from dvatui.domain.review import PracticeSetError

        try:
            questions = self.session.practice_set(name, count=count)
            cards = self.session.practice_cards(name)
        except PracticeSetError as exc:
            self.notify(str(exc), severity="warning", timeout=8, markup=False)
            return
        if count is not None:
            cards = cards[: max(count - len(questions), 0)]
        if not questions and not cards:
            self.notify(f"The practice set {name!r} is empty.", timeout=4, markup=False)
            return
        self.open_review(questions, f"Practice: {name}", cards)

    def action_bookmarks(self) -> None:
        """Open the bookmarks list."""

        def done(target: str | None) -> None:
            if target:
                self.jump_to(target)

        from dvatui.screens.dialogs import BookmarksScreen  # (dialogs load on first use)

        self.app.push_screen(BookmarksScreen(), done)

    def action_search(self) -> None:
        """Open the search dialog."""

        def done(result: tuple[str, str | None, str] | None) -> None:
            if result is not None:
                section_id, item_id, query = result
                self.show_section(section_id, item_id=item_id, highlight=query)
                self.focus_pane(1)

        from dvatui.screens.dialogs import SearchScreen

        self.app.push_screen(SearchScreen(self.session.search_index()), done)

    def action_theme(self) -> None:
        """Pick a theme (the choice is remembered)."""
        self.app.action_change_theme()

    def action_help(self) -> None:
        """Show every key, taken from the bindings."""
        from dvatui.screens.dialogs import HelpScreen

        self.app.push_screen(HelpScreen(self))
