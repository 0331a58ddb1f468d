"""The cross-process lock around every read-modify-write of the data file.

The lock is an exclusive ``flock`` on a sidecar file ``<db>.lock`` (never on the data file
itself: ``os.replace`` swaps the data file's inode under any lock held on it):

* a fresh descriptor per acquisition, so it also excludes other ``Store`` objects and threads
  of the same process, and the kernel drops it when the holder dies (``kill -9`` leaves no
  stale lock);
* a timeout, which we turn into ``StoreBusyError``.

On Linux and macOS we call ``fcntl.flock`` ourselves: it is the same lock ``filelock`` takes
there (so sessions of older dvatui versions exclude each other with this one), and importing
``filelock`` 4 costs ~12 ms, which the app would pay before its first frame. Where ``flock``
is missing (no ``fcntl``, or a file system that says ENOSYS/EOPNOTSUPP) ``filelock.FileLock``
takes over: its marker-file fallback, and Windows should dvatui ever run there.
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dvatui.store.storage import NEW_FILE_MODE, StoreBusyError, StoreWriteError

#: Seconds to wait for another process's transaction before giving up.
DEFAULT_LOCK_TIMEOUT = 5.0
#: Seconds between attempts while another process holds the lock (a write takes ~1-10 ms).
POLL_INTERVAL = 0.002


try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

_BUSY = frozenset({errno.EACCES, errno.EAGAIN, errno.EWOULDBLOCK})
_NO_FLOCK = frozenset({errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP})


@contextmanager
def store_lock(
    lock_path: Path, *, timeout: float = DEFAULT_LOCK_TIMEOUT, db_path: Path | None = None
) -> Iterator[None]:
    """Hold the exclusive lock ``lock_path`` for the duration of the ``with`` block.

    Raises ``StoreBusyError`` after ``timeout`` seconds, and ``StoreWriteError`` when the lock
    file cannot be created (for example a read-only folder).
    """
    fd = _flock(lock_path, timeout, db_path) if fcntl is not None else None
    if fd is None:
        with _filelock(lock_path, timeout, db_path):
            yield
        return
    try:
        yield
    finally:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def _flock(lock_path: Path, timeout: float, db_path: Path | None) -> int | None:
    """An open descriptor of ``lock_path`` holding its exclusive ``flock``; None where the
    file system has no ``flock`` (the caller falls back to ``filelock``)."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(lock_path, flags, NEW_FILE_MODE)
    except OSError as exc:
        raise StoreWriteError.from_oserror(exc) from exc
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except OSError as exc:
            if exc.errno in _BUSY and time.monotonic() < deadline:
                time.sleep(POLL_INTERVAL)
                continue
            os.close(fd)
            if exc.errno in _BUSY:
                raise StoreBusyError(db_path or lock_path, lock_path, timeout) from None
            if exc.errno in _NO_FLOCK:
                return None
            raise StoreWriteError.from_oserror(exc) from exc


@contextmanager
def _filelock(lock_path: Path, timeout: float, db_path: Path | None) -> Iterator[None]:
    """The same lock through ``filelock`` (imported only here)."""
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
