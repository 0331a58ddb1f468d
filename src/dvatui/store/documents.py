"""How bookmarks, settings, progress and the history's state look inside the main data file.

The only place that converts between the file's JSON documents and the record types. A
document that does not convert (hand-edited, or written by a newer dvatui) is skipped by
reads, not fatal. Shared by the store and by its migrations, backups and export/import.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from msgspec import Struct, field

from dvatui.store import history
from dvatui.store.history import HistoryState
from dvatui.store.records import (
    BOOKMARK_KINDS,
    Answer,
    Bookmark,
    QuestionProgress,
)
from dvatui.store.storage import Tables

BOOKMARKS = "bookmarks"
SETTINGS = "settings"
PROGRESS = "progress"
HISTORY = "history"
#: Mock exams (domain/exam.py's JSON documents), one document each.
EXAMS = "exams"
#: Data format 1 kept every answer in the main file, in this table.
V1_ANSWERS = "answers"


def stable_id(*parts: str) -> str:
    """A deterministic id from ``parts`` (records migrated from data format 1)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def bookmark_to_doc(b: Bookmark) -> dict[str, Any]:
    return {
        "id": b.id,
        "target_id": b.target_id,
        "kind": b.kind,
        "chapter_id": b.chapter_id,
        "section_id": b.section_id,
        "label": b.label,
        "comment": b.comment,
        "created_at": b.created_at,
        "updated_at": b.updated_at,
        **({"text": b.text} if b.text else {}),
    }


def bookmark_from_doc(doc: Mapping[str, Any]) -> Bookmark | None:
    names = ("target_id", "kind", "chapter_id", "section_id", "label", "comment", "created_at")
    values = [doc.get(name) for name in names]
    if not all(isinstance(v, str) for v in values) or doc.get("kind") not in BOOKMARK_KINDS:
        return None
    target_id, kind, chapter_id, section_id, label, comment, created_at = (str(v) for v in values)
    if not target_id:
        return None
    mark_id = doc.get("id")
    updated_at = doc.get("updated_at")
    return Bookmark(
        target_id=target_id,
        kind="section" if kind == "section" else "question" if kind == "question" else "item",
        chapter_id=chapter_id,
        section_id=section_id,
        label=label,
        comment=comment,
        created_at=created_at,
        id=mark_id if isinstance(mark_id, str) and mark_id else stable_id(target_id, created_at),
        updated_at=updated_at if isinstance(updated_at, str) and updated_at else created_at,
        text=text if isinstance(text := doc.get("text"), str) else "",
    )


def progress_to_doc(p: QuestionProgress) -> dict[str, Any]:
    return {
        "question_id": p.question_id,
        "section_id": p.section_id,
        "chapter_id": p.chapter_id,
        "attempts": p.attempts,
        "correct_attempts": p.correct_attempts,
        "latest_correct": p.latest_correct,
        "latest_chosen": list(p.latest_chosen),
        "latest_at": p.latest_at,
        "latest_answer_id": p.latest_answer_id,
        "scheduling": copy.deepcopy(dict(p.scheduling)) if p.scheduling is not None else None,
        "first_at": p.first_at,
        **({"text": p.text} if p.text else {}),
    }


def progress_from_doc(doc: Mapping[str, Any]) -> QuestionProgress | None:
    texts = [
        doc.get(n)
        for n in ("question_id", "section_id", "chapter_id", "latest_at", "latest_answer_id")
    ]
    counts = [doc.get("attempts"), doc.get("correct_attempts")]
    chosen = doc.get("latest_chosen")
    scheduling = doc.get("scheduling")
    if not all(isinstance(v, str) for v in texts) or not all(history.is_choice(c) for c in counts):
        return None
    if not isinstance(doc.get("latest_correct"), bool) or not isinstance(chosen, list):
        return None
    if not all(history.is_choice(c) for c in chosen):
        return None
    if scheduling is not None and not isinstance(scheduling, dict):
        return None
    question_id, section_id, chapter_id, latest_at, latest_answer_id = (str(v) for v in texts)
    return QuestionProgress(
        question_id=question_id,
        section_id=section_id,
        chapter_id=chapter_id,
        attempts=int(counts[0]),  # type: ignore[arg-type]
        correct_attempts=int(counts[1]),  # type: ignore[arg-type]
        latest_correct=bool(doc["latest_correct"]),
        latest_chosen=tuple(chosen),
        latest_at=latest_at,
        latest_answer_id=latest_answer_id,
        scheduling=MappingProxyType(scheduling) if scheduling is not None else None,
        first_at=first_at if isinstance(first_at := doc.get("first_at"), str) else latest_at,
        text=text if isinstance(text := doc.get("text"), str) else "",
    )


def ordered_docs(table: Mapping[str, Any]) -> list[tuple[int, Mapping[str, Any]]]:
    return sorted(((int(doc_id), doc) for doc_id, doc in table.items()), key=lambda p: p[0])


def bookmarks_of(tables: Tables) -> list[Bookmark]:
    seen: set[str] = set()
    marks: list[tuple[str, int, Bookmark]] = []
    for doc_id, doc in ordered_docs(tables.get(BOOKMARKS, {})):
        mark = bookmark_from_doc(doc)
        if mark is not None and mark.target_id not in seen:
            seen.add(mark.target_id)
            marks.append((mark.created_at, doc_id, mark))
    return [mark for _, _, mark in sorted(marks, key=lambda m: (m[0], m[1]))]


def settings_of(tables: Tables) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for _, doc in ordered_docs(tables.get(SETTINGS, {})):
        key = doc.get("key")
        if isinstance(key, str) and "value" in doc:
            settings[key] = doc["value"]
    return settings


ProgressMemo = dict[tuple[Any, ...], QuestionProgress]
_MEMO_FIELDS = (
    "question_id",
    "section_id",
    "chapter_id",
    "attempts",
    "correct_attempts",
    "latest_correct",
    "latest_at",
    "latest_answer_id",
    "first_at",
)


def _memo_key(doc: Mapping[str, Any]) -> tuple[Any, ...]:
    chosen = doc.get("latest_chosen")
    scheduling = doc.get("scheduling")
    return (
        *(doc.get(name) for name in _MEMO_FIELDS),
        tuple(chosen) if isinstance(chosen, list) else chosen,
        json.dumps(scheduling, sort_keys=True) if scheduling is not None else None,
    )


def progress_of(tables: Tables, memo: ProgressMemo | None = None) -> dict[str, QuestionProgress]:
    """question id -> progress. ``memo`` keeps converted records between versions of the
    file, so a new version costs a conversion only for the records that changed."""
    result: dict[str, QuestionProgress] = {}
    fresh: ProgressMemo = {}
    for _, doc in ordered_docs(tables.get(PROGRESS, {})):
        key = _memo_key(doc)
        record = memo.get(key) if memo is not None else None
        if record is None:
            record = progress_from_doc(doc)
        if record is not None:
            result[record.question_id] = record
            fresh[key] = record
    if memo is not None:
        memo.clear()
        memo.update(fresh)
    return result


def v1_answers_of(tables: Tables) -> list[Answer]:
    """The answers of a data-format-1 file, with the stable ids they get on migration."""
    answers = []
    for _, doc in ordered_docs(tables.get(V1_ANSWERS, {})):
        if not isinstance(doc.get("id"), str):
            doc = {**doc, "id": _v1_answer_id(doc)}
        answer = history.answer_from_doc(doc)
        if answer is not None:
            answers.append(answer)
    return answers


def _v1_answer_id(doc: Mapping[str, Any]) -> str:
    fields = ("question_id", "answered_at", "chosen", "correct", "section_id")
    return stable_id(*(json.dumps(doc.get(name), sort_keys=True) for name in fields))


def history_state_of(tables: Tables, db_name: str) -> HistoryState:
    docs = [doc for _, doc in ordered_docs(tables.get(HISTORY, {}))]
    return HistoryState.from_doc(docs[-1] if docs else None, history.default_folder_name(db_name))


def next_doc_id(table: Mapping[str, Any]) -> str:
    return str(max((int(k) for k in table), default=0) + 1)


class Transaction(Struct):
    """The main file's tables inside one locked transaction, for operations to change."""

    tables: Tables
    history: HistoryState
    now: str
    #: The main file's bytes before the transaction (None for a new file).
    raw: bytes | None = None
    changed: bool = False
    #: Folders to remove once the main file no longer points at them.
    cleanup: list[Path] = field(default_factory=list)

    def table(self, name: str) -> dict[str, Any]:
        return self.tables.setdefault(name, {})

    def mark_changed(self) -> None:
        self.changed = True
