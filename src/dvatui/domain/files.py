"""Finding and reading notes files without trusting what the folder holds.

A notes folder may come from anyone. Only regular files are read, at most
:data:`MAX_FILE_BYTES` each: a device (``/dev/zero``), a FIFO or a socket is skipped
without being opened for long, and a symbolic link is followed only when it stays inside
the notes folder. What is skipped becomes a :class:`~dvatui.domain.model.Problem` naming
the file. This module does not import the parsers, so the start-up cache can use it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from dvatui.domain.model import Problem, Severity

NOTES_SUFFIXES = (".md", ".markdown", ".txt")
MAX_FILE_BYTES = 4 * 1024 * 1024
"""The largest notes file that is read (4 MiB; the whole shipped corpus is under 1 MiB)."""
MAX_FOLDER_DEPTH = 16
"""Folders nested deeper than this below the notes folder are not searched."""
_READ_CHUNK = 1 << 20


def is_notes_name(name: str) -> bool:
    """True for a file name the folder reader considers: a visible .md/.markdown/.txt."""
    return not name.startswith(".") and name.lower().endswith(NOTES_SUFFIXES)


def notes_candidates(root: Path, problems: list[Problem] | None = None) -> list[Path]:
    """Paths under ``root`` named like notes files, in name order (folders depth first).

    Hidden files and folders are skipped and symbolic links to folders are not followed.
    The paths are only candidates: :func:`read_notes_file` decides what is read.
    """
    found: list[Path] = []
    stack: list[tuple[Path, int]] = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            with os.scandir(folder) as entries:
                listing = list(entries)
        except OSError as exc:
            if problems is not None:
                problems.append(
                    Problem(folder, 0, f"cannot read folder: {_reason(exc)}", "warning")
                )
            continue
        for entry in listing:
            if entry.name.startswith("."):
                continue
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                if depth + 1 < MAX_FOLDER_DEPTH:
                    stack.append((Path(entry.path), depth + 1))
                elif problems is not None:
                    problems.append(
                        Problem(Path(entry.path), 0, "skipped: folder nested too deep", "warning")
                    )
            elif is_notes_name(entry.name):
                found.append(Path(entry.path))
    return sorted(found, key=lambda p: [part.lower() for part in p.relative_to(root).parts])


def read_notes_file(path: Path, problems: list[Problem], *, root: Path | None) -> bytes | None:
    """The bytes of one notes file, or None (with a problem naming it) if it is not read.

    Args:
        path: The file.
        problems: Where to report why a file is skipped.
        root: The notes folder ``path`` was found in; a symbolic link must stay inside it.
            None when the learner named the file itself: then a link may point anywhere,
            but still only at a regular file. A file found in a folder is skipped with a
            warning; a file named directly is an error.
    """
    severity: Severity = "warning" if root is not None else "error"

    def skip(message: str) -> None:
        problems.append(Problem(path, 0, message, severity))

    try:
        link = stat.S_ISLNK(os.lstat(path).st_mode)
        target = Path(os.path.realpath(path)) if link else path
        if link and root is not None:
            inside = Path(os.path.realpath(root))
            if not target.is_relative_to(inside):
                skip("skipped: a symbolic link to a file outside the notes folder")
                return None
        info = os.stat(target)
    except OSError as exc:
        skip(f"cannot read file: {_reason(exc)}")
        return None
    if not stat.S_ISREG(info.st_mode):
        skip("skipped: not a regular file (a folder, device, pipe or socket)")
        return None
    if info.st_size > MAX_FILE_BYTES:
        skip(f"skipped: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        return None
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        skip(f"cannot read file: {_reason(exc)}")
        return None
    try:
        # Checked again on what was opened: the path may have changed since the stat.
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            skip("skipped: not a regular file (a folder, device, pipe or socket)")
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, _READ_CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        skip(f"cannot read file: {_reason(exc)}")
        return None
    finally:
        os.close(fd)
    if size > MAX_FILE_BYTES:
        skip(f"skipped: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
        return None
    return b"".join(chunks)


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
