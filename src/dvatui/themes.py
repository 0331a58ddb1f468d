"""Themes: the YAML files in ``themes/`` become Textual ``Theme`` objects.

The shipped theme files are flat ``key: value`` lines (and an indented ``variables:``
table), which :func:`read_flat_yaml` reads without PyYAML: importing it costs ~8 ms of the
start-up. Any other YAML goes to PyYAML, which is imported then.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from msgspec import Struct
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


class ThemeLoad(Struct):
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
            text = path.read_text(encoding="utf-8")
            data: Any = read_flat_yaml(text)
            if data is None:
                data = _yaml_load(text)
            themes.append(_theme(data, path))
        except (OSError, ValueError) as exc:  # yaml.YAMLError is a ValueError here
            errors.append(f"{path}: {exc}")
    return ThemeLoad(themes, errors)


def _yaml_load(text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from exc


_LINE = re.compile(r"(?P<indent> *)(?P<key>[A-Za-z0-9_][A-Za-z0-9_-]*):(?: +(?P<value>\S.*?))? *")
_DOUBLE = re.compile(r'"[^"\\]*"')
_SINGLE = re.compile(r"'[^']*'")
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_BOOLS = {"true": True, "false": False}
_SPECIAL = {"yes", "no", "on", "off", "true", "false", "null"}
"""Plain words PyYAML reads as booleans or null, in any case (only true/false are taken)."""


def read_flat_yaml(text: str) -> dict[str, Any] | None:
    """The mapping a flat YAML file holds, as ``yaml.safe_load`` reads it, or None when the
    file uses anything more (then PyYAML reads it).

    Flat: comment and blank lines, ``key: value`` lines, and one level of ``key:`` tables
    of indented ``key: value`` lines. A value is a quoted string without escapes, ``true``
    or ``false``, or a word that PyYAML reads as a string; anything else (numbers, comments
    after a value, flow collections, duplicate keys...) gives None.
    """
    top: dict[str, Any] = {}
    table: dict[str, Any] | None = None
    indent = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            return None
        key, raw = match["key"], match["value"]
        if match["indent"]:
            if table is None or (indent and match["indent"] != indent) or raw is None:
                return None
            indent = match["indent"]
            target = table
        else:
            table = None
            target = top
        if key in target:
            return None
        if raw is None:  # a table follows (an empty one would be null: not flat)
            table, indent = {}, ""
            top[key] = table
            continue
        value = _scalar(raw)
        if value is None:
            return None
        target[key] = value
    if any(value == {} for value in top.values()):
        return None
    return top


def _scalar(raw: str) -> str | bool | None:
    if _DOUBLE.fullmatch(raw) or _SINGLE.fullmatch(raw):
        return raw[1:-1]
    if raw in _BOOLS:
        return _BOOLS[raw]
    if _PLAIN.fullmatch(raw) and raw.lower() not in _SPECIAL:
        return raw
    return None


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
