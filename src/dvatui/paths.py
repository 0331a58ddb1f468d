"""Where dvatui finds its shipped notes and themes. Nothing here runs at import time."""

from __future__ import annotations

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
