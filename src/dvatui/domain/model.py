"""Value types for the notes corpus: chapters, sections, note items and questions.

They are msgspec Structs rather than dataclasses. Both give the same classes (fields,
``__init__``, equality, ``repr``, frozen where it says so); a Struct class is built in C
(~15 µs against ~450 µs for a dataclass, whose methods are generated and compiled at import)
and builds its instances ~8x faster. Start-up defines these classes and builds ~4,500 of
them from the corpus cache before the first frame, which msgspec also decodes and checks
against these types directly (``cache.py``). ``array_like``: the cache stores each one as a
list of its fields, in order.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Literal

from msgspec import Struct, field
from msgspec.structs import force_setattr

from dvatui.domain.ids import slugify
from dvatui.domain.text import clean_text

__all__ = [
    "DOMAINS",
    "DOMAIN_WEIGHTS",
    "LAST_GOOD",
    "Chapter",
    "Choice",
    "Corpus",
    "Flashcard",
    "ItemKind",
    "NoteItem",
    "Problem",
    "Question",
    "Section",
    "Severity",
    "choice_id",
    "normalise_text",
    "slugify",
]

DOMAINS: tuple[str, ...] = ("development", "security", "deployment", "troubleshooting")
"""The DVA-C02 content domains, in the exam guide's order."""

DOMAIN_WEIGHTS: dict[str, float] = {
    "development": 0.32,
    "security": 0.26,
    "deployment": 0.24,
    "troubleshooting": 0.18,
}
"""The share of scored questions per domain on the DVA-C02 exam."""

ItemKind = Literal["bullet", "number", "paragraph", "table", "quote", "code", "rule", "html"]
Severity = Literal["error", "warning"]


LAST_GOOD = "showing the last version that loaded"
"""Ends the warning of a notes file that no longer loads cleanly but is still shown as it
was (the learner's own notes, reloaded)."""

MAX_MESSAGE_CHARS = 400
"""A problem message is cut to this length: it may quote user text."""


class Problem(Struct, frozen=True, array_like=True):
    """Something wrong in a notes file, with its location."""

    path: Path
    line: int
    message: str
    severity: Severity = "error"

    def __post_init__(self) -> None:
        # Messages quote user text (values, file names): keep them short and inert.
        message = clean_text(self.message)
        if len(message) > MAX_MESSAGE_CHARS:
            message = message[: MAX_MESSAGE_CHARS - 1] + "…"
        if message != self.message:
            force_setattr(self, "message", message)

    def __str__(self) -> str:
        return f"{clean_text(str(self.path))}:{self.line}: {self.severity}: {self.message}"


class NoteItem(Struct, frozen=True, array_like=True):
    """One block of a section: a list item, a paragraph, a table, a quote or code."""

    id: str
    kind: ItemKind
    text: str
    """Markdown source of the block (plain text for the plain-notes reader)."""
    line: int
    """1-based line in the source file."""
    markup: Literal["markdown", "plain"] = "markdown"

    @property
    def summary(self) -> str:
        """A one-line label for lists of bookmarks and search results."""
        if self.kind == "table":
            header = self.text.strip().splitlines()[0]
            cells = [c.strip(" *`_") for c in header.strip().strip("|").split("|")]
            return "Table: " + " / ".join(c for c in cells if c)
        if self.kind == "code":
            lines = [
                ln
                for ln in self.text.splitlines()[1:]
                if ln.strip() and not ln.startswith(("```", "~~~"))
            ]
            return "Code: " + (lines[0].strip()[:100] if lines else "")
        flat = " ".join(self.text.split())
        flat = re.sub(r"^(?:[-*+]|\d+\s*[.)]?|>)\s+", "", flat)
        flat = re.sub(r"[*_`|]+", "", flat)
        return flat[:117] + "..." if len(flat) > 120 else flat


def normalise_text(text: str) -> str:
    """Case-, punctuation- and space-insensitive form of a question or a choice."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def choice_id(text: str) -> str:
    """The stable id of a choice: 10 hex digits of a SHA-1 of its normalised text.

    Two choices of one question never share an id: the quiz parser rejects a question
    whose choices have the same normalised text. Rewording a choice changes its id;
    moving it, or changing its case, punctuation or spacing, does not.
    """
    return hashlib.sha1(normalise_text(text).encode("utf-8")).hexdigest()[:10]


class Choice(Struct, frozen=True, array_like=True):
    """One answer option of a question."""

    text: str
    correct: bool
    id: str = ""
    """Stable id (see :func:`choice_id`); derived from the text when not given."""

    def __post_init__(self) -> None:
        if not self.id:
            force_setattr(self, "id", choice_id(self.text))


class Question(Struct, frozen=True, array_like=True):
    """An exam-style question, tied to the section that holds its quiz block."""

    id: str
    chapter_id: str
    section_id: str
    stem: str
    choices: tuple[Choice, ...]
    explanation: str
    domain: str
    path: Path
    line: int
    see: str | None = None
    """The phrase of a ``see:`` line: names the note item that teaches the answer."""
    see_line: int = 0
    """1-based file line of the ``see:`` line (0 without one)."""
    pool: str | None = None
    """The pool of a ``pool:`` line (``mock``: the mock exam draws from it first)."""

    def __post_init__(self) -> None:
        if len({c.id for c in self.choices}) != len(self.choices):
            raise ValueError(f"question {self.id!r}: two choices have the same id")

    @property
    def choice_ids(self) -> tuple[str, ...]:
        """The choices' ids in canonical order (the order in the notes file)."""
        return tuple(c.id for c in self.choices)

    def index_of(self, choice_id: str) -> int | None:
        """The canonical index of the choice with this id, if the question has it."""
        return next((i for i, c in enumerate(self.choices) if c.id == choice_id), None)

    @property
    def correct_indices(self) -> frozenset[int]:
        """Indices of the right choices."""
        return frozenset(i for i, c in enumerate(self.choices) if c.correct)

    @property
    def choose(self) -> int:
        """How many choices the learner must pick."""
        return len(self.correct_indices)

    def is_correct(self, chosen: frozenset[int] | set[int] | tuple[int, ...]) -> bool:
        """True when exactly the right choices are picked."""
        return frozenset(chosen) == self.correct_indices


class Flashcard(Struct, frozen=True, array_like=True):
    """A recall card written in the notes (``front::back`` and friends, see ``cards.py``).

    Reviewed like a question but as recall: the front, then the back, then a 1-4 rating.
    """

    id: str
    chapter_id: str
    section_id: str
    front: str
    back: str
    path: Path
    line: int
    kind: str = "inline"
    """How it was written: ``inline``, ``reversed``, ``multiline`` or ``plain-quiz``."""

    @property
    def text(self) -> str:
        """Front and back as one text (what re-attaches an edited card's schedule)."""
        return f"{self.front}\n?\n{self.back}"


class Section(Struct, array_like=True):
    """A heading and what it holds; the unit the learner reads, bookmarks and is quizzed on."""

    id: str
    title: str
    level: int
    """1 for a chapter's own overview, 2 for ``##``, 3 for ``###``."""
    chapter_id: str
    path: Path
    line: int
    items: list[NoteItem] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    parent_id: str | None = None
    cards: list[Flashcard] = field(default_factory=list)

    def walk(self) -> Iterator[Section]:
        """This section and its subsections, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def all_questions(self) -> list[Question]:
        """Questions of this section and of its subsections."""
        return [q for s in self.walk() for q in s.questions]


class Chapter(Struct, array_like=True):
    """One chapter: a file of the shipped notes, or a ``#`` heading of a learner's file."""

    id: str
    title: str
    domains: tuple[str, ...]
    path: Path
    line: int
    overview: Section
    """The chapter's introduction: text between its ``#`` heading and the first ``##``."""
    sections: list[Section] = field(default_factory=list)
    markup: Literal["markdown", "plain"] = "markdown"

    def walk(self) -> Iterator[Section]:
        """The overview, then every section and subsection in reading order."""
        yield self.overview
        for section in self.sections:
            yield from section.walk()

    def questions(self) -> list[Question]:
        """Every question of the chapter in reading order."""
        return [q for s in self.walk() for q in s.questions]

    def cards(self) -> list[Flashcard]:
        """Every flashcard of the chapter in reading order."""
        return [c for s in self.walk() for c in s.cards]


class Corpus:
    """All chapters that were loaded, plus the problems found while loading them, with
    lookups by id (``reindex``)."""

    def __init__(self, chapters: list[Chapter], problems: list[Problem], root: Path) -> None:
        self.chapters = chapters
        self.problems = problems
        self.root = root
        self.prepared: Mapping[str, bytes | memoryview] = {}
        """Sections prepared ahead of time, as JSON by section id (``prepared.py``); the
        corpus cache fills it, a corpus parsed in this process has none."""
        self.reindex()

    def reindex(self) -> None:
        """Rebuild the id lookups from the chapters as they are now.

        The loader hands over chapters that are already de-duplicated; should two things
        still share an id, the first in reading order wins, as it is the one shown first.
        """
        self._sections: dict[str, Section] = {}
        self._questions: dict[str, Question] = {}
        self._chapters: dict[str, Chapter] = {}
        self._cards: dict[str, Flashcard] = {}
        self._order: list[str] = []
        for chapter in self.chapters:
            self._chapters.setdefault(chapter.id, chapter)
            for section in chapter.walk():
                self._order.append(section.id)
                self._sections.setdefault(section.id, section)
                for question in section.questions:
                    self._questions.setdefault(question.id, question)
                for card in section.cards:
                    self._cards.setdefault(card.id, card)
        self._position = {sid: n for n, sid in reversed(list(enumerate(self._order)))}

    def sections(self) -> Iterator[Section]:
        """Every section in reading order, chapter overviews included."""
        for chapter in self.chapters:
            yield from chapter.walk()

    def section(self, section_id: str) -> Section | None:
        """The section with this id, if any."""
        return self._sections.get(section_id)

    def chapter(self, chapter_id: str) -> Chapter | None:
        """The chapter with this id, if any."""
        return self._chapters.get(chapter_id)

    def question(self, question_id: str) -> Question | None:
        """The question with this id, if any."""
        return self._questions.get(question_id)

    def questions(self) -> list[Question]:
        """Every question in reading order."""
        return [q for c in self.chapters for q in c.questions()]

    def cards(self) -> list[Flashcard]:
        """Every flashcard in reading order."""
        return list(self._cards.values())

    def card(self, card_id: str) -> Flashcard | None:
        """The flashcard with this id, if any."""
        return self._cards.get(card_id)

    def item(self, item_id: str) -> tuple[Section, NoteItem] | None:
        """The note item with this id and its section, if any."""
        section_id = item_id.split("#", 1)[0]
        section = self._sections.get(section_id)
        if section is None:
            return None
        for it in section.items:
            if it.id == item_id:
                return section, it
        return None

    def neighbour(self, section_id: str, step: int) -> Section | None:
        """The section ``step`` places after (or before) this one in reading order."""
        index = self._position.get(section_id)
        if index is None:
            return None
        target = index + step
        if 0 <= target < len(self._order):
            return self._sections[self._order[target]]
        return None

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity error."""
        return [p for p in self.problems if p.severity == "error"]
