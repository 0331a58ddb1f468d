"""Upgrades of the data format, one step per version.

Each step changes the tables of a main file inside a locked transaction; the store writes the
result in one atomic rename after the original file has been kept byte for byte beside it
(``<name>.schema1-<UTC time>``). A crash before that rename leaves the old file in place, and
the next open simply upgrades again.

* Format 1 (dvatui 0.1): bookmarks, settings and every answer in the main file.
* Format 2: answers move to history segments; the main file gets one progress record per
  question (folded from the answers) and a ``history`` record; every bookmark and answer gets
  a stable id (derived from its content, so the same format-1 file upgraded on two machines
  gives the same ids and an export/import between them adds nothing twice).
"""

from __future__ import annotations

from pathlib import Path

from dvatui.store import history
from dvatui.store.documents import (
    BOOKMARKS,
    PROGRESS,
    V1_ANSWERS,
    Transaction,
    bookmark_from_doc,
    bookmark_to_doc,
    progress_to_doc,
    v1_answers_of,
)
from dvatui.store.records import Answer, fold_progress


def upgrade_v1(txn: Transaction, folder: Path, *, writer: str) -> list[Answer]:
    """Format 1 -> 2, in place on ``txn``; the answers are written to ``folder`` and
    returned (so that the store can rebuild each question's review card from them)."""
    answers = v1_answers_of(txn.tables)
    bookmarks = txn.tables.get(BOOKMARKS, {})
    for doc_id, doc in list(bookmarks.items()):
        mark = bookmark_from_doc(doc)
        if mark is not None:
            bookmarks[doc_id] = bookmark_to_doc(mark)
    txn.tables.pop(V1_ANSWERS, None)
    txn.history = history.write_all(folder, answers, writer=writer)
    txn.tables[PROGRESS] = {
        str(i): progress_to_doc(p) for i, p in enumerate(fold_progress(answers).values(), start=1)
    }
    txn.mark_changed()
    return answers
