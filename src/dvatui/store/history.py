"""The answer history: append-only segment files beside the data file.

A learner doing spaced review answers tens of thousands of times. Keeping every answer in the
main data file would make each save rewrite all of them, so answers live in a folder of
segment files (``<data file>.history/answers-000001.json``, ...), each a TinyDB JSON file of
at most ``SEGMENT_SIZE`` answers. Only the last segment (the tail) is ever rewritten, so
recording an answer costs the same after 100,000 answers as after ten. Full segments never
change again, which lets a backup hard-link them instead of copying.

The main data file records how far the history goes (``HistoryState``). A segment is written
*before* the main file, so a crash between the two leaves answers in the history that the
main file does not count yet; ``pending_after`` finds them and the store folds them in under
its lock. Nothing here takes the lock: the store does.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct

from dvatui.store.records import Answer
from dvatui.store.storage import (
    SCHEMA_VERSION,
    CorruptStoreError,
    Meta,
    StoreReadError,
    atomic_write_bytes,
    encode_store,
    parse_store_bytes,
    utc_now_iso,
)

#: Answers per segment file: ~100 KiB of JSON, a few milliseconds to rewrite.
SEGMENT_SIZE = 500
HISTORY_SUFFIX = ".history"
ANSWERS_TABLE = "answers"
_SEGMENT = re.compile(r"answers-([0-9]{6})\.json\Z")


def segment_name(number: int) -> str:
    return f"answers-{number:06d}.json"


def default_folder_name(db_name: str) -> str:
    return db_name + HISTORY_SUFFIX


class HistoryState(Struct, frozen=True):
    """Where the history stands, as the main data file records it."""

    #: The history folder's name, beside the data file.
    folder: str
    #: How many segment files hold answers (the last one is the tail); 0 = no answers yet.
    segments: int = 0
    #: Answers in the tail segment.
    tail_count: int = 0
    #: Answers in all segments.
    total: int = 0

    def to_doc(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "segments": self.segments,
            "tail_count": self.tail_count,
            "total": self.total,
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any] | None, default_folder: str) -> HistoryState:
        """The state a main file records (a missing or odd record means no history yet)."""
        if not doc:
            return cls(default_folder)
        folder = doc.get("folder")
        numbers = [doc.get(name) for name in ("segments", "tail_count", "total")]
        counts = [n for n in numbers if isinstance(n, int) and _count(n)]
        if not _safe_folder(folder) or len(counts) != 3:
            return cls(default_folder)
        return cls(str(folder), counts[0], counts[1], counts[2])


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _safe_folder(value: object) -> bool:
    return (
        isinstance(value, str)
        and bool(value)
        and "/" not in value
        and "\\" not in value
        and value not in (".", "..")
        and not value.startswith(".")
    )


def new_answer_id() -> str:
    """A fresh, unique answer id."""
    return uuid.uuid4().hex


# --------------------------------------------------------------------------- documents


def answer_to_doc(a: Answer) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": a.id,
        "question_id": a.question_id,
        "section_id": a.section_id,
        "chapter_id": a.chapter_id,
        "chosen": list(a.chosen),
        "correct": a.correct,
        "answered_at": a.answered_at,
    }
    if a.rating is not None:
        doc["rating"] = a.rating
    if a.card is not None:
        doc["card"] = dict(a.card)
    if a.chosen_ids:
        doc["chosen_ids"] = list(a.chosen_ids)
    if a.text:
        doc["text"] = a.text
    return doc


def answer_from_doc(doc: Mapping[str, Any]) -> Answer | None:
    """An answer document as an ``Answer``; None for one that does not convert."""
    texts = [doc.get(n) for n in ("id", "question_id", "section_id", "chapter_id", "answered_at")]
    chosen = doc.get("chosen")
    correct = doc.get("correct")
    if not all(isinstance(v, str) for v in texts) or not isinstance(correct, bool):
        return None
    if not isinstance(chosen, list) or not all(is_choice(c) for c in chosen):
        return None
    answer_id, question_id, section_id, chapter_id, answered_at = (str(v) for v in texts)
    if not answer_id or not question_id:
        return None
    rating, card, chosen_ids = doc.get("rating"), doc.get("card"), doc.get("chosen_ids", [])
    if rating is not None and (not is_choice(rating) or not 1 <= rating <= 4):
        return None
    if card is not None and not isinstance(card, dict):
        return None
    if not isinstance(chosen_ids, list) or not all(isinstance(c, str) for c in chosen_ids):
        return None
    return Answer(
        question_id=question_id,
        section_id=section_id,
        chapter_id=chapter_id,
        chosen=tuple(chosen),
        correct=correct,
        answered_at=answered_at,
        id=answer_id,
        rating=rating,
        card=card,
        chosen_ids=tuple(chosen_ids),
        text=text if isinstance(text := doc.get("text"), str) else "",
    )


def is_choice(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# --------------------------------------------------------------------------- segment files


def segment_path(history_dir: Path, number: int) -> Path:
    return history_dir / segment_name(number)


def read_segment(path: Path) -> list[Answer]:
    """The answers of one segment file, in the order appended ([] if the file is missing).

    A damaged segment raises ``CorruptStoreError`` naming the segment file.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StoreReadError.from_oserror(exc) from exc
    _, tables = parse_store_bytes(raw, path)
    table = tables.get(ANSWERS_TABLE, {})
    ordered = sorted(table.items(), key=lambda pair: int(pair[0]))
    answers: list[Answer] = []
    for doc_id, doc in ordered:
        answer = answer_from_doc(doc)
        if answer is None:
            raise CorruptStoreError(
                path, f"answer {doc_id} is not a well-formed answer record", raw=raw
            )
        answers.append(answer)
    return answers


def write_segment(path: Path, answers: list[Answer], *, writer: str) -> None:
    """Replace (or create) one segment file with ``answers``, crash-safely."""
    table = {str(i): answer_to_doc(a) for i, a in enumerate(answers, start=1)}
    meta = Meta(SCHEMA_VERSION, len(answers), utc_now_iso("seconds"), writer)
    atomic_write_bytes(path, encode_store({ANSWERS_TABLE: table}, meta))


def ensure_folder(path: Path) -> None:
    """Create the history folder (mode 0700) if it is missing."""
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        if not path.is_dir() or path.is_symlink():
            raise NotADirectoryError(
                20, "the history path exists and is not a folder", str(path)
            ) from None


def append(
    history_dir: Path, state: HistoryState, answers: list[Answer], *, writer: str
) -> HistoryState:
    """Append ``answers`` to the history (tail first, then new segments); return the new state.

    Each touched segment is replaced atomically; the caller then records the returned state
    in the main file. On a crash in between, ``pending_after(state)`` finds what was written.
    """
    if not answers:
        return state
    ensure_folder(history_dir)
    segments, tail_count = state.segments, state.tail_count
    left = list(answers)
    while left:
        if segments == 0 or tail_count >= SEGMENT_SIZE:
            segments, tail_count = segments + 1, 0
            current: list[Answer] = []
        else:
            current = read_segment(segment_path(history_dir, segments))[:tail_count]
        room = SEGMENT_SIZE - tail_count
        current.extend(left[:room])
        left = left[room:]
        write_segment(segment_path(history_dir, segments), current, writer=writer)
        tail_count = len(current)
    return HistoryState(state.folder, segments, tail_count, state.total + len(answers))


def pending_after(history_dir: Path, state: HistoryState) -> tuple[list[Answer], HistoryState]:
    """Answers on disk beyond what ``state`` counts (left by a crash), and the true state."""
    found: list[Answer] = []
    segments, tail_count = state.segments, state.tail_count
    if segments:
        tail = read_segment(segment_path(history_dir, segments))
        found.extend(tail[tail_count:])
        tail_count = max(tail_count, len(tail))
    while segment_path(history_dir, segments + 1).exists():
        segments += 1
        more = read_segment(segment_path(history_dir, segments))
        found.extend(more)
        tail_count = len(more)
    true_state = HistoryState(state.folder, segments, tail_count, state.total + len(found))
    return found, true_state


def iter_answers(history_dir: Path, state: HistoryState) -> Iterator[Answer]:
    """Every answer the state counts, oldest segment first."""
    for number in range(1, state.segments + 1):
        answers = read_segment(segment_path(history_dir, number))
        if number == state.segments:
            answers = answers[: state.tail_count]
        yield from answers


def write_all(history_dir: Path, answers: list[Answer], *, writer: str) -> HistoryState:
    """Write a whole new history into an empty or missing folder (migration, restore)."""
    ensure_folder(history_dir)
    return append(history_dir, HistoryState(history_dir.name), answers, writer=writer)


def segment_files(history_dir: Path) -> list[tuple[int, Path]]:
    """The segment files in a folder, by number."""
    try:
        names = os.listdir(history_dir)
    except OSError:
        return []
    found = []
    for name in names:
        match = _SEGMENT.match(name)
        if match:
            found.append((int(match.group(1)), history_dir / name))
    return sorted(found)
