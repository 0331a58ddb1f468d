"""The study session: the notes, the learner's data file and a clock, behind every screen.

Textual-free, owned by the app. Screens read its snapshots (``progress``, ``results``,
``bookmarked``, ``bookmarks``) and call it to answer, bookmark, comment and remember
settings; it is the one place that grades answers and locates a target in the notes.

Writes never wait for the disk: a mutating call changes the in-memory state at once and
queues the store write; ``run_pending`` (run by the app in a worker thread) performs the
queued writes in order, and ``flush`` does the same synchronously at exit. A write that
fails is reported as a ``SaveFailure`` and the state is reloaded from disk, so what the
screens show is what the file holds (plus the writes still queued).

Threads: ``_store_lock`` serialises every use of the store (writes, refreshes, reloads);
``_state_lock`` guards the state and the queue, which are only ever replaced or appended
to, so readers on the UI thread take no lock.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from msgspec import Struct, field
from msgspec.structs import force_setattr, replace

from dvatui.domain import review
from dvatui.domain.exam import ExamState, draw_exam, new_exam
from dvatui.domain.grading import Grade, grade
from dvatui.domain.model import Chapter, Corpus, Flashcard, NoteItem, Question, Section
from dvatui.domain.prepared import PreparedSection, prepared_sections
from dvatui.domain.progress import Tally
from dvatui.domain.schedule import (
    DEFAULT_NEW_PER_DAY,
    Rating,
    Scheduler,
    describe_interval,
    due_at,
    end_of_local_day,
    local_day,
    rating_for,
)
from dvatui.domain.text import clean_text
from dvatui.store import (
    Answer,
    AnswerSpec,
    Bookmark,
    BookmarkKind,
    JSONValue,
    QuestionProgress,
    Store,
    StoreSnapshot,
    new_answer_id,
    reset_store,
)

if TYPE_CHECKING:
    from dvatui.domain.readiness import Plan, Readiness
    from dvatui.domain.search import SearchIndex

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware, in UTC."""
StoreOpener = Callable[..., Store]
"""``Store.open`` or a stand-in: ``(path, read_only=..., clock=...) -> Store``."""

SEPARATOR = " › "
RETENTION_KEY = "desired_retention"
NEW_PER_DAY_KEY = "new_per_day"
EXAM_DATE_KEY = "exam_date"
NOT_IN_NOTES = "not in these notes"
POSITION_KEY = "last_section"


def utc_now() -> datetime:
    """The current time in UTC (the default clock)."""
    return datetime.now(UTC)


# --------------------------------------------------------------------------- values


class Location(Struct, frozen=True):
    """Where a target id (a section or a note item) is in the notes."""

    target_id: str
    chapter: Chapter | None
    section: Section | None
    item: NoteItem | None
    where: str
    """``chapter › section`` (the section's title alone for a chapter overview)."""
    path: str
    """``chapter › section › item``: every heading down to the item."""

    @property
    def found(self) -> bool:
        """True when the target is in the loaded notes."""
        return self.section is not None

    question: Question | None = None
    """Set when the target is a question (a flag)."""

    @property
    def label(self) -> str:
        """A one-line name: the question's stem, the item's summary or the section's title."""
        if self.question is not None:
            flat = " ".join(self.question.stem.split())
            return flat if len(flat) <= 120 else flat[:117] + "..."
        if self.item is not None:
            return self.item.summary
        return self.section.title if self.section is not None else self.target_id

    @property
    def kind(self) -> BookmarkKind:
        if self.question is not None:
            return "question"
        return "item" if self.item is not None else "section"


class BookmarkEntry(Struct, frozen=True):
    """A bookmark as lists show it: the bookmark, where it points, whether it was found."""

    bookmark: Bookmark
    where: str
    found: bool
    status: Literal["here", "moved", "detached"] = "here"
    """``moved``: the item was edited and the bookmark re-attached to the most similar one;
    ``detached``: nothing similar enough is left (the saved text is all there is)."""
    target_id: str = ""
    """Where the bookmark points now (the re-attached item when moved)."""
    hint: str = ""
    """Moved: what changed, ``-old words +new words``; detached: the chapter it was in."""
    text: str = ""
    """The text to show: the item's text as bookmarked (or the label of older bookmarks)."""


class SaveFailure(Struct, frozen=True):
    """A queued write that did not reach the disk."""

    what: str
    """What was not saved, e.g. ``"your answer"``."""
    message: str
    """A plain-words sentence for the learner."""


class _State(Struct, frozen=True):
    """What the screens show: one immutable value, replaced as a whole."""

    bookmarks: Mapping[str, Bookmark]  # target id -> bookmark, oldest first
    progress: Mapping[str, QuestionProgress]
    settings: Mapping[str, Any]
    exams: Mapping[str, ExamState] = field(default_factory=dict)  # id -> exam, oldest first
    # Derived in __post_init__ (whatever is passed is replaced):
    results: Mapping[str, bool] = MappingProxyType({})
    bookmarked: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in ("bookmarks", "progress", "settings", "exams"):  # read-only views
            value = getattr(self, name)
            if not isinstance(value, MappingProxyType):
                force_setattr(self, name, MappingProxyType(dict(value)))
        results = {qid: p.latest_correct for qid, p in self.progress.items()}
        force_setattr(self, "results", MappingProxyType(results))
        force_setattr(self, "bookmarked", frozenset(self.bookmarks))

    def visible(self) -> tuple[object, ...]:
        """What a screen shows of this state (to tell whether a reload changed anything)."""
        marks = tuple((b.target_id, b.label, b.comment) for b in self.bookmarks.values())
        return marks, dict(self.results)


_EMPTY = _State({}, {}, {})


class _Undoable(Struct, frozen=True):
    """One answer of this session, as ``undo`` and ``rate`` need it."""

    answer_id: str
    question_id: str
    before: QuestionProgress | None
    """The question's progress before the answer (restored exactly by undo)."""
    at: datetime
    correct: bool


class _Write(Struct, frozen=True):
    """One queued change: how it changes the state, and how it is written to the store."""

    what: str
    apply: Callable[[_State], _State]
    write: Callable[[Store], object]
    sections: frozenset[str] = frozenset()
    """The sections whose marks or counts this change alters."""
    key: str | None = None
    """Writes with the same key replace each other while queued (e.g. an exam's timer)."""


def _clean_bookmark(mark: Bookmark) -> Bookmark:
    label, comment = clean_text(mark.label), clean_text(mark.comment)
    if label == mark.label and comment == mark.comment:
        return mark
    return replace(mark, label=label, comment=comment)


def _progress_after(
    known: QuestionProgress | None,
    item: Question | Flashcard,
    *,
    correct: bool,
    chosen: tuple[int, ...],
    at: str,
    answer_id: str,
    scheduling: Mapping[str, Any] | None,
    text: str = "",
) -> QuestionProgress:
    """A question's (or flashcard's) progress after one more answer, given at ``at``."""
    return QuestionProgress(
        question_id=item.id,
        section_id=item.section_id,
        chapter_id=item.chapter_id,
        attempts=(known.attempts if known else 0) + 1,
        correct_attempts=(known.correct_attempts if known else 0) + correct,
        latest_correct=correct,
        latest_chosen=chosen,
        latest_at=at,
        latest_answer_id=answer_id,
        scheduling=scheduling,
        first_at=known.first_at if known and known.first_at else at,
        text=text,
    )


# --------------------------------------------------------------------------- the session


class StudySession:
    """The notes, the learner's data and a clock; see the module docstring."""

    def __init__(
        self,
        corpus: Corpus,
        db_path: Path,
        *,
        clock: Clock = utc_now,
        opener: StoreOpener = Store.open,
        tz: tzinfo | None = None,
    ) -> None:
        self._corpus = corpus
        #: Settings that win over the data file's: the settings file's ``desired_retention``,
        #: ``new_per_day`` and ``exam_date`` (set before ``open``). ``setting`` reads them first.
        self.overrides: Mapping[str, JSONValue] = {}
        self.db_path = db_path
        self.clock = clock
        #: The learner's time zone for "today" (None: the machine's local zone).
        self.tz = tz
        self._opener = opener
        self.scheduler = Scheduler()
        #: This session's answers, newest last, for ``u`` (undo) and Hard/Easy.
        self._undo: list[_Undoable] = []
        self._store: Store | None = None
        self._state = _EMPTY
        self._queue: deque[_Write] = deque()
        self._unreported: list[SaveFailure] = []
        self._state_lock = threading.Lock()
        self._store_lock = threading.Lock()
        self._stale = False  # a write of ours may have brought in another session's changes
        self._position: str | None = None
        self._search: SearchIndex | None = None
        #: Re-attachments, recomputed when the notes or the bookmarks/progress change.
        self._moves_key: tuple[int, int] = (0, 0)
        self._moves: dict[str, str] = {}  # bookmarked target id -> the item it moved to
        self._aliases_key: tuple[int, int] = (0, 0)
        self._aliases: dict[str, str] = {}  # card id in the notes -> its orphaned progress
        #: Called on the caller's thread after each queued change, with the sections whose
        #: marks or counts it altered: the app starts a saver and repaints.
        self.on_queued: Callable[[frozenset[str]], None] | None = None

    # ----------------------------------------------------------------- opening

    def open(self, *, read_only: bool = False, lock_timeout: float | None = None) -> None:
        """Open the data file and load its state; ``StoreError``s propagate to the caller.

        ``lock_timeout``: how long to wait for another dvatui's lock (the store's default
        when None); a busy lock raises ``StoreBusyError``.
        """
        extra: dict[str, Any] = {} if lock_timeout is None else {"lock_timeout": lock_timeout}
        with self._store_lock:
            store = self._opener(
                self.db_path,
                read_only=read_only,
                clock=self.clock,
                card_builder=self.rebuild_card,
                **extra,
            )
            snapshot = store.snapshot()
            self._store = store
            self._install(store, snapshot)
        if self._position is None:
            last = self.setting(POSITION_KEY)
            self._position = last if isinstance(last, str) else None
        retention = self.setting(RETENTION_KEY)
        if isinstance(retention, float) and 0.7 <= retention <= 0.99:
            self.scheduler = Scheduler(retention)

    def start_fresh(self) -> Path | None:
        """Keep a copy of the data file, start an empty one and open it; returns the copy."""
        with self._store_lock:
            kept = reset_store(self.db_path)
        self.open()
        return kept

    @property
    def is_open(self) -> bool:
        return self._store is not None

    @property
    def read_only(self) -> bool:
        """True when the data file is open read-only (nothing will be saved)."""
        return self._store is not None and self._store.read_only

    @property
    def writable(self) -> bool:
        return self._store is not None and not self._store.read_only

    @property
    def read_only_reason(self) -> str | None:
        """Why a file asked to be writable opened read-only (e.g. an unwritable folder)."""
        return self._store.read_only_reason if self._store is not None else None

    @property
    def migrated_from(self) -> Path | None:
        """Where an older data file was kept when opening upgraded it, else None."""
        return self._store.migrated_from if self._store is not None else None

    # ----------------------------------------------------------------- snapshots

    @property
    def corpus(self) -> Corpus:
        return self._corpus

    @property
    def progress(self) -> Mapping[str, QuestionProgress]:
        """Question id -> what the learner's answers to it add up to."""
        return self._state.progress

    @property
    def results(self) -> Mapping[str, bool]:
        """Question id -> whether the latest answer to it was right."""
        return self._state.results

    @property
    def bookmarked(self) -> frozenset[str]:
        """The target ids of every bookmark, and the items that moved bookmarks follow."""
        moves = self._bookmark_moves()
        if not moves:
            return self._state.bookmarked
        return self._state.bookmarked | frozenset(moves.values())

    @property
    def bookmarks(self) -> tuple[Bookmark, ...]:
        """Every bookmark, oldest first."""
        return tuple(self._state.bookmarks.values())

    def setting(self, key: str, default: Any = None) -> Any:
        """A setting's value: an override, else as last saved or set in this session, else
        ``default``."""
        if key in self.overrides:
            return self.overrides[key]
        return self._state.settings.get(key, default)

    @property
    def pending(self) -> int:
        """How many writes are queued and not yet on disk."""
        return len(self._queue)

    @property
    def position(self) -> str | None:
        """The section the learner is reading (the last one read when the app started)."""
        return self._position

    def overall(self) -> Tally:
        """Questions in the notes, how many were answered, how many right (latest try)."""
        results = self.results
        questions = self._corpus.questions()
        answered = [results[q.id] for q in questions if q.id in results]
        return Tally(len(questions), len(answered), sum(answered))

    # ----------------------------------------------------------------- the notes

    def locate(self, target_id: str) -> Location:
        """Where a section or note item id is in the notes (``found`` is False if nowhere)."""
        corpus = self._corpus
        question = corpus.question(target_id)
        if question is not None:
            place = self.locate(question.section_id)
            return replace(place, target_id=target_id, question=question)
        card = corpus.card(target_id)
        if card is not None:
            return replace(self.locate(card.section_id), target_id=target_id)
        found = corpus.item(target_id)
        section, item = found if found is not None else (corpus.section(target_id), None)
        if section is None:
            return Location(target_id, None, None, None, NOT_IN_NOTES, NOT_IN_NOTES)
        chapter = corpus.chapter(section.chapter_id)
        headings: list[str] = []
        at: Section | None = section
        while at is not None and at.level > 1:
            headings.insert(0, at.title)
            at = corpus.section(at.parent_id) if at.parent_id else None
        top = chapter.title if chapter is not None else section.title
        if section.level == 1 or chapter is None:
            where = section.title
        else:
            where = chapter.title + SEPARATOR + section.title
        parts = [top, *headings] + ([item.summary] if item is not None else [])
        return Location(target_id, chapter, section, item, where, SEPARATOR.join(parts))

    def prepared_for(self, section_id: str) -> PreparedSection:
        """The texts shown with a section, prepared ahead of time (``domain/prepared.py``):
        its note items and its subsections', and its quiz's inline Markdown. Empty where the
        corpus was parsed in this process rather than read from the cache."""
        section = self._corpus.section(section_id)
        if section is None:
            return prepared_sections(self._corpus, ())
        shown = [part.id for part in section.walk()]
        quizzed = [question.section_id for question in self.questions_for(section_id)]
        return prepared_sections(self._corpus, [*shown, *quizzed])

    def questions_for(self, section_id: str) -> list[Question]:
        """The quiz shown with a section: a chapter line quizzes the whole chapter, a
        section its subsections too, a subsection without questions its section's."""
        corpus = self._corpus
        section = corpus.section(section_id)
        if section is None:
            return []
        chapter = corpus.chapter(section.chapter_id)
        if section.level == 1 and chapter is not None:
            return chapter.questions()
        questions = section.all_questions()
        if not questions and section.parent_id:
            parent = corpus.section(section.parent_id)
            questions = parent.all_questions() if parent is not None else []
        return questions

    def search_index(self) -> SearchIndex:
        """The full-text index of the notes (built on first use)."""
        if self._search is None or self._search.corpus is not self._corpus:
            from dvatui.domain.search import SearchIndex  # rapidfuzz: on the first search

            self._search = SearchIndex(self._corpus)
        return self._search

    def bookmark_entries(self) -> list[BookmarkEntry]:
        """The learner's bookmarks with where they point: found or moved ones oldest first,
        then the detached ones (whose item is gone and nothing similar is left)."""
        from dvatui.domain.reattach import change_hint

        moves = self._bookmark_moves()
        found: list[BookmarkEntry] = []
        detached: list[BookmarkEntry] = []
        for mark in self.bookmarks:
            saved = mark.text or mark.label
            location = self.locate(mark.target_id)
            if location.found:
                found.append(BookmarkEntry(mark, location.where, True, "here", mark.target_id))
                continue
            new = moves.get(mark.target_id)
            if new is not None:
                moved = self.locate(new)
                current = moved.item.text if moved.item is not None else ""
                found.append(
                    BookmarkEntry(
                        mark, moved.where, True, "moved", new, change_hint(saved, current), saved
                    )
                )
                continue
            chapter = self._corpus.chapter(mark.chapter_id)
            was = chapter.title if chapter is not None else mark.chapter_id or "?"
            detached.append(
                BookmarkEntry(mark, NOT_IN_NOTES, False, "detached", "", f"was in {was}", saved)
            )
        return found + detached

    def _bookmark_moves(self) -> dict[str, str]:
        """Item bookmarks whose item is gone: the most similar item they re-attach to."""
        key = (id(self._corpus), id(self._state.bookmarks))
        if key == self._moves_key:
            return self._moves
        corpus = self._corpus
        moves: dict[str, str] = {}
        for mark in self._state.bookmarks.values():
            if mark.kind != "item" or corpus.item(mark.target_id) is not None:
                continue
            from dvatui.domain.reattach import best_match  # rapidfuzz: only when one is gone

            saved = mark.text or mark.label
            section = corpus.section(mark.section_id)
            chapter = corpus.chapter(mark.chapter_id)
            tiers: list[list[tuple[str, str]]] = []
            if section is not None:
                tiers.append([(i.id, i.text) for i in section.items])
            if chapter is not None:
                tiers.append([(i.id, i.text) for s in chapter.walk() for i in s.items])
            match = best_match(saved, tiers) if saved else None
            if match is not None:
                moves[mark.target_id] = match.id
        self._moves_key, self._moves = key, moves
        return moves

    def _bookmark_target(self, target_id: str) -> str:
        """The bookmark's own target id for ``target_id`` (a moved bookmark's new item)."""
        if target_id in self._state.bookmarks:
            return target_id
        for old, new in self._bookmark_moves().items():
            if new == target_id:
                return old
        return target_id

    def swap_corpus(self, corpus: Corpus) -> None:
        """Study other notes (e.g. the learner's notes, reloaded); the data stays as it is."""
        self._corpus = corpus
        self._search = None

    # ----------------------------------------------------------------- flashcards

    def reviewable_ids(self) -> list[str]:
        """Every question and flashcard id, in reading order (section by section)."""
        ids: list[str] = []
        for section in self._corpus.sections():
            ids += [q.id for q in section.questions]
            ids += [c.id for c in section.cards]
        return ids

    def card_aliases(self) -> dict[str, str]:
        """Flashcards edited since they were last rated: card id now -> the id its progress
        is kept under. An edited card is a new id; it keeps the old schedule when its text
        is similar enough (the rule bookmarks follow, ``domain/reattach.py``)."""
        corpus = self._corpus
        progress = self._state.progress
        orphans = tuple(
            sorted(
                qid
                for qid, p in progress.items()
                if "~" in qid and p.text and corpus.card(qid) is None
            )
        )
        key = (id(corpus), hash(orphans))
        if key != self._aliases_key and not orphans:  # nothing to match: no rapidfuzz
            self._aliases_key, self._aliases = key, {}
        elif key != self._aliases_key:  # matched again only when the notes or orphans change
            from dvatui.domain.reattach import best_match

            matches: dict[str, str] = {}
            for old_id in orphans:
                old = progress[old_id]
                section = corpus.section(old.section_id)
                chapter = corpus.chapter(old.chapter_id)
                taken = set(matches)

                def free(cards: list[Flashcard], taken: set[str] = taken) -> list[tuple[str, str]]:
                    return [(c.id, c.text) for c in cards if c.id not in taken]

                tiers = [free(section.cards)] if section is not None else []
                if chapter is not None:
                    tiers.append(free(chapter.cards()))
                match = best_match(old.text, tiers)
                if match is not None:
                    matches[match.id] = old_id
            self._aliases_key, self._aliases = key, matches
        # A card rated since it was edited has progress of its own: its old record is used
        # up by it (it does not go on to claim another card).
        return {new: old for new, old in self._aliases.items() if new not in progress}

    def card_progress(self, card_id: str) -> QuestionProgress | None:
        """A flashcard's progress (through its alias when it was edited)."""
        known = self._state.progress.get(card_id)
        if known is None:
            alias = self.card_aliases().get(card_id)
            known = self._state.progress.get(alias) if alias is not None else None
        return known

    def rate_card(self, card_id: str, rating: int) -> bool:
        """Record a recall review of a flashcard: 1 Again, 2 Hard, 3 Good, 4 Easy.

        Stored like an answer (no choices; right unless Again) with the card's text, so an
        edited card keeps its schedule. False for a card not in the notes or a bad rating.
        """
        card = self._corpus.card(card_id)
        if card is None or rating not in (1, 2, 3, 4):
            return False
        moment = self.clock().astimezone(UTC)
        scheduler = self.scheduler
        inherited = self.card_progress(card_id)

        def review(data: Mapping[str, Any] | None) -> Mapping[str, Any]:
            if data is None and inherited is not None:
                data = inherited.scheduling
            return scheduler.review(card.id, data, rating, moment)

        self._record_review(
            card,
            correct=rating > int(Rating.AGAIN),
            chosen=(),
            rating=rating,
            moment=moment,
            review=review,
            what="your rating",
            inherited=inherited,
            text=card.text,
        )
        return True

    def rating_previews(self, card_id: str) -> dict[int, str]:
        """Rating -> when the card would come back after it ("again in 10 min", "in 4 days")."""
        known = self.card_progress(card_id)
        data = known.scheduling if known is not None else None
        now = self.clock().astimezone(UTC)
        previews: dict[int, str] = {}
        for rating in (1, 2, 3, 4):
            due = due_at(self.scheduler.review(card_id, data, rating, now))
            if due is not None:
                previews[rating] = describe_interval(due, now).removeprefix("again ")
        return previews

    def practice_cards(self, name: str) -> list[Flashcard]:
        """The flashcards of a practice set: ``chapter:ID``, ``bookmarked``, ``missed``,
        ``leeches``, ``unseen``, ``all`` (domains and flags are for questions only)."""
        kind, _, value = name.partition(":")
        cards = self._corpus.cards()
        if kind == "chapter":
            chapter: Chapter = review.find_chapter(self._corpus, value)
            return chapter.cards()
        if kind == "bookmarked":
            sections = {b.target_id for b in self.bookmarks if b.kind == "section"}
            sections |= {b.section_id for b in self.bookmarks if b.kind == "item"}
            return [c for c in cards if c.section_id in sections]
        if kind == "missed":
            return [c for c in cards if (p := self.card_progress(c.id)) and not p.latest_correct]
        if kind == "leeches":
            found = set(self.leeches())
            return [c for c in cards if c.id in found]
        if kind == "unseen":
            return [c for c in cards if self.card_progress(c.id) is None]
        if kind == "all":
            return list(cards)
        return []

    # ----------------------------------------------------------------- changes

    def answer(self, question_id: str, chosen: tuple[int, ...] | frozenset[int]) -> Grade | None:
        """Grade an answer, review the question's card and record both; None for a question
        not in the notes.

        Right only when exactly the right choices are picked (all of them in a choose-N).
        A wrong answer rates the card Again, a right one Good (``rate`` can make it Hard or
        Easy right after).
        """
        question = self._corpus.question(question_id)
        if question is None:
            return None
        result = grade(question, frozenset(chosen))
        picked = tuple(sorted(result.chosen))
        moment = self.clock().astimezone(UTC)
        rating = int(rating_for(result.correct))
        scheduler = self.scheduler

        def review(card: Mapping[str, Any] | None) -> Mapping[str, Any]:
            return scheduler.review(question.id, card, rating, moment)

        self._record_review(
            question,
            correct=result.correct,
            chosen=picked,
            rating=rating,
            moment=moment,
            review=review,
            what="your answer",
            chosen_ids=tuple(
                str(getattr(question.choices[i], "id", i))
                for i in picked
                if i < len(question.choices)
            ),
        )
        return result

    def _record_review(
        self,
        item: Question | Flashcard,
        *,
        correct: bool,
        chosen: tuple[int, ...],
        rating: int,
        moment: datetime,
        review: Callable[[Mapping[str, Any] | None], Mapping[str, Any]],
        what: str,
        inherited: QuestionProgress | None = None,
        text: str = "",
        chosen_ids: tuple[str, ...] = (),
    ) -> None:
        """Apply an answer (or a flashcard's rating) in memory at once and queue its write:
        the progress record with the card ``review`` makes, the history entry, the undo.
        ``inherited``: the progress an edited flashcard takes over from its old text."""
        at = moment.isoformat(timespec="microseconds")
        answer_id = new_answer_id()
        before = self._state.progress.get(item.id)

        def apply(state: _State) -> _State:
            direct = state.progress.get(item.id)
            progress = _progress_after(
                direct or inherited,
                item,
                correct=correct,
                chosen=chosen,
                at=at,
                answer_id=answer_id,
                scheduling=review(direct.scheduling if direct else None),
                text=text,
            )
            return replace(state, progress={**state.progress, item.id: progress})

        def write(store: Store) -> object:
            return store.record_answer(
                question_id=item.id,
                section_id=item.section_id,
                chapter_id=item.chapter_id,
                chosen=chosen,
                correct=correct,
                answered_at=at,
                answer_id=answer_id,
                rating=rating,
                review=review,
                chosen_ids=chosen_ids,
                text=text,
            )

        self._undo.append(_Undoable(answer_id, item.id, before, moment, correct))
        self._submit(_Write(what, apply, write, frozenset({item.section_id})))

    def rate(self, rating: int) -> bool:
        """Re-rate this session's last answer Hard, Good or Easy (only a right answer, and
        only until the next one). False when there is nothing to re-rate."""
        if not self._undo or rating not in (Rating.HARD, Rating.GOOD, Rating.EASY):
            return False
        last = self._undo[-1]
        if not last.correct:
            return False
        before_card = last.before.scheduling if last.before else None
        card = self.scheduler.review(last.question_id, before_card, rating, last.at)
        question_id, answer_id = last.question_id, last.answer_id
        section = self._section_of(question_id)

        def apply(state: _State) -> _State:
            known = state.progress.get(question_id)
            if known is None or known.latest_answer_id != answer_id:
                return state
            progress = {**state.progress, question_id: replace(known, scheduling=card)}
            return replace(state, progress=progress)

        self._submit(
            _Write(
                "the rating",
                apply,
                lambda store: store.rerate_answer(answer_id, rating, card),
                frozenset({section}),
            )
        )
        return True

    def undo(self) -> str | None:
        """Take back this session's last answer: the answer, its review and the card are
        restored exactly. Returns the question id, None when there is nothing to undo."""
        if not self._undo:
            return None
        last = self._undo.pop()
        question_id, answer_id, before = last.question_id, last.answer_id, last.before

        def apply(state: _State) -> _State:
            known = state.progress.get(question_id)
            progress = dict(state.progress)
            if known is None or known.latest_answer_id == answer_id:
                if before is None:
                    progress.pop(question_id, None)
                else:
                    progress[question_id] = before
            else:
                progress[question_id] = replace(
                    known,
                    attempts=max(known.attempts - 1, 0),
                    correct_attempts=max(known.correct_attempts - int(last.correct), 0),
                )
            return replace(state, progress=progress)

        self._submit(
            _Write(
                "the undo",
                apply,
                lambda store: store.undo_answer(answer_id, before),
                frozenset({self._section_of(question_id)}),
            )
        )
        return question_id

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    def last_undoable(self) -> str | None:
        """The question or flashcard id ``undo`` would take back, if any."""
        return self._undo[-1].question_id if self._undo else None

    def last_answer_rateable(self) -> bool:
        """True right after a right answer: Hard/Easy may still change its rating."""
        return bool(self._undo) and self._undo[-1].correct

    def rebuild_card(self, answers: list[Answer]) -> Mapping[str, Any] | None:
        """A question's card replayed from its answers (the store calls this on upgrade,
        import and restore). Answers without a rating count Again (wrong) or Good (right)."""
        if not answers:
            return None
        reviews = []
        for answer in answers:
            rating = answer.rating or int(rating_for(answer.correct))
            try:
                moment = datetime.fromisoformat(answer.answered_at)
            except ValueError:
                continue
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            reviews.append((rating, moment))
        return self.scheduler.replay(answers[0].question_id, reviews)

    # ----------------------------------------------------------------- mock exams

    def exams(self) -> list[ExamState]:
        """Every mock exam, oldest first."""
        return list(self._state.exams.values())

    def current_exam(self) -> ExamState | None:
        """The unfinished mock exam, if there is one (the newest)."""
        open_ = [e for e in self._state.exams.values() if not e.finished]
        return open_[-1] if open_ else None

    def exam_pool(self) -> list[Question]:
        """The questions a mock exam is drawn from (all of the notes' questions)."""
        return self._corpus.questions()

    def start_exam(self, seed: int | str | None = None) -> ExamState:
        """Draw and save a new mock exam; ``ExamError`` when the notes hold too few."""
        moment = self.clock().astimezone(UTC)
        seen = {q for e in self._state.exams.values() for q in e.question_ids}
        rng = random.Random(seed if seed is not None else moment.isoformat())
        questions = draw_exam(self.exam_pool(), seen_in_exams=seen, rng=rng)
        exam = new_exam(new_answer_id(), moment.isoformat(timespec="seconds"), questions)
        self.save_exam(exam)
        return exam

    def save_exam(self, exam: ExamState) -> None:
        """Keep an exam's new state (an answer, a flag, the time left): on disk at once,
        in order; a newer state of the same exam replaces one still queued."""
        data = exam.to_data()

        def apply(state: _State) -> _State:
            return replace(state, exams={**state.exams, exam.id: exam})

        self._submit(
            _Write("the mock exam", apply, lambda store: store.save_exam(data), key=exam.id)
        )

    def finish_exam(self, exam: ExamState) -> ExamState:
        """Grade and close an exam; its answers review the cards (rated Again or Good)."""
        moment = self.clock().astimezone(UTC)
        at = moment.isoformat(timespec="microseconds")
        questions = {qid: q for qid in exam.question_ids if (q := self._corpus.question(qid))}
        done = exam.grade(questions, finished_at=at)
        specs: list[AnswerSpec] = []
        scheduler = self.scheduler
        progress = dict(self._state.progress)
        for qid, chosen in done.answers.items():
            question = questions.get(qid)
            if question is None:
                continue
            correct = frozenset(chosen) == question.correct_indices
            rating = int(rating_for(correct))

            def review(
                card: Mapping[str, Any] | None, q: str = qid, r: int = rating
            ) -> Mapping[str, Any]:
                return scheduler.review(q, card, r, moment)

            specs.append(
                AnswerSpec(
                    question_id=qid,
                    section_id=question.section_id,
                    chapter_id=question.chapter_id,
                    chosen=tuple(chosen),
                    correct=correct,
                    answered_at=at,
                    answer_id=new_answer_id(),
                    rating=rating,
                    review=review,
                )
            )
            known = progress.get(qid)
            progress[qid] = _progress_after(
                known,
                question,
                correct=correct,
                chosen=tuple(chosen),
                at=at,
                answer_id=specs[-1].answer_id or "",
                scheduling=review(known.scheduling if known else None),
            )
        data = done.to_data()

        def apply(state: _State) -> _State:
            return replace(
                state,
                progress={
                    **state.progress,
                    **{s.question_id: progress[s.question_id] for s in specs},
                },
                exams={**state.exams, done.id: done},
            )

        sections = frozenset(s.section_id for s in specs)
        self._submit(
            _Write("the mock exam", apply, lambda store: store.finish_exam(data, specs), sections)
        )
        return done

    # ----------------------------------------------------------------- readiness and plan

    def readiness(self) -> Readiness:
        """Per-domain readiness and the projected score (see ``domain/readiness.py``)."""
        now = self.clock()
        knowledge: dict[str, list[float]] = {}
        for question in self._corpus.questions():
            known = self._state.progress.get(question.id)
            if known is None:
                continue
            chance = self.scheduler.retrievability(known.scheduling, now)
            value = chance if chance is not None else float(known.latest_correct)
            knowledge.setdefault(question.domain, []).append(value)
        from dvatui.domain.readiness import estimate

        return estimate(knowledge)

    def exam_date(self) -> date | None:
        """The learner's exam date, if set."""
        value = self.setting(EXAM_DATE_KEY)
        try:
            return date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None

    def set_exam_date(self, when: date | None) -> None:
        """Remember the exam date (None forgets it)."""
        self.set_setting(EXAM_DATE_KEY, when.isoformat() if when is not None else None)

    def today(self) -> date:
        return local_day(self.clock(), self.tz)

    def plan(self) -> Plan | None:
        """Today's share of the work to the exam date (None without a date)."""
        when = self.exam_date()
        if when is None:
            return None
        questions = self._corpus.questions()
        unseen = sum(1 for q in questions if q.id not in self._state.progress)
        firsts = {q: p.first_at for q, p in self._state.progress.items() if p.first_at}
        done_today = review.introduced_on(firsts, self.clock(), self.tz)
        ids = [q.id for q in questions]
        due = len(review.due_questions(ids, self.cards(), self.end_of_today()))
        from dvatui.domain.readiness import plan as make_plan

        return make_plan(
            when, self.today(), unseen=unseen, due_today=due, new_done_today=done_today
        )

    def due_forecast(self, days: int = 14) -> list[tuple[date, int]]:
        """How many questions fall due on each of the next ``days`` local days (today first;
        today's count includes what is overdue)."""
        today = self.today()
        counts = dict.fromkeys((today + timedelta(days=n) for n in range(days)), 0)
        for card in self.cards().values():
            due = due_at(card)
            if due is None:
                continue
            day = max(local_day(due, self.tz), today)
            if day in counts:
                counts[day] += 1
        return sorted(counts.items())

    def weakest_sections(self, count: int = 5) -> list[tuple[Section, float, int]]:
        """The sections with the lowest share of right latest answers (with at least one
        answer): (section, share right, answered), weakest first."""
        rows = []
        for section in self._corpus.sections():
            if section.level == 1:
                continue
            ids = [q.id for q in section.questions]
            answered = [self._state.progress[q] for q in ids if q in self._state.progress]
            if answered:
                share = sum(p.latest_correct for p in answered) / len(answered)
                rows.append((share, -len(answered), section.id, section))
        rows.sort(key=lambda row: (row[0], row[1], row[2]))
        return [(section, share, -neg) for share, neg, _, section in rows[:count]]

    def daily_activity(self, days: int = 30) -> list[tuple[date, int, int]]:
        """Answers and right answers on each of the last ``days`` local days, oldest first.

        Reads the whole answer history: call it off the UI thread."""
        store = self._store
        today = self.today()
        start = today - timedelta(days=days - 1)
        tally = {start + timedelta(days=n): [0, 0] for n in range(days)}
        if store is not None:
            with self._store_lock:  # not while a save (or a restore) changes the history
                answers = list(store.iter_answers())
            for answer in answers:
                try:
                    day = local_day(datetime.fromisoformat(answer.answered_at), self.tz)
                except ValueError:
                    continue
                if day in tally:
                    tally[day][0] += 1
                    tally[day][1] += int(answer.correct)
        return [(day, n, right) for day, (n, right) in sorted(tally.items())]

    # ----------------------------------------------------------------- review

    def cards(self) -> dict[str, Mapping[str, Any] | None]:
        """question or flashcard id -> its review card (None: answered before scheduling
        existed); an edited flashcard has its old card under its new id too."""
        cards = {qid: p.scheduling for qid, p in self._state.progress.items()}
        for new, old in self.card_aliases().items():
            cards.setdefault(new, cards.get(old))
        return cards

    def _answered(self) -> set[str]:
        """Ids with progress, edited flashcards included under their new id."""
        return set(self._state.progress) | set(self.card_aliases())

    def end_of_today(self) -> datetime:
        return end_of_local_day(self.clock(), self.tz)

    def new_per_day(self) -> int:
        """New questions a day: the setting (20 by default), or more when the exam date's
        plan needs more to meet every question in time."""
        plan = self.plan()
        needed = (
            plan.new_today
            + review.introduced_on(
                {q: p.first_at for q, p in self._state.progress.items() if p.first_at},
                self.clock(),
                self.tz,
            )
            if plan is not None
            else 0
        )
        return max(self._new_per_day_setting(), needed)

    def _new_per_day_setting(self) -> int:
        value = self.setting(NEW_PER_DAY_KEY)
        return (
            value
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0
            else (DEFAULT_NEW_PER_DAY)
        )

    def review_counts(self) -> review.Counts:
        """Due today, new questions left today, leeches (over the notes' questions)."""
        ids = self.reviewable_ids()
        firsts = {q: p.first_at for q, p in self._state.progress.items() if p.first_at}
        return review.counts(
            ids,
            self.cards(),
            firsts,
            self.clock(),
            self.end_of_today(),
            self.new_per_day(),
            self.tz,
        )

    def review_queue(self) -> list[str]:
        """What review mode asks next: due questions (most overdue first), then new ones up
        to the day's limit."""
        ids = self.reviewable_ids()
        firsts = {q: p.first_at for q, p in self._state.progress.items() if p.first_at}
        left = review.new_left(firsts, self.clock(), self.new_per_day(), self.tz)
        return review.review_queue(ids, self.cards(), self._answered(), self.end_of_today(), left)

    def practice_set(self, name: str, count: int | None = None) -> list[Question]:
        """The questions of a practice set (see ``domain.review.practice_set``), shuffled
        anew each day; ``PracticeSetError`` for a name that means nothing."""
        sections = {b.target_id for b in self.bookmarks if b.kind == "section"}
        sections |= {b.section_id for b in self.bookmarks if b.kind == "item"}
        return review.practice_set(
            self._corpus,
            name,
            results=self.results,
            bookmarked_sections=sections,
            flagged=self.flagged,
            leech_ids=self.leeches(),
            count=count,
            seed=f"{name}:{self.clock().date().isoformat()}",
        )

    def due_list(self) -> list[tuple[str, datetime]]:
        """The questions due by the end of today, most overdue first, with their due time."""
        cards = self.cards()
        ids = review.due_questions(self.reviewable_ids(), cards, self.end_of_today())
        return [(qid, due) for qid in ids if (due := due_at(cards.get(qid))) is not None]

    def review_total(self) -> int:
        """Every answer ever recorded (the length of the history)."""
        store = self._store
        return store.answer_count() if store is not None else 0

    def leeches(self) -> list[str]:
        return review.leeches(self.reviewable_ids(), self.cards())

    def next_review(self, question_id: str) -> str | None:
        """When a question comes back, in words ("again in 10 min", "in 3 days")."""
        known = self._state.progress.get(question_id) or self.card_progress(question_id)
        due = due_at(known.scheduling) if known is not None else None
        return describe_interval(due, self.clock()) if due is not None else None

    def _section_of(self, question_id: str) -> str:
        found = self._corpus.question(question_id) or self._corpus.card(question_id)
        return found.section_id if found is not None else ""

    def set_bookmark(self, target_id: str, on: bool) -> bool:
        """Bookmark (``on``) or un-bookmark a target: an intent, never a toggle, so two
        sessions pressing ``b`` on the same thing agree. False if there is nothing to
        bookmark (a target not in the notes)."""
        target_id = self._bookmark_target(target_id)
        location = self.locate(target_id)
        section = location.section
        if not on:
            known = self._state.bookmarks.get(target_id)
            where = known.section_id if known else section.id if section else ""
            self._submit(
                _Write(
                    "the bookmark",
                    lambda state: replace(
                        state,
                        bookmarks={t: b for t, b in state.bookmarks.items() if t != target_id},
                    ),
                    lambda store: store.remove_bookmark(target_id),
                    frozenset({where}),
                )
            )
            return True
        if section is None:
            return False
        mark = Bookmark(
            target_id=target_id,
            kind=location.kind,
            chapter_id=section.chapter_id,
            section_id=section.id,
            label=location.label,
            comment="",
            created_at=self._now(),
            text=location.item.text if location.item is not None else "",
        )

        def apply(state: _State) -> _State:
            if target_id in state.bookmarks:
                return state
            return replace(state, bookmarks={**state.bookmarks, target_id: mark})

        def write(store: Store) -> object:
            return store.add_bookmark(
                target_id=target_id,
                kind=mark.kind,
                chapter_id=mark.chapter_id,
                section_id=mark.section_id,
                label=mark.label,
                text=mark.text,
            )

        self._submit(_Write("the bookmark", apply, write, frozenset({section.id})))
        return True

    def set_bookmark_comment(self, target_id: str, comment: str) -> bool:
        """Set a bookmark's comment; False if it is not bookmarked."""
        target_id = self._bookmark_target(target_id)
        if target_id not in self.bookmarked:
            return False

        def apply(state: _State) -> _State:
            mark = state.bookmarks.get(target_id)
            if mark is None:
                return state
            return replace(
                state, bookmarks={**state.bookmarks, target_id: replace(mark, comment=comment)}
            )

        self._submit(
            _Write(
                "the comment", apply, lambda store: store.set_bookmark_comment(target_id, comment)
            )
        )
        return True

    def set_setting(self, key: str, value: JSONValue) -> bool:
        """Remember a setting; False (and nothing queued) when it is unchanged or the data
        file is read-only: settings are preferences, not the learner's work."""
        if not self.writable or self.setting(key) == value:
            return False
        self._submit(
            _Write(
                "your settings",
                lambda state: replace(state, settings={**state.settings, key: value}),
                lambda store: store.set_setting(key, value),
            )
        )
        return True

    @property
    def flagged(self) -> frozenset[str]:
        """The ids of the questions the learner flagged (``f``)."""
        return frozenset(b.target_id for b in self.bookmarks if b.kind == "question")

    def set_position(self, section_id: str) -> None:
        """Note the section on screen (in memory; ``save_position`` writes it)."""
        self._position = section_id

    def save_position(self) -> bool:
        """Queue a write of the section on screen, if it changed since the last one."""
        return self._position is not None and self.set_setting(POSITION_KEY, self._position)

    # ----------------------------------------------------------------- writing

    def run_pending(self) -> list[SaveFailure]:
        """Write every queued change, in order; returns the ones that failed.

        Blocks (the lock, then each write): run it in a worker thread. Runners in several
        threads take turns, so the order of the changes is kept.
        """
        with self._store_lock:
            return self._drain()

    def flush(self, timeout: float = 5.0) -> list[SaveFailure]:
        """Write what is pending now (at exit), waiting at most ``timeout`` seconds for a
        write already running in another thread."""
        if not self._store_lock.acquire(timeout=max(timeout, 0.0)):
            count = self.pending
            if not count:
                return []
            busy = SaveFailure(
                "your changes",
                f"{count} change(s) could not be saved: "
                f"the data file was still busy after {timeout:g} seconds.",
            )
            with self._state_lock:
                self._unreported.append(busy)
            return [busy]
        try:
            return self._drain()
        finally:
            self._store_lock.release()

    def take_failures(self) -> list[SaveFailure]:
        """The failures of every run or flush since the last call (whichever thread ran it),
        so that the UI reports each one once."""
        with self._state_lock:
            failures, self._unreported = self._unreported, []
        return failures

    def refresh(self) -> bool:
        """Pick up what another session saved; True when anything a screen shows changed.

        Costs one stat when the file did not change. Skipped (False) while a write is
        running: the next refresh will see it. ``StoreError``s propagate.
        """
        store = self._store
        if store is None or not self._store_lock.acquire(blocking=False):
            return False
        try:
            if not (self._stale or store.changed()):
                return False
            return self._install(store, store.snapshot())
        finally:
            self._store_lock.release()

    # ----------------------------------------------------------------- internals

    def _now(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="microseconds")

    def _submit(self, change: _Write) -> None:
        with self._state_lock:
            if self.writable:  # else the write fails and says why; nothing to show
                self._state = change.apply(self._state)
            # The first queued write may be running: only a later one is replaced.
            if (
                change.key is not None
                and len(self._queue) >= 2
                and self._queue[-1].key == change.key
            ):
                self._queue[-1] = change
            else:
                self._queue.append(change)
        if self.on_queued is not None:
            self.on_queued(change.sections)

    def _drain(self) -> list[SaveFailure]:
        """Write the queue, oldest first (``_store_lock`` held)."""
        failures: list[SaveFailure] = []
        while True:
            with self._state_lock:
                if not self._queue:
                    break
                change = self._queue[0]
            failure = self._write(change)
            with self._state_lock:
                self._queue.popleft()
            if failure is not None:
                failures.append(failure)
        if failures:
            failures.extend(self._reload())
            with self._state_lock:
                self._unreported.extend(failures)
        return failures

    def _write(self, change: _Write) -> SaveFailure | None:
        store = self._store
        if store is None:
            return SaveFailure(
                change.what, f"Your data file is not open, so {change.what} was not saved."
            )
        try:
            change.write(store)
        except Exception as exc:  # whatever it is, the learner hears of it; no traceback
            return SaveFailure(change.what, f"Could not save {change.what}: {exc}")
        finally:
            # The store now caches the file it wrote, which may hold another session's
            # changes too, so ``changed()`` will not tell: reload at the next refresh.
            self._stale = True
        return None

    def _reload(self) -> list[SaveFailure]:
        """After a failed write: show what is on disk (``_store_lock`` held)."""
        store = self._store
        if store is None:
            return []
        try:
            self._install(store, store.snapshot())
        except Exception as exc:
            return [SaveFailure("", f"Could not read the data file again: {exc}")]
        return []

    def _install(self, store: Store, snapshot: StoreSnapshot) -> bool:
        """Show ``snapshot`` plus the writes still queued; True if anything visible changed."""
        # Labels and comments come from the data file, which may have been edited by hand:
        # as untrusted as notes, so no control character reaches the terminal.
        marks = {b.target_id: _clean_bookmark(b) for b in snapshot.bookmarks}
        exams = {}
        for data in snapshot.exams:
            exam = ExamState.from_data(data)
            if exam is not None:
                exams[exam.id] = exam
        disk = _State(marks, snapshot.progress, dict(snapshot.settings), exams)
        with self._state_lock:
            before = self._state.visible()
            state = disk
            if not store.read_only:
                for change in self._queue:
                    state = change.apply(state)
            self._state = state
            self._stale = False
        return state.visible() != before
