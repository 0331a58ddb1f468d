"""The learner's data (bookmarks, answers, settings): a crash-safe TinyDB JSON file.

Part of the Textual-free core. Typical use::

    store = Store.open(resolve_db_path(args.db))   # may raise CorruptStoreError, ...
    store.toggle_bookmark(target_id=..., kind="item", chapter_id=..., section_id=..., label=...)
    snap = store.snapshot()

Every error is a ``StoreError`` whose ``str()`` explains in plain words what happened and
what to do. ``StoreWriteError`` (disk full, permissions) and ``StoreReadError`` are also
``OSError``s.
"""

from dvatui.store.backups import BackupInfo
from dvatui.store.history import new_answer_id
from dvatui.store.locking import DEFAULT_LOCK_TIMEOUT
from dvatui.store.records import (
    Answer,
    Bookmark,
    BookmarkKind,
    QuestionProgress,
    StoreSnapshot,
)
from dvatui.store.storage import (
    SCHEMA_VERSION,
    CorruptStoreError,
    FutureSchemaError,
    ReadOnlyStoreError,
    SafeJSONStorage,
    StoreBusyError,
    StoreError,
    StoreOSError,
    StoreReadError,
    StoreWriteError,
)
from dvatui.store.store import (
    DB_ENV_VAR,
    AnswerSpec,
    ImportSummary,
    JSONValue,
    NotBookmarkedError,
    Store,
    StoreLinkError,
    default_db_path,
    open_store,
    reset_store,
    resolve_db_path,
)
from dvatui.store.transfer import ExportData, ImportFormatError, parse_export, read_export_file

__all__ = [
    "DB_ENV_VAR",
    "DEFAULT_LOCK_TIMEOUT",
    "SCHEMA_VERSION",
    "Answer",
    "AnswerSpec",
    "BackupInfo",
    "Bookmark",
    "BookmarkKind",
    "CorruptStoreError",
    "ExportData",
    "FutureSchemaError",
    "ImportFormatError",
    "ImportSummary",
    "JSONValue",
    "NotBookmarkedError",
    "QuestionProgress",
    "ReadOnlyStoreError",
    "SafeJSONStorage",
    "Store",
    "StoreBusyError",
    "StoreError",
    "StoreLinkError",
    "StoreOSError",
    "StoreReadError",
    "StoreSnapshot",
    "StoreWriteError",
    "default_db_path",
    "new_answer_id",
    "open_store",
    "parse_export",
    "read_export_file",
    "reset_store",
    "resolve_db_path",
]
