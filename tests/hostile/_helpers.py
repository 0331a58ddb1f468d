"""Shared pieces of the hostile-input tests: payloads and a walk over a corpus's text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from dvatui.domain.model import Corpus

OSC52 = "\x1b]52;c;ZWNobyBQV05FRA==\x07"
"""Writes "echo PWNED" to the terminal's clipboard."""
PAYLOADS = (
    OSC52,
    "\x1b[2J\x1b[H",
    "\x1b]0;title\x1b\\",
    "\x07",
    "\x7f",
    "\x9b2J",
    "\x9d0;t\x9c",
    "lone\rcr",
    "\x00\x08\x0b\x0c\x1c",
)
PAYLOAD = "".join(PAYLOADS)
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def controls(text: str) -> list[str]:
    """The control characters (other than newline and tab) in ``text``."""
    return CONTROL_RE.findall(text)


def strings_of(value: Any) -> Iterator[str]:
    """Every string inside a corpus value: fields of Structs, lists (not paths' text)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Path):
        return
    elif isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            yield from strings_of(getattr(value, name))
    elif isinstance(value, list | tuple):
        for v in value:
            yield from strings_of(v)


def all_text(corpus: Corpus) -> list[str]:
    """Every string a screen or a command could show from this corpus."""
    out = list(strings_of(corpus.chapters))
    texts = {item.text for section in corpus.sections() for item in section.items}
    assert texts <= set(out), "the walk missed note items: does it know the model's types?"
    out += [p.message for p in corpus.problems] + [str(p) for p in corpus.problems]
    out += [i.summary for s in corpus.sections() for i in s.items]
    return out
