"""App-wide messages: widgets post them, screens handle them.

Widgets never persist anything: screens pass what widgets show down to them, and call the
study session (``app.session``) with what widgets ask for.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from msgspec import Struct
from textual.dom import DOMNode
from textual.message import Message
from textual.signal import Signal

from dvatui.study import StudySession


class StudyChanged(Struct, frozen=True):
    """Published on ``app.study_changed`` when what the session holds changed."""

    sections: frozenset[str] | None
    """Sections whose marks or counts changed; None when anything may have (a reload)."""
    reopened: bool = False
    """The data file was (re)opened: the place to start and the theme may differ too."""
    notes: bool = False
    """The notes were reloaded (a file changed on disk): keep the learner's place."""


@runtime_checkable
class StudyApp(Protocol):
    """What screens, dialogs and palette providers may use of the app."""

    session: StudySession
    study_changed: Signal[StudyChanged]


def study_app(node: DOMNode) -> StudyApp:
    """The app of a mounted node, as a ``StudyApp``."""
    app = node.app
    if not isinstance(app, StudyApp):
        raise TypeError(f"{type(app).__name__} does not hold a study session")
    return app


class SectionRequested(Message):
    """A widget asks the screen to show a section (and optionally an item in it)."""

    def __init__(
        self,
        section_id: str,
        item_id: str | None = None,
        highlight: str | None = None,
        focus_note: bool = False,
        from_tree_cursor: bool = False,
    ) -> None:
        super().__init__()
        self.section_id = section_id
        self.item_id = item_id
        self.highlight = highlight
        """Words to highlight in the note, e.g. from a search."""
        self.focus_note = focus_note
        self.from_tree_cursor = from_tree_cursor
        """Sent because the tree's cursor moved; stale if the cursor has moved on since."""


class BookmarkToggleRequested(Message):
    """The learner pressed ``b`` on a note item or a section, or ``f`` on a question."""

    def __init__(self, target_id: str, kind: str) -> None:
        super().__init__()
        self.target_id = target_id
        self.kind = kind
        """``"item"``, ``"section"`` or ``"question"``."""


class ExamRequested(Message):
    """The palette asks for the mock exam (resume or start)."""


class PracticeRequested(Message):
    """The palette asks for a practice set (``domain:security``, ``missed``...)."""

    def __init__(self, name: str, count: int | None = None) -> None:
        super().__init__()
        self.name = name
        self.count = count


class RateRequested(Message):
    """Right after a right answer, the learner marks it Hard (2) or Easy (4)."""

    def __init__(self, question_id: str, rating: int) -> None:
        super().__init__()
        self.question_id = question_id
        self.rating = rating


class TargetRequested(Message):
    """Show a section or a note item (e.g. from the command palette), and focus the note."""

    def __init__(self, target_id: str) -> None:
        super().__init__()
        self.target_id = target_id


class AnswerSubmitted(Message):
    """The learner submitted an answer to a quiz question (the screen has it graded)."""

    def __init__(self, question_id: str, chosen: tuple[int, ...]) -> None:
        super().__init__()
        self.question_id = question_id
        self.chosen = chosen
