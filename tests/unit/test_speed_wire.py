"""The compact screen-update writer (``dvatui.widgets.wire``) shows what Textual's shows.

Both writers render the same random updates into a terminal emulator (pyte); every cell
must match: the character, its background and its attributes, and the foreground wherever
a glyph shows it (not on a blank, unless it is reversed).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pyte
import pytest
from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.geometry import Region
from textual.strip import Strip

from dvatui.widgets import wire

pytestmark = pytest.mark.usefixtures("plain_wire")

Cells = Callable[[Any], list[list[tuple[object, ...]]]]

COLS, ROWS = 40, 8


TEXTS = ["abc", "  ", " ", "", "│", "x y", "★", "é", "…", "     ", "A", "✓ ok", "→"]


def _styles() -> list[Style | None]:
    """New style objects (Textual keeps escape codes on a style, for one colour system)."""
    return [
        None,
        Style(),
        Style(color="color(188)", bgcolor="color(16)"),
        Style(color="color(247)", bgcolor="color(16)"),
        Style(bold=True, color="color(110)", bgcolor="color(16)"),
        Style(color="color(188)", bgcolor="color(17)"),
        Style(reverse=True, color="color(23)", bgcolor="color(16)"),
        Style(underline=True, color="color(110)", bgcolor="color(16)"),
        Style(strike=True),
        Style(italic=True, dim=True, color="#ff8800"),
        Style(bgcolor="#102030"),
        Style(color="#102030", bgcolor="#102030"),
        Style(link="https://example.com", color="color(110)"),
    ]


def _console(system: ColorSystem) -> Console:
    console = Console(color_system="truecolor" if system == ColorSystem.TRUECOLOR else "256")
    return console


def _strip(rng: random.Random, width: int, styles: list[Style | None]) -> Strip:
    segments: list[Segment] = []
    used = 0
    while used < width:
        text = rng.choice(TEXTS)[: width - used]
        segments.append(Segment(text, rng.choice(styles)))
        used += len(text)
    return Strip(segments)


def _feed(data: str) -> pyte.Screen:
    screen = pyte.Screen(COLS, ROWS)
    pyte.Stream(screen).feed(data)
    return screen


def _chops_update(rng: random.Random, styles: list[Style | None]) -> ChopsUpdate:
    chops: list[dict[int, Strip | None]] = []
    chop_ends: list[list[int]] = []
    spans: list[tuple[int, int, int]] = []
    for y in range(ROWS):
        cuts = sorted(rng.sample(range(1, COLS), 3))
        starts, ends = [0, *cuts], [*cuts, COLS]
        line: dict[int, Strip | None] = {}
        for x, end in zip(starts, ends, strict=True):
            line[x] = None if rng.random() < 0.15 else _strip(rng, end - x, styles)
        chops.append(line)
        chop_ends.append(ends)
        if rng.random() < 0.8:
            x1 = rng.choice([0, 0, *cuts])
            x2 = rng.choice([COLS, COLS, *[c for c in cuts if c > x1]])
            spans.append((y, x1, x2))
    if not spans:
        spans.append((0, 0, COLS))
    return ChopsUpdate(chops, spans, chop_ends)


@pytest.mark.parametrize("system", [ColorSystem.EIGHT_BIT, ColorSystem.TRUECOLOR])
def test_chops_updates_show_the_same(system: ColorSystem, screen_cells: Cells) -> None:
    rng = random.Random(7)
    console = _console(system)
    styles = _styles()
    for _ in range(300):
        update = _chops_update(rng, styles)
        before = "\x1b[48;5;52m" + "#" * COLS * ROWS + "\x1b[0m\x1b[H"  # a screen to draw on
        ours = wire.render_chops(update, console)
        theirs = wire.ORIGINAL_CHOPS(update, console)
        assert screen_cells(_feed(before + ours)) == screen_cells(_feed(before + theirs))
        assert len(ours) <= len(theirs)


def test_layout_updates_show_the_same(screen_cells: Cells) -> None:
    rng = random.Random(11)
    console = _console(ColorSystem.EIGHT_BIT)
    styles = _styles()
    for _ in range(200):
        lines = [[_strip(rng, 13, styles), _strip(rng, COLS - 13, styles)] for _ in range(ROWS)]
        update = LayoutUpdate(lines, Region(0, 0, COLS, ROWS))
        ours = wire.render_layout(update, console)
        theirs = wire.ORIGINAL_LAYOUT(update, console)
        assert screen_cells(_feed(ours)) == screen_cells(_feed(theirs))
        assert len(ours) < len(theirs)


def test_the_style_is_reset_at_the_end() -> None:
    console = _console(ColorSystem.EIGHT_BIT)
    strip = Strip([Segment("ab", Style(bold=True, color="color(3)"))])
    update = LayoutUpdate([[strip]], Region(0, 0, 2, 1))
    assert wire.render_layout(update, console).endswith("\x1b[0m")


def test_a_run_of_one_style_is_written_once() -> None:
    console = _console(ColorSystem.EIGHT_BIT)
    style = Style(color="color(188)", bgcolor="color(16)")
    strip = Strip([Segment("ab", style), Segment("  ", style), Segment("cd", style)])
    update = LayoutUpdate([[strip]], Region(0, 0, 6, 1))
    assert wire.render_layout(update, console) == "\x1b[1;1H\x1b[38;5;188;48;5;16mab  cd\x1b[0m"


def _render(update: LayoutUpdate | ChopsUpdate, console: Console) -> str:
    if isinstance(update, LayoutUpdate):
        return wire.render_layout(update, console)
    return wire.render_chops(update, console)


@pytest.mark.parametrize("system", [ColorSystem.EIGHT_BIT, ColorSystem.TRUECOLOR])
def test_updates_that_skip_unchanged_cells_show_the_same(
    system: ColorSystem, screen_cells: Cells, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Update after update on one terminal: with the shadow (cells the terminal already
    shows are skipped) the screen is the same, cell for cell, after every update, as with
    every update written in full (which the tests above compare with Textual's writer;
    Textual's own ends a span with a newline, which scrolls a terminal whose cursor was
    left on the last line, so it cannot be fed update after update)."""
    shadow = wire.Shadow()
    rng = random.Random(13)
    console = _console(system)
    styles = _styles()
    ours_screen, full_screen = pyte.Screen(COLS, ROWS), pyte.Screen(COLS, ROWS)
    ours_stream, full_stream = pyte.Stream(ours_screen), pyte.Stream(full_screen)
    lines = [[_strip(rng, 13, styles), _strip(rng, COLS - 13, styles)] for _ in range(ROWS)]
    ours_bytes = full_bytes = 0
    for step in range(400):
        update: LayoutUpdate | ChopsUpdate
        if step % 3 == 0:  # a full repaint with a few lines changed (what Textual often sends)
            for y in rng.sample(range(ROWS), 2):
                lines[y] = [_strip(rng, 13, styles), _strip(rng, COLS - 13, styles)]
            update = LayoutUpdate(lines, Region(0, 0, COLS, ROWS))
        else:
            update = _chops_update(rng, styles)
        monkeypatch.setattr(wire, "_shadow", None)
        full = _render(update, console)
        monkeypatch.setattr(wire, "_shadow", shadow)
        ours = _render(update, console)
        if step == 200:  # the terminal was cleared behind our back, and the app knows it
            ours_stream.feed("\x1b[2J")
            full_stream.feed("\x1b[2J")
            shadow.forget()
        ours_stream.feed(ours)
        full_stream.feed(full)
        assert screen_cells(ours_screen) == screen_cells(full_screen), step
        ours_bytes += len(ours)
        full_bytes += len(full)
    assert ours_bytes < full_bytes


def test_repaints_with_two_lines_changed_write_about_those_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(17)
    console = _console(ColorSystem.EIGHT_BIT)
    styles = [s for s in _styles() if s is None or not s._link]  # links are always written
    lines = [[_strip(rng, 13, styles), _strip(rng, COLS - 13, styles)] for _ in range(ROWS)]
    shadow = wire.Shadow()
    ours = full = 0
    for step in range(60):
        for y in rng.sample(range(ROWS), 2):
            lines[y] = [_strip(rng, 13, styles), _strip(rng, COLS - 13, styles)]
        update = LayoutUpdate(lines, Region(0, 0, COLS, ROWS))
        monkeypatch.setattr(wire, "_shadow", shadow)
        written = wire.render_layout(update, console)
        monkeypatch.setattr(wire, "_shadow", None)
        if step:  # (the first one is written in full)
            ours += len(written)
            full += len(wire.render_layout(update, console))
    assert ours < full * 0.4  # 2 of 8 lines changed each time


def test_a_repaint_of_an_unchanged_screen_writes_almost_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(wire, "_shadow", wire.Shadow())
    rng = random.Random(3)
    console = _console(ColorSystem.EIGHT_BIT)
    styles = [s for s in _styles() if s is None or not s._link]  # links are always written
    lines = [[_strip(rng, COLS, styles)] for _ in range(ROWS)]
    update = LayoutUpdate(lines, Region(0, 0, COLS, ROWS))
    first = wire.render_layout(update, console)
    again = wire.render_layout(update, console)
    assert len(first) > 500
    assert again in ("", "\x1b[0m")
    wire._shadow.forget()  # type: ignore[union-attr]
    assert wire.render_layout(update, console) == first


def test_text_of_undisputed_width_is_one_cell_per_character() -> None:
    """Every character ``_NARROW`` accepts takes one cell and is no mark or format control
    (the shadow and the cursor tracking count on it)."""
    import unicodedata

    from rich.cells import cell_len

    for code in range(0x10000):
        char = chr(code)
        if wire._NARROW.fullmatch(char):
            assert cell_len(char) == 1, hex(code)
            assert unicodedata.category(char) not in ("Mn", "Me", "Cf", "Zl", "Zp"), hex(code)
