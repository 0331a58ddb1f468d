"""The data file on disk: format, validation, crash-safe writes, backups and errors.

``SafeJSONStorage`` is a TinyDB storage that fixes what stock ``tinydb.JSONStorage`` gets
wrong (measured in /work/shared/research/storage-and-ssh.md, A1-A2):

* writes go to a temp file in the same directory, are fsynced, then ``os.replace``-d onto the
  real path (symlinks resolved) and the directory is fsynced: a crash leaves the old or the
  new file, never a mix, and a full disk leaves the old file byte-identical;
* the previous generation is kept as ``<db>.bak`` (a hard link to the old inode);
* reads are strict: an empty, non-UTF-8, unparseable or wrongly shaped file raises
  ``CorruptStoreError`` instead of being treated as an empty database;
* a ``_meta`` header (schema version, generation, time, writer) is added on write and
  removed on read, so TinyDB never sees it as a table.

Locking is not done here: ``dvatui.store.store.Store`` wraps every read-modify-write in the
sidecar lock (``locking.py``) and opens a fresh ``TinyDB`` per transaction.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import stat
import tempfile
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self, TypeGuard

from msgspec import Struct
from tinydb.storages import Storage

#: The data format this code reads and writes. Files with a higher version are refused
#: (or opened read-only) so an older dvatui never overwrites a newer one's data.
SCHEMA_VERSION = 2
META_KEY = "_meta"
#: Temp files older than this are swept when a storage is created without the lock held.
#: Under the lock every temp file of the data file is stale (all writers hold the lock).
STALE_TEMP_SECONDS = 60.0
NEW_FILE_MODE = 0o600
BACKUP_SUFFIX = ".bak"
LOCK_SUFFIX = ".lock"
COPY_KINDS = ("corrupt", "future", "reset", "schema1")

#: TinyDB's view of the file: table name -> document id (decimal string) -> document.
Tables = dict[str, dict[str, Any]]

# Canonical decimal ids only: "7" and "007" would be one document to TinyDB.
_DOC_ID = re.compile(r"(?:0|[1-9][0-9]{0,17})\Z")
# tempfile.mkstemp names are prefix + 8 characters of this alphabet + suffix.
_TEMP_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_"


# --------------------------------------------------------------------------- errors


class StoreError(Exception):
    """Base class of the store's errors. ``str()`` is a plain-words message for the learner."""


def _copy_sentence(backup_path: Path | None, backup_error: str | None) -> str:
    if backup_path is not None:
        return f" dvatui did not change it and kept a copy at {backup_path}."
    if backup_error is not None:
        return (
            f" dvatui did not change it, but could not keep a copy ({backup_error}):"
            " copy the file somewhere safe before doing anything else."
        )
    return " dvatui did not change it."


class CorruptStoreError(StoreError):
    """The data file exists but is not a readable dvatui data file."""

    def __init__(self, path: Path, problem: str, *, raw: bytes | None = None) -> None:
        super().__init__(str(path), problem)
        self.path = path
        self.problem = problem
        #: The exact bytes that were judged corrupt (what a backup must contain).
        self.raw = raw
        self.backup_path: Path | None = None
        self.backup_error: str | None = None
        #: ``<db>.bak``, the previous generation, when it exists.
        self.previous_path: Path | None = None

    def __str__(self) -> str:
        restore = "bring back a daily backup with `dvatui restore`"
        if self.previous_path is not None:
            restore += f" (the previous version of this file is {self.previous_path})"
        return (
            f"dvatui cannot read its data file {self.path}: {self.problem}."
            f"{_copy_sentence(self.backup_path, self.backup_error)}"
            f" To go on, start fresh with `dvatui reset-data` or {restore}."
        )


class FutureSchemaError(StoreError):
    """The data file was written by a newer dvatui (a higher schema version)."""

    def __init__(self, path: Path, found: int, *, raw: bytes | None = None) -> None:
        super().__init__(str(path), found)
        self.path = path
        self.found_version = found
        self.known_version = SCHEMA_VERSION
        self.raw = raw
        self.backup_path: Path | None = None
        self.backup_error: str | None = None

    def __str__(self) -> str:
        return (
            f"dvatui cannot write to its data file {self.path}: it was saved by a newer dvatui"
            f" (data format {self.found_version}; this dvatui knows format"
            f" {self.known_version})."
            f"{_copy_sentence(self.backup_path, self.backup_error)}"
            " Upgrade dvatui, open the file read-only, or start fresh with `dvatui reset-data`."
        )


class ReadOnlyStoreError(StoreError):
    """A change was asked of a store opened read-only."""

    def __init__(self, path: Path, why: str = "") -> None:
        super().__init__(str(path), why)
        self.path = path
        self.why = why

    def __str__(self) -> str:
        why = f" ({self.why})" if self.why else ""
        return f"dvatui opened {self.path} read-only{why}, so this change was not saved."


class StoreBusyError(StoreError):
    """Another process held the data file's lock for longer than the timeout."""

    def __init__(self, path: Path, lock_path: Path, timeout: float) -> None:
        super().__init__(str(path), str(lock_path), timeout)
        self.path = path
        self.lock_path = lock_path
        self.timeout = timeout

    def __str__(self) -> str:
        return (
            f"dvatui could not use {self.path}: another dvatui process has held its lock"
            f" file {self.lock_path} for more than {self.timeout:g} seconds, so nothing was"
            " saved or changed. Wait a moment or close the other dvatui session, then try again."
        )


class StoreOSError(StoreError, OSError):
    """The operating system refused to read or write the data file (also an ``OSError``).

    ``errno``, ``strerror`` and ``filename`` are kept from the original error.
    """

    _doing = "use"
    _advice = "Check the path and the folder's permissions, then try again."

    def __str__(self) -> str:
        reason = self.strerror or "an operating system error"
        code = f", errno {self.errno}" if self.errno is not None else ""
        where = f" ({self.filename})" if self.filename else ""
        return (
            f"dvatui could not {self._doing} its data file: {reason}{code}{where}. {self._advice}"
        )

    @classmethod
    def from_oserror(cls, exc: OSError) -> Self:
        if exc.errno is None:
            return cls(errno.EIO, str(exc) or type(exc).__name__)
        return cls(exc.errno, exc.strerror or str(exc), exc.filename)


class StoreReadError(StoreOSError):
    """The data file exists (or should) but cannot be read: a folder, no permission..."""

    _doing = "read"
    _advice = (
        "Nothing was changed. Check the path given with --db or DVATUI_DB and its permissions."
    )


class StoreWriteError(StoreOSError):
    """A save failed: disk full, quota, read-only folder... The data file is unchanged."""

    _doing = "save"
    _advice = (
        "The data file was not changed. Free some disk space or fix the folder's"
        " permissions, then try again."
    )


# --------------------------------------------------------------------------- format


class Meta(Struct, frozen=True):
    """The ``_meta`` header of a data file."""

    schema_version: int
    generation: int
    written_at: str
    writer: str

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "generation": self.generation,
            "written_at": self.written_at,
            "writer": self.writer,
        }


def utc_now_iso(timespec: str = "microseconds") -> str:
    """The current time as ISO 8601 UTC, e.g. ``2026-11-27T10:15:00.123456+00:00``."""
    return datetime.now(UTC).isoformat(timespec=timespec)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _describe_json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(f"the key {key[:60]!r} appears twice in one object")
            seen.add(key)
    return result


def parse_store_bytes(raw: bytes, path: Path, *, allow_future: bool = False) -> tuple[Meta, Tables]:
    """Validate the bytes of a data file and split them into its header and TinyDB tables.

    Raises ``CorruptStoreError`` for anything that is not a well-formed dvatui file, and
    ``FutureSchemaError`` for a newer schema unless ``allow_future`` (then tables that do not
    have TinyDB's shape are skipped instead of rejected).
    """

    def corrupt(problem: str) -> CorruptStoreError:
        return CorruptStoreError(path, problem, raw=raw)

    if not raw:
        raise corrupt("the file is empty (0 bytes), as an interrupted save can leave it")
    if raw.startswith(b"\xef\xbb\xbf"):
        raise corrupt("the file starts with a byte-order mark (BOM); dvatui never writes one")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise corrupt(f"the file is not UTF-8 text (bad byte at offset {exc.start})") from None
    if not text.strip():
        raise corrupt("the file holds only blank characters")
    try:
        top = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except _DuplicateKeyError as exc:
        raise corrupt(f"{exc}, so one of the two would be lost on the next save") from None
    except json.JSONDecodeError as exc:
        detail = exc.msg.removesuffix(" at")  # "Unterminated string starting at" + " at line"
        raise corrupt(
            f"the file is not valid JSON ({detail} at line {exc.lineno}, column {exc.colno});"
            " it may be cut short or edited"
        ) from None
    except RecursionError:
        raise corrupt("the file nests JSON far deeper than dvatui ever writes") from None
    except ValueError as exc:
        # e.g. an integer of thousands of digits (Python's int-string limit), NaN
        what = "a number too long to read" if "digits" in str(exc) else str(exc)[:80]
        raise corrupt(f"the file is not valid dvatui JSON ({what})") from None
    if not isinstance(top, dict):
        raise corrupt(f"the file holds {_describe_json_type(top)} instead of a JSON object")
    meta_obj = top.pop(META_KEY, None)
    if meta_obj is None:
        raise corrupt(f"it has no `{META_KEY}` header, so it is not a dvatui data file")
    if not isinstance(meta_obj, dict):
        raise corrupt(f"its `{META_KEY}` header is not a JSON object")
    version = meta_obj.get("schema_version")
    if not _is_int(version) or version < 1:
        raise corrupt(f"its `{META_KEY}.schema_version` is missing or not a whole number >= 1")
    future = version > SCHEMA_VERSION
    if future and not allow_future:
        raise FutureSchemaError(path, version, raw=raw)
    generation = meta_obj.get("generation")
    written_at = meta_obj.get("written_at")
    writer = meta_obj.get("writer")
    if not future:
        if not _is_int(generation) or generation < 0:
            raise corrupt(f"its `{META_KEY}.generation` is missing or not a whole number >= 0")
        if not isinstance(written_at, str) or not isinstance(writer, str):
            raise corrupt(f"its `{META_KEY}` header lacks `written_at` or `writer` text")
    meta = Meta(
        schema_version=version,
        generation=generation if _is_int(generation) else 0,
        written_at=written_at if isinstance(written_at, str) else "",
        writer=writer if isinstance(writer, str) else "",
    )
    tables: Tables = {}
    for name, table in top.items():
        problem = _table_problem(name, table)
        if problem is None:
            tables[name] = table
        elif not future:
            raise corrupt(problem)
    return meta, tables


#: How deep JSON values may nest inside a document. dvatui writes at most a few levels; a
#: hand-made file nested hundreds deep would break copying and printing with RecursionError.
MAX_DEPTH = 32


def _too_deep(value: object) -> bool:
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        current, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(current, dict):
            stack.extend((v, depth + 1) for v in current.values())
        elif isinstance(current, list):
            stack.extend((v, depth + 1) for v in current)
    return False


def _may_nest(doc: dict[str, Any]) -> bool:
    """False for the common flat document (scalars and lists of scalars): no walk needed."""
    for value in doc.values():
        if isinstance(value, dict):
            return True
        if isinstance(value, list) and any(isinstance(x, dict | list) for x in value):
            return True
    return False


def _table_problem(name: str, table: object) -> str | None:
    if not isinstance(table, dict):
        return f"table {name[:60]!r} is {_describe_json_type(table)}, not an object of documents"
    for doc_id, doc in table.items():
        if not _DOC_ID.match(doc_id):
            return (
                f"table {name[:60]!r} has a document id {doc_id[:30]!r} that is not a"
                " plain whole number"
            )
        if not isinstance(doc, dict):
            return (
                f"document {doc_id} of table {name[:60]!r} is {_describe_json_type(doc)},"
                " not an object"
            )
        if _may_nest(doc) and _too_deep(doc):
            return (
                f"document {doc_id} of table {name[:60]!r} nests more than {MAX_DEPTH} levels deep"
            )
    return None


def encode_store(tables: Mapping[str, Mapping[str, Any]], meta: Meta) -> bytes:
    """The bytes of a data file: UTF-8 JSON, keys sorted, strict (no NaN), with ``_meta``."""
    if META_KEY in tables:
        raise ValueError(f"{META_KEY!r} is reserved and cannot be a table name")
    payload: dict[str, Any] = dict(tables)
    payload[META_KEY] = meta.to_json()
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, allow_nan=False)
    return text.encode("utf-8")


def peek_generation(raw: bytes | None) -> int:
    """The generation recorded in ``raw``, or 0 when it cannot be read (never raises)."""
    if not raw:
        return 0
    try:
        obj = json.loads(raw.decode("utf-8"))
        generation = obj[META_KEY]["generation"]
    except (ValueError, KeyError, TypeError, IndexError, RecursionError):
        return 0
    return generation if _is_int(generation) and generation > 0 else 0


# --------------------------------------------------------------------------- file operations


def temp_file_pattern(db_name: str) -> re.Pattern[str]:
    """Names of the temp files made beside the data file ``db_name`` (``.NAME.xxxxxxxx.tmp``)."""
    return re.compile(rf"\.{re.escape(db_name)}\.[{_TEMP_CHARS}]{{8}}\.tmp\Z")


def sweep_temp_files(db_path: Path, *, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove temp files a killed writer left beside ``db_path``; return what was removed.

    Only files at least ``older_than`` seconds old are removed. Callers holding the store's
    lock pass 0: every writer holds that lock, so any temp file left then is stale.
    """
    pattern = temp_file_pattern(db_path.name)
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(db_path.parent))
    except OSError:
        return removed
    for entry in entries:
        if not pattern.match(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime >= older_than:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def fsync_directory(directory: Path) -> None:
    """Make renames in ``directory`` durable (no-op where the file system cannot)."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _unlink_quietly(path: str | Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _make_temp(directory: Path, db_name: str, data: bytes, mode: int) -> str:
    """Write ``data`` to a new fsynced temp file beside the data file; return its path."""
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{db_name}.", suffix=".tmp")
    try:
        try:
            os.fchmod(fd, mode)
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    return tmp


def _free_temp_name(directory: Path, db_name: str) -> Path:
    # Same shape as mkstemp's names, so the sweeper recognises it.
    for _ in range(100):
        random_part = "".join(secrets.choice(_TEMP_CHARS) for _ in range(8))
        candidate = directory / f".{db_name}.{random_part}.tmp"
        if not os.path.lexists(candidate):
            return candidate
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(directory))


def keep_previous_generation(target: Path, backup: Path) -> None:
    """Point ``backup`` at the current content of ``target`` (best effort, never raises OSError).

    A hard link to the current inode costs nothing; where hard links are not supported the
    bytes are copied. The swap onto ``backup`` is an ``os.replace``, so ``backup`` is always
    a whole file.
    """
    directory = target.parent
    link: Path | None = None
    try:
        if backup.exists() and os.path.samefile(target, backup):
            # Already the same file (a writer was killed between this step and its rename):
            # renaming a link onto it would be a no-op that leaves the link behind.
            return
        link = _free_temp_name(directory, target.name)
        try:
            os.link(target, link)
        except FileNotFoundError:
            return
        except OSError:
            link = None
            mode = stat.S_IMODE(os.stat(target).st_mode)
            link = Path(_make_temp(directory, target.name, target.read_bytes(), mode))
        os.replace(link, backup)
        link = None
    except OSError:
        pass
    finally:
        if link is not None:
            _unlink_quietly(link)


def atomic_write_bytes(target: Path, data: bytes, *, backup: Path | None = None) -> None:
    """Replace ``target`` (a real path, not a symlink) with ``data``, crash-safely.

    temp file in the same directory -> write -> fchmod (the existing mode, 0600 for a new
    file) -> fsync -> [link the old inode to ``backup``] -> ``os.replace`` -> fsync directory.
    On any failure before the replace, the temp file is removed and ``target`` is untouched.
    """
    directory = target.parent
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
        exists = True
    except FileNotFoundError:
        mode = NEW_FILE_MODE
        exists = False
    tmp = _make_temp(directory, target.name, data, mode)
    try:
        if backup is not None and exists:
            keep_previous_generation(target, backup)
        os.replace(tmp, target)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    fsync_directory(directory)


def write_new_file(target: Path, data: bytes, *, temp_name: str) -> None:
    """Create ``target`` holding ``data`` (mode 0600); ``FileExistsError`` if it exists.

    The bytes go to a fsynced temp file first (named after the data file ``temp_name`` so the
    sweeper knows it) and are then hard-linked into place, so ``target`` never exists half
    written. Without hard links it falls back to an exclusive create.
    """
    directory = target.parent
    tmp = _make_temp(directory, temp_name, data, NEW_FILE_MODE)
    try:
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise
        except OSError:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, NEW_FILE_MODE)
            try:
                try:
                    _write_all(fd, data)
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except BaseException:
                _unlink_quietly(target)
                raise
    finally:
        _unlink_quietly(tmp)
    fsync_directory(directory)


def _copy_pattern(db_name: str) -> re.Pattern[str]:
    kinds = "|".join(COPY_KINDS)
    return re.compile(rf"{re.escape(db_name)}\.(?:{kinds})-[0-9]{{8}}T[0-9]{{6}}Z(?:-[0-9]+)?\Z")


def find_identical_copy(db_path: Path, raw: bytes) -> Path | None:
    """An existing ``<name>.corrupt-*`` / ``.future-*`` / ``.reset-*`` copy holding ``raw``."""
    pattern = _copy_pattern(db_path.name)
    try:
        entries = sorted(os.scandir(db_path.parent), key=lambda e: e.name, reverse=True)
    except OSError:
        return None
    for entry in entries:
        if not pattern.match(entry.name):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_size != len(raw):
                continue
            with open(entry.path, "rb") as handle:
                if handle.read() == raw:
                    return Path(entry.path)
        except OSError:
            continue
    return None


def preserve_copy(db_path: Path, raw: bytes, kind: str) -> Path:
    """Copy ``raw`` (a data file's bytes) to ``<name>.<kind>-YYYYmmddTHHMMSSZ`` beside it.

    Reuses an existing copy with the same bytes, so reopening a broken file does not pile up
    copies. Never touches ``db_path`` itself. Raises ``OSError`` if no copy could be made.
    """
    if kind not in COPY_KINDS:
        raise ValueError(f"unknown copy kind {kind!r}")
    existing = find_identical_copy(db_path, raw)
    if existing is not None:
        return existing
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for n in range(1, 1000):
        suffix = "" if n == 1 else f"-{n}"
        candidate = db_path.with_name(f"{db_path.name}.{kind}-{stamp}{suffix}")
        try:
            write_new_file(candidate, raw, temp_name=db_path.name)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(errno.EEXIST, "too many copies this second", str(db_path))


# --------------------------------------------------------------------------- the storage


class SafeJSONStorage(Storage):
    """A crash-safe, strict TinyDB storage for one dvatui data file.

    Use it through ``Store`` (which holds the cross-process lock). Used on its own it is
    still crash-safe, but not safe against concurrent writers.

    ``path`` may be a symlink; writes replace its target and keep the link. A missing file
    reads as ``None`` (a fresh store); anything malformed raises ``CorruptStoreError``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        allow_future: bool = False,
        stale_temp_seconds: float = STALE_TEMP_SECONDS,
        writer: str = "dvatui",
        keep_backup: bool = True,
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self.real_path = Path(os.path.realpath(self.path))
        self.backup_path = self.real_path.with_name(self.real_path.name + BACKUP_SUFFIX)
        self.allow_future = allow_future
        self.writer = writer
        self.keep_backup = keep_backup
        #: The header of the file as last read or written by this instance.
        self.meta: Meta | None = None
        self._read_done = False
        sweep_temp_files(self.real_path, older_than=stale_temp_seconds)

    def read(self) -> Tables | None:
        try:
            raw = self.real_path.read_bytes()
        except FileNotFoundError:
            self.meta = None
            self._read_done = True
            return None
        self.meta, tables = parse_store_bytes(raw, self.path, allow_future=self.allow_future)
        self._read_done = True
        return tables

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if not self._read_done:
            # Never replace a file nobody has validated: a corrupt one must be kept.
            self.read()
        if self.meta is not None and self.meta.schema_version > SCHEMA_VERSION:
            raise FutureSchemaError(self.path, self.meta.schema_version)
        for name, table in data.items():
            problem = _table_problem(name, table) if isinstance(name, str) else "bad table name"
            if problem is not None:
                raise ValueError(f"refusing to write a malformed store: {problem}")
        previous = self.meta.generation if self.meta is not None else 0
        meta = Meta(SCHEMA_VERSION, previous + 1, utc_now_iso("seconds"), self.writer)
        payload = encode_store(data, meta)
        atomic_write_bytes(
            self.real_path, payload, backup=self.backup_path if self.keep_backup else None
        )
        self.meta = meta

    def close(self) -> None:
        """Nothing to release: no file handle is kept open between calls."""
