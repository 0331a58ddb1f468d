"""The learner's data (bookmarks, answers, settings): a crash-safe TinyDB JSON file.

Part of the Textual-free core. Typical use::

    store = Store.open(resolve_db_path(args.db))   # may raise CorruptStoreError, ...
    store.toggle_bookmark(target_id=..., kind="item", chapter_id=..., section_id=..., label=...)
    snap = store.snapshot()

Every error is a ``StoreError`` whose ``str()`` explains in plain words what happened and
what to do. ``StoreWriteError`` (disk full, permissions) and ``StoreReadError`` are also
``OSError``s.
"""

from dvatui.store.locking import DEFAULT_LOCK_TIMEOUT
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
    Answer,
    Bookmark,
    BookmarkKind,
    JSONValue,
    NotBookmarkedError,
    Store,
    StoreSnapshot,
    default_db_path,
    open_store,
    reset_store,
    resolve_db_path,
)

__all__ = [
    "DB_ENV_VAR",
    "DEFAULT_LOCK_TIMEOUT",
    "SCHEMA_VERSION",
    "Answer",
    "Bookmark",
    "BookmarkKind",
    "CorruptStoreError",
    "FutureSchemaError",
    "JSONValue",
    "NotBookmarkedError",
    "ReadOnlyStoreError",
    "SafeJSONStorage",
    "Store",
    "StoreBusyError",
    "StoreError",
    "StoreOSError",
    "StoreReadError",
    "StoreSnapshot",
    "StoreWriteError",
    "default_db_path",
    "open_store",
    "reset_store",
    "resolve_db_path",
]
