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
CACHE_VERSION = 3
"""Version 1 was a pickle; 2 was JSON written by hand; 3 is JSON written by msgspec."""
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
    # The parser (markdown-it, YAML) is imported only on a miss: ~30 ms saved at start-up.
    if os.environ.get(DISABLE_ENV):
        return _parse(root)
    key = _fingerprint(root)
    if key is None:
        return _parse(root)
    folder = cache_dir()
    usable = _usable_folder(folder)
    path = folder / f"corpus-{key}.json"
    if usable:
        with contextlib.suppress(Exception):  # missing, stale, damaged or unsafe: parse
            return _read(path, key)
    corpus = _parse(root)
    if usable is not False:  # a folder that is unsafe and not ours is left alone
        _store(path, corpus, key)
    return corpus


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
    for old in folder.glob("corpus-*"):
        if old != keep:
            with contextlib.suppress(OSError):
                old.unlink()


def read_private_bytes(path: Path, limit: int = MAX_CACHE_BYTES) -> bytes:
    """The bytes of a cache file of ours; raises if it is not a private regular file (not a
    link, not writable by others, not someone else's) or is larger than ``limit``."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not is_private(st):
            raise ValueError("cache file is not a private regular file")
        if st.st_size > limit:
            raise ValueError("cache file too large")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError("cache file too large")
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
    """Read and decode one cache file; raises if it is unsafe, damaged or not this key's."""
    return decode_corpus(read_private_bytes(path), key)


def _store(path: Path, corpus: Corpus, key: str) -> None:
    """Write the cache atomically; failures (read-only home, full disk) are ignored."""
    with contextlib.suppress(OSError):
        ensure_private_dir(path.parent)
        if _usable_folder(path.parent):
            _remove_caches(path.parent, keep=path)
    try:
        encoded = encode_corpus(corpus, key)
    except (ValueError, TypeError, RecursionError, msgspec.MsgspecError):
        # e.g. a file name that is not UTF-8 (JSON cannot hold it): no cache, parse each time
        return
    write_private_json(path, encoded)


# --------------------------------------------------------------------------- JSON codec
# msgspec writes the model's Structs as lists of their fields (``array_like``) and reads
# them back checked against the model's types: a wrong type, a kind that is not an
# ``ItemKind``, a row of the wrong length all fail the read, which then parses the notes.
# The shipped notes encode to ~1.3 MB and decode in ~3 ms.


class _CacheFile(Struct):
    format: str
    version: int
    key: str
    root: str
    chapters: list[Chapter]
    problems: list[Problem]


def _encode_path(value: object) -> str:
    if isinstance(value, Path):
        return str(value)
    raise NotImplementedError(f"cannot encode {type(value).__name__}")


def encode_corpus(corpus: Corpus, key: str = "") -> bytes:
    """The corpus as JSON (see :func:`decode_corpus`)."""
    data = _CacheFile(
        CACHE_FORMAT, CACHE_VERSION, key, str(corpus.root), corpus.chapters, corpus.problems
    )
    return msgspec.json.encode(data, enc_hook=_encode_path)


def decode_corpus(data: bytes, key: str | None = None) -> Corpus:
    """Rebuild a corpus from :func:`encode_corpus` output; raises ValueError if it is
    malformed, or is not a corpus cache of this version (and of ``key``, if given)."""
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
    return Corpus(cached.chapters, cached.problems, Path(cached.root))
