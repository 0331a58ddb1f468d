"""A parsed-corpus cache, so that starting the app does not re-parse unchanged notes.

Parsing the 25 shipped chapters costs ~100 ms; unpickling the result costs a few. The
cache key covers every notes file's path, size and modification time, the dvatui version
and the Python version, so any edit (or upgrade) parses afresh. A cache file that cannot
be read is ignored and rewritten; the cache is never needed for correctness.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

from dvatui import __version__
from dvatui.domain.model import Corpus

CACHE_ENV = "DVATUI_CACHE_DIR"
DISABLE_ENV = "DVATUI_NO_CACHE"
NOTES_SUFFIXES = (".md", ".markdown", ".txt")


def cache_dir() -> Path:
    """``$DVATUI_CACHE_DIR``, else the platform's user cache folder for dvatui."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("dvatui", appauthor=False))


def _fingerprint(root: Path) -> str | None:
    """A digest of what the corpus at ``root`` was built from, or None if it cannot be read."""
    digest = hashlib.sha256(f"{__version__}|{sys.version}|{root.resolve()}".encode())
    try:
        if root.is_dir():
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.lower().endswith(NOTES_SUFFIXES) and not name.startswith("."):
                        path = Path(dirpath, name)
                        st = path.stat()
                        digest.update(f"{path}|{st.st_size}|{st.st_mtime_ns}\n".encode())
        else:
            st = root.stat()
            digest.update(f"{root}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    except OSError:
        return None
    return digest.hexdigest()[:32]


def load_corpus_cached(root: Path) -> Corpus:
    """Load notes through the cache (parse and store them on a miss)."""
    # The parser (markdown-it, YAML) is imported only on a miss: ~30 ms saved at start-up.
    if os.environ.get(DISABLE_ENV):
        return _parse(root)
    key = _fingerprint(root)
    if key is None:
        return _parse(root)
    path = cache_dir() / f"corpus-{key}.pickle"
    with contextlib.suppress(Exception):  # a missing, stale or damaged cache: parse instead
        with path.open("rb") as handle:
            cached = pickle.load(handle)
        if isinstance(cached, Corpus):
            return cached
    corpus = _parse(root)
    _store(path, corpus)
    return corpus


def _parse(root: Path) -> Corpus:
    from dvatui.domain.loader import load_corpus

    return load_corpus(root)


def _store(path: Path, corpus: Corpus) -> None:
    """Write the cache atomically; failures (read-only home, full disk) are ignored."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("corpus-*.pickle"):
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".corpus-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(corpus, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:
        pass
