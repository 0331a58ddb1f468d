"""A parsed-corpus cache, so that starting the app does not re-parse unchanged notes.

Parsing the 25 shipped chapters costs ~100 ms; loading the cached result costs a few. The
cache key covers every notes file's path, size and modification time, the bytes of the
parser's own code (``dvatui/domain/*.py``), the dvatui version and the Python version, so
any edit of the notes, a parser fix or an upgrade parses afresh.

The cache is JSON, never pickle: reading it cannot run code. It lives in a folder created
with mode 0700; a folder or file that someone else owns or may write is not read (a folder
of ours is tightened and emptied of caches). A cache file that cannot be read is ignored
and rewritten: the cache is never needed for correctness.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec
from msgspec import Struct

from dvatui import __version__
from dvatui.domain.files import notes_candidates
from dvatui.domain.model import Chapter, Corpus, Problem
from dvatui.paths import PRIVATE_DIR_MODE, ensure_private_dir, is_private

CACHE_ENV = "DVATUI_CACHE_DIR"
DISABLE_ENV = "DVATUI_NO_CACHE"
CACHE_FORMAT = "dvatui-corpus-cache"
CACHE_VERSION = 4
"""Version 1 was a pickle; 2 was JSON written by hand; 3 was JSON written by msgspec; 4
adds every section prepared for display (``prepared.py``)."""
MAX_CACHE_BYTES = 64 * 1024 * 1024
_DOMAIN_DIR = Path(__file__).resolve().parent


def cache_dir() -> Path:
    """``$DVATUI_CACHE_DIR``, else the platform's user cache folder for dvatui."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("dvatui", appauthor=False))


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of the parser's code: the bytes of every ``dvatui/domain/*.py`` (~0.1 ms)."""
    digest = hashlib.sha256()
    for path in sorted(_DOMAIN_DIR.glob("*.py")):
        with contextlib.suppress(OSError):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _fingerprint(root: Path) -> str | None:
    """A digest of what the corpus at ``root`` is built from, or None if it cannot be read."""
    digest = hashlib.sha256(
        f"{CACHE_VERSION}|{__version__}|{sys.version}|{code_fingerprint()}".encode()
    )
    try:
        digest.update(f"{root.resolve()}\n".encode(errors="surrogateescape"))
        files = notes_candidates(root) if root.is_dir() else [root]
    except (OSError, RuntimeError):
        return None
    for path in files:
        try:
            st = os.stat(path)  # follows links, never opens: safe on a FIFO or a device
            line = f"{path}|{st.st_mode}|{st.st_ino}|{st.st_size}|{st.st_mtime_ns}\n"
        except OSError as exc:
            line = f"{path}|{exc.errno}\n"
        digest.update(line.encode(errors="surrogateescape"))
    return digest.hexdigest()[:32]


def load_corpus_cached(root: Path) -> Corpus:
    """Load notes through the cache (parse and store them on a miss)."""
    cache = CorpusCache(root)
    corpus = cache.load()
    cache.save()
    return corpus


class CorpusCache:
    """The corpus cache of one notes folder or file: ``load`` reads it, or parses the notes
    on a miss; ``save`` then writes it. Writing costs ~200 ms (every section is prepared
    for display, ``prepared.py``): the app does it in a thread after its first frame."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._key: str | None = None
        self._path: Path | None = None
        self._usable: bool | None = False
        self._missed: Corpus | None = None
        """The corpus parsed on a miss, until ``save``."""
        self._saving = threading.Lock()

    @property
    def missed(self) -> bool:
        """Whether ``load`` parsed the notes and ``save`` has something to write."""
        return self._missed is not None

    def load(self) -> Corpus:
        """The corpus from the cache, else parsed (the parser, markdown-it and YAML, is
        imported only then: ~30 ms saved at start-up)."""
        if os.environ.get(DISABLE_ENV):
            return _parse(self.root)
        self._key = key = _fingerprint(self.root)
        if key is None:
            return _parse(self.root)
        folder = cache_dir()
        self._usable = _usable_folder(folder)
        self._path = path = folder / f"corpus-{key}.json"
        if self._usable:
            with contextlib.suppress(Exception):  # missing, stale, damaged or unsafe: parse
                return _read(path, key)
        self._missed = corpus = _parse(self.root)
        return corpus

    def save(self) -> None:
        """Write what ``load`` parsed on a miss (nothing otherwise; failures are ignored).
        The loaded corpus gets the prepared sections too. Safe from two threads: a second
        call waits for the first to finish writing."""
        with self._saving:
            corpus, self._missed = self._missed, None
            if corpus is None or self._path is None or self._key is None:
                return
            if self._usable is not False:  # a folder unsafe and not ours is left alone
                _store(self._path, corpus, self._key)


def _parse(root: Path) -> Corpus:
    from dvatui.domain.loader import load_corpus

    return load_corpus(root)


def _usable_folder(folder: Path) -> bool | None:
    """True: the folder is ours and private. None: it does not exist yet (or was unsafe
    but ours, and has just been tightened and emptied). False: do not touch it."""
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        return None
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        return False
    if is_private(st):
        return True
    # Ours, but others could write into it (e.g. made by an older dvatui under umask 000):
    # nothing in it can be trusted. Tighten it and drop its caches; the next start uses it.
    try:
        os.chmod(folder, PRIVATE_DIR_MODE)
        _remove_caches(folder, keep=None)
    except OSError:
        return False
    return None


def _remove_caches(folder: Path, keep: Path | None) -> None:
    kept = {keep, _prepared_path(keep)} if keep is not None else set()
    for old in folder.glob("corpus-*"):
        if old not in kept:
            with contextlib.suppress(OSError):
                old.unlink()


def read_private_bytes(path: Path, limit: int = MAX_CACHE_BYTES) -> bytes:
    """The bytes of a cache file of ours; raises if it is not a private regular file (not a
    link, not writable by others, not someone else's) or is larger than ``limit``."""
    return read_private_range(path, 0, limit, whole=True)


def read_private_range(path: Path, start: int, length: int, *, whole: bool = False) -> bytes:
    """``length`` bytes at ``start`` of a cache file of ours (checked as by
    ``read_private_bytes``); ``whole``: the whole file, which may not be longer."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not is_private(st):
            raise ValueError("cache file is not a private regular file")
        if st.st_size > MAX_CACHE_BYTES or (whole and st.st_size > length):
            raise ValueError("cache file too large")
        if whole:
            data = handle.read(length + 1)
            if len(data) > length:
                raise ValueError("cache file too large")
            return data
        data = os.pread(fd, length, start)
    if len(data) != length:
        raise ValueError("cache file shorter than its index says")
    return data


def read_private_json(path: Path, limit: int = MAX_CACHE_BYTES) -> Any:
    """The JSON in a cache file of ours (see ``read_private_bytes``); raises if damaged."""
    return json.loads(read_private_bytes(path, limit))


def write_private_json(path: Path, data: Any) -> bool:
    """Write a cache file atomically (0600, in a private folder); False if it could not be
    written (a read-only home, a full disk, a folder that is not ours). ``data``: JSON
    values, or JSON already encoded (bytes)."""
    try:
        ensure_private_dir(path.parent)
        if not _usable_folder(path.parent):
            return False
        if isinstance(data, bytes):
            encoded = data
        else:
            text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            encoded = text.encode("utf-8")
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache-", suffix=".tmp")  # 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(encoded)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except (OSError, ValueError, RecursionError):
        return False
    return True


def _read(path: Path, key: str) -> Corpus:
    """Read and decode one cache file; raises if it is unsafe, damaged or not this key's.
    Its prepared sections are read one by one when they are shown."""
    corpus, index = _decode(read_private_bytes(path), key)
    corpus.prepared = _PreparedFile(_prepared_path(path), index)
    return corpus


def _prepared_path(path: Path) -> Path:
    """The file of prepared sections beside the cache file ``path``."""
    return path.with_suffix(".prepared")


def _store(path: Path, corpus: Corpus, key: str) -> None:
    """Write the cache atomically: the prepared sections, then the corpus with where each
    one is; failures (read-only home, full disk) are ignored. The corpus keeps the prepared
    sections too."""
    with contextlib.suppress(OSError):
        ensure_private_dir(path.parent)
        if _usable_folder(path.parent):
            _remove_caches(path.parent, keep=path)
    from dvatui.domain.prepared import encode_prepared

    try:
        prepared = encode_prepared(corpus)
        index: dict[str, tuple[int, int]] = {}
        offset = 0
        for section_id, raw in prepared.items():
            index[section_id] = (offset, len(raw))
            offset += len(raw)
        encoded = encode_corpus(corpus, key, index)
    except (ValueError, TypeError, RecursionError, msgspec.MsgspecError):
        # e.g. a file name that is not UTF-8 (JSON cannot hold it): no cache, parse each time
        return
    if write_private_json(_prepared_path(path), b"".join(prepared.values())):
        write_private_json(path, encoded)
    corpus.prepared = prepared


# --------------------------------------------------------------------------- JSON codec
# msgspec writes the model's Structs as lists of their fields (``array_like``) and reads
# them back checked against the model's types: a wrong type, a kind that is not an
# ``ItemKind``, a row of the wrong length all fail the read, which then parses the notes.
# The shipped notes encode to ~1.3 MB and decode in ~3 ms.
#
# Beside it, ``corpus-KEY.prepared`` holds every section prepared for display
# (``prepared.py``): one JSON document per section, back to back, ~2 MB for the shipped
# notes. The corpus's ``prepared`` says where each one is; only the sections on screen are
# read and decoded (~30 µs each), so they add nothing to a start.


class _CacheFile(Struct):
    format: str
    version: int
    key: str
    root: str
    chapters: list[Chapter]
    problems: list[Problem]
    prepared: dict[str, tuple[int, int]] = {}
    """Per section id: the offset and length of its prepared JSON in the ``.prepared``
    file."""


class _PreparedFile(Mapping[str, bytes]):
    """Prepared sections by id, read from the ``.prepared`` file when looked up (a file
    that is missing, unsafe or shorter than the index says has none)."""

    def __init__(self, path: Path, index: dict[str, tuple[int, int]]) -> None:
        self._path = path
        self._index = index

    def __getitem__(self, section_id: str) -> bytes:
        start, length = self._index[section_id]
        if start < 0 or not 0 <= length <= MAX_CACHE_BYTES:
            raise KeyError(section_id)
        try:
            return read_private_range(self._path, start, length)
        except (OSError, ValueError) as exc:
            raise KeyError(section_id) from exc

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def _encode_path(value: object) -> str:
    if isinstance(value, Path):
        return str(value)
    raise NotImplementedError(f"cannot encode {type(value).__name__}")


def encode_corpus(
    corpus: Corpus, key: str = "", prepared: dict[str, tuple[int, int]] | None = None
) -> bytes:
    """The corpus as JSON (see :func:`decode_corpus`), with the index of its prepared
    sections if given."""
    data = _CacheFile(
        CACHE_FORMAT,
        CACHE_VERSION,
        key,
        str(corpus.root),
        corpus.chapters,
        corpus.problems,
        prepared or {},
    )
    return msgspec.json.encode(data, enc_hook=_encode_path)


def decode_corpus(data: bytes, key: str | None = None) -> Corpus:
    """Rebuild a corpus from :func:`encode_corpus` output; raises ValueError if it is
    malformed, or is not a corpus cache of this version (and of ``key``, if given)."""
    return _decode(data, key)[0]


def _decode(data: bytes, key: str | None) -> tuple[Corpus, dict[str, tuple[int, int]]]:
    paths: dict[str, Path] = {}  # one Path per file, shared (as the parser's are)

    def path(kind: type, value: Any) -> Any:
        if kind is Path and type(value) is str:
            found = paths.get(value)
            if found is None:
                found = paths[value] = Path(value)
            return found
        raise NotImplementedError

    try:
        cached = msgspec.json.decode(data, type=_CacheFile, dec_hook=path)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise ValueError(f"not a usable corpus cache: {exc}") from exc
    if cached.format != CACHE_FORMAT:
        raise ValueError("not a corpus cache")
    if cached.version != CACHE_VERSION or (key is not None and cached.key != key):
        raise ValueError("a cache for other notes or another dvatui")
    return Corpus(cached.chapters, cached.problems, Path(cached.root)), cached.prepared
