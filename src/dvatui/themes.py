"""Themes: the YAML files in ``themes/`` become Textual ``Theme`` objects."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from textual.theme import Theme

THEME_KEYS = {
    "primary",
    "secondary",
    "accent",
    "warning",
    "error",
    "success",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
}


@dataclass
class ThemeLoad:
    """The themes that loaded, and a message per file that did not."""

    themes: list[Theme]
    errors: list[str]


def load_themes(folder: Path) -> ThemeLoad:
    """Read every ``*.yaml``/``*.yml`` theme file in a folder."""
    themes: list[Theme] = []
    errors: list[str] = []
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]) if folder.is_dir() else []
    for path in files:
        try:
            data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
            themes.append(_theme(data, path))
        except (OSError, ValueError, yaml.YAMLError) as exc:
            errors.append(f"{path}: {exc}")
    return ThemeLoad(themes, errors)


def _theme(data: Any, path: Path) -> Theme:
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise ValueError("a theme needs a 'name' and colour keys")
    if "primary" not in data:
        raise ValueError("a theme needs at least a 'primary' colour")
    unknown = set(data) - THEME_KEYS - {"name", "dark", "variables"}
    if unknown:
        raise ValueError(f"unknown keys {', '.join(sorted(unknown))}")
    colours = {k: str(v) for k, v in data.items() if k in THEME_KEYS}
    variables = data.get("variables") or {}
    return Theme(
        name=data["name"],
        primary=colours["primary"],
        secondary=colours.get("secondary"),
        warning=colours.get("warning"),
        error=colours.get("error"),
        success=colours.get("success"),
        accent=colours.get("accent"),
        foreground=colours.get("foreground"),
        background=colours.get("background"),
        surface=colours.get("surface"),
        panel=colours.get("panel"),
        boost=colours.get("boost"),
        dark=bool(data.get("dark", True)),
        variables={str(k): str(v) for k, v in variables.items()},
    )
