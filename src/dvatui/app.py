"""The Textual app: owns the study session, saves in a worker, installs the main screen."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec.structs import replace
from rich.text import Text
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.reactive import Reactive
from textual.screen import Screen
from textual.signal import Signal
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from dvatui.domain.cache import (
    DISABLE_ENV,
    CorpusCache,
    cache_dir,
    read_private_json,
    write_private_json,
)
from dvatui.domain.model import Corpus
from dvatui.domain.prepared import prepare_blocks
from dvatui.messages import StudyChanged
from dvatui.paths import shipped_themes_dir
from dvatui.screens.main import MainScreen
from dvatui.settings import Settings, SettingsError, set_value
from dvatui.startup import resume_collector
from dvatui.store import (
    CorruptStoreError,
    FutureSchemaError,
    StoreBusyError,
    StoreError,
    StoreLinkError,
)
from dvatui.study import SaveFailure, StudySession
from dvatui.themes import load_themes
from dvatui.widgets import markup, wire

if TYPE_CHECKING:
    from dvatui.domain.loader import NotesLoader

OPEN_LOCK_TIMEOUT = 1.0
"""Seconds the app waits for another dvatui's lock when opening (then it says so)."""
RETRY_INTERVAL = 2.0
"""Seconds between tries to open a data file whose lock another dvatui holds."""
SIGNAL_EXIT_GRACE = 4.0
"""Seconds a signal-initiated exit may take before the process is ended hard (the saves get
``FLUSH_TIMEOUT`` of them; the whole stays under 5 seconds even if the loop is stuck)."""
FLUSH_TIMEOUT = 2.0
"""Seconds the exit waits for a save that is already running."""
EXIT_DATA = 2


class DvaApp(App[None]):
    """dvatui: study notes, bookmarks and quizzes for the AWS DVA-C02 exam."""

    TITLE = "dvatui"
    CSS_PATH = ["dvatui.tcss", "screens/main.tcss"]
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding(
            "ctrl+z",
            "suspend_process",
            "Suspend to the shell",
            show=False,
            id="suspend",
            tooltip="Back to the shell; `fg` returns",
        ),
        Binding(
            "ctrl+l",
            "redraw",
            "Redraw the screen",
            show=False,
            id="redraw",
            tooltip="Write the whole screen again (if something else wrote over it)",
        ),
    ]
    SYNC_INTERVAL = 2.0
    """Seconds between checks for changes another dvatui session made to the data file."""
    NOTES_POLL = 1.0
    """Seconds between checks for changed notes files (the learner's own notes only)."""

    #: Where the notes come from, whether they are the learner's (watched, editable with
    #: ``e``), and the data file of the shipped notes (other collections are beside it).
    notes_path: Path | None = None
    notes_editable = False
    base_db: Path | None = None
    title: Reactive[str] = Reactive("", compute=False, repaint=False)
    """As ``App.title``, without repainting the whole screen when it changes (the header
    watches it and repaints its line): every answer changes the title's counts."""

    def __init__(
        self,
        corpus: Corpus,
        db_path: Path,
        themes_dir: Path | None = None,
        *,
        session: StudySession | None = None,
        settings: Settings | None = None,
    ) -> None:
        super().__init__()
        #: The settings file's settings (``Settings()``: none, as in the tests).
        self.settings = settings or Settings()
        if session is None:
            session = StudySession(corpus, db_path)
            session.overrides = self.settings.overrides()  # they win over the data file's
        self.session = session
        self.session.on_queued = self._queued
        self.study_changed: Signal[StudyChanged] = Signal(self, "study-changed")
        self._data_problem: StoreError | None = None
        self._retry_timer: Timer | None = None
        self._start_in_review: tuple[str | None, int | None] | None = None
        self._start_in_exam = False
        self._exiting = False
        self._notes_loader: NotesLoader | None = None
        self._main: MainScreen | None = None
        self._first_screen: dict[str, Any] | None = None
        """What the last session's main screen showed (``_keep_first_screen``), if kept."""
        self._unsaved_cache: CorpusCache | None = None
        """The corpus cache to write after the first frame (the notes were parsed)."""
        self._reloading = False
        loaded = load_themes(themes_dir or shipped_themes_dir())
        for theme in loaded.themes:
            self.register_theme(theme)
        self._theme_errors = loaded.errors
        self._css_ready: int | None = None
        """Textual's CSS generation whose theme variables were in force before the first
        parse (``_start_theme``); None once another theme was set."""
        self._unstyled = True
        """Nothing is styled yet (until ``on_mount``, which follows the first compose)."""
        self._start_theme("dva-night" if "dva-night" in self.available_themes else "textual-dark")
        self._settings_problems = list(self.settings.problems)
        self._use_settings_keys()
        if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
            self.animation_level = "none"

    def _use_settings_keys(self) -> None:
        """Check the settings file's theme, and install its keymap (``App.set_keymap``: each
        binding id in it gets the keys given)."""
        theme = self.settings.theme
        if theme is not None and theme not in self.available_themes:
            self._settings_problems.append(
                self.settings.message("theme", f"no theme named {theme!r}; press t to pick one")
            )
            self.settings = replace(self.settings, theme=None)
        #: The keymap in effect: binding id -> keys (the help screen shows these keys).
        self.user_keymap = dict(self.settings.keymap)
        self.set_keymap(self.user_keymap)

    def _tell_about_the_settings(self) -> None:
        """One notification for whatever in the settings file was not used. After the first
        frame: knowing every binding id imports every screen."""
        if self.user_keymap:
            known = binding_ids()
            self._settings_problems.extend(
                self.settings.message(f"keymap.{binding_id}", "no key binding has this id")
                for binding_id in self.user_keymap
                if binding_id not in known
            )
            self._settings_problems.extend(
                self.settings.message(
                    f"keymap.{binding_id}", f"{key} was the key of {other}, which loses it"
                )
                for binding_id, key, other in keymap_clashes(self.user_keymap)
            )
        if self._settings_problems:
            self.notify(
                "Your settings file (where an entry is wrong, its default applies):\n"
                + "\n".join(self._settings_problems),
                severity="warning",
                timeout=12,
                markup=False,
            )

    def on_resize(self) -> None:
        wire.forget()  # the terminal may have moved or cleared what it showed

    def action_redraw(self) -> None:
        """Write the whole screen again, skipping nothing (see ``widgets/wire.py``)."""
        wire.forget()
        self.screen.refresh()

    def get_default_screen(self) -> Screen[None]:
        self._main = MainScreen(first_screen=self._first_screen)
        self._first_screen = None
        return self._main

    # -- the next start's first frame -------------------------------------------------------
    def _keep_first_screen(self) -> None:
        """Keep what the main screen shows (the note as laid out, the quiz's inline
        Markdown) for the next start: its first frame then needs no Markdown parser (~22 ms).
        Never in the way of quitting: any failure just keeps nothing."""
        path = first_screen_path()
        if path is None or self._main is None:
            return
        with contextlib.suppress(Exception):
            kept = self._main.first_screen_to_keep()
            if kept is not None:
                write_private_json(path, {**kept, "format": FIRST_SCREEN_FORMAT})

    def _after_first_frame(self) -> None:
        """Work that waits for the first frame, in a thread: write the corpus cache if the
        notes were parsed (~200 ms: every section is prepared for display), then load the
        Markdown parser, so that the first text that was not prepared (a question on the
        exam screen, say) does not wait for it (~15 ms)."""
        cache = self._unsaved_cache  # (quitting saves it too, should this not have run)

        def work() -> None:
            if cache is not None:
                cache.save()
            prepare_blocks("*warm* `up`")
            markup.inline_runs("*warm* `up`")

        self.run_worker(work, thread=True, group="warm-up", exit_on_error=False)

    def start_review(self, *, practice: str | None = None, count: int | None = None) -> None:
        """Open review mode (or a practice set) once the main screen is up."""
        self._start_in_review = (practice, count)

    def start_exam(self) -> None:
        """Open the mock exam once the main screen is up: the unfinished one, else a new one."""
        self._start_in_exam = True

    def on_load(self) -> None:
        self._open_data()  # before the first screen is built, so it starts with the data

    def on_mount(self) -> None:
        self._unstyled = False
        self._install_signal_handlers()
        # Back from the shell (ctrl+z) or an editor (e): the terminal showed other things.
        self.app_resume_signal.subscribe(self, lambda _app: self.action_redraw())
        self.watch(self, "theme", self._remember_theme, init=False)
        self.set_interval(self.SYNC_INTERVAL, self._sync)
        if self.notes_editable and self.notes_path is not None:
            self.set_interval(self.NOTES_POLL, self.poll_notes)
        if self._theme_errors:
            self.notify(
                "Some theme files were skipped:\n" + "\n".join(self._theme_errors),
                severity="warning",
                timeout=10,
                markup=False,
            )
        self.call_after_refresh(self._tell_about_the_settings)
        self.call_after_refresh(resume_collector)  # paused by `dvatui` until the first frame
        self.call_after_refresh(self._after_first_frame)
        if self.session.corpus.errors:
            first = self.session.corpus.errors[0]
            extra = len(self.session.corpus.errors) - 1
            more = f" (and {extra} more)" if extra else ""
            self.notify(
                f"Some notes could not be loaded: {first}{more}. "
                "Run `dvatui check` for the full list.",
                severity="warning",
                timeout=10,
                markup=False,
            )
        if self._data_problem is not None:
            self._ask_about(self._data_problem)
        self._tell_about_the_data_file()
        if self._data_problem is None:
            self.call_after_refresh(self._open_study_at_start)

    # -- the notes on disk -----------------------------------------------------------------
    def poll_notes(self) -> None:
        """Look for changed notes files off the UI thread; reload them when some changed."""
        if self._reloading or self.notes_path is None or self._exiting:
            return
        self._reloading = True
        self.run_worker(self._reload_notes, thread=True, group="notes", exit_on_error=False)

    def _reload_notes(self) -> None:
        """(Worker thread.) Reload changed files; hand a new corpus to the UI thread."""
        try:
            loader = self._notes_loader
            if loader is None:  # the first poll: parse everything once, as the baseline
                from dvatui.domain.loader import NotesLoader, corpus_digest

                assert self.notes_path is not None
                loader = NotesLoader(self.notes_path)
                corpus = loader.load()
                self._notes_loader = loader
                if corpus_digest(corpus) == corpus_digest(self.session.corpus):
                    return
            elif not loader.changed():
                return
            else:
                corpus = loader.load()
            with contextlib.suppress(RuntimeError):  # the app is closing
                self.call_from_thread(self._notes_reloaded, corpus)
        finally:
            self._reloading = False

    def _notes_reloaded(self, corpus: Corpus) -> None:
        """Study the reloaded notes; the screens keep the learner's place."""
        self.session.swap_corpus(corpus)
        self.study_changed.publish(StudyChanged(None, notes=True))

    def edit_notes(self, path: Path, line: int) -> str | None:
        """Open ``path`` at ``line`` in $VISUAL / $EDITOR (else vi) with the app suspended,
        then reload the notes. Returns why it could not, or None."""
        import shlex
        import subprocess

        from textual.app import SuspendNotSupported

        command = next(
            (v for n in ("VISUAL", "EDITOR") if (v := os.environ.get(n, "").strip())), "vi"
        )
        try:
            words = shlex.split(command)
        except ValueError as exc:
            return f"cannot read the editor command {command!r}: {exc}"
        argv = [*(words or ["vi"]), f"+{max(line, 1)}", str(path)]
        try:
            with self.suspend():
                subprocess.run(argv, check=False)
        except SuspendNotSupported:
            return "this terminal cannot hand the screen to an editor"
        except OSError as exc:
            return f"cannot start {argv[0]!r}: {exc.strerror or exc}"
        self.poll_notes()
        return None

    # -- the data file --------------------------------------------------------------------
    def _open_data(self, *, read_only: bool = False) -> bool:
        try:
            self.session.open(read_only=read_only, lock_timeout=OPEN_LOCK_TIMEOUT)
        except (StoreError, OSError) as exc:
            self._data_problem = exc if isinstance(exc, StoreError) else StoreError(str(exc))
            return False
        self._data_problem = None
        self._apply_theme()
        return True

    def _apply_theme(self) -> None:
        """The settings file's theme, else the one last picked (kept in the data file)."""
        theme = self.settings.theme or self.session.setting("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            if self._unstyled:  # from on_load
                self._start_theme(theme)
            else:
                self.theme = theme

    def _start_theme(self, name: str) -> None:
        """Put theme ``name`` in force before anything is parsed or styled (``__init__``,
        ``on_load``).

        Setting ``App.theme`` sets the app's theme classes and queues ``refresh_css``,
        which parses every stylesheet again and restyles every node (~5 ms before the first
        frame, and a second layout), for the theme's CSS variables. Here they are handed to
        the stylesheet at once, before its first parse, so that refresh has nothing to do:
        ``refresh_css`` skips it while no other theme was set since.
        """
        self.theme = name
        self.stylesheet.set_variables(self.get_css_variables())
        count = getattr(self, "_css_update_count", None)  # Textual's CSS generation
        self._css_ready = count if isinstance(count, int) else None

    def refresh_css(self, animate: bool = True) -> None:
        """Textual's, unless the variables in force are the theme's already and nothing was
        styled with others (see ``_start_theme``)."""
        if self._css_ready is not None and self._css_ready == self._css_update_count:
            for screen in self.screen_stack:
                screen._css_update_count = self._css_update_count
            return
        self._css_ready = None
        super().refresh_css(animate)

    def _open_study_at_start(self) -> None:
        """``dvatui review``/``exam`` asked for a mode; an unfinished mock exam resumes."""
        screen = self.screen
        if not isinstance(screen, MainScreen):
            return
        current = self.session.current_exam()
        if current is not None:
            self.notify("Your mock exam continues where you left it (q pauses it).", timeout=6)
            screen.open_exam(current)
        elif self._start_in_exam:
            screen.start_exam()
        elif self._start_in_review is not None:
            practice, count = self._start_in_review
            if practice is None:
                screen.open_review(None, "Review")
            else:
                screen.start_practice(practice, count)

    def _tell_about_the_data_file(self) -> None:
        """Say why the data is read-only, or that it was upgraded (and where the old file is)."""
        reason, old = self.session.read_only_reason, self.session.migrated_from
        if self.session.read_only and reason:
            self.notify(
                f"Read-only: {reason}. Bookmarks and answers will not be saved.",
                severity="warning",
                timeout=10,
                markup=False,
            )
        if old is not None:
            self.notify(
                f"Your data file was upgraded; the old one is kept at {old}.",
                timeout=8,
                markup=False,
            )

    def _ask_about(self, problem: StoreError) -> None:
        """Say what is wrong with the data file and ask what to do. Nothing is overwritten.

        Starting fresh is offered only for a damaged (or newer) file that has been copied
        aside; a busy lock is retried by itself in a worker until it is free.
        """
        from dvatui.screens.dialogs import DataProblemScreen  # (only when there is one)

        dialog = DataProblemScreen(str(problem), choices=data_choices(problem))
        self.push_screen(dialog, self._data_choice)
        if isinstance(problem, StoreBusyError):
            self._retry_timer = self.set_interval(RETRY_INTERVAL, self._retry_in_background)

    def _retry_in_background(self) -> None:
        """While another dvatui holds the lock: try to open again, off the UI thread."""
        if not isinstance(self._data_problem, StoreBusyError):
            self._stop_retrying()
            return
        self.run_worker(
            partial(self.session.open, lock_timeout=OPEN_LOCK_TIMEOUT),
            thread=True,
            group="open",
            exclusive=True,
            exit_on_error=False,
        )

    def _stop_retrying(self) -> None:
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None

    def _opened_in_background(self) -> None:
        """The retry worker opened the data file: close the dialog and show the data."""
        self._stop_retrying()
        self._data_problem = None
        if _is_data_problem_screen(self.screen):
            self.screen.dismiss(None)
        self._after_open()
        self.notify("The data file is free again: your data is open.", timeout=5)
        self.study_changed.publish(StudyChanged(None, reopened=True))

    def _after_open(self) -> None:
        self._apply_theme()
        self._tell_about_the_data_file()

    def _data_choice(self, choice: str | None) -> None:
        self._stop_retrying()
        if choice in (None, "replaced"):  # closed by the app: opened, or another problem
            return
        if choice == "retry":
            if not self._open_data():
                assert self._data_problem is not None
                self._ask_about(self._data_problem)
                return
            self._after_open()
        elif choice == "fresh":
            try:
                kept = self.session.start_fresh()
            except (StoreError, OSError) as exc:
                self.notify(
                    f"Could not start fresh: {exc}", severity="error", timeout=10, markup=False
                )
                return
            self._data_problem = None
            if kept:
                self.notify(
                    f"Started with empty data. The old file is kept at {kept}.",
                    timeout=8,
                    markup=False,
                )
        elif choice == "read-only":
            if not self._open_data(read_only=True):
                assert self._data_problem is not None
                self._ask_about(self._data_problem)
                return
            self.notify(
                "Read-only: bookmarks and answers will not be saved.", severity="warning", timeout=8
            )
        else:
            self.exit(return_code=EXIT_DATA)
            return
        self.study_changed.publish(StudyChanged(None, reopened=True))

    def _sync(self) -> None:
        """Show what another session (a second SSH login) saved; never raise."""
        if self._data_problem is not None or self._exiting:
            return
        try:
            changed = self.session.refresh()
        except (CorruptStoreError, FutureSchemaError) as exc:
            self._data_problem = exc
            self._ask_about(exc)
            return
        except Exception as exc:  # a passing read problem: try again at the next tick
            self.log.warning(f"data file sync failed: {exc}")
            return
        if changed:
            self.study_changed.publish(StudyChanged(None))

    def _remember_theme(self, theme: str) -> None:
        """Keep the picked theme where it is in force: the settings file when it sets one
        (it wins over the data file), else the data file."""
        if self.settings.theme is None:
            self.session.set_setting("theme", theme)
            return
        if theme == self.settings.theme:
            return
        if self.settings.path is not None:
            try:
                set_value(self.settings.path, "theme", theme)
            except SettingsError as exc:
                self.notify(f"The theme was not saved: {exc}", severity="warning", markup=False)
                return
        self.settings = replace(self.settings, theme=theme)

    # -- saving ---------------------------------------------------------------------------
    def _queued(self, sections: frozenset[str]) -> None:
        """A change is in memory and queued: save it in a thread, show it now."""
        if not self._exiting:  # else the exit's flush saves it
            self.run_worker(
                self.session.run_pending, thread=True, group="saves", exit_on_error=False
            )
        if sections:
            self.study_changed.publish(StudyChanged(sections))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "open":
            if event.state == WorkerState.SUCCESS:
                self._opened_in_background()
            elif event.state == WorkerState.ERROR and not isinstance(worker.error, StoreBusyError):
                self._stop_retrying()  # a different problem now: say so
                if isinstance(worker.error, StoreError):
                    self._data_problem = worker.error
                    if _is_data_problem_screen(self.screen):
                        self.screen.dismiss("replaced")
                    self._ask_about(worker.error)
            return
        if worker.group not in ("saves", "exit"):
            return
        if event.state == WorkerState.ERROR:  # the session reports failures: this is a bug
            self.notify(f"Saving failed: {worker.error}", severity="error", markup=False)
            if worker.group == "exit":
                self.exit(return_code=EXIT_DATA)
        if event.state != WorkerState.SUCCESS or (worker.group == "saves" and self._exiting):
            return  # when exiting, failures are reported on the way out
        failures = self.session.take_failures()  # also those of a save the exit waited for
        if worker.group == "exit":
            self.exit(
                return_code=EXIT_DATA if failures else 0,
                message=_failure_text(failures) if failures else None,
            )
        elif failures:
            self.notify(
                "\n".join(f.message for f in failures), severity="error", timeout=10, markup=False
            )
            self.study_changed.publish(StudyChanged(None))

    # -- quitting -------------------------------------------------------------------------
    async def action_quit(self) -> None:
        """Quit once every change is saved (the key does not wait for the disk)."""
        self._exit_after_saving()

    def _exit_after_saving(self) -> None:
        if self._exiting:
            return
        self._exiting = True
        self.session.save_position()
        self._keep_first_screen()
        if self.session.pending:
            self.run_worker(
                lambda: self.session.flush(FLUSH_TIMEOUT),
                thread=True,
                group="exit",
                exit_on_error=False,
            )
        else:
            self.exit()

    async def on_unmount(self) -> None:
        """Last stop, however the app ends: save the learner's place and anything pending."""
        self._exiting = True
        self.session.save_position()
        if self.session.pending:
            await asyncio.to_thread(self.session.flush, FLUSH_TIMEOUT)
        if self._unsaved_cache is not None:
            # Quitting right after a start that parsed the notes: write the corpus cache
            # (or wait for the thread writing it), so the next start need not parse again.
            await asyncio.to_thread(self._unsaved_cache.save)
        failures = self.session.take_failures()
        if failures:  # printed once the terminal is restored
            self.exit(return_code=EXIT_DATA, message=_failure_text(failures))

    def _install_signal_handlers(self) -> None:
        """A dropped SSH session sends SIGHUP: save what is pending and exit cleanly.

        Plain ``signal.signal`` handlers, not the event loop's: Python runs them on the main
        thread between two bytecodes even while the loop is busy, and the watchdog they
        start ends the process however stuck the app is.
        """
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            # Not possible off the main thread (some test runners): then Python's default.
            with contextlib.suppress(ValueError, OSError):
                signal.signal(sig, partial(self._on_signal, loop))

    def _on_signal(self, loop: asyncio.AbstractEventLoop, signum: int, _frame: object) -> None:
        """Start the watchdog first, then ask the loop to save and exit.

        On a hang-up Textual's shutdown can block for good writing to the dead terminal
        (its writer thread's queue fills up; seen about once in six hang-ups here), and a
        bug could keep the loop busy. The saves finish first (at most ``FLUSH_TIMEOUT``),
        so the watchdog's hard exit after ``SIGNAL_EXIT_GRACE`` loses nothing.
        """
        watchdog = threading.Timer(SIGNAL_EXIT_GRACE, os._exit, args=(128 + signum,))
        watchdog.daemon = True
        watchdog.start()
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            loop.call_soon_threadsafe(self._exit_after_saving)


FIRST_SCREEN_FORMAT = "dvatui-first-screen-2"
FIRST_SCREEN_LIMIT = 4 * 1024 * 1024


def first_screen_path() -> Path | None:
    """Where the main screen is kept between sessions (None: caches are turned off)."""
    if os.environ.get(DISABLE_ENV):
        return None
    return cache_dir() / "first-screen.json"


def read_first_screen() -> dict[str, Any] | None:
    """What the last session kept of its main screen, if it is there, ours and sound."""
    path = first_screen_path()
    if path is None:
        return None
    try:
        data = read_private_json(path, FIRST_SCREEN_LIMIT)
    except Exception:  # missing, damaged or unsafe: the first frame renders as usual
        return None
    if not isinstance(data, dict) or data.get("format") != FIRST_SCREEN_FORMAT:
        return None
    return data


def _is_data_problem_screen(screen: Screen[object]) -> bool:
    """Whether the data-problem dialog is showing (the dialogs load on first use)."""
    from dvatui.screens.dialogs import DataProblemScreen

    return isinstance(screen, DataProblemScreen)


def data_choices(problem: StoreError) -> tuple[str, ...]:
    """What the data-problem dialog may offer for ``problem`` (never a fresh start over a
    file that was not copied aside, nor for a busy lock or a read error)."""
    copied = getattr(problem, "backup_path", None) is not None
    if isinstance(problem, CorruptStoreError):
        return ("fresh", "retry", "quit") if copied else ("retry", "quit")
    if isinstance(problem, FutureSchemaError):
        return ("read-only", "fresh", "quit") if copied else ("read-only", "quit")
    if isinstance(problem, StoreBusyError):
        return ("retry", "read-only", "quit")
    if isinstance(problem, StoreLinkError):
        return ("quit",)
    return ("retry", "quit")


def _failure_text(failures: list[SaveFailure]) -> Text:
    return Text("\n".join(f"dvatui: {f.message}" for f in failures))


def make_app(
    *,
    notes: Path,
    db_path: Path,
    themes_dir: Path | None = None,
    settings: Settings | None = None,
    base_db: Path | None = None,
) -> DvaApp:
    """Build the app; the CLI, the pilot tests and the snapshot tests all come through here.

    ``settings``: the settings file's (the CLI reads it); None reads no file.
    ``base_db``: the shipped notes' data file when ``db_path`` is another collection's
    (``study/collections.py``): this collection's bookmarks and answers that older versions
    kept there are copied over the first time.
    """
    from dvatui.paths import shipped_notes_dir

    wire.install()  # fewer bytes per screen update (what the terminal shows is the same)
    cache = CorpusCache(notes)
    corpus = cache.load()
    if base_db is not None and base_db != db_path:
        from dvatui.study.collections import remember_root, take_over_from

        with contextlib.suppress(StoreError, OSError):  # the app then says what is wrong
            take_over_from(base_db, db_path, corpus)
            remember_root(db_path, notes)
    app = DvaApp(corpus, db_path, themes_dir, settings=settings)
    app._unsaved_cache = cache if cache.missed else None
    app._first_screen = read_first_screen()
    app.notes_path = notes
    app.base_db = base_db or db_path
    from dvatui.study.collections import is_shipped

    app.notes_editable = not is_shipped(notes, shipped_notes_dir())
    return app


def _binding_owners() -> list[tuple[type, list[Binding]]]:
    """dvatui's screens, widgets and app, each with the bindings it defines or inherits from
    dvatui classes (every screen module imported: some are imported only when first shown)."""
    import importlib
    import pkgutil

    from dvatui import screens, widgets

    for package in (screens, widgets):
        for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
    owners: list[tuple[type, list[Binding]]] = []
    pending: list[type] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("dvatui.") and "BINDINGS" in cls.__dict__:
            bindings = [
                binding
                for klass in cls.__mro__
                if klass.__module__.startswith("dvatui.")
                for binding in klass.__dict__.get("BINDINGS", [])
                if isinstance(binding, Binding)
            ]
            owners.append((cls, bindings))
    return owners


def binding_table() -> list[tuple[str, str, str, str]]:
    """Every key binding of dvatui's app, screens and widgets that has an id, as (id, keys,
    description, class name), by id: what a keymap may rebind (``dvatui config keys``)."""
    rows: dict[str, tuple[str, str, str, str]] = {}
    for cls, bindings in _binding_owners():
        for b in bindings:
            if b.id and b.id not in rows:
                rows[b.id] = (b.id, b.key, b.description, cls.__name__)
    return sorted(rows.values())


_KEY_NAMES = {"?": "question_mark", "/": "slash", " ": "space"}


def keymap_clashes(keymap: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(id, key, other id) for each key ``keymap`` gives a binding that another binding of
    the same screen or widget has by default (and keeps): Textual gives the key to the
    keymap's binding and the other one loses it."""

    def keys(text: str) -> set[str]:
        return {_KEY_NAMES.get(k.strip(), k.strip()) for k in text.split(",")}

    found: set[tuple[str, str, str]] = set()
    for _cls, bindings in _binding_owners():
        for mine in bindings:
            mine_id = mine.id
            if mine_id is None or mine_id not in keymap:
                continue
            for other in bindings:
                if other.id == mine_id or (other.id and other.id in keymap):
                    continue
                for key in keys(keymap[mine_id]) & keys(other.key):
                    found.add((mine_id, key, other.id or other.action))
    return sorted(found)


def binding_ids() -> set[str]:
    """The ids a keymap may rebind."""
    return {row[0] for row in binding_table()}
