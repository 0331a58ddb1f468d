"""The data file's lock: our own ``flock`` on POSIX, excluding ``filelock`` holders (older
dvatui versions) and excluded by them; ``filelock`` where ``flock`` is missing."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import filelock
import pytest

from dvatui.store import locking
from dvatui.store.locking import store_lock
from dvatui.store.storage import StoreBusyError, StoreWriteError


def test_a_filelock_holder_keeps_us_out(tmp_path: Path) -> None:
    lock_path = tmp_path / "dvatui.json.lock"
    holder = filelock.FileLock(str(lock_path))
    with holder, pytest.raises(StoreBusyError), store_lock(lock_path, timeout=0.05):
        pass  # pragma: no cover - must not get here
    with store_lock(lock_path, timeout=0.05):  # free again once it is released
        pass


def test_we_keep_a_filelock_user_out(tmp_path: Path) -> None:
    lock_path = tmp_path / "dvatui.json.lock"
    with store_lock(lock_path), pytest.raises(filelock.Timeout):
        filelock.FileLock(str(lock_path)).acquire(timeout=0.05)


def test_the_lock_is_released_after_an_error_inside(tmp_path: Path) -> None:
    lock_path = tmp_path / "dvatui.json.lock"
    with pytest.raises(RuntimeError), store_lock(lock_path):
        raise RuntimeError("boom")
    with store_lock(lock_path, timeout=0.05):
        pass


def test_threads_wait_for_each_other(
    tmp_path: Path, in_threads: Callable[[Callable[[int], None], int], None]
) -> None:
    lock_path = tmp_path / "dvatui.json.lock"
    inside: list[int] = []
    overlaps: list[int] = []

    def work(n: int) -> None:
        for _ in range(20):
            with store_lock(lock_path):
                inside.append(n)
                if len(inside) > 1:
                    overlaps.append(n)
                inside.remove(n)

    in_threads(work, 4)
    assert overlaps == []


def test_a_lock_path_that_is_a_folder_is_a_write_error(tmp_path: Path) -> None:
    lock_path = tmp_path / "dvatui.json.lock"
    lock_path.mkdir()
    with pytest.raises(StoreWriteError), store_lock(lock_path):
        pass  # pragma: no cover


def test_the_lock_file_is_private(tmp_path: Path) -> None:
    lock_path = tmp_path / "dvatui.json.lock"
    with store_lock(lock_path):
        pass
    assert lock_path.stat().st_mode & 0o077 == 0


def test_without_flock_filelock_takes_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_flock(fd: int, operation: int) -> None:
        raise OSError(errno.ENOSYS, "flock is not implemented")

    used: list[Path] = []
    original = locking._filelock

    def spy(lock_path: Path, timeout: float, db_path: Path | None):  # type: ignore[no-untyped-def]
        used.append(lock_path)
        return original(lock_path, timeout, db_path)

    fcntl = locking.fcntl
    ours = SimpleNamespace(flock=no_flock, LOCK_EX=fcntl.LOCK_EX, LOCK_NB=fcntl.LOCK_NB)
    monkeypatch.setattr(locking, "fcntl", ours)  # filelock keeps the real one
    monkeypatch.setattr(locking, "_filelock", spy)
    lock_path = tmp_path / "dvatui.json.lock"
    with store_lock(lock_path):
        pass
    assert used == [lock_path]
