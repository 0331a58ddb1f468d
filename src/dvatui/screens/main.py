"""The study screen: section tree, note, quiz. The one place that reads and writes the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import Resize
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Header, Static

from dvatui.domain.model import Corpus, Section
from dvatui.domain.search import SearchIndex
from dvatui.messages import AnswerSubmitted, BookmarkToggleRequested, SectionRequested
from dvatui.store import (
    Bookmark,
    BookmarkKind,
    FutureSchemaError,
    Store,
    StoreError,
    reset_store,
)
from dvatui.widgets.key_bar import KeyBar
from dvatui.widgets.note_view import NoteView
from dvatui.widgets.quiz_panel import QuizPanel
from dvatui.widgets.section_tree import SectionTree

NARROW_WIDTH = 130
"""Below this many columns one pane shows at a time."""
MIN_WIDTH, MIN_HEIGHT = 60, 15
PANE_TITLES = ("Sections", "Notes", "Quiz")
SAVE_POSITION_DELAY = 1.0


@dataclass(frozen=True)
class BookmarkEntry:
    """A bookmark as the bookmarks dialog shows it."""

    bookmark: Bookmark
    where: str
    found: bool


class MainScreen(Screen[None]):
    """Read on the left and in the middle, answer on the right."""

    BINDINGS = [
        Binding("tab", "pane(1)", "Pane", id="pane-next", tooltip="Move to the next pane"),
        Binding("shift+tab", "pane(-1)", "Previous pane", show=False, id="pane-previous"),
        Binding("question_mark", "help", "Help", id="help", tooltip="All keys"),
        Binding("n", "section(1)", "Next section", id="section-next"),
        Binding("p", "section(-1)", "Previous section", show=False, id="section-previous"),
        Binding("B", "bookmarks", "Bookmarks", id="bookmarks", tooltip="List your bookmarks"),
        Binding("slash", "search", "Search", id="search", tooltip="Search all notes"),
        Binding("t", "theme", "Theme", id="theme", tooltip="Pick a colour theme"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    SYNC_INTERVAL = 2.0
    """Seconds between checks for changes another dvatui session made to the data file."""

    def __init__(self, corpus: Corpus, db_path: Path) -> None:
        super().__init__()
        self.corpus = corpus
        self.db_path = db_path
        self.store: Store | None = None
        self.bookmarked: frozenset[str] = frozenset()
        self.latest: dict[str, bool] = {}
        self.current: Section | None = None
        self._search_index: SearchIndex | None = None
        self._save_timer: Timer | None = None
        self._generation = -1

    # -- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(icon="▤")
        with Horizontal(id="panes"):
            yield SectionTree(id="tree-pane")
            yield NoteView(id="note-pane")
            yield QuizPanel(id="quiz-pane")
        yield Static(id="too-small")
        yield KeyBar()

    @property
    def panes(self) -> tuple[Widget, Widget, Widget]:
        """The tree, the note and the quiz pane, left to right."""
        return (self.query_one(SectionTree), self.query_one(NoteView), self.query_one(QuizPanel))

    def on_mount(self) -> None:
        for pane, title in zip(self.panes, PANE_TITLES, strict=True):
            pane.add_class("pane")
            pane.border_title = title
        self.panes[0].add_class("-active")
        self.watch(self.app, "theme", self._theme_changed, init=False)
        self.set_interval(self.SYNC_INTERVAL, self._sync_from_disk)
        self.open_store()

    # -- store ----------------------------------------------------------------------------
    def open_store(self, *, read_only: bool = False) -> None:
        """Open the data file; on a damaged one, ask the learner what to do."""
        from dvatui.screens.dialogs import DataProblemScreen

        try:
            self.store = Store.open(self.db_path, read_only=read_only)
        except FutureSchemaError as exc:
            self.app.push_screen(DataProblemScreen(str(exc), allow_read_only=True),
                                 self._data_choice)
            self._start(None)
            return
        except (StoreError, OSError) as exc:
            self.app.push_screen(DataProblemScreen(str(exc)), self._data_choice)
            self._start(None)
            return
        self._start(self.store)

    def _data_choice(self, choice: str | None) -> None:
        if choice == "fresh":
            try:
                backup = reset_store(self.db_path)
            except (StoreError, OSError) as exc:
                self.notify(f"Could not start fresh: {exc}", severity="error", timeout=10,
                            markup=False)
                return
            if backup:
                self.notify(f"Started with empty data. The old file is kept at {backup}.",
                            timeout=8, markup=False)
            self.open_store()
        elif choice == "read-only":
            self.open_store(read_only=True)
            self.notify("Read-only: bookmarks and answers will not be saved.",
                        severity="warning", timeout=8)
        else:
            self.app.exit(return_code=2)

    def _start(self, store: Store | None) -> None:
        if store is not None:
            self.bookmarked = frozenset(b.target_id for b in store.bookmarks())
            self.latest = {qid: a.correct for qid, a in store.latest_answers().items()}
            theme = store.get_setting("theme", None)
            if isinstance(theme, str) and theme in self.app.available_themes:
                self.app.theme = theme
            last = store.get_setting("last_section", None)
        else:
            last = None
        tree = self.query_one(SectionTree)
        tree.load(self.corpus, self.bookmarked, self.latest)
        first = next(self.corpus.sections(), None)
        target = self.corpus.section(last) if isinstance(last, str) else None
        target = target or first
        if target is not None:
            # The tree is the first thing to be usable; the note and quiz panes fill in
            # right after the first frame (rendering Markdown costs ~15-40 ms).
            tree.select_section(target.id)
            self.call_after_refresh(self._first_show, target.id)
        tree.focus()
        self.update_progress()

    def _sync_from_disk(self) -> None:
        """Show bookmarks and answers that another session (a second SSH login) saved.

        A snapshot of an unchanged file costs a stat; the UI is only touched when what
        another process wrote differs from what this screen shows.
        """
        store = self.store
        if store is None:
            return
        try:
            snap = store.snapshot()
        except (StoreError, OSError):
            return
        if snap.generation == self._generation:
            return
        self._generation = snap.generation
        bookmarked = frozenset(b.target_id for b in snap.bookmarks)
        latest = {qid: a.correct for qid, a in snap.latest_answers.items()}
        if bookmarked == self.bookmarked and latest == self.latest:
            return
        self.bookmarked, self.latest = bookmarked, latest
        self._bookmarks_changed()
        self.query_one(QuizPanel).record_latest(self.latest)
        self.update_progress()

    def _first_show(self, section_id: str) -> None:
        """Fill the note and quiz panes after the first frame, with the tree's section."""
        wanted = self.query_one(SectionTree).cursor_section_id or section_id
        if self.current is None or self.current.id != wanted:
            self.show_section(wanted)

    def _save(self, what: str, action: Callable[[], object]) -> bool:
        """Run one store write; tell the learner if it failed. True when it is on disk."""
        if self.store is None:
            self.notify("Your data file is not open, so this was not saved.",
                        severity="warning", timeout=5)
            return False
        try:
            action()
        except (StoreError, OSError) as exc:
            self.notify(f"Could not save {what}: {exc}", severity="error", timeout=10,
                        markup=False)
            return False
        return True

    def _theme_changed(self, theme: str) -> None:
        store = self.store
        if store is not None and not store.read_only and store.get_setting("theme", None) != theme:
            self._save("the theme", lambda: store.set_setting("theme", theme))
        self.query_one(NoteView).clear_cache()

    # -- showing sections -----------------------------------------------------------------
    def show_section(self, section_id: str, *, item_id: str | None = None,
                     highlight: str | None = None) -> None:
        """Show a section in the note and quiz panes and select it in the tree."""
        section = self.corpus.section(section_id)
        if section is None:
            return
        self.current = section
        chapter = self.corpus.chapter(section.chapter_id)
        crumb = chapter.title if chapter and section.level > 1 else "Chapter overview"
        if section.parent_id:
            parent = self.corpus.section(section.parent_id)
            crumb += f" › {parent.title}" if parent else ""
        self.query_one(NoteView).show(section, crumb=crumb, bookmarked=self.bookmarked,
                                      item_id=item_id, highlight=highlight)
        questions = chapter.questions() if section.level == 1 and chapter else (
            section.all_questions())
        if not questions and section.parent_id:  # a subsection without its own quiz
            parent = self.corpus.section(section.parent_id)
            questions = parent.all_questions() if parent else []
        self.query_one(QuizPanel).show_questions(section.id, questions, self.latest)
        self.query_one(SectionTree).select_section(section.id)
        self._schedule_position_save()

    def _schedule_position_save(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_POSITION_DELAY, self.save_position)

    def save_position(self) -> None:
        """Remember the section on screen, for the next start."""
        store, current = self.store, self.current
        if store is None or store.read_only or current is None:
            return
        if store.get_setting("last_section", None) != current.id:
            self._save("your place", lambda: store.set_setting("last_section", current.id))

    def on_unmount(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
            self.save_position()

    @on(SectionRequested)
    def _section_requested(self, message: SectionRequested) -> None:
        message.stop()
        if message.from_tree_cursor and (
            self.query_one(SectionTree).cursor_section_id != message.section_id
        ):
            return  # the learner has moved on; a newer request is on its way or handled
        if self.current is None and message.from_tree_cursor:
            self.call_after_refresh(self._first_show, message.section_id)
            return  # the tree's first highlight: let the first frame paint before the note
        same = self.current is not None and self.current.id == message.section_id
        if not same or message.item_id or message.highlight:
            self.show_section(message.section_id, item_id=message.item_id,
                              highlight=message.highlight)
        if message.focus_note:
            self.focus_pane(1)

    def update_progress(self) -> None:
        """Show overall progress in the header."""
        total = len(self.corpus.questions())
        answered = sum(1 for q in self.corpus.questions() if q.id in self.latest)
        right = sum(1 for q in self.corpus.questions() if self.latest.get(q.id))
        ro = " · read-only" if self.store is not None and self.store.read_only else ""
        self.app.title = f"dvatui · {answered}/{total} answered · {right} right{ro}"

    # -- bookmarks and answers -------------------------------------------------------------
    @on(BookmarkToggleRequested)
    def _toggle_bookmark(self, message: BookmarkToggleRequested) -> None:
        message.stop()
        store = self.store
        found = self.corpus.item(message.target_id)
        kind: BookmarkKind
        if found is not None:
            section, item = found
            label, kind = item.summary, "item"
        else:
            maybe = self.corpus.section(message.target_id)
            if maybe is None:
                return
            section, label, kind = maybe, maybe.title, "section"
        result: list[bool] = []

        def toggle() -> None:
            assert store is not None
            result.append(store.toggle_bookmark(
                target_id=message.target_id, kind=kind, chapter_id=section.chapter_id,
                section_id=section.id, label=label))

        if not self._save("the bookmark", toggle):
            return
        now = result[0]
        marks = set(self.bookmarked)
        (marks.add if now else marks.discard)(message.target_id)
        self.bookmarked = frozenset(marks)
        self._bookmarks_changed({section.id})
        short = label if len(label) < 50 else label[:47] + "..."
        self.notify(("Bookmarked: " if now else "Removed bookmark: ") + short, timeout=3,
                    markup=False)

    def _bookmarks_changed(self, section_ids: set[str] | None = None) -> None:
        self.query_one(NoteView).set_bookmarked(self.bookmarked)
        self.query_one(SectionTree).refresh_state(self.bookmarked, self.latest, section_ids)

    @on(AnswerSubmitted)
    def _answer(self, message: AnswerSubmitted) -> None:
        message.stop()
        store = self.store
        question = self.corpus.question(message.question_id)
        if question is None:
            return
        saved = self._save("your answer", lambda: store and store.record_answer(
            question_id=question.id, section_id=question.section_id,
            chapter_id=question.chapter_id, chosen=message.chosen, correct=message.correct))
        if saved:
            self.latest[question.id] = message.correct
        self.query_one(QuizPanel).record_latest(self.latest)
        self.query_one(SectionTree).refresh_state(self.bookmarked, self.latest,
                                                  {question.section_id})
        self.update_progress()

    # Used by the bookmarks dialog, so that it never touches the store itself.
    def bookmark_entries(self) -> list[BookmarkEntry]:
        """The learner's bookmarks with where they point."""
        if self.store is None:
            return []
        entries = []
        for b in self.store.bookmarks():
            found = self.corpus.item(b.target_id)
            section = found[0] if found else self.corpus.section(b.target_id)
            chapter = self.corpus.chapter(section.chapter_id) if section else None
            if section is None:
                where = "not in these notes"
            elif section.level == 1 or chapter is None:
                where = section.title
            else:
                where = f"{chapter.title} › {section.title}"
            entries.append(BookmarkEntry(b, where, section is not None))
        return entries

    def remove_bookmark(self, target_id: str) -> list[BookmarkEntry]:
        """Remove one bookmark; returns the new list."""
        store = self.store
        if store is not None and self._save("the bookmark",
                                            lambda: store.remove_bookmark(target_id)):
            self.bookmarked = self.bookmarked - {target_id}
            self._bookmarks_changed()
        return self.bookmark_entries()

    def comment_bookmark(self, target_id: str, comment: str) -> list[BookmarkEntry]:
        """Set a bookmark's comment; returns the new list."""
        store = self.store
        if store is not None:
            self._save("the comment", lambda: store.set_bookmark_comment(target_id, comment))
        return self.bookmark_entries()

    def jump_to(self, target_id: str, highlight: str | None = None) -> None:
        """Show a bookmarked item or section and put the cursor there."""
        found = self.corpus.item(target_id)
        if found is not None:
            self.show_section(found[0].id, item_id=target_id, highlight=highlight)
        elif self.corpus.section(target_id) is not None:
            self.show_section(target_id, highlight=highlight)
        else:
            self.notify("That bookmark points at notes that are not loaded.", severity="warning")
            return
        self.focus_pane(1)

    # -- panes and layout -----------------------------------------------------------------
    def focus_pane(self, index: int) -> None:
        """Make a pane active and focus it."""
        panes = self.panes
        for i, pane in enumerate(panes):
            pane.set_class(i == index, "-active")
        self._update_pane_titles(index)
        # Focus now, not after a refresh: keys typed right after tab go to the new pane.
        self.set_focus(panes[index])

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
        for i, pane in enumerate(self.panes):
            pane.set_class(i == index, "-active")
        self._update_pane_titles(index)

    def _update_pane_titles(self, active: int) -> None:
        narrow = self.has_class("-narrow")
        for i, pane in enumerate(self.panes):
            if narrow:
                parts = [f"[b]{t}[/b]" if j == i else t for j, t in enumerate(PANE_TITLES)]
                pane.border_title = " · ".join(parts) + "  (tab)"
            else:
                pane.border_title = PANE_TITLES[i]

    def on_resize(self, event: Resize) -> None:
        width, height = event.size
        self.set_class(width < NARROW_WIDTH, "-narrow")
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        self.set_class(small, "-too-small")
        self.query_one("#too-small", Static).update(
            f"The terminal is {width}×{height}.\n"
            f"dvatui needs at least {MIN_WIDTH}×{MIN_HEIGHT}: make the window bigger."
        )
        self._update_pane_titles(self._pane_index())

    # -- actions --------------------------------------------------------------------------
    def action_pane(self, step: int) -> None:
        """Move to the next (or previous) pane."""
        self._sync_with_tree()
        self.focus_pane((self._pane_index() + step) % len(PANE_TITLES))

    def action_section(self, step: int) -> None:
        """Show the next (or previous) section in reading order."""
        if self.current is None:
            return
        target = self.corpus.neighbour(self.current.id, step)
        if target is None:
            self.notify("That was the last section." if step > 0 else "This is the first section.",
                        timeout=2)
            return
        self.show_section(target.id)

    def action_bookmarks(self) -> None:
        """Open the bookmarks list."""
        from dvatui.screens.dialogs import BookmarksScreen

        def done(target: str | None) -> None:
            if target:
                self.jump_to(target)

        self.app.push_screen(BookmarksScreen(self), done)

    def action_search(self) -> None:
        """Open the search dialog."""
        from dvatui.screens.dialogs import SearchScreen

        if self._search_index is None:
            self._search_index = SearchIndex(self.corpus)

        def done(result: tuple[str, str | None, str] | None) -> None:
            if result is not None:
                section_id, item_id, query = result
                self.show_section(section_id, item_id=item_id, highlight=query)
                self.focus_pane(1)

        self.app.push_screen(SearchScreen(self._search_index), done)

    def action_theme(self) -> None:
        """Pick a theme (the choice is remembered)."""
        self.app.action_change_theme()

    def action_help(self) -> None:
        """Show every key, taken from the bindings."""
        from dvatui.screens.dialogs import HelpScreen

        self.app.push_screen(HelpScreen(self))
