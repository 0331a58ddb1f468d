"""Progress that travels: the ``dvatui-export`` document, and merging one into a store.

The document (``dvatui export PATH`` writes it, ``dvatui import PATH`` reads it)::

    {
      "format": "dvatui-export",
      "version": 1,
      "exported_at": "2026-12-05T10:15:00.123456+00:00",
      "app": "dvatui 0.2.0",
      "bookmarks": [{"id", "target_id", "kind", "chapter_id", "section_id", "label",
                     "comment", "created_at", "updated_at", "text"?}, ...],
      "answers":   [{"id", "question_id", "section_id", "chapter_id", "chosen", "correct",
                     "answered_at", "rating"?, "card"?, "chosen_ids"?, "text"?}, ...],
      "settings":  {"theme": "dva-night", ...},
      "exams":     [{"id", "started_at", "status", ...}, ...]   (optional: mock exams)
    }

Merging (``merge_*``, run by the store inside one locked transaction):

* answers: a union by ``id`` (two machines that studied apart end up with both histories);
* bookmarks: by ``target_id``; where both sides have one, the newer ``updated_at`` wins, and
  a comment is never dropped for an empty one;
* settings: keys this store does not have are added; its own values are kept;
* mock exams: the ones this store does not have (by ``id``) are added.

Importing the same document twice adds nothing. A malformed document raises
``ImportFormatError`` before anything is changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct, field
from msgspec.structs import replace

from dvatui.store import history
from dvatui.store.documents import (
    BOOKMARKS,
    EXAMS,
    SETTINGS,
    Transaction,
    bookmark_from_doc,
    bookmark_to_doc,
    next_doc_id,
    settings_of,
)
from dvatui.store.records import Answer, Bookmark
from dvatui.store.storage import MAX_DEPTH, StoreError

FORMAT = "dvatui-export"
VERSION = 1


class ImportFormatError(StoreError):
    """A file given to ``dvatui import`` is not a dvatui export. Nothing was changed."""

    def __init__(self, path: Path | None, problem: str) -> None:
        super().__init__(str(path), problem)
        self.path = path
        self.problem = problem

    def __str__(self) -> str:
        where = f"{self.path}" if self.path is not None else "the document"
        return (
            f"dvatui cannot import {where}: {self.problem}. Nothing was changed. Give it a"
            " file written by `dvatui export`."
        )


class ExportData(Struct, frozen=True):
    """A validated export document."""

    bookmarks: list[Bookmark]
    answers: list[Answer]
    settings: dict[str, Any]
    #: Mock exams (their JSON documents); optional in the document.
    exams: list[dict[str, Any]] = field(default_factory=list)


def build_export(
    bookmarks: Iterable[Bookmark],
    answers: Iterable[Answer],
    settings: Mapping[str, Any],
    *,
    exported_at: str,
    app: str,
    exams: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": exported_at,
        "app": app,
        "bookmarks": [bookmark_to_doc(b) for b in bookmarks],
        "answers": [history.answer_to_doc(a) for a in answers],
        "settings": dict(settings),
        "exams": [dict(e) for e in exams],
    }


def read_export_file(path: Path) -> ExportData:
    """Read and validate an export file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ImportFormatError(path, "it is not UTF-8 text") from None
    except OSError as exc:
        raise ImportFormatError(path, f"it cannot be read ({exc.strerror or exc})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            path, f"it is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except (ValueError, RecursionError):
        raise ImportFormatError(path, "it is not valid JSON") from None
    return parse_export(document, path)


def parse_export(document: object, path: Path | None = None) -> ExportData:
    """Validate an export document; ``ImportFormatError`` says what is wrong and where."""

    def bad(problem: str) -> ImportFormatError:
        return ImportFormatError(path, problem)

    if not isinstance(document, dict):
        raise bad("it is not a JSON object")
    if document.get("format") != FORMAT:
        raise bad(f'its "format" is not "{FORMAT}"')
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise bad('its "version" is missing or not a whole number')
    if version > VERSION:
        raise bad(f"it was written by a newer dvatui (export version {version}); upgrade dvatui")
    marks, answers, settings = (document.get(k) for k in ("bookmarks", "answers", "settings"))
    if not isinstance(marks, list) or not isinstance(answers, list):
        raise bad('"bookmarks" and "answers" must be lists')
    if settings is None:
        settings = {}
    if not isinstance(settings, dict):
        raise bad('"settings" must be an object')
    bookmarks: list[Bookmark] = []
    for i, doc in enumerate(marks):
        mark = bookmark_from_doc(doc) if isinstance(doc, dict) else None
        if mark is None or not isinstance(doc.get("id"), str):
            raise bad(f"bookmarks[{i}] is not a complete bookmark record")
        bookmarks.append(mark)
    parsed: list[Answer] = []
    for i, doc in enumerate(answers):
        answer = history.answer_from_doc(doc) if isinstance(doc, dict) else None
        if answer is None:
            raise bad(f"answers[{i}] is not a complete answer record")
        parsed.append(answer)
    for key, value in settings.items():
        if _depth(value) > MAX_DEPTH // 2:
            raise bad(f"setting {key[:60]!r} nests too deep")
    exams = document.get("exams", [])
    if not isinstance(exams, list):
        raise bad('"exams" must be a list')
    for i, exam in enumerate(exams):
        if not isinstance(exam, dict) or not isinstance(exam.get("id"), str) or not exam["id"]:
            raise bad(f"exams[{i}] is not a mock exam record")
        if _depth(exam) > MAX_DEPTH // 2:
            raise bad(f"exams[{i}] nests too deep")
    return ExportData(bookmarks, parsed, dict(settings), list(exams))


def _depth(value: object) -> int:
    stack: list[tuple[object, int]] = [(value, 0)]
    deepest = 0
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(current, dict):
            stack.extend((v, depth + 1) for v in current.values())
        elif isinstance(current, list):
            stack.extend((v, depth + 1) for v in current)
    return deepest


def new_answers(incoming: Iterable[Answer], known_ids: set[str]) -> list[Answer]:
    """The incoming answers not known yet (each id once), oldest first."""
    fresh: dict[str, Answer] = {}
    for answer in incoming:
        if answer.id not in known_ids and answer.id not in fresh:
            fresh[answer.id] = answer
    return sorted(fresh.values(), key=lambda a: (a.answered_at, a.id))


def merge_bookmarks(txn: Transaction, incoming: Iterable[Bookmark]) -> tuple[int, int]:
    """Merge bookmarks by target; returns (added, updated)."""
    table = txn.table(BOOKMARKS)
    by_target: dict[str, tuple[str, Bookmark]] = {}
    for doc_id, doc in table.items():
        mark = bookmark_from_doc(doc)
        if mark is not None:
            by_target.setdefault(mark.target_id, (doc_id, mark))
    added = updated = 0
    for theirs in incoming:
        found = by_target.get(theirs.target_id)
        if found is None:
            doc_id = next_doc_id(table)
            table[doc_id] = bookmark_to_doc(theirs)
            by_target[theirs.target_id] = (doc_id, theirs)
            added += 1
            continue
        doc_id, ours = found
        merged = _newer_bookmark(ours, theirs)
        if bookmark_to_doc(merged) != bookmark_to_doc(ours):
            table[doc_id] = bookmark_to_doc(merged)
            by_target[theirs.target_id] = (doc_id, merged)
            updated += 1
    if added or updated:
        txn.mark_changed()
    return added, updated


def _newer_bookmark(ours: Bookmark, theirs: Bookmark) -> Bookmark:
    if (theirs.updated_at, theirs.id) <= (ours.updated_at, ours.id):
        winner, other = ours, theirs
    else:
        winner, other = theirs, ours
    if not winner.comment and other.comment:
        winner = replace(winner, comment=other.comment)
    # Keep the local identity: the bookmark is the same one, changed.
    return replace(winner, id=ours.id, created_at=min(ours.created_at, theirs.created_at))


def merge_exams(txn: Transaction, incoming: Iterable[Mapping[str, Any]]) -> int:
    """Add the mock exams this store does not have (by id); returns how many."""
    table = txn.table(EXAMS)
    known = {doc.get("id") for doc in table.values()}
    added = 0
    for exam in incoming:
        if exam.get("id") not in known:
            table[next_doc_id(table)] = dict(exam)
            known.add(exam.get("id"))
            added += 1
    if added:
        txn.mark_changed()
    return added


def merge_settings(txn: Transaction, incoming: Mapping[str, Any]) -> int:
    """Add the settings this store does not have; returns how many."""
    table = txn.table(SETTINGS)
    have = settings_of(txn.tables)
    added = 0
    for key, value in incoming.items():
        if key not in have:
            table[next_doc_id(table)] = {"key": key, "value": value}
            added += 1
    if added:
        txn.mark_changed()
    return added
