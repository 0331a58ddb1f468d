"""App-wide messages: widgets post them, the main screen handles them.

Widgets never persist anything; the main screen is the only caller of the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class SectionRequested(Message):
    """A widget asks the screen to show a section (and optionally an item in it)."""

    section_id: str
    item_id: str | None = None
    highlight: str | None = None
    """Words to highlight in the note, e.g. from a search."""
    focus_note: bool = False
    from_tree_cursor: bool = False
    """Sent because the tree's cursor moved; stale if the cursor has moved on since."""


@dataclass
class BookmarkToggleRequested(Message):
    """The learner pressed ``b`` on a note item or a section."""

    target_id: str
    kind: str
    """``"item"`` or ``"section"``."""


@dataclass
class AnswerSubmitted(Message):
    """The learner submitted an answer to a quiz question."""

    question_id: str
    chosen: tuple[int, ...]
    correct: bool
