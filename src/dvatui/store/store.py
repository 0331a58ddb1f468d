"""The learner's data: bookmarks, settings and progress in a TinyDB JSON file, answers in
history segments beside it (``history.py``).

Files, for a data file ``dvatui.json``::

    dvatui.json            bookmarks, settings, per-question progress, where the history stands
    dvatui.json.history/   every answer, 500 to a segment file (only the last one is rewritten)
    dvatui.json.backups/   a daily copy, the last 7 kept (``backups.py``)
    dvatui.json.lock       the cross-process lock (``locking.py``)
    dvatui.json.bak        the previous version of dvatui.json

The main file holds what grows with the notes (one progress record per question), never what
grows with the history, so one answer, one bookmark or one "did anything change" check costs
the same after 100,000 answers as on a new file.

Every change is one transaction: take the sidecar lock, read the main file (a fresh read, so
another process's writes are seen), change it, write it atomically, release. A mutating method
returns only once the change is fsynced and renamed into place. Reads take no lock (an atomic
rename never exposes a half-written file) and re-read the main file only when ``stat`` says it
changed.
"""

from __future__ import annotations

import copy
import errno
import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeAlias, TypeVar

from msgspec import Struct
from msgspec.structs import replace
from platformdirs import user_data_dir

from dvatui import __version__
from dvatui.store import backups, history, transfer
from dvatui.store.backups import BackupInfo
from dvatui.store.documents import (
    BOOKMARKS,
    EXAMS,
    HISTORY,
    PROGRESS,
    SETTINGS,
    ProgressMemo,
    Transaction,
    bookmark_from_doc,
    bookmark_to_doc,
    bookmarks_of,
    history_state_of,
    next_doc_id,
    ordered_docs,
    progress_from_doc,
    progress_of,
    progress_to_doc,
    settings_of,
    v1_answers_of,
)
from dvatui.store.history import HistoryState
from dvatui.store.locking import DEFAULT_LOCK_TIMEOUT, store_lock
from dvatui.store.migrations import upgrade_v1
from dvatui.store.records import (
    BOOKMARK_KINDS,
    Answer,
    Bookmark,
    BookmarkKind,
    QuestionProgress,
    StoreSnapshot,
    fold_progress,
)
from dvatui.store.storage import (
    BACKUP_SUFFIX,
    LOCK_SUFFIX,
    SCHEMA_VERSION,
    CorruptStoreError,
    FutureSchemaError,
    Meta,
    ReadOnlyStoreError,
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
)

T = TypeVar("T")
R = TypeVar("R")

#: What ``set_setting`` accepts: anything ``json.dumps`` turns into strict JSON.
JSONValue: TypeAlias = (
    bool | int | float | str | Sequence["JSONValue"] | Mapping[str, "JSONValue"] | None
)
Clock: TypeAlias = Callable[[], datetime]
#: The question's card before an answer (None: a new card) -> the card after it.
CardReview: TypeAlias = Callable[[Mapping[str, Any] | None], Mapping[str, Any]]
#: A question's answers, oldest first -> its card rebuilt from them (None: no card).
CardBuilder: TypeAlias = Callable[[list[Answer]], Mapping[str, Any] | None]

APP_NAME = "dvatui"
DB_FILENAME = "dvatui.json"
DB_ENV_VAR = "DVATUI_DB"
DATA_DIR_MODE = 0o700
WRITER = f"dvatui {__version__}"
#: How deep a setting's value may nest (the file format allows 32 levels per document).
MAX_SETTING_DEPTH = 16


def utc_clock() -> datetime:
    return datetime.now(UTC)


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


def ensure_directory(directory: Path) -> None:
    """Create ``directory`` and missing parents with mode 0700 (existing ones are left alone)."""
    if directory.is_dir():
        return
    missing: list[Path] = []
    current = directory
    while not current.exists() and current != current.parent:
        if current.is_symlink():  # a dangling link: never create folders through it
            raise StoreWriteError(
                errno.ENOENT, "a folder on the way is a link to nothing", str(current)
            )
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


class StoreLinkError(StoreError):
    """The data path is a symlink dvatui will not follow (to nothing, or to a foreign file)."""

    def __init__(self, path: Path, target: Path, problem: str) -> None:
        super().__init__(str(path), str(target), problem)
        self.path = path
        self.target = target
        self.problem = problem

    def __str__(self) -> str:
        return (
            f"dvatui will not use {self.path}: it is a symbolic link to {self.target}, which"
            f" {self.problem}. Nothing was read, written or created there. Give --db (or"
            " DVATUI_DB) the path of a dvatui data file, or remove the link."
        )


class NotBookmarkedError(StoreError, LookupError):
    """``set_bookmark_comment`` was called for something that is not bookmarked."""

    def __init__(self, target_id: str) -> None:
        super().__init__(target_id)
        self.target_id = target_id

    def __str__(self) -> str:
        return f"{self.target_id} is not bookmarked (any more), so its comment was not saved."


def _json_text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _require_text(name: str, value: object, *, empty_ok: bool = False) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not empty_ok and not value:
        raise ValueError(f"{name} must not be empty")
    return value


def _docs_where(table: Mapping[str, Any], key: str, value: str) -> list[str]:
    return [doc_id for doc_id, doc in table.items() if doc.get(key) == value]


def _stat_key(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreReadError.from_oserror(exc) from exc
    return (st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns)


# --------------------------------------------------------------------------- one version


class Loaded:
    """One version of the main file, parsed once; converted to records as they are asked for."""

    def __init__(
        self, meta: Meta | None, tables: Tables, db_name: str, memo: ProgressMemo | None = None
    ) -> None:
        self.meta = meta
        self._tables = tables
        self._db_name = db_name
        self._memo = memo
        self.bookmarks = tuple(bookmarks_of(tables))
        self.bookmarked = frozenset(b.target_id for b in self.bookmarks)
        self.settings = settings_of(tables)
        #: A data-format-1 file opened read-only keeps its answers in the main file.
        self.legacy_answers: tuple[Answer, ...] | None = None
        if meta is not None and meta.schema_version == 1:
            self.legacy_answers = tuple(v1_answers_of(tables))
            self.history = HistoryState(
                history.default_folder_name(db_name), 0, 0, len(self.legacy_answers)
            )
        else:
            self.history = history_state_of(tables, db_name)

    @cached_property
    def progress(self) -> Mapping[str, QuestionProgress]:
        if self.legacy_answers is not None:
            return MappingProxyType(fold_progress(list(self.legacy_answers)))
        return MappingProxyType(progress_of(self._tables, self._memo))

    @cached_property
    def exams(self) -> tuple[Mapping[str, Any], ...]:
        """The mock exams (their JSON documents), oldest first."""
        docs = [doc for _, doc in ordered_docs(self._tables.get(EXAMS, {}))]
        good = [d for d in docs if isinstance(d.get("id"), str) and d.get("id")]
        return tuple(sorted(good, key=lambda d: str(d.get("started_at", ""))))

    @cached_property
    def latest(self) -> Mapping[str, Answer]:
        return MappingProxyType({qid: p.latest_answer() for qid, p in self.progress.items()})


class AnswerSpec(Struct, frozen=True):
    """One answer for ``finish_exam`` (the fields of ``record_answer``)."""

    question_id: str
    section_id: str
    chapter_id: str
    chosen: tuple[int, ...]
    correct: bool
    answered_at: str | None = None
    answer_id: str | None = None
    rating: int | None = None
    review: CardReview | None = None
    chosen_ids: tuple[str, ...] = ()
    text: str = ""


class ImportSummary(Struct, frozen=True):
    """What ``import_document`` merged in."""

    answers_added: int
    answers_known: int
    bookmarks_added: int
    bookmarks_updated: int
    settings_added: int
    backup: Path | None


# --------------------------------------------------------------------------- the store


class Store:
    """The learner's data. Create it with ``Store.open`` (which validates and upgrades it)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        read_only: bool = False,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        clock: Clock = utc_clock,
        card_builder: CardBuilder | None = None,
    ) -> None:
        self.path = Path(path).expanduser().absolute()
        #: Rebuilds a question's review card from its answers when whole histories change
        #: (upgrade, import, restore); None leaves cards as the answers carry them.
        self.card_builder = card_builder
        #: The file really written: symlinks resolved once, at open.
        self.real_path = Path(os.path.realpath(self.path))
        self.lock_path = self.real_path.with_name(self.real_path.name + LOCK_SUFFIX)
        self.backup_path = self.real_path.with_name(self.real_path.name + BACKUP_SUFFIX)
        self.backups_dir = self.real_path.with_name(self.real_path.name + ".backups")
        self.read_only = read_only
        self.lock_timeout = lock_timeout
        self.clock = clock
        #: The schema version of a newer file opened read-only, else None.
        self.future_version: int | None = None
        #: Why a store asked to be writable was opened read-only (None if it was not).
        self.read_only_reason: str | None = None
        #: Where the data-format-1 file was kept when it was upgraded by this open.
        self.migrated_from: Path | None = None
        self._cache: tuple[tuple[int, int, int, int] | None, Loaded] | None = None
        self._memo: ProgressMemo = {}
        self._backed_up_on: date | None = None

    def __repr__(self) -> str:
        mode = ", read_only=True" if self.read_only else ""
        return f"Store({str(self.path)!r}{mode})"

    def now_iso(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="microseconds")

    def local_today(self) -> date:
        return self.clock().astimezone().date()

    @property
    def history_dir(self) -> Path:
        return self.real_path.with_name(self._load().history.folder)

    # ----------------------------------------------------------------- opening

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        read_only: bool = False,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        clock: Clock = utc_clock,
        card_builder: CardBuilder | None = None,
    ) -> Store:
        """Open and validate the data file (a missing file is a fresh, empty store).

        A corrupt file raises ``CorruptStoreError`` and a newer one ``FutureSchemaError``;
        both are first copied byte-for-byte beside the file (``.corrupt-<UTC time>`` /
        ``.future-<UTC time>``) and the file itself is never modified. With
        ``read_only=True`` a newer file opens for reading and every change raises
        ``ReadOnlyStoreError``. Opening for writing also upgrades an older data format (the
        old file is kept byte for byte as ``.schema1-<UTC time>``), folds in answers a
        crash left uncounted, makes the day's backup and removes stale temp files.
        """
        store = cls(
            path,
            read_only=read_only,
            lock_timeout=lock_timeout,
            clock=clock,
            card_builder=card_builder,
        )
        store._check_link()
        if read_only or not store.real_path.parent.is_dir():
            store._validate()
            return store
        try:
            lock = store_lock(store.lock_path, timeout=lock_timeout, db_path=store.path)
            lock.__enter__()
        except StoreWriteError as exc:
            # A read-only folder, a lock file owned by someone else, a lock path that is a
            # folder: the data can still be read. Say why nothing will be saved.
            store.read_only = True
            store.read_only_reason = (
                f"its lock file {store.lock_path} cannot be created or opened"
                f" ({exc.strerror or exc})"
            )
            store._validate()
            return store
        try:
            sweep_temp_files(store.real_path, older_than=0.0)
            store._validate()
            if store.future_version is None:
                store._repair_and_upgrade()
        finally:
            lock.__exit__(None, None, None)
        return store

    def _check_link(self) -> None:
        """Refuse a symlink to nothing in a missing folder, or to a file that is not ours."""
        if not self.path.is_symlink():
            return
        target = self.real_path
        if not target.exists():
            if not target.parent.is_dir():
                raise StoreLinkError(self.path, target, "is in a folder that does not exist")
            return  # a link to a new file in an existing folder: the file is made there
        if not target.is_file():
            raise StoreLinkError(self.path, target, "is not a regular file")
        try:
            raw = target.read_bytes()
            parse_store_bytes(raw, target, allow_future=True)
        except (CorruptStoreError, FutureSchemaError):
            raise StoreLinkError(self.path, target, "is not a dvatui data file") from None
        except OSError as exc:
            raise StoreReadError.from_oserror(exc) from exc

    def _validate(self) -> None:
        loaded = self._load()
        if loaded.meta is not None and loaded.meta.schema_version > SCHEMA_VERSION:
            self.future_version = loaded.meta.schema_version

    def _repair_and_upgrade(self) -> None:
        """Under the lock: upgrade format 1, fold in uncounted answers, keep today's backup."""
        self._transact(lambda txn: None, locked=True)

    def _preserve(self, exc: CorruptStoreError | FutureSchemaError) -> None:
        """Keep a byte-exact copy of the file an error is about, and say where in the error."""
        if isinstance(exc, CorruptStoreError) and self.backup_path.exists():
            exc.previous_path = self.backup_path
        if exc.raw is None or exc.backup_path is not None:
            return
        kind = "corrupt" if isinstance(exc, CorruptStoreError) else "future"
        try:
            exc.backup_path = preserve_copy(exc.path, exc.raw, kind)
        except OSError as os_exc:
            exc.backup_error = os_exc.strerror or str(os_exc)

    # ----------------------------------------------------------------- plumbing

    def changed(self) -> bool:
        """True when the main file changed on disk since this store last read or wrote it.

        One ``stat``: cheap enough for a timer that checks for another session's changes.
        """
        cached = self._cache
        return cached is None or _stat_key(self.real_path) != cached[0]

    def _load(self) -> Loaded:
        """The main file's current content (lock-free; parsed again only if it changed)."""
        key = _stat_key(self.real_path)
        cached = self._cache
        if cached is not None and cached[0] == key:
            return cached[1]
        if key is None:
            loaded = Loaded(None, {}, self.real_path.name)
            self._cache = (None, loaded)
            return loaded
        try:
            raw = self.real_path.read_bytes()
        except FileNotFoundError:
            return self._load()  # replaced between the stat and the read: look again
        except OSError as exc:
            raise StoreReadError.from_oserror(exc) from exc
        try:
            meta, tables = parse_store_bytes(raw, self.path, allow_future=self.read_only)
        except (CorruptStoreError, FutureSchemaError) as exc:
            self._preserve(exc)
            raise
        loaded = Loaded(meta, tables, self.real_path.name, self._memo)
        # The stat key of the bytes read: if the file was replaced after the stat, the next
        # look sees a different key and reads again.
        self._cache = (key, loaded)
        return loaded

    def _read_for_write(self) -> tuple[bytes | None, Meta | None, Tables]:
        try:
            raw: bytes | None = self.real_path.read_bytes()
        except FileNotFoundError:
            return None, None, {}
        except OSError as exc:
            raise StoreReadError.from_oserror(exc) from exc
        assert raw is not None
        meta, tables = parse_store_bytes(raw, self.path)
        return raw, meta, tables

    def _transact(self, operation: Callable[[Transaction], R], *, locked: bool = False) -> R:
        """Run ``operation`` on the main file's tables under the lock; on disk when it returns."""
        if self.read_only:
            if self.future_version is not None:
                why = f"it was saved by a newer dvatui, data format {self.future_version}"
            else:
                why = self.read_only_reason or ""
            raise ReadOnlyStoreError(self.path, why)
        if locked:
            return self._transact_locked(operation)
        ensure_directory(self.real_path.parent)
        with store_lock(self.lock_path, timeout=self.lock_timeout, db_path=self.path):
            return self._transact_locked(operation)

    def _transact_locked(self, operation: Callable[[Transaction], R]) -> R:
        try:
            raw, meta, tables = self._read_for_write()
            txn = Transaction(
                tables, history_state_of(tables, self.real_path.name), self.now_iso(), raw
            )
            if raw is None:
                txn.history = HistoryState(self._fresh_history_folder().name)
            elif meta is not None and meta.schema_version < SCHEMA_VERSION:
                self._upgrade(raw, txn)
            else:
                self._fold_uncounted(txn)
                self._daily_backup(raw, txn.history)
            result = operation(txn)
            if txn.changed:
                self._write_main(txn, meta)
                for folder in txn.cleanup:
                    if folder != self._history_dir_of(txn.history):
                        shutil.rmtree(folder, ignore_errors=True)
            return result
        except (CorruptStoreError, FutureSchemaError) as exc:
            self._preserve(exc)
            raise
        except StoreError:
            raise
        except OSError as exc:
            raise StoreWriteError.from_oserror(exc) from exc

    def _write_main(self, txn: Transaction, meta: Meta | None) -> None:
        txn.tables[HISTORY] = {"1": txn.history.to_doc()}
        generation = (meta.generation if meta is not None else 0) + 1
        new_meta = Meta(SCHEMA_VERSION, generation, self.now_iso()[:19] + "+00:00", WRITER)
        atomic_write_bytes(
            self.real_path, encode_store(txn.tables, new_meta), backup=self.backup_path
        )
        # What was just written is what the next read would parse: keep it, keyed by the
        # new file's stat, so this store does not re-read its own write.
        self._cache = (
            _stat_key(self.real_path),
            Loaded(new_meta, txn.tables, self.real_path.name, self._memo),
        )

    def _history_dir_of(self, state: HistoryState) -> Path:
        return self.real_path.with_name(state.folder)

    def _fold_uncounted(self, txn: Transaction) -> None:
        """Count answers a crash left in the history after their segment was written."""
        folder = self._history_dir_of(txn.history)
        if not txn.history.segments and not folder.is_dir():
            return
        found, state = history.pending_after(folder, txn.history)
        if found or state != txn.history:
            self._apply_answers(txn, found)
            txn.history = state
            txn.mark_changed()

    def _apply_answers(self, txn: Transaction, answers: list[Answer]) -> None:
        table = txn.table(PROGRESS)
        index = {doc.get("question_id"): doc_id for doc_id, doc in table.items()}
        current = {}
        for answer in answers:
            qid = answer.question_id
            if qid not in current:
                doc_id = index.get(qid)
                current[qid] = progress_from_doc(table[doc_id]) if doc_id else None
            known = current[qid]
            current[qid] = (
                QuestionProgress.first(answer) if known is None else known.with_answer(answer)
            )
        for qid, record in current.items():
            assert record is not None
            doc_id = index.get(qid) or next_doc_id(table)
            index[qid] = doc_id
            table[doc_id] = progress_to_doc(record)
        if answers:
            txn.mark_changed()

    def _upgrade(self, raw: bytes, txn: Transaction) -> None:
        """Data format 1 -> 2: answers move to the history, progress is folded from them."""
        self.migrated_from = preserve_copy(self.real_path, raw, "schema1")
        folder = self._fresh_history_folder()
        answers = upgrade_v1(txn, folder, writer=WRITER)
        self._rebuild_cards(txn, answers)
        txn.mark_changed()

    def _fresh_history_folder(self) -> Path:
        """An unused history folder beside the data file."""
        base = self.real_path.with_name(history.default_folder_name(self.real_path.name))
        candidate = base
        n = 1
        while os.path.lexists(candidate):
            n += 1
            candidate = base.with_name(f"{base.name}-{n}")
        return candidate

    def _daily_backup(self, raw: bytes, state: HistoryState) -> None:
        """Keep a copy of the data as it was at the day's first write (the last 7 days)."""
        today = self.local_today()
        if self._backed_up_on == today:
            return
        backups.keep_daily(self.real_path, raw, state, today, self.now_iso())
        self._backed_up_on = today

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
        text: str = "",
    ) -> Bookmark:
        """Bookmark ``target_id``; if it already is, return the existing bookmark unchanged."""
        fields = self._bookmark_fields(target_id, kind, chapter_id, section_id, label, comment)

        def operation(txn: Transaction) -> Bookmark:
            table = txn.table(BOOKMARKS)
            for doc_id in _docs_where(table, "target_id", target_id):
                existing = bookmark_from_doc(table[doc_id])
                if existing is not None:
                    return existing
            mark = Bookmark(
                **fields,
                created_at=txn.now,
                id=history.new_answer_id(),
                updated_at=txn.now,
                text=_require_text("text", text, empty_ok=True),
            )
            table[next_doc_id(table)] = bookmark_to_doc(mark)
            txn.mark_changed()
            return mark

        return self._transact(operation)

    def remove_bookmark(self, target_id: str) -> bool:
        """Remove the bookmark; False if there was none."""
        _require_text("target_id", target_id)

        def operation(txn: Transaction) -> bool:
            table = txn.table(BOOKMARKS)
            doc_ids = _docs_where(table, "target_id", target_id)
            for doc_id in doc_ids:
                del table[doc_id]
            if doc_ids:
                txn.mark_changed()
            return bool(doc_ids)

        return self._transact(operation)

    def toggle_bookmark(
        self, *, target_id: str, kind: BookmarkKind, chapter_id: str, section_id: str, label: str
    ) -> bool:
        """Add the bookmark if missing, else remove it (one transaction). True = now bookmarked.

        The UI sends intents (``add_bookmark``/``remove_bookmark``) instead: two sessions
        toggling at once would undo each other.
        """
        fields = self._bookmark_fields(target_id, kind, chapter_id, section_id, label, "")

        def operation(txn: Transaction) -> bool:
            table = txn.table(BOOKMARKS)
            doc_ids = _docs_where(table, "target_id", target_id)
            txn.mark_changed()
            if doc_ids:
                for doc_id in doc_ids:
                    del table[doc_id]
                return False
            mark = Bookmark(
                **fields, created_at=txn.now, id=history.new_answer_id(), updated_at=txn.now
            )
            table[next_doc_id(table)] = bookmark_to_doc(mark)
            return True

        return self._transact(operation)

    def set_bookmark_comment(self, target_id: str, comment: str) -> None:
        """Replace the bookmark's comment; ``NotBookmarkedError`` if it is not bookmarked."""
        _require_text("target_id", target_id)
        _require_text("comment", comment, empty_ok=True)

        def operation(txn: Transaction) -> None:
            table = txn.table(BOOKMARKS)
            doc_ids = _docs_where(table, "target_id", target_id)
            if not doc_ids:
                raise NotBookmarkedError(target_id)
            for doc_id in doc_ids:
                if table[doc_id].get("comment") != comment:
                    table[doc_id] = {**table[doc_id], "comment": comment, "updated_at": txn.now}
                    txn.mark_changed()

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
        answered_at: str | None = None,
        answer_id: str | None = None,
        rating: int | None = None,
        review: CardReview | None = None,
        chosen_ids: tuple[str, ...] = (),
        text: str = "",
    ) -> Answer:
        """Append one answer to the history, update the question's progress, return it.

        ``review`` turns the question's card as it is *in this transaction* (None for a new
        card) into the card after this answer, so two sessions answering at once both
        count. The answer's segment is written first, then the main file: a crash in
        between leaves an uncounted answer that the next transaction folds in.
        """
        _require_text("question_id", question_id)
        _require_text("section_id", section_id, empty_ok=True)
        _require_text("chapter_id", chapter_id, empty_ok=True)
        picked = tuple(chosen)
        if not all(history.is_choice(c) for c in picked):
            raise ValueError(f"chosen must hold option indexes (ints >= 0), not {chosen!r}")
        if not isinstance(correct, bool):
            raise TypeError(f"correct must be a bool, not {type(correct).__name__}")
        if rating is not None and rating not in (1, 2, 3, 4):
            raise ValueError(f"rating must be 1 to 4, not {rating!r}")

        def operation(txn: Transaction) -> Answer:
            before = self._progress_in(txn, question_id)
            card = review(before.scheduling if before else None) if review else None
            answer = Answer(
                question_id=question_id,
                section_id=section_id,
                chapter_id=chapter_id,
                chosen=picked,
                correct=correct,
                answered_at=answered_at or txn.now,
                id=answer_id or history.new_answer_id(),
                rating=rating,
                card=card,
                chosen_ids=tuple(chosen_ids),
                text=text,
            )
            folder = self._history_dir_of(txn.history)
            txn.history = history.append(folder, txn.history, [answer], writer=WRITER)
            self._apply_answers(txn, [answer])
            return answer

        return self._transact(operation)

    def _progress_in(self, txn: Transaction, question_id: str) -> QuestionProgress | None:
        table = txn.table(PROGRESS)
        for doc in table.values():
            if doc.get("question_id") == question_id:
                return progress_from_doc(doc)
        return None

    def _set_progress(
        self, txn: Transaction, question_id: str, record: QuestionProgress | None
    ) -> None:
        table = txn.table(PROGRESS)
        doc_ids = _docs_where(table, "question_id", question_id)
        for doc_id in doc_ids:
            del table[doc_id]
        if record is not None:
            table[doc_ids[0] if doc_ids else next_doc_id(table)] = progress_to_doc(record)
        txn.mark_changed()

    def rerate_answer(
        self, answer_id: str, rating: int, card: Mapping[str, Any] | None
    ) -> Answer | None:
        """Change a recorded answer's rating (e.g. Good -> Easy right after answering) and
        the card it left; the question's progress takes the card if that answer is still
        its latest. Returns the changed answer, None if it is not in the history."""
        if rating not in (1, 2, 3, 4):
            raise ValueError(f"rating must be 1 to 4, not {rating!r}")

        def operation(txn: Transaction) -> Answer | None:
            found = self._find_answer(txn, answer_id)
            if found is None:
                return None
            path, answers, index = found
            changed = replace(answers[index], rating=rating, card=card)
            answers[index] = changed
            history.write_segment(path, answers, writer=WRITER)
            record = self._progress_in(txn, changed.question_id)
            if record is not None and record.latest_answer_id == answer_id:
                self._set_progress(txn, changed.question_id, replace(record, scheduling=card))
            else:
                txn.mark_changed()  # the history changed: bump the generation
            return changed

        return self._transact(operation)

    def undo_answer(self, answer_id: str, restore: QuestionProgress | None) -> Answer | None:
        """Take a recorded answer back out of the history.

        ``restore`` is the question's progress as it was before that answer (None: never
        answered before), put back exactly, card included. If another answer to the same
        question came after it, only the counts go back. Returns the removed answer, None
        if it is not in the history.
        """

        def operation(txn: Transaction) -> Answer | None:
            found = self._find_answer(txn, answer_id)
            if found is None:
                return None
            path, answers, index = found
            removed = answers.pop(index)
            history.write_segment(path, answers, writer=WRITER)
            state = txn.history
            tail = history.segment_path(self._history_dir_of(state), state.segments)
            txn.history = replace(
                state,
                total=state.total - 1,
                tail_count=state.tail_count - 1 if path == tail else state.tail_count,
            )
            record = self._progress_in(txn, removed.question_id)
            if record is None or record.latest_answer_id == answer_id:
                self._set_progress(txn, removed.question_id, restore)
            else:
                self._set_progress(
                    txn,
                    removed.question_id,
                    replace(
                        record,
                        attempts=max(record.attempts - 1, 0),
                        correct_attempts=max(record.correct_attempts - int(removed.correct), 0),
                    ),
                )
            return removed

        return self._transact(operation)

    def _find_answer(
        self, txn: Transaction, answer_id: str
    ) -> tuple[Path, list[Answer], int] | None:
        """The segment holding an answer (newest segments first), its answers, the index."""
        state = txn.history
        folder = self._history_dir_of(state)
        for number in range(state.segments, 0, -1):
            path = history.segment_path(folder, number)
            answers = history.read_segment(path)
            if number == state.segments:
                answers = answers[: state.tail_count]
            for index in range(len(answers) - 1, -1, -1):
                if answers[index].id == answer_id:
                    return path, answers, index
        return None

    # ----------------------------------------------------------------- mock exams

    def exams(self) -> list[dict[str, Any]]:
        """Every mock exam (JSON documents: see ``domain/exam.py``), oldest first."""
        return [copy.deepcopy(dict(doc)) for doc in self._load().exams]

    def save_exam(self, exam: Mapping[str, Any]) -> None:
        """Save a mock exam's document (answers, flags, remaining time...), by its ``id``."""
        document = self._exam_document(exam)

        def operation(txn: Transaction) -> None:
            self._put_exam(txn, document)

        self._transact(operation)

    def finish_exam(self, exam: Mapping[str, Any], answers: Sequence[AnswerSpec]) -> None:
        """In one transaction: record the exam's answers (each reviewing its card) and save
        the finished exam. A crash leaves either the exam in progress or all of it done."""
        document = self._exam_document(exam)

        def operation(txn: Transaction) -> None:
            for spec in answers:
                before = self._progress_in(txn, spec.question_id)
                card = spec.review(before.scheduling if before else None) if spec.review else None
                answer = Answer(
                    question_id=spec.question_id,
                    section_id=spec.section_id,
                    chapter_id=spec.chapter_id,
                    chosen=tuple(spec.chosen),
                    correct=spec.correct,
                    answered_at=spec.answered_at or txn.now,
                    id=spec.answer_id or history.new_answer_id(),
                    rating=spec.rating,
                    card=card,
                    chosen_ids=tuple(spec.chosen_ids),
                )
                self.append_answers(txn, [answer])
            self._put_exam(txn, document)

        self._transact(operation)

    @staticmethod
    def _exam_document(exam: Mapping[str, Any]) -> dict[str, Any]:
        exam_id = exam.get("id")
        if not isinstance(exam_id, str) or not exam_id:
            raise ValueError("a mock exam needs an id")
        text = _json_text(exam)  # strict JSON, or TypeError/ValueError
        document: dict[str, Any] = json.loads(text)
        if _depth(document) > MAX_SETTING_DEPTH:
            raise ValueError("a mock exam document nests too deep")
        return document

    @staticmethod
    def _put_exam(txn: Transaction, document: dict[str, Any]) -> None:
        table = txn.table(EXAMS)
        doc_ids = _docs_where(table, "id", document["id"])
        if doc_ids and table[doc_ids[0]] == document:
            return
        table[doc_ids[0] if doc_ids else next_doc_id(table)] = document
        for extra in doc_ids[1:]:
            del table[extra]
        txn.mark_changed()

    def answers(self) -> list[Answer]:
        """Every answer ever recorded, in the order recorded (reads the whole history)."""
        return list(self.iter_answers())

    def iter_answers(self) -> Iterator[Answer]:
        loaded = self._load()
        if loaded.legacy_answers is not None:
            yield from loaded.legacy_answers
            return
        yield from history.iter_answers(self._history_dir_of(loaded.history), loaded.history)

    def latest_answers(self) -> dict[str, Answer]:
        """question_id -> the most recently recorded answer to it."""
        return dict(self._load().latest)

    def progress(self) -> dict[str, QuestionProgress]:
        """question_id -> what the answers to it add up to."""
        return dict(self._load().progress)

    def answer_count(self) -> int:
        return self._load().history.total

    # ----------------------------------------------------------------- settings

    def get_setting(self, key: str, default: T | None = None) -> T | Any:
        settings = self._load().settings
        return copy.deepcopy(settings[key]) if key in settings else default

    def set_setting(self, key: str, value: JSONValue) -> None:
        """Store ``value`` (strict JSON data, nested at most 16 levels) under ``key``."""
        _require_text("key", key)
        try:
            text = _json_text(value)
        except (TypeError, ValueError, RecursionError) as exc:
            raise TypeError(f"setting {key[:60]!r} must be JSON data: {exc}") from None
        normalized = json.loads(text)
        if _depth(normalized) > MAX_SETTING_DEPTH:
            raise ValueError(f"setting {key[:60]!r} nests deeper than {MAX_SETTING_DEPTH} levels")

        def operation(txn: Transaction) -> None:
            table = txn.table(SETTINGS)
            doc_ids = sorted(_docs_where(table, "key", key), key=int)
            if not doc_ids:
                table[next_doc_id(table)] = {"key": key, "value": normalized}
                txn.mark_changed()
                return
            keep, extra = doc_ids[-1], doc_ids[:-1]
            for doc_id in extra:
                del table[doc_id]
                txn.mark_changed()
            if "value" not in table[keep] or _json_text(table[keep]["value"]) != text:
                table[keep] = {"key": key, "value": normalized}
                txn.mark_changed()

        self._transact(operation)

    # ----------------------------------------------------------------- for the UI

    def snapshot(self) -> StoreSnapshot:
        """Bookmarks, progress and settings from a single read of the main file."""
        loaded = self._load()
        return StoreSnapshot(
            bookmarks=loaded.bookmarks,
            latest_answers=loaded.latest,
            settings=MappingProxyType(copy.deepcopy(loaded.settings)),
            answer_count=loaded.history.total,
            generation=loaded.meta.generation if loaded.meta is not None else 0,
            read_only=self.read_only,
            progress=loaded.progress,
            exams=loaded.exams,
            _bookmarked=loaded.bookmarked,
        )

    # ----------------------------------------------------------------- whole-store operations

    def export_document(self) -> dict[str, Any]:
        """The learner's whole data as one ``dvatui-export`` document (see ``transfer.py``)."""
        loaded = self._load()
        return transfer.build_export(
            loaded.bookmarks,
            self.iter_answers(),
            loaded.settings,
            exported_at=self.now_iso(),
            app=WRITER,
            exams=loaded.exams,
        )

    def import_document(self, data: transfer.ExportData) -> ImportSummary:
        """Merge a validated export in, as one transaction, after a backup of the data.

        Answers are a union by id, bookmarks merge by target (the newer wins, comments are
        kept), missing settings are added. Importing the same document again adds nothing.
        """

        def operation(txn: Transaction) -> ImportSummary:
            state = txn.history
            folder = self._history_dir_of(state)
            existing = list(history.iter_answers(folder, state))
            fresh = transfer.new_answers(data.answers, {a.id for a in existing})
            backup = None
            if txn.raw is not None and (fresh or data.bookmarks or data.settings or data.exams):
                backup = self._backup_now(txn, "before-import")
            self.append_answers(txn, fresh)
            touched = {a.question_id for a in fresh}
            self._rebuild_cards(txn, [a for a in existing + fresh if a.question_id in touched])
            added, updated = transfer.merge_bookmarks(txn, data.bookmarks)
            settings = transfer.merge_settings(txn, data.settings)
            transfer.merge_exams(txn, data.exams)
            return ImportSummary(
                answers_added=len(fresh),
                answers_known=len(data.answers) - len(fresh),
                bookmarks_added=added,
                bookmarks_updated=updated,
                settings_added=settings,
                backup=backup if txn.changed else None,
            )

        return self._transact(operation)

    def list_backups(self) -> list[BackupInfo]:
        """The backups of this data file, oldest first."""
        return backups.list_backups(self.real_path)

    def restore(self, name: str) -> tuple[BackupInfo, Path | None]:
        """Replace the data with a backup (by folder name or list number, 1 = oldest).

        The current data is first kept as a ``before-restore`` backup (returned). The new
        history is written to a new folder and the main file switches to it in one rename:
        a crash leaves the old data or the restored data, never a mix.
        """
        info = backups.find_backup(self.real_path, name)
        if info is None:
            raise LookupError(name)
        content = backups.read_backup(info)

        def operation(txn: Transaction) -> Path | None:
            kept = self._backup_now(txn, "before-restore") if txn.raw is not None else None
            old = self.replace_history_folder(txn, content.answers)
            new_history = txn.history
            txn.tables = {
                name: table
                for name, table in content.tables.items()
                if name not in (HISTORY, PROGRESS)
            }
            txn.tables[PROGRESS] = {
                str(i): progress_to_doc(p)
                for i, p in enumerate(fold_progress(content.answers).values(), start=1)
            }
            self._rebuild_cards(txn, content.answers)
            txn.history = new_history
            txn.mark_changed()
            txn.cleanup.append(old)
            return kept

        return info, self._transact(operation)

    def _rebuild_cards(self, txn: Transaction, answers: list[Answer]) -> None:
        """Give each question of ``answers`` the card replayed from them, in time order."""
        builder = self.card_builder
        if builder is None or not answers:
            return
        by_question: dict[str, list[Answer]] = {}
        for answer in sorted(answers, key=lambda a: (a.answered_at, a.id)):
            by_question.setdefault(answer.question_id, []).append(answer)
        table = txn.table(PROGRESS)
        for doc_id, doc in table.items():
            mine = by_question.get(doc.get("question_id", ""))
            if mine:
                card = builder(mine)
                table[doc_id] = {**doc, "scheduling": dict(card) if card is not None else None}
        txn.mark_changed()

    def _backup_now(self, txn: Transaction, kind: str) -> Path:
        assert txn.raw is not None
        moment = self.clock().astimezone(UTC)
        return backups.make_backup(
            self.real_path,
            txn.raw,
            txn.history,
            kind=kind,
            name=f"{backups.stamp(moment)}-{kind}",
            created_at=self.now_iso(),
        )

    def append_answers(self, txn: Transaction, answers: list[Answer]) -> None:
        """Inside a transaction: add answers to the history and fold them into progress."""
        folder = self._history_dir_of(txn.history)
        txn.history = history.append(folder, txn.history, answers, writer=WRITER)
        self._apply_answers(txn, answers)

    def replace_history_folder(self, txn: Transaction, answers: list[Answer]) -> Path:
        """Inside a transaction: write ``answers`` as a whole new history; return the old folder.

        The main file written at the end of the transaction switches to the new folder in
        one rename, so a crash leaves either the old data or the new, never a mix.
        """
        old = self._history_dir_of(txn.history)
        folder = self._fresh_history_folder()
        txn.history = history.write_all(folder, answers, writer=WRITER)
        txn.mark_changed()
        return old


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
    file. ``<name>.bak``, the history folder and the backups are left alone: the kept copy
    still points at its history.
    """
    store = Store(path, lock_timeout=lock_timeout)
    real = store.real_path
    ensure_directory(real.parent)
    with store_lock(store.lock_path, timeout=lock_timeout, db_path=store.path):
        sweep_temp_files(real, older_than=0.0)
        try:
            try:
                raw: bytes | None = real.read_bytes()
            except FileNotFoundError:
                raw = None
            kept = preserve_copy(real, raw, "reset") if raw is not None else None
            folder = store._fresh_history_folder()
            state = HistoryState(folder.name)
            written = store.now_iso()[:19] + "+00:00"
            meta = Meta(SCHEMA_VERSION, peek_generation(raw) + 1, written, WRITER)
            atomic_write_bytes(real, encode_store({HISTORY: {"1": state.to_doc()}}, meta))
        except OSError as exc:
            raise StoreWriteError.from_oserror(exc) from exc
    return kept
