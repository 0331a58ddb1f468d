"""Making untrusted text safe to show: no control character reaches a terminal.

Notes come from anywhere (a cloned exam-prep repository, a colleague's folder), and so do
the labels in the learner's data file. A control character in them could drive the
terminal: ESC starts CSI and OSC sequences (clear the screen, set the title, write the
clipboard with OSC 52), BEL rings, a lone CR rewrites the line, and the C1 range
U+0080-U+009F holds 8-bit forms of the same sequences. :func:`clean_text` makes each of
them visible instead, so nothing is silently lost and nothing is interpreted.
"""

from __future__ import annotations

import re

_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Every C0 control but tab and newline, DEL, and every C1 control."""

_C1_JSON_RE = re.compile("[\x7f-\x9f]")
DEFAULT_QUOTE_LIMIT = 60


def _visible(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ESC becomes U+241B
    if code == 0x7F:
        return "\u2421"
    return f"\\x{code:02x}"  # C1 controls have no control picture


_VISIBLE = {chr(c): _visible(chr(c)) for c in (*range(0x20), *range(0x7F, 0xA0))}


def clean_text(text: str) -> str:
    """``text`` with every control character but newline and tab made visible.

    CR LF becomes LF; a lone CR, ESC and the other C0 controls become their Unicode
    control pictures (``␍``, ``␛``, ...), DEL becomes ``␡`` and a C1 control (U+0080 to
    U+009F) becomes the four characters ``\\x9b``. Text without control characters is
    returned unchanged.
    """
    if _CONTROL_RE.search(text) is None:
        return text
    return _CONTROL_RE.sub(lambda m: _VISIBLE[m.group()], text.replace("\r\n", "\n"))


def has_controls(text: str) -> bool:
    """True when ``text`` holds a character that :func:`clean_text` would change."""
    return _CONTROL_RE.search(text) is not None


def quote(value: object, limit: int = DEFAULT_QUOTE_LIMIT) -> str:
    """A short, safe rendering of a user-supplied value for a message.

    Text is quoted (``'like this'``) and cut to ``limit`` characters; numbers, booleans
    and null are shown as they are; anything else is only named (``a list``,
    ``a mapping``), because the ``repr`` of a nested value can be huge or too deep to
    build.
    """
    if isinstance(value, str):
        short = value if len(value) <= limit else value[: max(limit - 1, 0)] + "…"
        return clean_text(repr(short))
    if value is None or isinstance(value, bool | float):
        return repr(value)
    if isinstance(value, int):
        return repr(value) if value.bit_length() <= 64 else "a very large number"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a " + type(value).__name__


def escape_json_controls(text: str) -> str:
    """Escape DEL and C1 controls in JSON output (the encoder escapes only U+0000-U+001F).

    The result is still valid JSON with the same meaning: these characters can only occur
    inside JSON strings, where ``\\u009b`` stands for the same character.
    """
    return _C1_JSON_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
