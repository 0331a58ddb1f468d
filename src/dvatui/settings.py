"""The learner's settings file: TOML in the user config folder, read with ``tomllib``.

Every key is optional::

    theme = "dva-night"
    notes = "/home/me/notes"        # the default for --notes
    desired_retention = 0.85        # 0.70-0.99
    new_per_day = 30                # 0-1000
    exam_date = 2027-01-15          # a TOML date, or the same as a string

    [keymap]                        # binding id = keys, e.g. "ctrl+r" or "ctrl+r,f5"
    review = "ctrl+r"

A key the file sets wins over the same setting in the data file (where ``dvatui review
--retention``, ``--new-per-day``, ``dvatui plan --exam-date`` and the theme picker keep it);
a key it does not set, or sets to something invalid, leaves the data file's value or the
built-in default in force. Each invalid entry gives one message naming the file and the key;
reading never changes the file. ``set_value``/``unset_value`` edit one key and keep the
rest of the file (its comments too, unless the line edit cannot be verified).

Textual-free: the command line and the app both read it.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from msgspec import Struct, field
from msgspec.structs import replace

CONFIG_ENV = "DVATUI_CONFIG"
"""Environment variable naming the settings file (instead of the user config folder's)."""
FILE_NAME = "config.toml"

SCALAR_KEYS = ("theme", "notes", "desired_retention", "new_per_day", "exam_date")
KEYMAP = "keymap"
KEYS = (*SCALAR_KEYS, KEYMAP)
SESSION_KEYS = ("desired_retention", "new_per_day", "exam_date")
"""The keys the study session reads (the data file's keys of the same names)."""

RETENTION_RANGE = (0.70, 0.99)
NEW_PER_DAY_RANGE = (0, 1000)

NEW_FILE_HEADER = (
    "# dvatui settings (README: Settings). Keys: theme, notes, desired_retention,\n"
    "# new_per_day, exam_date and a [keymap] table of binding id = keys.\n"
)

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class SettingsError(ValueError):
    """A value that is not valid for its key, or a settings file that cannot be written."""


def config_path() -> Path:
    """The settings file: ``$DVATUI_CONFIG``, else ``config.toml`` in the user config folder
    (``~/.config/dvatui`` on Linux). Nothing is created."""
    env = os.environ.get(CONFIG_ENV, "").strip()
    if env:
        return Path(env).expanduser().absolute()
    from platformdirs import user_config_path

    return user_config_path("dvatui", appauthor=False) / FILE_NAME


def shown_path(path: Path) -> str:
    """``path`` for messages, with the home folder written ``~``."""
    home = Path.home()
    try:
        return "~/" + str(path.relative_to(home))
    except ValueError:
        return str(path)


class Settings(Struct, frozen=True):
    """What the settings file sets. ``None`` (or an empty keymap): the file does not set it."""

    path: Path | None = None
    theme: str | None = None
    notes: Path | None = None
    desired_retention: float | None = None
    new_per_day: int | None = None
    exam_date: date | None = None
    keymap: Mapping[str, str] = field(default_factory=dict)
    """Binding id -> keys, for ``App.set_keymap``."""
    problems: tuple[str, ...] = ()
    """One message per invalid entry: ``FILE: KEY: what is wrong``."""

    def is_set(self, key: str) -> bool:
        """Whether the file sets ``key`` (``keymap.ID`` for one binding)."""
        if key.startswith(KEYMAP + "."):
            return key.partition(".")[2] in self.keymap
        if key == KEYMAP:
            return bool(self.keymap)
        return key in SCALAR_KEYS and getattr(self, key) is not None

    def overrides(self) -> dict[str, str | int | float]:
        """The session settings the file sets, as the data file stores them (the exam date
        as ``YYYY-MM-DD``): they win over the data file's."""
        out: dict[str, str | int | float] = {}
        if self.desired_retention is not None:
            out["desired_retention"] = self.desired_retention
        if self.new_per_day is not None:
            out["new_per_day"] = self.new_per_day
        if self.exam_date is not None:
            out["exam_date"] = self.exam_date.isoformat()
        return out

    def with_value(self, key: str, value: Any) -> Settings:
        """A copy with ``key`` set to a checked ``value`` (``keymap.ID`` for one binding)."""
        if key.startswith(KEYMAP + "."):
            return replace(self, keymap={**self.keymap, key.partition(".")[2]: value})
        return replace(self, **{key: value})

    def message(self, key: str, problem: str) -> str:
        where = shown_path(self.path) if self.path is not None else "settings"
        return f"{where}: {key}: {problem}"


# ------------------------------------------------------------------------------ reading


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file (``config_path()`` by default). Never raises: a missing file
    sets nothing; an unreadable or malformed file sets nothing and says why; an invalid
    entry is left out with a message naming the file and the key."""
    path = config_path() if path is None else path
    empty = Settings(path=path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return empty
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return replace(empty, problems=(f"{shown_path(path)}: cannot be read ({reason})",))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return replace(
            empty,
            problems=(f"{shown_path(path)}: not valid TOML ({exc}); no setting was used",),
        )
    return settings_from(data, path)


def settings_from(data: Mapping[str, Any], path: Path | None) -> Settings:
    """Check parsed TOML; keep the valid keys, a message for each invalid one."""
    settings = Settings(path=path)
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if key == KEYMAP:
            keymap, keymap_problems = _check_keymap(raw)
            values[KEYMAP] = keymap
            problems.extend(settings.message(k, p) for k, p in keymap_problems)
            continue
        if key not in SCALAR_KEYS:
            import difflib

            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else f"; known: {', '.join(KEYS)}"
            problems.append(settings.message(key, "unknown setting" + hint))
            continue
        try:
            values[key] = check_value(key, raw, base=path.parent if path else None)
        except SettingsError as exc:
            problems.append(settings.message(key, str(exc)))
    return replace(settings, **values, problems=tuple(problems))


def check_value(key: str, raw: Any, *, base: Path | None = None) -> Any:
    """``raw`` (as TOML gives it) checked for ``key``; raises ``SettingsError`` saying what
    is wrong. ``base``: the folder a relative ``notes`` path is relative to."""
    if key.startswith(KEYMAP + "."):
        return _check_keys(raw)
    if key == "theme":
        if not isinstance(raw, str) or not raw.strip():
            raise SettingsError(f'must be a theme name such as "dva-night", got {_shown(raw)}')
        return raw.strip()
    if key == "notes":
        if not isinstance(raw, str) or not raw.strip():
            raise SettingsError(f"must be the path of a notes file or folder, got {_shown(raw)}")
        notes = Path(raw.strip()).expanduser()
        if not notes.is_absolute() and base is not None:
            notes = base / notes
        if not notes.exists():
            raise SettingsError(f"{notes} does not exist")
        return notes
    if key == "desired_retention":
        low, high = RETENTION_RANGE
        ok = isinstance(raw, int | float) and not isinstance(raw, bool) and math.isfinite(raw)
        if not ok or not low <= raw <= high:
            raise SettingsError(f"must be between {low:.2f} and {high:.2f}, got {_shown(raw)}")
        return float(raw)
    if key == "new_per_day":
        low_n, high_n = NEW_PER_DAY_RANGE
        if not isinstance(raw, int) or isinstance(raw, bool) or not low_n <= raw <= high_n:
            raise SettingsError(
                f"must be a whole number between {low_n} and {high_n}, got {_shown(raw)}"
            )
        return raw
    if key == "exam_date":
        when = raw
        if isinstance(raw, str):
            try:
                when = date.fromisoformat(raw.strip())
            except ValueError:
                when = None
        if not isinstance(when, date) or isinstance(when, datetime):
            raise SettingsError(f"must be a date written YYYY-MM-DD, got {_shown(raw)}")
        return when
    raise SettingsError(f"unknown setting; known: {', '.join(KEYS)} (keymap.ID for a binding)")


def _check_keymap(raw: Any) -> tuple[dict[str, str], list[tuple[str, str]]]:
    if not isinstance(raw, dict):
        return {}, [(KEYMAP, f"must be a table of binding id = keys, got {_shown(raw)}")]
    keymap: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for binding_id, keys in raw.items():
        try:
            keymap[binding_id] = _check_keys(keys)
        except SettingsError as exc:
            problems.append((f"{KEYMAP}.{binding_id}", str(exc)))
    return keymap, problems


def _check_keys(raw: Any) -> str:
    parts = [part.strip() for part in raw.split(",")] if isinstance(raw, str) else []
    if not parts or not all(p and p.isprintable() and not re.search(r"\s", p) for p in parts):
        raise SettingsError(
            f'must be keys such as "ctrl+r" (several: "ctrl+r,f5"), got {_shown(raw)}'
        )
    return ",".join(parts)


def _shown(raw: Any) -> str:
    if isinstance(raw, str):
        return toml_value(raw)
    if isinstance(raw, dict):
        return "a table"
    if isinstance(raw, list):
        return "a list"
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return str(raw)


def parse_text(key: str, text: str, *, today: date | None = None) -> Any:
    """A value typed on the command line (``dvatui config set KEY VALUE``), checked.

    Numbers and dates are read from the text; ``notes`` is made absolute (it must exist);
    an exam date must be in the future (as for ``dvatui plan --exam-date``).
    """
    raw: Any = text
    if key == "desired_retention":
        with contextlib.suppress(ValueError):
            raw = float(text)
    elif key == "new_per_day":
        with contextlib.suppress(ValueError):
            raw = int(text)
    elif key == "notes":
        raw = str(Path(text).expanduser().absolute()) if text.strip() else text
    value = check_value(key, raw)
    if key == "exam_date" and value <= (today or date.today()):
        raise SettingsError(f"{value.isoformat()} is not in the future; give the day of your exam")
    return value


# ------------------------------------------------------------------------------ writing


class Written(Struct, frozen=True):
    """What ``set_value``/``unset_value`` did."""

    path: Path
    changed: bool
    comments_lost: bool = False
    """The line edit could not be verified, so the file was rewritten from its data."""


def set_value(path: Path, key: str, value: Any) -> Written:
    """Write a checked ``value`` for ``key`` (``keymap.ID`` for one binding) into the file,
    keeping the rest of it. Raises ``SettingsError`` if the file cannot be read, is not
    valid TOML (it is left as it is) or cannot be written."""
    table, name = _split_key(key)
    text, data = _read_for_edit(path)
    expected = _copy(data)
    target = expected.setdefault(table, {}) if table else expected
    if table and not isinstance(target, dict):
        raise SettingsError(f"{shown_path(path)}: {table} is not a table; fix or remove it first")
    if name in target and _same(target[name], value):
        return Written(path, changed=False)
    target[name] = value
    line = f"{toml_key(name)} = {toml_value(value)}\n"
    edited = _edit_lines(text or NEW_FILE_HEADER, table, name, line)
    return _write_checked(path, edited, expected)


def unset_value(path: Path, key: str) -> Written:
    """Remove ``key`` from the file (the data file's value or the default applies again)."""
    table, name = _split_key(key)
    text, data = _read_for_edit(path)
    expected = _copy(data)
    target = expected.get(table) if table else expected
    if not isinstance(target, dict) or name not in target:
        return Written(path, changed=False)
    del target[name]  # an emptied [keymap] table stays, empty
    edited = _edit_lines(text, table, name, None)
    return _write_checked(path, edited, expected)


def _split_key(key: str) -> tuple[str | None, str]:
    if key.startswith(KEYMAP + "."):
        return KEYMAP, key.partition(".")[2]
    return None, key


def _read_for_edit(path: Path) -> tuple[str, dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return "", {}
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{shown_path(path)}: cannot be read ({exc})") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(
            f"{shown_path(path)}: not valid TOML ({exc}); fix or remove it first"
        ) from None


_HEADER = re.compile(r"\s*\[(\[?)\s*([^\[\]]*?)\s*\]\]?\s*(#.*)?")


def _edit_lines(text: str, table: str | None, name: str, new_line: str | None) -> str:
    """Replace (or add, or with ``new_line=None`` remove) the line assigning ``name`` in
    ``table`` (None: the top level). A best effort on the text; the caller verifies it."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    assign = re.compile(rf"\s*(?:{re.escape(name)}|\"{re.escape(name)}\"|'{re.escape(name)}')\s*=")
    current: str | None = None
    section_end: int | None = None  # one past the table's last assignment (or its header)
    found: int | None = None
    first_header: int | None = None
    for index, line in enumerate(lines):
        header = _HEADER.fullmatch(line.rstrip("\n"))
        if header is not None:
            first_header = index if first_header is None else first_header
            current = None if header.group(1) else header.group(2).strip("\"' ")
            if current == table and table is not None:
                section_end = index + 1
            continue
        in_table = (current == table) if table is not None else first_header is None
        if not in_table:
            continue
        if assign.match(line):
            found = index
        if line.strip() and not line.lstrip().startswith("#"):
            section_end = index + 1
    if found is not None:
        lines[found : found + 1] = [] if new_line is None else [new_line]
    elif new_line is None:
        pass
    elif table is None:
        at = section_end if section_end is not None else (first_header or len(lines))
        lines.insert(at, new_line)
    elif section_end is not None:
        lines.insert(section_end, new_line)
    else:
        gap = "\n" if lines and lines[-1].strip() else ""
        lines.append(f"{gap}[{table}]\n{new_line}")
    return "".join(lines)


def _write_checked(path: Path, edited: str, expected: dict[str, Any]) -> Written:
    comments_lost = False
    try:
        ok = _same(tomllib.loads(edited), expected)
    except tomllib.TOMLDecodeError:
        ok = False
    if not ok:  # an unusual layout (dotted keys, an inline table...): write the data afresh
        edited = NEW_FILE_HEADER + dump_toml(expected)
        comments_lost = True
        if not _same(tomllib.loads(edited), expected):
            raise SettingsError(f"{shown_path(path)}: could not write the new value")
    _replace_file(path, edited)
    return Written(path, changed=True, comments_lost=comments_lost)


def _replace_file(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside the target, then rename it over the target
    (through a symbolic link: a dotfiles link stays a link)."""
    import tempfile

    target = Path(os.path.realpath(path))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode: int | None = stat.S_IMODE(target.stat().st_mode)
        except FileNotFoundError:
            mode = None
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            if mode is not None:
                os.chmod(temp, mode)
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    except OSError as exc:
        raise SettingsError(f"{shown_path(path)}: cannot be written ({exc})") from None


# ------------------------------------------------------------------------------ TOML out


def toml_value(value: Any) -> str:
    """``value`` as a TOML value (strings, numbers, booleans, dates, lists, tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Path):
        return toml_value(str(value))
    if isinstance(value, str):
        return '"' + "".join(_ESCAPES.get(ch) or _escaped(ch) for ch in value) + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        inner = ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{" + inner + "}"
    raise SettingsError(f"cannot write {type(value).__name__} values")


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escaped(ch: str) -> str:
    code = ord(ch)
    return f"\\u{code:04X}" if code < 0x20 or code == 0x7F else ch


def toml_key(key: str) -> str:
    """A TOML key: bare when it can be, else quoted."""
    return key if _BARE_KEY.fullmatch(key) else toml_value(key)


def dump_toml(data: Mapping[str, Any]) -> str:
    """A whole document: top-level values first, then one ``[table]`` per table."""
    lines = [f"{toml_key(k)} = {toml_value(v)}" for k, v in data.items() if not _is_table(v)]
    for key, table in data.items():
        if _is_table(table):
            lines.append(f"\n[{toml_key(key)}]")
            lines.extend(f"{toml_key(k)} = {toml_value(v)}" for k, v in table.items())
    return "\n".join(lines) + "\n"


def _is_table(value: Any) -> bool:
    return isinstance(value, Mapping)


def _copy(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _copy(v) if isinstance(v, Mapping) else v for k, v in data.items()}


def _same(a: Any, b: Any) -> bool:
    """Equal as TOML data (a path and its string are the same; NaN equals NaN)."""
    if isinstance(a, Path) or isinstance(b, Path):
        return str(a) == str(b)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and bool(a == b)
