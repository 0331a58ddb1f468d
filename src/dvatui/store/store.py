"""The learner's data: bookmarks, answers and settings in one TinyDB JSON file.

Every change is one transaction: take the sidecar lock, open a *fresh* ``TinyDB`` on a
``SafeJSONStorage`` (so no query cache or cached next id survives another process's
writes), read, change, write atomically, release. A mutating method returns only once the
change is fsynced and renamed into place.

Reads take no lock (an atomic rename never exposes a half-written file) and always read the
file again, so they see other processes' writes; parsing is skipped when the bytes are the
same as last time.
"""

from __future__ import annotations

import copy
import errno
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, TypeAlias, TypeVar, cast

from platformdirs import user_data_dir
from tinydb import TinyDB
from tinydb.table import Document, Table

from dvatui import __version__
from dvatui.store.locking import DEFAULT_LOCK_TIMEOUT, store_lock
from dvatui.store.storage import (
    BACKUP_SUFFIX,
    LOCK_SUFFIX,
    SCHEMA_VERSION,
    CorruptStoreError,
    FutureSchemaError,
    Meta,
    ReadOnlyStoreError,
    SafeJSONStorage,
    StoreError,
    StoreReadError,
    StoreWriteError,
    Tables,
    atomic_write_bytes,
    encode_store,
    parse_store_bytes,
    peek_generation,
    preserve_copy,
    sweep_temp_files,
    utc_now_iso,
)

T = TypeVar("T")
R = TypeVar("R")

#: What ``set_setting`` accepts: anything ``json.dumps`` turns into strict JSON.
JSONValue: TypeAlias = (
    bool | int | float | str | Sequence["JSONValue"] | Mapping[str, "JSONValue"] | None
)
BookmarkKind: TypeAlias = Literal["section", "item"]
BOOKMARK_KINDS: tuple[BookmarkKind, ...] = ("section", "item")

APP_NAME = "dvatui"
DB_FILENAME = "dvatui.json"
DB_ENV_VAR = "DVATUI_DB"
DATA_DIR_MODE = 0o700
WRITER = f"dvatui {__version__}"

_BOOKMARKS = "bookmarks"
_ANSWERS = "answers"
_SETTINGS = "settings"


# --------------------------------------------------------------------------- paths


def default_db_path() -> Path:
    """``<user data dir>/dvatui.json``, e.g. ``~/.local/share/dvatui/dvatui.json``.

    Nothing is created here: the folder is made (mode 0700) on the first write.
    """
    return Path(user_data_dir(APP_NAME, appauthor=False)) / DB_FILENAME


def resolve_db_path(cli: str | os.PathLike[str] | None = None) -> Path:
    """The data file to use: ``--db`` if given, else ``$DVATUI_DB``, else the default.

    ``~`` is expanded and a relative path is made absolute; symlinks are kept (the store
    writes through them to their target).
    """
    for candidate in (cli, os.environ.get(DB_ENV_VAR)):
        if candidate is not None and os.fspath(candidate).strip():
            return Path(candidate).expanduser().absolute()
    return default_db_path()


def _ensure_directory(directory: Path) -> None:
    """Create ``directory`` and missing parents with mode 0700 (existing ones are left alone)."""
    if directory.is_dir():
        return
    missing: list[Path] = []
    current = directory
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    try:
        if not current.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(current))
        for folder in reversed(missing):
            try:
                folder.mkdir(mode=DATA_DIR_MODE)
            except FileExistsError:
                continue
            os.chmod(folder, DATA_DIR_MODE)
    except OSError as exc:
        raise StoreWriteError.from_oserror(exc) from exc


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class Bookmark:
    """A bookmarked section or item of the notes."""

    target_id: str
    kind: BookmarkKind
    chapter_id: str
    section_id: str
    label: str
    comment: str
    created_at: str  # ISO 8601, UTC


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer to one quiz question (every answer is kept, as history)."""

    question_id: str
    section_id: str
    chapter_id: str
    chosen: tuple[int, ...]
    correct: bool
    answered_at: str  # ISO 8601, UTC


@dataclass(frozen=True, slots=True)
class StoreSnapshot:
    """Everything the UI shows, from one read of the file."""

    bookmarks: tuple[Bookmark, ...]
    latest_answers: Mapping[str, Answer]
    settings: Mapping[str, Any]
    answer_count: int
    #: Increases by one with every write; equal generations mean equal data.
    generation: int
    read_only: bool
    _bookmarked: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    def is_bookmarked(self, target_id: str) -> bool:
        return target_id in self._bookmarked

    def bookmark(self, target_id: str) -> Bookmark | None:
        return next((b for b in self.bookmarks if b.target_id == target_id), None)

    def setting(self, key: str, default: T | None = None) -> T | Any:
        return copy.deepcopy(self.settings[key]) if key in self.settings else default


class NotBookmarkedError(StoreError, LookupError):
    """``set_bookmark_comment`` was called for something that is not bookmarked."""

    def __init__(self, target_id: str) -> None:
        super().__init__(target_id)
        self.target_id = target_id

    def __str__(self) -> str:
        return f"{self.target_id} is not bookmarked (any more), so its comment was not saved."


# --------------------------------------------------------------------------- converters
# The only place that knows how values look inside the file. A document that does not
# convert (hand-edited, or written by a newer dvatui) is skipped by reads, not fatal.


def _bookmark_to_doc(b: Bookmark) -> dict[str, Any]:
    return {
        "target_id": b.target_id,
        "kind": b.kind,
        "chapter_id": b.chapter_id,
        "section_id": b.section_id,
        "label": b.label,
        "comment": b.comment,
        "created_at": b.created_at,
    }


def _bookmark_from_doc(doc: Mapping[str, Any]) -> Bookmark | None:
    fields = ("target_id", "kind", "chapter_id", "section_id", "label", "comment", "created_at")
    values = [doc.get(name) for name in fields]
    if not all(isinstance(v, str) for v in values) or doc.get("kind") not in BOOKMARK_KINDS:
        return None
    target_id, kind, chapter_id, section_id, label, comment, created_at = cast(list[str], values)
    return Bookmark(
        target_id=target_id,
        kind=cast(BookmarkKind, kind),
        chapter_id=chapter_id,
        section_id=section_id,
        label=label,
        comment=comment,
        created_at=created_at,
    )


def _answer_to_doc(a: Answer) -> dict[str, Any]:
    return {
        "question_id": a.question_id,
        "section_id": a.section_id,
        "chapter_id": a.chapter_id,
        "chosen": list(a.chosen),
        "correct": a.correct,
        "answered_at": a.answered_at,
    }


def _answer_from_doc(doc: Mapping[str, Any]) -> Answer | None:
    texts = [doc.get(name) for name in ("question_id", "section_id", "chapter_id", "answered_at")]
    chosen = doc.get("chosen")
    correct = doc.get("correct")
    if not all(isinstance(v, str) for v in texts) or not isinstance(correct, bool):
        return None
    if not isinstance(chosen, list) or not all(_is_choice(c) for c in chosen):
        return None
    question_id, section_id, chapter_id, answered_at = cast(list[str], texts)
    return Answer(
        question_id=question_id,
        section_id=section_id,
        chapter_id=chapter_id,
        chosen=tuple(chosen),
        correct=correct,
        answered_at=answered_at,
    )


def _is_choice(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _ordered_docs(table: Mapping[str, Any]) -> list[tuple[int, Mapping[str, Any]]]:
    return sorted(((int(doc_id), doc) for doc_id, doc in table.items()), key=lambda p: p[0])


def _bookmarks_of(tables: Tables) -> list[Bookmark]:
    seen: set[str] = set()
    marks: list[tuple[str, int, Bookmark]] = []
    for doc_id, doc in _ordered_docs(tables.get(_BOOKMARKS, {})):
        mark = _bookmark_from_doc(doc)
        if mark is not None and mark.target_id not in seen:
            seen.add(mark.target_id)
            marks.append((mark.created_at, doc_id, mark))
    return [mark for _, _, mark in sorted(marks, key=lambda m: (m[0], m[1]))]


def _answers_of(tables: Tables) -> list[Answer]:
    found = (_answer_from_doc(doc) for _, doc in _ordered_docs(tables.get(_ANSWERS, {})))
    return [a for a in found if a is not None]


def _latest(answers: Sequence[Answer]) -> dict[str, Answer]:
    latest: dict[str, Answer] = {}
    for answer in answers:  # in the order they were recorded: the last one wins
        latest[answer.question_id] = answer
    return latest


def _settings_of(tables: Tables) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for _, doc in _ordered_docs(tables.get(_SETTINGS, {})):
        key = doc.get("key")
        if isinstance(key, str) and "value" in doc:
            settings[key] = doc["value"]
    return settings


def _json_text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False)


def _require_text(name: str, value: object, *, empty_ok: bool = False) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not empty_ok and not value:
        raise ValueError(f"{name} must not be empty")
    return value


def _docs_where(table: Table, key: str, value: str) -> list[Document]:
    return [doc for doc in table.all() if doc.get(key) == value]


# --------------------------------------------------------------------------- the store


class _Loaded:
    """One version of the file, parsed and converted once (reads are far more common)."""

    __slots__ = ("answers", "bookmarked", "bookmarks", "latest", "meta", "settings")

    def __init__(self, meta: Meta | None, tables: Tables) -> None:
        self.meta = meta
        self.bookmarks = tuple(_bookmarks_of(tables))
        self.bookmarked = frozenset(b.target_id for b in self.bookmarks)
        self.answers = tuple(_answers_of(tables))
        self.latest: Mapping[str, Answer] = MappingProxyType(_latest(self.answers))
        self.settings = _settings_of(tables)


class Store:
    """The learner's data file. Create it with ``Store.open`` (which validates the file)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        read_only: bool = False,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> None:
        self.path = Path(path).expanduser().absolute()
        #: The file really written: symlinks resolved once, at open.
        self.real_path = Path(os.path.realpath(self.path))
        self.lock_path = self.real_path.with_name(self.real_path.name + LOCK_SUFFIX)
        self.backup_path = self.real_path.with_name(self.real_path.name + BACKUP_SUFFIX)
        self.read_only = read_only
        self.lock_timeout = lock_timeout
        #: The schema version of a newer file opened read-only, else None.
        self.future_version: int | None = None
        self._cache: tuple[bytes, _Loaded] | None = None

    def __repr__(self) -> str:
        mode = ", read_only=True" if self.read_only else ""
        return f"Store({str(self.path)!r}{mode})"

    # ----------------------------------------------------------------- opening

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        read_only: bool = False,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> Store:
        """Open and validate the data file (a missing file is a fresh, empty store).

        A corrupt file raises ``CorruptStoreError`` and a newer one ``FutureSchemaError``;
        both are first copied byte-for-byte beside the file (``.corrupt-<UTC time>`` /
        ``.future-<UTC time>``) and the file itself is never modified. With
        ``read_only=True`` a newer file opens for reading and every change raises
        ``ReadOnlyStoreError``. Opening for writing also removes temp files that a killed
        writer left behind.
        """
        store = cls(path, read_only=read_only, lock_timeout=lock_timeout)
        if read_only or not store.real_path.parent.is_dir():
            store._validate()
        else:
            with store_lock(store.lock_path, timeout=lock_timeout, db_path=store.path):
                sweep_temp_files(store.real_path, older_than=0.0)
                store._validate()
        return store

    def _validate(self) -> None:
        loaded = self._load()
        if loaded.meta is not None and loaded.meta.schema_version > SCHEMA_VERSION:
            self.future_version = loaded.meta.schema_version

    def _preserve(self, exc: CorruptStoreError | FutureSchemaError) -> None:
        """Keep a byte-exact copy of the file an error is about, and say where in the error."""
        if isinstance(exc, CorruptStoreError) and self.backup_path.exists():
            exc.previous_path = self.backup_path
        if exc.raw is None or exc.backup_path is not None:
            return
        kind = "corrupt" if isinstance(exc, CorruptStoreError) else "future"
        try:
            exc.backup_path = preserve_copy(self.real_path, exc.raw, kind)
        except OSError as os_exc:
            exc.backup_error = os_exc.strerror or str(os_exc)

    # ----------------------------------------------------------------- plumbing

    def _load(self) -> _Loaded:
        """The file's current content (lock-free; parsed again only if its bytes changed)."""
        try:
            raw = self.real_path.read_bytes()
        except FileNotFoundError:
            return _Loaded(None, {})
        except OSError as exc:
            raise StoreReadError.from_oserror(exc) from exc
        cached = self._cache
        if cached is not None and cached[0] == raw:
            return cached[1]
        try:
            meta, tables = parse_store_bytes(raw, self.path, allow_future=self.read_only)
        except (CorruptStoreError, FutureSchemaError) as exc:
            self._preserve(exc)
            raise
        loaded = _Loaded(meta, tables)
        self._cache = (raw, loaded)
        return loaded

    def _transact(self, operation: Callable[[TinyDB], R]) -> R:
        """Run ``operation`` on a fresh TinyDB while holding the lock; writes are on disk after."""
        if self.read_only:
            why = (
                f"it was saved by a newer dvatui, data format {self.future_version}"
                if self.future_version is not None
                else ""
            )
            raise ReadOnlyStoreError(self.path, why)
        _ensure_directory(self.real_path.parent)
        with store_lock(self.lock_path, timeout=self.lock_timeout, db_path=self.path):
            db = TinyDB(self.path, storage=SafeJSONStorage, stale_temp_seconds=0.0, writer=WRITER)
            try:
                return operation(db)
            except (CorruptStoreError, FutureSchemaError) as exc:
                self._preserve(exc)
                raise
            except StoreError:
                raise
            except OSError as exc:
                raise StoreWriteError.from_oserror(exc) from exc
            finally:
                db.close()

    # ----------------------------------------------------------------- bookmarks

    def bookmarks(self) -> list[Bookmark]:
        """All bookmarks, oldest first."""
        return list(self._load().bookmarks)

    def is_bookmarked(self, target_id: str) -> bool:
        return target_id in self._load().bookmarked

    def add_bookmark(
        self,
        *,
        target_id: str,
        kind: BookmarkKind,
        chapter_id: str,
        section_id: str,
        label: str,
        comment: str = "",
    ) -> Bookmark:
        """Bookmark ``target_id``; if it already is, return the existing bookmark unchanged."""
        fields = self._bookmark_fields(target_id, kind, chapter_id, section_id, label, comment)

        def operation(db: TinyDB) -> Bookmark:
            table = db.table(_BOOKMARKS)
            for doc in _docs_where(table, "target_id", target_id):
                existing = _bookmark_from_doc(doc)
                if existing is not None:
                    return existing
            mark = Bookmark(**fields, created_at=utc_now_iso())
            table.insert(_bookmark_to_doc(mark))
            return mark

        return self._transact(operation)

    def remove_bookmark(self, target_id: str) -> bool:
        """Remove the bookmark; False if there was none."""
        _require_text("target_id", target_id)

        def operation(db: TinyDB) -> bool:
            table = db.table(_BOOKMARKS)
            doc_ids = [doc.doc_id for doc in _docs_where(table, "target_id", target_id)]
            return bool(doc_ids) and bool(table.remove(doc_ids=doc_ids))

        return self._transact(operation)

    def toggle_bookmark(
        self, *, target_id: str, kind: BookmarkKind, chapter_id: str, section_id: str, label: str
    ) -> bool:
        """Add the bookmark if missing, else remove it (one transaction). True = now bookmarked."""
        fields = self._bookmark_fields(target_id, kind, chapter_id, section_id, label, "")

        def operation(db: TinyDB) -> bool:
            table = db.table(_BOOKMARKS)
            doc_ids = [doc.doc_id for doc in _docs_where(table, "target_id", target_id)]
            if doc_ids:
                table.remove(doc_ids=doc_ids)
                return False
            table.insert(_bookmark_to_doc(Bookmark(**fields, created_at=utc_now_iso())))
            return True

        return self._transact(operation)

    def set_bookmark_comment(self, target_id: str, comment: str) -> None:
        """Replace the bookmark's comment; ``NotBookmarkedError`` if it is not bookmarked."""
        _require_text("target_id", target_id)
        _require_text("comment", comment, empty_ok=True)

        def operation(db: TinyDB) -> None:
            table = db.table(_BOOKMARKS)
            docs = _docs_where(table, "target_id", target_id)
            if not docs:
                raise NotBookmarkedError(target_id)
            if any(doc.get("comment") != comment for doc in docs):
                table.update({"comment": comment}, doc_ids=[doc.doc_id for doc in docs])

        self._transact(operation)

    @staticmethod
    def _bookmark_fields(
        target_id: str, kind: str, chapter_id: str, section_id: str, label: str, comment: str
    ) -> dict[str, Any]:
        if kind not in BOOKMARK_KINDS:
            raise ValueError(f"kind must be one of {BOOKMARK_KINDS}, not {kind!r}")
        return {
            "target_id": _require_text("target_id", target_id),
            "kind": kind,
            "chapter_id": _require_text("chapter_id", chapter_id, empty_ok=True),
            "section_id": _require_text("section_id", section_id, empty_ok=True),
            "label": _require_text("label", label, empty_ok=True),
            "comment": _require_text("comment", comment, empty_ok=True),
        }

    # ----------------------------------------------------------------- answers

    def record_answer(
        self,
        *,
        question_id: str,
        section_id: str,
        chapter_id: str,
        chosen: tuple[int, ...],
        correct: bool,
    ) -> Answer:
        """Append one answer to the history and return it."""
        _require_text("question_id", question_id)
        _require_text("section_id", section_id, empty_ok=True)
        _require_text("chapter_id", chapter_id, empty_ok=True)
        picked = tuple(chosen)
        if not all(_is_choice(c) for c in picked):
            raise ValueError(f"chosen must hold option indexes (ints >= 0), not {chosen!r}")
        if not isinstance(correct, bool):
            raise TypeError(f"correct must be a bool, not {type(correct).__name__}")

        def operation(db: TinyDB) -> Answer:
            answer = Answer(
                question_id=question_id,
                section_id=section_id,
                chapter_id=chapter_id,
                chosen=picked,
                correct=correct,
                answered_at=utc_now_iso(),
            )
            db.table(_ANSWERS).insert(_answer_to_doc(answer))
            return answer

        return self._transact(operation)

    def answers(self) -> list[Answer]:
        """Every answer ever recorded, in the order recorded."""
        return list(self._load().answers)

    def latest_answers(self) -> dict[str, Answer]:
        """question_id -> the most recently recorded answer to it."""
        return dict(self._load().latest)

    # ----------------------------------------------------------------- settings

    def get_setting(self, key: str, default: T | None = None) -> T | Any:
        settings = self._load().settings
        return copy.deepcopy(settings[key]) if key in settings else default

    def set_setting(self, key: str, value: JSONValue) -> None:
        """Store ``value`` (anything strict JSON can hold) under ``key``."""
        _require_text("key", key)
        try:
            text = _json_text(value)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"setting {key!r} must be JSON data: {exc}") from None
        normalized = json.loads(text)

        def operation(db: TinyDB) -> None:
            table = db.table(_SETTINGS)
            docs = _docs_where(table, "key", key)
            if not docs:
                table.insert({"key": key, "value": normalized})
                return
            keep, extra = docs[-1], [doc.doc_id for doc in docs[:-1]]
            if extra:
                table.remove(doc_ids=extra)
            if "value" not in keep or _json_text(keep["value"]) != text:
                table.update({"value": normalized}, doc_ids=[keep.doc_id])

        self._transact(operation)

    # ----------------------------------------------------------------- for the UI

    def snapshot(self) -> StoreSnapshot:
        """Bookmarks, latest answers and settings from a single read of the file."""
        loaded = self._load()
        return StoreSnapshot(
            bookmarks=loaded.bookmarks,
            latest_answers=loaded.latest,
            settings=MappingProxyType(copy.deepcopy(loaded.settings)),
            answer_count=len(loaded.answers),
            generation=loaded.meta.generation if loaded.meta is not None else 0,
            read_only=self.read_only,
            _bookmarked=loaded.bookmarked,
        )


# --------------------------------------------------------------------------- module helpers


def open_store(
    path: str | os.PathLike[str],
    read_only: bool = False,
    *,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> Store:
    """Same as ``Store.open``."""
    return Store.open(path, read_only, lock_timeout=lock_timeout)


def reset_store(
    path: str | os.PathLike[str], *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT
) -> Path | None:
    """Start a fresh, empty data file at ``path``; return where the old file was kept.

    An existing file (valid, corrupt or newer) is first copied byte-for-byte to
    ``<name>.reset-<UTC time>``, unless a ``.corrupt-``/``.future-``/``.reset-`` copy with the
    same bytes already exists (then that copy is returned). Returns None if there was no
    file. ``<name>.bak`` is left alone: it may be the last good version.
    """
    store = Store(path, lock_timeout=lock_timeout)
    real = store.real_path
    _ensure_directory(real.parent)
    with store_lock(store.lock_path, timeout=lock_timeout, db_path=store.path):
        sweep_temp_files(real, older_than=0.0)
        try:
            try:
                raw: bytes | None = real.read_bytes()
            except FileNotFoundError:
                raw = None
            kept = preserve_copy(real, raw, "reset") if raw is not None else None
            meta = Meta(SCHEMA_VERSION, peek_generation(raw) + 1, utc_now_iso("seconds"), WRITER)
            atomic_write_bytes(real, encode_store({}, meta))
        except OSError as exc:
            raise StoreWriteError.from_oserror(exc) from exc
    return kept
