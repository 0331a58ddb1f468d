"""Where dvatui finds its shipped notes and themes. Nothing here runs at import time."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    """A folder shipped in the wheel (``dvatui/_data/NAME``) or at the checkout's top level."""
    inside = _PACKAGE / "_data" / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent.parent / name


def shipped_notes_dir() -> Path:
    """The study notes that come with dvatui."""
    return _bundled("notes")


def shipped_themes_dir() -> Path:
    """The theme files that come with dvatui."""
    return _bundled("themes")


PRIVATE_DIR_MODE = 0o700


def ensure_private_dir(directory: Path) -> None:
    """Create ``directory`` and its missing parents with mode 0700, whatever the umask.

    Folders that already exist are left as they are; raises ``OSError`` when a folder
    cannot be created.
    """
    missing: list[Path] = []
    current = directory
    while not os.path.lexists(current) and current != current.parent:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, PRIVATE_DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(folder, PRIVATE_DIR_MODE)  # the umask may have taken bits away


def is_private(st: os.stat_result) -> bool:
    """True for a file or folder that the current user owns and nobody else may write."""
    return st.st_uid == os.getuid() and not st.st_mode & 0o022
