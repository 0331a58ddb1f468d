"""The Textual app: wiring only. The study screen lives in ``screens/main.py``."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.screen import Screen

from dvatui.domain.cache import load_corpus_cached
from dvatui.domain.model import Corpus
from dvatui.paths import shipped_themes_dir
from dvatui.screens.main import MainScreen
from dvatui.themes import load_themes

if TYPE_CHECKING:
    from textual.command import Provider


def _section_commands() -> type[Provider]:
    """The "Go to section" palette provider (imported when the palette first opens)."""
    from dvatui.commands import SectionCommands

    return SectionCommands


def _bookmark_commands() -> type[Provider]:
    """The "Open bookmark" palette provider (imported when the palette first opens)."""
    from dvatui.commands import BookmarkCommands

    return BookmarkCommands


SIGNAL_EXIT_GRACE = 3.0
"""Seconds a signal-initiated exit may take before the process is ended hard."""


class DvaApp(App[None]):
    """dvatui: study notes, bookmarks and quizzes for the AWS DVA-C02 exam."""

    TITLE = "dvatui"
    CSS_PATH = ["dvatui.tcss", "screens/main.tcss"]
    COMMANDS = App.COMMANDS | {_section_commands, _bookmark_commands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, corpus: Corpus, db_path: Path, themes_dir: Path | None = None) -> None:
        super().__init__()
        self.corpus = corpus
        self.db_path = db_path
        loaded = load_themes(themes_dir or shipped_themes_dir())
        for theme in loaded.themes:
            self.register_theme(theme)
        self._theme_errors = loaded.errors
        self.theme = "dva-night" if "dva-night" in self.available_themes else "textual-dark"
        if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
            self.animation_level = "none"

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(self.corpus, self.db_path)

    def on_mount(self) -> None:
        self._install_signal_handlers()
        if self._theme_errors:
            self.notify("Some theme files were skipped:\n" + "\n".join(self._theme_errors),
                        severity="warning", timeout=10, markup=False)
        if self.corpus.errors:
            first = self.corpus.errors[0]
            extra = len(self.corpus.errors) - 1
            more = f" (and {extra} more)" if extra else ""
            self.notify(f"Some notes could not be loaded: {first}{more}. "
                        "Run `dvatui check` for the full list.", severity="warning", timeout=10,
                        markup=False)

    def _install_signal_handlers(self) -> None:
        """A dropped SSH session sends SIGHUP: exit cleanly (every change is already saved)."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            # Not possible off the main thread or on some platforms: then Textual's default.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self._exit_on_signal, sig)

    def _exit_on_signal(self, signum: int) -> None:
        """Remember the learner's place, exit, and make sure the process really ends.

        On a hang-up Textual's shutdown can block for good writing to the dead terminal
        (its writer thread's queue fills up; seen about once in six hang-ups here). Every
        bookmark and answer is already on disk, so after a grace period a hard exit loses
        nothing.
        """
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                with contextlib.suppress(Exception):
                    screen.save_position()
        watchdog = threading.Timer(SIGNAL_EXIT_GRACE, os._exit, args=(128 + signum,))
        watchdog.daemon = True
        watchdog.start()
        self.exit()


def make_app(*, notes: Path, db_path: Path, themes_dir: Path | None = None) -> DvaApp:
    """Build the app; the CLI, the pilot tests and the snapshot tests all come through here."""
    return DvaApp(load_corpus_cached(notes), db_path, themes_dir)
