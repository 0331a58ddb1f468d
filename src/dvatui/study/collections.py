"""One data file per notes collection, keyed by the notes root.

The shipped notes use the data file itself (``dvatui.json``); any other notes folder or file
gets its own, next to it: ``dvatui.json.collections/<name>-<hash>.json``, where the hash is
of the notes root's resolved path. A ``.root`` file beside it names the root, so that lists
of bookmarks can say which notes the other collections' bookmarks belong to and how to open
them. Textual-free.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shlex
from collections.abc import Callable
from pathlib import Path

from msgspec import Struct

from dvatui.domain.ids import slugify
from dvatui.domain.model import Corpus
from dvatui.paths import ensure_private_dir
from dvatui.store import Bookmark, ExportData, Store, StoreError

__all__ = [
    "Collection",
    "collection_db_path",
    "is_shipped",
    "other_collections",
    "remember_root",
    "take_over_from",
]

ROOT_SUFFIX = ".root"


def _resolved(path: Path) -> Path:
    try:
        return path.expanduser().resolve()
    except OSError:
        return path.expanduser().absolute()


def is_shipped(notes: Path, shipped: Path) -> bool:
    """True when ``notes`` is the shipped notes folder."""
    return _resolved(notes) == _resolved(shipped)


def collections_dir(base: Path) -> Path:
    """Where the other collections' data files live, next to ``base``."""
    return base.with_name(base.name + ".collections")


def collection_db_path(base: Path, notes: Path, shipped: Path) -> Path:
    """The data file for the notes at ``notes``: ``base`` for the shipped notes, else one of
    its own (see the module docstring)."""
    if is_shipped(notes, shipped):
        return base
    root = _resolved(notes)
    digest = hashlib.sha1(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:10]
    name = slugify(root.stem if root.is_file() else root.name)[:40]
    return collections_dir(base) / f"{name}-{digest}.json"


def remember_root(db: Path, notes: Path) -> None:
    """Write (once) which notes root a collection's data file belongs to."""
    marker = db.with_name(db.name + ROOT_SUFFIX)
    text = str(_resolved(notes)) + "\n"
    with contextlib.suppress(OSError):
        if marker.exists() and marker.read_text(encoding="utf-8") == text:
            return
        ensure_private_dir(db.parent)
        temp = marker.with_name(marker.name + ".tmp")
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, marker)


class Collection(Struct, frozen=True):
    """Another notes collection's data: where its notes are and its bookmarks."""

    root: str
    """The notes root ("the shipped notes" for the default data file)."""
    db: Path
    bookmarks: tuple[Bookmark, ...]

    @property
    def how_to_open(self) -> str:
        """The command that opens these notes."""
        if self.root == SHIPPED_NAME:
            return "dvatui"
        return f"dvatui --notes {shlex.quote(self.root)}"


SHIPPED_NAME = "the shipped notes"


def other_collections(base: Path, current: Path) -> list[Collection]:
    """The collections other than the one in ``current`` that have bookmarks (read-only)."""
    candidates: list[tuple[str, Path]] = []
    if current != base:
        candidates.append((SHIPPED_NAME, base))
    folder = collections_dir(base)
    with contextlib.suppress(OSError):
        for marker in sorted(folder.glob("*.json" + ROOT_SUFFIX)):
            db = marker.with_name(marker.name[: -len(ROOT_SUFFIX)])
            if db == current:
                continue
            with contextlib.suppress(OSError):
                candidates.append((marker.read_text(encoding="utf-8").strip(), db))
    found = []
    for root, db in candidates:
        if not db.exists():
            continue
        try:
            marks = tuple(Store.open(db, read_only=True).bookmarks())
        except (StoreError, OSError):
            continue
        if marks:
            found.append(Collection(root, db, marks))
    return found


def take_over_from(
    base: Path,
    db: Path,
    corpus: Corpus,
    opener: Callable[..., Store] = Store.open,
) -> int:
    """Before a collection's data file first exists: copy in the bookmarks and answers of
    these notes that older versions kept in the shared data file (they stay there too).
    Returns how many records were copied; nothing happens when ``db`` exists already.
    """
    if db.exists() or not base.exists():
        return 0
    try:
        document = opener(base, read_only=True)
        bookmarks = [b for b in document.bookmarks() if _in(corpus, b.target_id)]
        answers = [a for a in document.iter_answers() if _in(corpus, a.question_id)]
    except (StoreError, OSError):
        return 0
    if not bookmarks and not answers:
        return 0
    opener(db).import_document(ExportData(bookmarks=bookmarks, answers=answers, settings={}))
    return len(bookmarks) + len(answers)


def _in(corpus: Corpus, target_id: str) -> bool:
    return (
        corpus.question(target_id) is not None
        or corpus.card(target_id) is not None
        or corpus.item(target_id) is not None
        or corpus.section(target_id) is not None
    )
