"""Backups a learner can use: a daily copy of the data, the last 7 kept, and restore.

Backups live in ``<data file>.backups/`` (e.g. ``~/.local/share/dvatui/dvatui.json.backups``),
one folder each::

    2026-12-05-daily/          the data as it was before the day's first change
        dvatui.json            the main file, byte for byte
        history/               the answer segments (full ones hard-linked: they never change)
        manifest.json          kind, time, counts (what `dvatui restore` lists)

A backup is built in a temp folder and renamed into place, so a crash never leaves half a
backup under a real name. Besides the daily ones, the store keeps one before each restore and
import (``...-before-restore``, ``...-before-import``); the last 7 of each kind are kept.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from msgspec import Struct

from dvatui.store import history
from dvatui.store.documents import bookmarks_of, history_state_of
from dvatui.store.history import HistoryState
from dvatui.store.records import Answer
from dvatui.store.storage import (
    CorruptStoreError,
    Meta,
    Tables,
    fsync_directory,
    parse_store_bytes,
    write_new_file,
)

BACKUPS_SUFFIX = ".backups"
KEEP = 7
KINDS = ("daily", "before-restore", "before-import")
MANIFEST = "manifest.json"
MAIN_NAME = "data.json"
HISTORY_NAME = "history"


class BackupInfo(Struct, frozen=True):
    """One backup, as `dvatui restore` lists it."""

    name: str
    path: Path
    kind: str
    created_at: str  # ISO 8601, UTC
    answers: int
    bookmarks: int


class BackupContent(Struct, frozen=True):
    """A backup read back: the main file's tables and every answer, validated."""

    info: BackupInfo
    meta: Meta
    tables: Tables
    answers: list[Answer]


def backups_dir(real_path: Path) -> Path:
    return real_path.with_name(real_path.name + BACKUPS_SUFFIX)


def _make_dir(path: Path) -> None:
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        if path.is_symlink() or not path.is_dir():
            raise NotADirectoryError(20, "exists and is not a folder", str(path)) from None


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        write_new_file(target, source.read_bytes(), temp_name=target.name)


def make_backup(
    real_path: Path,
    raw: bytes,
    state: HistoryState,
    *,
    kind: str,
    name: str,
    created_at: str,
) -> Path:
    """Copy the data (main file ``raw`` + the history ``state`` counts) to a new backup.

    Full segments are hard-linked (they never change again); the tail is copied. Returns
    the backup's folder; an existing backup of that name is left alone and returned.
    """
    root = backups_dir(real_path)
    _make_dir(root)
    final = root / name
    if final.exists():
        return final
    tmp = root / f".tmp-{uuid.uuid4().hex[:12]}"
    _make_dir(tmp)
    try:
        write_new_file(tmp / MAIN_NAME, raw, temp_name=MAIN_NAME)
        segments = tmp / HISTORY_NAME
        _make_dir(segments)
        source = real_path.with_name(state.folder)
        for number in range(1, state.segments + 1):
            src = history.segment_path(source, number)
            dst = history.segment_path(segments, number)
            if number < state.segments:
                _link_or_copy(src, dst)
            else:
                write_new_file(dst, src.read_bytes(), temp_name=dst.name)
        fsync_directory(segments)
        _, tables = parse_store_bytes(raw, real_path)
        manifest = {
            "kind": kind,
            "created_at": created_at,
            "answers": state.total,
            "bookmarks": len(bookmarks_of(tables)),
            "data_file": str(real_path),
        }
        write_new_file(
            tmp / MANIFEST, json.dumps(manifest, indent=1).encode("utf-8"), temp_name=MANIFEST
        )
        fsync_directory(tmp)
        os.rename(tmp, final)
        fsync_directory(root)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    prune(root, kind)
    return final


def keep_daily(
    real_path: Path, raw: bytes, state: HistoryState, today: date, now_iso: str
) -> Path | None:
    """Make today's backup unless there is one (best effort: a failure never blocks a save)."""
    name = f"{today.isoformat()}-daily"
    if (backups_dir(real_path) / name).is_dir():
        return None
    with contextlib.suppress(OSError, CorruptStoreError):
        return make_backup(real_path, raw, state, kind="daily", name=name, created_at=now_iso)
    return None


def prune(root: Path, kind: str, keep: int = KEEP) -> None:
    """Remove all but the newest ``keep`` backups of ``kind``."""
    mine = [info for info in list_backups_in(root) if info.kind == kind]
    for info in mine[:-keep] if len(mine) > keep else []:
        shutil.rmtree(info.path, ignore_errors=True)


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def list_backups_in(root: Path) -> list[BackupInfo]:
    """The backups in ``root``, oldest first (folders without a readable manifest skipped)."""
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return []
    found: list[BackupInfo] = []
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
            continue
        manifest = _read_manifest(Path(entry.path))
        if manifest is None:
            continue
        found.append(
            BackupInfo(
                name=entry.name,
                path=Path(entry.path),
                kind=str(manifest.get("kind", "")),
                created_at=str(manifest.get("created_at", "")),
                answers=_int(manifest.get("answers")),
                bookmarks=_int(manifest.get("bookmarks")),
            )
        )
    return sorted(found, key=lambda info: (info.created_at, info.name))


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def list_backups(real_path: Path) -> list[BackupInfo]:
    return list_backups_in(backups_dir(real_path))


def find_backup(real_path: Path, name: str) -> BackupInfo | None:
    """A backup by its folder name, or by its number in the list (1 = oldest)."""
    found = list_backups(real_path)
    if name.isdigit() and 1 <= int(name) <= len(found):
        return found[int(name) - 1]
    return next((info for info in found if info.name == name), None)


def read_backup(info: BackupInfo) -> BackupContent:
    """Read and validate a whole backup (``CorruptStoreError`` names the damaged file)."""
    main = info.path / MAIN_NAME
    raw = main.read_bytes()
    meta, tables = parse_store_bytes(raw, main)
    state = history_state_of(tables, HISTORY_NAME)
    answers = list(history.iter_answers(info.path / HISTORY_NAME, _relocated(state)))
    return BackupContent(info, meta, tables, answers)


def _relocated(state: HistoryState) -> HistoryState:
    return HistoryState(HISTORY_NAME, state.segments, state.tail_count, state.total)


def stamp(moment: datetime) -> str:
    """A name-safe UTC time for backup folder names, e.g. ``20261205T101500Z``."""
    return moment.strftime("%Y%m%dT%H%M%SZ")


def remove(paths: Iterable[Path]) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)
