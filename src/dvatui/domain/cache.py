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
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar, get_args

from dvatui import __version__
from dvatui.domain.files import notes_candidates
from dvatui.domain.model import (
    Chapter,
    Choice,
    Corpus,
    Flashcard,
    ItemKind,
    NoteItem,
    Problem,
    Question,
    Section,
    Severity,
)
from dvatui.paths import PRIVATE_DIR_MODE, ensure_private_dir, is_private

CACHE_ENV = "DVATUI_CACHE_DIR"
DISABLE_ENV = "DVATUI_NO_CACHE"
CACHE_FORMAT = "dvatui-corpus-cache"
CACHE_VERSION = 2
"""Version 1 was a pickle; version 2 is JSON."""
MAX_CACHE_BYTES = 64 * 1024 * 1024
_DOMAIN_DIR = Path(__file__).resolve().parent
_ITEM_KINDS: tuple[str, ...] = get_args(ItemKind)
_SEVERITIES: tuple[str, ...] = get_args(Severity)
_MARKUPS = ("markdown", "plain")

T = TypeVar("T")


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


def read_private_json(path: Path, limit: int = MAX_CACHE_BYTES) -> Any:
    """The JSON in a cache file of ours; raises if it is not a private regular file (not a
    link, not writable by others, not someone else's), is larger than ``limit`` or damaged."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not is_private(st):
            raise ValueError("cache file is not a private regular file")
        if st.st_size > limit:
            raise ValueError("cache file too large")
        return json.loads(handle.read(limit + 1))


def write_private_json(path: Path, data: Any) -> bool:
    """Write a cache file atomically (0600, in a private folder); False if it could not be
    written (a read-only home, a full disk, a folder that is not ours)."""
    try:
        ensure_private_dir(path.parent)
        if not _usable_folder(path.parent):
            return False
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache-", suffix=".tmp")  # 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
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
    data = read_private_json(path)
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        raise ValueError("not a corpus cache")
    if data.get("version") != CACHE_VERSION or data.get("key") != key:
        raise ValueError("a cache for other notes or another dvatui")
    return decode_corpus(data)


def _store(path: Path, corpus: Corpus, key: str) -> None:
    """Write the cache atomically; failures (read-only home, full disk) are ignored."""
    with contextlib.suppress(OSError):
        ensure_private_dir(path.parent)
        if _usable_folder(path.parent):
            _remove_caches(path.parent, keep=path)
    write_private_json(path, encode_corpus(corpus, key))


# --------------------------------------------------------------------------- JSON codec
# Compact positional lists, with file paths numbered once: the shipped notes encode to
# ~0.8 MB and decode in a few milliseconds.


def encode_corpus(corpus: Corpus, key: str = "") -> dict[str, Any]:
    """The corpus as plain JSON values (see :func:`decode_corpus`)."""
    paths: dict[str, int] = {}

    def pid(path: Path) -> int:
        return paths.setdefault(str(path), len(paths))

    def question(q: Question) -> list[Any]:
        return [
            q.id,
            q.chapter_id,
            q.section_id,
            q.stem,
            [[c.text, c.correct, c.id] for c in q.choices],  # ids kept: no hashing on a hit
            q.explanation,
            q.domain,
            pid(q.path),
            q.line,
            q.see,
            q.see_line,
            q.pool,
        ]

    def section(s: Section) -> list[Any]:
        return [
            s.id,
            s.title,
            s.level,
            s.chapter_id,
            pid(s.path),
            s.line,
            s.parent_id,
            [[i.id, i.kind, i.text, i.line, i.markup] for i in s.items],
            [question(q) for q in s.questions],
            [section(c) for c in s.children],
            [
                [c.id, c.chapter_id, c.section_id, c.front, c.back, pid(c.path), c.line, c.kind]
                for c in s.cards
            ],
        ]

    chapters = [
        [
            c.id,
            c.title,
            list(c.domains),
            pid(c.path),
            c.line,
            c.markup,
            section(c.overview),
            [section(s) for s in c.sections],
        ]
        for c in corpus.chapters
    ]
    problems = [[pid(p.path), p.line, p.message, p.severity] for p in corpus.problems]
    return {
        "format": CACHE_FORMAT,
        "version": CACHE_VERSION,
        "key": key,
        "root": str(corpus.root),
        "paths": list(paths),
        "chapters": chapters,
        "problems": problems,
    }


def _check(value: Any, kind: type[T]) -> T:
    if type(value) is not kind:
        raise ValueError(f"expected {kind.__name__}")
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else _check(value, str)


def _one_of(value: Any, allowed: tuple[str, ...]) -> Any:
    if value not in allowed:
        raise ValueError("unexpected value")
    return value


def _list(value: Any, build: Callable[[Any], T]) -> list[T]:
    return [build(v) for v in _check(value, list)]


def decode_corpus(data: dict[str, Any]) -> Corpus:
    """Rebuild a corpus from :func:`encode_corpus` output; raises ValueError if malformed."""
    paths = [Path(p) for p in _list(data.get("paths"), lambda v: _check(v, str))]

    def path(value: Any) -> Path:
        index = _check(value, int)
        if not 0 <= index < len(paths):
            raise ValueError("path number out of range")
        return paths[index]

    # Items and choices are most of the corpus: their checks are written out inline.
    def item(v: Any) -> NoteItem:
        if type(v) is not list or len(v) != 5:
            raise ValueError("bad note item")
        iid, kind, text, line, markup = v
        if (
            type(iid) is not str
            or kind not in _ITEM_KINDS
            or type(text) is not str
            or type(line) is not int
            or markup not in _MARKUPS
        ):
            raise ValueError("bad note item")
        return NoteItem(iid, kind, text, line, markup)

    def choice(v: Any) -> Choice:
        if (
            type(v) is not list
            or len(v) != 3
            or type(v[0]) is not str
            or type(v[1]) is not bool
            or type(v[2]) is not str
            or not v[2]
        ):
            raise ValueError("bad choice")
        return Choice(v[0], v[1], v[2])

    def question(v: Any) -> Question:
        if type(v) is not list or len(v) != 12:
            raise ValueError("bad question")
        qid, chapter_id, section_id, stem, choices, explanation, domain, p, line, see, see_line = v[
            :11
        ]
        pool = v[11]
        if (
            type(qid) is not str
            or type(chapter_id) is not str
            or type(section_id) is not str
            or type(stem) is not str
            or type(explanation) is not str
            or type(domain) is not str
            or type(line) is not int
            or type(see_line) is not int
        ):
            raise ValueError("bad question")
        return Question(
            qid,
            chapter_id,
            section_id,
            stem,
            tuple(_list(choices, choice)),
            explanation,
            domain,
            path(p),
            line,
            _opt_str(see),
            see_line,
            _opt_str(pool),
        )

    def section(v: Any) -> Section:
        sid, title, level, chapter_id, p, line, parent, items, questions, children, cards = _check(
            v, list
        )
        return Section(
            _check(sid, str),
            _check(title, str),
            _check(level, int),
            _check(chapter_id, str),
            path(p),
            _check(line, int),
            _list(items, item),
            _list(questions, question),
            _list(children, section),
            _opt_str(parent),
            _list(cards, card),
        )

    def card(v: Any) -> Flashcard:
        cid, chapter_id, section_id, front, back, p, line, kind = _check(v, list)
        return Flashcard(
            _check(cid, str),
            _check(chapter_id, str),
            _check(section_id, str),
            _check(front, str),
            _check(back, str),
            path(p),
            _check(line, int),
            _check(kind, str),
        )

    def chapter(v: Any) -> Chapter:
        cid, title, domains, p, line, markup, overview, sections = _check(v, list)
        return Chapter(
            _check(cid, str),
            _check(title, str),
            tuple(_list(domains, lambda d: _check(d, str))),
            path(p),
            _check(line, int),
            section(overview),
            _list(sections, section),
            _one_of(markup, _MARKUPS),
        )

    def problem(v: Any) -> Problem:
        p, line, message, severity = _check(v, list)
        return Problem(
            path(p), _check(line, int), _check(message, str), _one_of(severity, _SEVERITIES)
        )

    try:
        return Corpus(
            _list(data.get("chapters"), chapter),
            _list(data.get("problems"), problem),
            Path(_check(data.get("root"), str)),
        )
    except TypeError as exc:  # e.g. a row of the wrong length
        raise ValueError(str(exc)) from exc
