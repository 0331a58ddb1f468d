"""The cross-process lock around every read-modify-write of the data file.

The lock is an exclusive ``flock`` on a sidecar file ``<db>.lock`` (never on the data file
itself: ``os.replace`` swaps the data file's inode under any lock held on it). It is taken
through ``filelock.FileLock``:

* on Linux/macOS it is ``fcntl.flock`` on a fresh descriptor per acquisition, so it also
  excludes other ``Store`` objects and threads of the same process, and the kernel drops it
  when the holder dies (``kill -9`` leaves no stale lock);
* it has a timeout, which we turn into ``StoreBusyError``;
* on a file system without ``flock`` it falls back to a marker-file lock instead of failing,
  and it works on Windows should dvatui ever run there.

``filelock`` is imported lazily: it costs ~40 ms at import and read-only commands never lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dvatui.store.storage import NEW_FILE_MODE, StoreBusyError, StoreWriteError

#: Seconds to wait for another process's transaction before giving up.
DEFAULT_LOCK_TIMEOUT = 5.0
#: Seconds between attempts while another process holds the lock (a write takes ~1-10 ms).
POLL_INTERVAL = 0.002


@contextmanager
def store_lock(
    lock_path: Path, *, timeout: float = DEFAULT_LOCK_TIMEOUT, db_path: Path | None = None
) -> Iterator[None]:
    """Hold the exclusive lock ``lock_path`` for the duration of the ``with`` block.

    Raises ``StoreBusyError`` after ``timeout`` seconds, and ``StoreWriteError`` when the lock
    file cannot be created (for example a read-only folder).
    """
    from filelock import FileLock, Timeout

    lock = FileLock(str(lock_path), mode=NEW_FILE_MODE)
    try:
        lock.acquire(timeout=timeout, poll_interval=POLL_INTERVAL)
    except Timeout:
        raise StoreBusyError(db_path or lock_path, lock_path, timeout) from None
    except OSError as exc:
        raise StoreWriteError.from_oserror(exc) from exc
    try:
        yield
    finally:
        lock.release()
