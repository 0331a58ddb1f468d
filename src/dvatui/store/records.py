"""The learner's records as the rest of dvatui sees them: frozen values, no file knowledge.

``Bookmark`` and ``Answer`` are what the learner made; ``QuestionProgress`` is what dvatui
derives from the answers to one question (a fold over them, so it can always be rebuilt from
the history); ``StoreSnapshot`` is one consistent read of all of it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Literal, TypeAlias, TypeVar

from msgspec import Struct, field
from msgspec.structs import replace

T = TypeVar("T")

#: A bookmarked section or note item, or a flagged question (``f`` in the quiz pane).
BookmarkKind: TypeAlias = Literal["section", "item", "question"]
BOOKMARK_KINDS: tuple[BookmarkKind, ...] = ("section", "item", "question")


class _EqualOnWhatWasMade(Struct, frozen=True, eq=False):
    """Equal (and hashed) on ``_compared()``: what the learner made, not the bookkeeping."""

    def _compared(self) -> tuple[object, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _EqualOnWhatWasMade)
        return self._compared() == other._compared()

    def __hash__(self) -> int:
        return hash(self._compared())


class Bookmark(_EqualOnWhatWasMade, frozen=True, eq=False):
    """A bookmarked section or item of the notes. Equal when the first seven fields are:
    ``id``, ``updated_at`` and ``text`` are bookkeeping."""

    target_id: str
    kind: BookmarkKind
    chapter_id: str
    section_id: str
    label: str
    comment: str
    created_at: str  # ISO 8601, UTC
    #: A stable unique id (export/import); derived from the target and creation time for
    #: bookmarks migrated from data format 1. Bookkeeping: not part of equality.
    id: str = ""
    #: When the bookmark or its comment last changed (ISO 8601, UTC): the newer one wins
    #: when two histories are merged. Bookkeeping: not part of equality.
    updated_at: str = ""
    #: The bookmarked item's whole text as it was when bookmarked ("" for sections,
    #: questions and bookmarks made before dvatui kept it): what re-attaches the bookmark
    #: when the item is edited.
    text: str = ""

    def _compared(self) -> tuple[object, ...]:
        return (
            self.target_id,
            self.kind,
            self.chapter_id,
            self.section_id,
            self.label,
            self.comment,
            self.created_at,
        )


class Answer(_EqualOnWhatWasMade, frozen=True, eq=False):
    """One answer to one quiz question (every answer is kept, as history). Equal when the
    first six fields are: two answers are equal when the learner's answer is."""

    question_id: str
    section_id: str
    chapter_id: str
    chosen: tuple[int, ...]
    correct: bool
    answered_at: str  # ISO 8601, UTC
    #: A stable unique id: merging two histories is a union by this id (not part of
    #: equality: two answers are equal when the learner's answer is).
    id: str = ""
    #: The review grade this answer gave its card (1 Again, 2 Hard, 3 Good, 4 Easy), and
    #: the card's state after it (JSON data); None for answers recorded before scheduling.
    rating: int | None = None
    card: Mapping[str, Any] | None = None
    #: The chosen options' stable ids (``chosen`` holds their indexes in the notes' order).
    chosen_ids: tuple[str, ...] = ()
    #: A flashcard's front and back as they were when rated ("" for questions): lets the
    #: card keep its schedule when its text is edited a little.
    text: str = ""

    def _compared(self) -> tuple[object, ...]:
        return (
            self.question_id,
            self.section_id,
            self.chapter_id,
            self.chosen,
            self.correct,
            self.answered_at,
        )


class QuestionProgress(Struct, frozen=True):
    """What the learner's answers to one question add up to.

    A pure fold over that question's answers (``first`` then ``with_answer``), so it is
    the same whatever order the answers arrive in, and it can be rebuilt from the history.
    """

    question_id: str
    section_id: str
    chapter_id: str
    attempts: int
    correct_attempts: int
    latest_correct: bool
    latest_chosen: tuple[int, ...]
    latest_at: str
    latest_answer_id: str
    #: Room for the spaced-review state of this question (kept as given, JSON data): the
    #: card of the latest answer that carries one.
    scheduling: Mapping[str, Any] | None = None
    #: When the question was first answered (ISO 8601, UTC).
    first_at: str = ""
    #: A flashcard's text at its latest rating ("" for questions).
    text: str = ""

    @classmethod
    def first(cls, answer: Answer) -> QuestionProgress:
        return cls(
            question_id=answer.question_id,
            section_id=answer.section_id,
            chapter_id=answer.chapter_id,
            attempts=1,
            correct_attempts=int(answer.correct),
            latest_correct=answer.correct,
            latest_chosen=answer.chosen,
            latest_at=answer.answered_at,
            latest_answer_id=answer.id,
            scheduling=answer.card,
            first_at=answer.answered_at,
            text=answer.text,
        )

    def with_answer(self, answer: Answer) -> QuestionProgress:
        """This progress after one more answer (the latest by time wins, ties by id)."""
        newer = (answer.answered_at, answer.id) >= (self.latest_at, self.latest_answer_id)
        counted = replace(
            self,
            attempts=self.attempts + 1,
            correct_attempts=self.correct_attempts + int(answer.correct),
            first_at=min(self.first_at or answer.answered_at, answer.answered_at),
        )
        if not newer:
            return counted
        return replace(
            counted,
            section_id=answer.section_id,
            chapter_id=answer.chapter_id,
            latest_correct=answer.correct,
            latest_chosen=answer.chosen,
            latest_at=answer.answered_at,
            latest_answer_id=answer.id,
            scheduling=answer.card if answer.card is not None else self.scheduling,
            text=answer.text or self.text,
        )

    def latest_answer(self) -> Answer:
        """The latest answer, as it was recorded."""
        return Answer(
            question_id=self.question_id,
            section_id=self.section_id,
            chapter_id=self.chapter_id,
            chosen=self.latest_chosen,
            correct=self.latest_correct,
            answered_at=self.latest_at,
            id=self.latest_answer_id,
        )


def fold_progress(
    answers: list[Answer], into: Mapping[str, QuestionProgress] | None = None
) -> dict[str, QuestionProgress]:
    """Add ``answers`` to ``into`` (or to nothing): question id -> progress."""
    result = dict(into or {})
    for answer in answers:
        known = result.get(answer.question_id)
        result[answer.question_id] = (
            QuestionProgress.first(answer) if known is None else known.with_answer(answer)
        )
    return result


class StoreSnapshot(Struct, frozen=True):
    """Everything the UI shows, from one read of the data file."""

    bookmarks: tuple[Bookmark, ...]
    latest_answers: Mapping[str, Answer]
    settings: Mapping[str, Any]
    #: Every answer ever recorded (the length of the history).
    answer_count: int
    #: Increases by one with every write; equal generations mean equal data.
    generation: int
    read_only: bool
    #: question id -> what the answers to it add up to.
    progress: Mapping[str, QuestionProgress] = field(default_factory=dict)
    #: The mock exams' JSON documents, oldest first.
    exams: tuple[Mapping[str, Any], ...] = ()
    #: The bookmarked target ids (derived from ``bookmarks``).
    _bookmarked: frozenset[str] = frozenset()

    def is_bookmarked(self, target_id: str) -> bool:
        return target_id in self._bookmarked

    def bookmark(self, target_id: str) -> Bookmark | None:
        return next((b for b in self.bookmarks if b.target_id == target_id), None)

    def setting(self, key: str, default: T | None = None) -> T | Any:
        return copy.deepcopy(self.settings[key]) if key in self.settings else default
