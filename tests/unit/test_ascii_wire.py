"""ASCII only, for a terminal whose locale is not UTF-8 (``wire.wants_ascii``/``to_ascii``).

Rendered through a terminal emulator, an ASCII update shows what the UTF-8 one shows, cell
for cell, with each character replaced by its ASCII stand-in of the same width.
"""

from __future__ import annotations

import random
from typing import Any

import pyte
import pytest
from rich.cells import cell_len
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual._compositor import LayoutUpdate
from textual.geometry import Region
from textual.strip import Strip

from dvatui.widgets import wire

pytestmark = pytest.mark.usefixtures("plain_wire")

COLS, ROWS = 40, 6


TEXTS = ["abc", "╭─", "─╮", "│", "├ ", "▌ ", "★", "✓3", "é", "…", "漢", "⚠", " ", "· x", "▇"]


@pytest.mark.parametrize(
    ("environ", "ascii_only"),
    [
        ({"LANG": "en_US.UTF-8"}, False),
        ({"LANG": "C.UTF-8"}, False),
        ({"LANG": "de_DE.utf8"}, False),
        ({"LC_ALL": "C"}, True),
        ({"LC_ALL": "C", "LANG": "en_US.UTF-8"}, True),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "C"}, False),
        ({"LC_CTYPE": "en_GB.UTF-8", "LANG": "C"}, False),
        ({"LANG": "en_US.ISO-8859-1"}, True),
        ({"LANG": "POSIX"}, True),
        ({}, True),  # no locale at all: POSIX says C
        ({"LC_CTYPE": "C.UTF-8"}, True),  # what Python puts there for a C locale (PEP 538)
        ({"LC_CTYPE": "C.UTF-8", "LANG": "C"}, True),
        ({"LC_CTYPE": "C.UTF-8", "LANG": "en_US.UTF-8"}, False),
        ({"LANG": "C", "DVATUI_ASCII": "0"}, False),
        ({"LANG": "en_US.UTF-8", "DVATUI_ASCII": "1"}, True),
    ],
)
def test_wants_ascii(environ: dict[str, str], ascii_only: bool) -> None:
    assert wire.wants_ascii(environ) is ascii_only


def test_every_character_keeps_its_width() -> None:
    sample = "╭─╮│├└▌▇★•✓✗⚠…·—→↳⏎▼›é ñ 漢字 😀 e\u0301 \u00a0"
    for char in sample:
        stand_in = wire.to_ascii(char)
        assert stand_in.isascii(), char
        assert cell_len(stand_in) == cell_len(char), char
    for code in wire._ASCII_TABLE:  # the table's own stand-ins too
        assert cell_len(wire.to_ascii(chr(code))) == cell_len(chr(code)), chr(code)
    assert wire.to_ascii("╭─ Notes ─╮") == "+- Notes -+"
    assert wire.to_ascii("│▌ café ★ ✓2 ⚠") == "|> cafe * +2 !"
    assert wire.to_ascii("plain ASCII stays") == "plain ASCII stays"


def _cells(screen: Any) -> list[list[tuple[object, ...]]]:
    return [
        [(c.data, c.bg, c.fg, c.bold, c.reverse) for c in screen.buffer[y].values()]
        for y in range(screen.lines)
    ]


def _feed(data: str) -> pyte.Screen:
    screen = pyte.Screen(COLS, ROWS)
    pyte.Stream(screen).feed(data)
    return screen


def test_an_ascii_update_shows_the_same_screen_in_ascii() -> None:
    rng = random.Random(5)
    styles = [None, Style(color="color(110)", bgcolor="color(16)"), Style(bold=True)]
    for _ in range(100):
        lines = []
        for _ in range(ROWS):
            segments, used = [], 0
            while used < COLS:
                text = rng.choice(TEXTS)
                if used + cell_len(text) > COLS:
                    text = " " * (COLS - used)
                segments.append(Segment(text, rng.choice(styles)))
                used += cell_len(text)
            lines.append([Strip(segments)])
        update = LayoutUpdate(lines, Region(0, 0, COLS, ROWS))
        utf8 = wire.Writer(ColorSystem.EIGHT_BIT)
        ascii_writer = wire.Writer(ColorSystem.EIGHT_BIT, ascii_only=True)
        for writer in (utf8, ascii_writer):
            for y, line in enumerate(update.strips):
                writer.move_to(0, y)
                for strip in line:
                    writer.strip(strip)
        shown, plain = _feed(utf8.finish()), _feed(ascii_writer.finish())
        assert plain.display == [wire.to_ascii(row) for row in shown.display]
        assert all(row.isascii() for row in plain.display)
        bare = [[cell[1:] for cell in row] for row in _cells(shown)]
        assert [[cell[1:] for cell in row] for row in _cells(plain)] == bare
