"""Fewer bytes for the same screen: how screen updates are written to the terminal.

Over SSH every byte counts, and most of what Textual writes is not text. For each run of
text it writes the whole style and then a reset (``ESC[1;38;5;110;48;5;16m`` ... ``ESC[0m``),
even when the next run has the same style, and it moves the cursor before each widget's part
of a line, even where the cursor already is. This writer keeps track of the terminal's
state while it writes one update, so it:

- writes a style only when it changes (as one ``ESC[0;...m``: reset and set), and resets
  once, at the end of the update;
- writes blanks in the style already in force (or the next run's) when only the colour of
  the glyph differs, which a blank does not show;
- skips a run that has no text, and a cursor move to where the cursor already is (only
  after text whose width every terminal agrees on);
- skips runs of cells that the terminal already shows as they are to be (``Shadow``: what
  this writer last wrote to each cell). Textual repaints whole widgets, often whole
  screens, when little changed: a layout pass repaints everything it touches, and right
  after start-up it repaints the whole screen twice with nothing changed. The app forgets
  the shadow whenever the terminal may show something else (a resize, a return from the
  shell or an editor, ``ctrl+l``).

What the terminal shows is the same, cell by cell: the same characters, with the same
background, and the same attributes wherever they can be seen. In a terminal whose locale is
not UTF-8 (``wants_ascii``) it also writes only ASCII: each other character becomes an ASCII
one of the same width (box drawing ``+-|``, ``▌`` ``>``, ``✓`` ``+``, ``★`` ``*``, accents
dropped, else ``?``), so borders, the tree and the marks still line up. ``install`` makes Textual's
screen updates use it (and repaint less after a scroll: ``reflow_visible``); the tests
compare both writers through a terminal emulator, and what the app draws key by key with
a full repaint.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from rich.cells import cell_len
from rich.color import ColorSystem
from rich.style import Style
from textual._compositor import ChopsUpdate, Compositor, LayoutUpdate
from textual.geometry import Region
from textual.strip import Strip

# Attributes that show on a blank cell (reverse shows the foreground as background).
_SHOWN_ON_BLANKS = (
    "reverse",
    "underline",
    "underline2",
    "strike",
    "overline",
    "blink",
    "blink2",
    "frame",
    "encircle",
    "conceal",
)
_NARROW = re.compile(
    "[\x20-\x7e\u00a0-\u00ac\u00ae-\u024f\u2010-\u2027\u2030-\u205f\u2190-\u21ff"
    "\u2500-\u25fc\u25ff\u2605\u2713\u2717]*"
)
"""Text whose width no terminal disputes: one cell per character, so after it the cursor is
where Rich says (not the soft hyphen, the line and paragraph separators, the bidi controls,
nor the two wide squares U+25FD/U+25FE; a test checks every character it matches). East
Asian "ambiguous" characters (box drawing, …, →) count as one cell, as terminals draw them
unless set to draw them wide for CJK text."""


_ANSI: dict[tuple[Style, ColorSystem], str] = {}
"""SGR parameters per style and colour system (Textual caches them on the style for the
first colour system it renders the style in)."""


# ---------------------------------------------------------------------------------- ASCII
_ASCII_LIKE = {
    "-": "─━═╌╍┄┅┈┉╴╶╸╺╼╾‐‑‒–—―−",
    "|": "│┃║╎╏┆┇┊┋╵╷╹╻╽╿",
    "+": "┌┐└┘├┤┬┴┼╭╮╯╰┏┓┗┛┣┫┳┻╋╔╗╚╝╠╣╦╩╬╒╓╕╖╘╙╛╜╞╟╡╢╤╥╧╨╪╫┍┎┑┒┕┖┙┚┝┞┟┠┡┢┥┦┧┨┩┪✓✔",
    "#": "█▉▊▋▍▎▏▐▀▔▕▁▂▃▄▅▆▇░▒▓■▤▦▧▨▩",
    ">": "▌›»▶▸►→↳⇒⏵",
    "<": "‹«◀◂◄←⏎↵",
    "v": "▼▾↓",
    "^": "▲▴↑",
    "*": "★☆•●◆◇∙",
    "x": "✗✘×",
    "!": "⚠",
    ".": "…·",
    "'": "‘’‚′",
    '"': "“”„″",
    " ": "\u00a0\u2002\u2003\u2009\u202f",
}
_ASCII_TABLE = {ord(c): a for a, chars in _ASCII_LIKE.items() for c in chars}


def _ascii_for(char: str) -> str:
    """An ASCII stand-in for ``char`` that takes as many cells (accents dropped, else ?)."""
    width = cell_len(char)
    if width == 0:
        return ""
    plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
    if len(plain) == width and plain.isprintable():
        return plain
    return "?" * width


class _AsciiMap(dict[int, str]):
    """``str.translate`` table: the stand-ins above, others worked out once and kept."""

    def __missing__(self, code: int) -> str:
        value = self[code] = _ASCII_TABLE.get(code) or _ascii_for(chr(code))
        return value


_TO_ASCII = _AsciiMap()


def to_ascii(text: str) -> str:
    """``text`` in ASCII, cell for cell (every character keeps its width on screen)."""
    if text.isascii():
        return text
    plain = text.translate(_TO_ASCII)
    width = cell_len(text)  # Rich measures some sequences whole: ⚠️ (with U+FE0F) is 2 cells
    return plain if len(plain) == width else (plain + " " * width)[:width]


def wants_ascii(environ: Mapping[str, str]) -> bool:
    """Whether to write ASCII only: the terminal's locale is not UTF-8.

    The locale is LC_ALL, else LC_CTYPE, else LANG (none set: the C locale, which is ASCII).
    Python itself turns a C locale into C.UTF-8 for its own use and says so in LC_CTYPE
    (PEP 538); such an LC_CTYPE next to a LANG that is unset, C or POSIX counts as C.
    ``DVATUI_ASCII=1`` or ``=0`` decides instead.
    """
    forced = environ.get("DVATUI_ASCII", "").strip().lower()
    if forced in ("1", "yes", "true", "on"):
        return True
    if forced in ("0", "no", "false", "off"):
        return False
    lang = environ.get("LANG", "")
    locale = environ.get("LC_ALL", "")
    if not locale:
        locale = environ.get("LC_CTYPE", "")
        if locale == "C.UTF-8" and lang in ("", "C", "POSIX"):
            locale = lang  # set by Python for itself, not by the terminal's user
    locale = locale or lang
    name = locale.partition("@")[0]
    codeset = name.partition(".")[2] or name  # "UTF-8" alone (macOS's LC_CTYPE) names one
    return codeset.lower().replace("-", "") != "utf8"


def _blank_safe(style: Style | None) -> bool:
    if style is None:
        return True
    safe = _BLANK_SAFE.get(style)
    if safe is None:
        if len(_BLANK_SAFE) > 4096:
            _BLANK_SAFE.clear()
        safe = _BLANK_SAFE[style] = not any(getattr(style, name) for name in _SHOWN_ON_BLANKS)
    return safe


_BLANK_SAFE: dict[Style, bool] = {}
"""``_blank_safe`` per style: a screen holds a few dozen, asked about thousands of times."""


def _bg(style: Style | None) -> object:
    return None if style is None else style.bgcolor


SKIP_MIN = 6
"""Unchanged cells are skipped (the cursor moves past them) only in runs this long: moving
the cursor costs about as many bytes."""


class Shadow:
    """What the terminal shows, as far as this writer knows: per row, each cell's character
    and the SGR parameters it was written with (``""``: the defaults), or None where that
    is not known (never written since the last ``forget``, or after text whose width
    terminals dispute, or a link)."""

    def __init__(self) -> None:
        self.rows: dict[int, tuple[list[str | None], list[str | None]]] = {}

    def forget(self) -> None:
        """Know nothing: the next updates are written in full (after a resize, a suspend,
        or anything else that may have changed the terminal)."""
        self.rows.clear()

    def row(self, y: int, width: int) -> tuple[list[str | None], list[str | None]]:
        """Row ``y``'s characters and looks, at least ``width`` cells long."""
        chars, looks = self.rows.setdefault(y, ([], []))
        if len(chars) < width:
            chars.extend([None] * (width - len(chars)))
            looks.extend([None] * (width - len(looks)))
        return chars, looks


class Writer:
    """Writes strips at positions, tracking the terminal's cursor and style."""

    def __init__(
        self, color_system: ColorSystem, *, ascii_only: bool = False, shadow: Shadow | None = None
    ) -> None:
        self.color_system = color_system
        self.ascii_only = ascii_only
        """Write ASCII only (``to_ascii``), for a terminal whose locale is not UTF-8."""
        self.shadow = shadow
        """What the terminal shows: cells that already show what is to be written are
        skipped (None: write everything)."""
        self.parts: list[str] = []
        self.x = self.y = -1
        """Where the cursor is (-1: not known)."""
        self.style: Style | None = None
        self.ansi = ""
        """The SGR parameters in force ("": the terminal's defaults)."""

    def move_to(self, x: int, y: int) -> None:
        if x != self.x or y != self.y:
            self.parts.append(f"\x1b[{y + 1};{x + 1}H")
            self.x, self.y = x, y

    def _set(self, style: Style | None, ansi: str) -> None:
        if ansi != self.ansi:
            if not ansi:
                self.parts.append("\x1b[0m")
            elif self.ansi:
                self.parts.append(f"\x1b[0;{ansi}m")
            else:
                self.parts.append(f"\x1b[{ansi}m")
            self.ansi = ansi
        self.style = style if ansi else None

    def _ansi(self, style: Style) -> str:
        key = (style, self.color_system)
        ansi = _ANSI.get(key)
        if ansi is None:
            if len(_ANSI) > 4096:
                _ANSI.clear()
            ansi = _ANSI[key] = Strip.render_ansi(style, self.color_system)
        return ansi

    def _blank_fits(self, style: Style | None) -> bool:
        """Whether a blank in ``style`` looks the same drawn in the style in force."""
        return _blank_safe(style) and _blank_safe(self.style) and _bg(style) == _bg(self.style)

    def put(self, x: int, y: int, strip: Strip) -> None:
        """Write ``strip`` at ``x``, ``y``, skipping runs of at least ``SKIP_MIN`` cells that
        the terminal already shows as they are to be, or the whole strip if it shows all of
        it (when there is a ``shadow``)."""
        segments = [(text, style or None) for text, style, _control in strip if text]
        if self.ascii_only:
            segments = [(to_ascii(text), style) for text, style in segments]
        width = strip.cell_length
        row = self.shadow.row(y, x + width) if self.shadow is not None else None
        if row is None or row[0][x : x + width].count(None) == width:
            pieces = [(x, segments)]  # nothing known there: write it all
        else:
            pieces = self._changed(x, segments, row)
        for piece_x, piece in pieces:
            self.move_to(piece_x, y)
            cells = width if piece is segments else sum(cell_len(text) for text, _ in piece)
            looks = self._segments(piece, cells)
            if row is None:
                continue
            chars, shown = row
            at = piece_x
            for (text, _style), look in zip(piece, looks, strict=True):
                if not _NARROW.fullmatch(text):
                    # Text whose width terminals dispute: what follows on this row may sit
                    # elsewhere than Rich says, and a combining mark joins the cell before
                    # (at the start of a row, some terminals join it to the row above).
                    start = max(at - 1, 0)
                    chars[start:] = shown[start:] = [None] * (len(chars) - start)
                    above = self.shadow.rows.get(y - 1) if at == 0 and self.shadow else None
                    if above is not None and above[0]:
                        above[0][-1] = above[1][-1] = None
                    break
                end = at + len(text)  # (one cell per character: _NARROW)
                if look is not None:
                    chars[at:end] = text
                    shown[at:end] = [look] * (end - at)
                else:  # a link: its cells are not known
                    chars[at:end] = shown[at:end] = [None] * (end - at)
                at = end

    def _changed(
        self,
        x: int,
        segments: list[tuple[str, Style | None]],
        row: tuple[list[str | None], list[str | None]],
    ) -> list[tuple[int, list[tuple[str, Style | None]]]]:
        """The parts of a strip at ``x`` to write: all but runs of ``SKIP_MIN`` or more
        cells that the shadow's ``row`` shows already (none if it shows the whole strip, as
        when a narrow column is repainted unchanged)."""
        chars, shown = row
        runs: list[tuple[int, str, Style | None, bool]] = []  # (x, text, style, unchanged)
        at = x
        for text, style in segments:
            size = len(text)
            if (style is not None and style._link) or not _NARROW.fullmatch(text):
                runs.append((at, text, style, False))  # always written
                at += cell_len(text)
                continue
            look = self._ansi(style) if style is not None else ""
            here = chars[at : at + size]
            if here.count(None) == size:
                runs.append((at, text, style, False))
            elif shown[at : at + size].count(look) == size and "".join(here) == text:  # type: ignore[arg-type]
                runs.append((at, text, style, True))
            else:  # partly the same: cell by cell
                start = 0
                while start < size:
                    same = chars[at + start] == text[start] and shown[at + start] == look
                    end = start + 1
                    while end < size and same == (
                        chars[at + end] == text[end] and shown[at + end] == look
                    ):
                        end += 1
                    runs.append((at + start, text[start:end], style, same))
                    start = end
            at += size
        pieces: list[tuple[int, list[tuple[str, Style | None]]]] = []
        index, next_x = 0, -1
        while index < len(runs):
            end, cells = index, 0
            while end < len(runs) and runs[end][3] == runs[index][3]:
                cells += len(runs[end][1])
                end += 1
            whole = index == 0 and end == len(runs)  # nothing in the strip changed
            if not (runs[index][3] and (cells >= SKIP_MIN or whole)):  # else: skipped
                for run_x, text, style, _unchanged in runs[index:end]:
                    if run_x != next_x:
                        pieces.append((run_x, []))
                    pieces[-1][1].append((text, style))
                    next_x = run_x + cell_len(text)
            index = end
        return pieces

    def strip(self, strip: Strip) -> None:
        """Write ``strip`` at the cursor (all of it)."""
        segments = [(text, style) for text, style, _control in strip if text]
        if self.ascii_only:
            segments = [(to_ascii(text), style) for text, style in segments]
        self._segments(segments, strip.cell_length)

    def _segments(
        self, segments: list[tuple[str, Style | None]], cell_length: int
    ) -> list[str | None]:
        """Write text runs at the cursor, each in its style (as few style changes as can
        be), and move the known cursor past them. Returns the SGR parameters each run was
        written with (a blank may be written in the style already in force; None: a
        link). A blank counts as written in its own style when it was written in another
        that looks the same on a blank (the shadow is what the terminal shows)."""
        looks: list[str | None] = []
        append = self.parts.append
        for index, (text, style) in enumerate(segments):
            if style is None:
                self._set(None, "")
                append(text)
                looks.append("")
                continue
            if style._link:
                self._set(None, "")
                append(Strip.render_style(style, text, self.color_system))
                looks.append(None)
                continue
            ansi = own = self._ansi(style)
            after = segments[index + 1] if index + 1 < len(segments) else None
            # A combining mark that follows joins this cell and shows in its style.
            joined = after is not None and cell_len(after[0][:1]) == 0
            if ansi != self.ansi and text.strip(" ") == "" and not joined:
                if self._blank_fits(style):
                    append(text)
                    looks.append(own)
                    continue
                following = after[1] if after is not None else None
                if (
                    following is not None
                    and not following._link
                    and _blank_safe(style)
                    and _blank_safe(following)
                    and _bg(following) == style.bgcolor
                ):
                    style, ansi = following, self._ansi(following)
            self._set(style, ansi)
            append(text)
            looks.append(own)
        if self.x >= 0:
            text = "".join(text for text, _ in segments)
            self.x = self.x + cell_length if _NARROW.fullmatch(text) else -1
        return looks

    def finish(self) -> str:
        self._set(None, "")
        return "".join(self.parts)


def _color_system(console: object) -> ColorSystem:
    return getattr(console, "_color_system", None) or ColorSystem.TRUECOLOR


_ascii_only = False
"""Set by ``install``: the terminal gets ASCII only."""
SCREEN = Shadow()
"""What the terminal shows (the app forgets it when the terminal may have changed)."""
_shadow: Shadow | None = None
"""``SCREEN`` once ``install`` is done: updates skip what the terminal already shows."""


def forget() -> None:
    """The terminal may show something else now (resized, resumed, asked to redraw): the
    next updates are written in full."""
    SCREEN.forget()


def render_layout(update: LayoutUpdate, console: object) -> str:
    """``LayoutUpdate.render_segments``: whole lines from ``update.region.x``."""
    writer = Writer(_color_system(console), ascii_only=_ascii_only, shadow=_shadow)
    x0 = update.region.x
    for y, line in enumerate(update.strips, update.region.y):
        x = x0
        for strip in line:
            writer.put(x, y, strip)
            x += strip.cell_length
    return writer.finish()


def render_chops(update: ChopsUpdate, console: object) -> str:
    """``ChopsUpdate.render_segments``: the parts of lines in ``update.spans``."""
    writer = Writer(_color_system(console), ascii_only=_ascii_only, shadow=_shadow)
    chops: Sequence[Mapping[int, Strip | None]] = update.chops
    chop_ends: list[list[int]] = update.chop_ends
    spans: Iterable[tuple[int, int, int]] = update.spans
    for y, x1, x2 in spans:
        line = chops[y]
        for end, (x, strip) in zip(chop_ends[y], line.items(), strict=False):
            if strip is None or x > x2 or end <= x1:
                continue
            if not (x2 > x >= x1 and end <= x2):
                strip = strip.crop(0, min(end, x2) - x)
            if not strip.cell_length:
                continue
            writer.put(x, y, strip)
    return writer.finish()


_reflow_visible = Compositor.reflow_visible


def reflow_visible(self: Compositor, parent: object, size: object) -> object:
    """``Compositor.reflow_visible`` (the layout after a scroll), repainting only what moved.

    Textual compares the new positions with those of the last scroll, which a full layout
    forgets: the first scroll after any layout (e.g. picking a choice, which re-lays out
    the quiz, then scrolls to it) repainted the whole screen. When there was no scroll since
    the last layout, the positions on screen are the full layout's, so compare with those.
    """
    if self._visible_map is None:
        self._visible_map = self._full_map
    return _reflow_visible(self, parent, size)  # type: ignore[arg-type]


ORIGINAL_LAYOUT = LayoutUpdate.render_segments
ORIGINAL_CHOPS = ChopsUpdate.render_segments
"""Textual's own writers (the tests compare both)."""


def _fits_this_textual() -> bool:
    """Whether Textual's internals are the ones this module was written against (8.x)."""
    compositor = Compositor()
    return (
        hasattr(compositor, "_visible_map")
        and hasattr(compositor, "_full_map")
        and callable(getattr(Strip, "render_ansi", None))
        and callable(getattr(Strip, "render_style", None))
        and {"chops", "spans", "chop_ends"} <= set(vars(ChopsUpdate({}, [], [])))  # type: ignore[arg-type]
        and {"strips", "region"} <= set(vars(LayoutUpdate([], Region(0, 0, 0, 0))))
    )


def install(*, ascii_only: bool | None = None) -> None:
    """Make Textual write screen updates with this writer (for the whole process), in ASCII
    only if ``ascii_only`` (None: ``wants_ascii`` of the environment).

    Does nothing under a Textual whose internals differ (its own writer stays), or when
    ``DVATUI_WIRE=textual`` asks for Textual's own writer (to rule this one out);
    ``DVATUI_WIRE=full`` writes every update in full (no skipping of unchanged cells)."""
    global _ascii_only, _shadow
    _ascii_only = wants_ascii(os.environ) if ascii_only is None else ascii_only
    choice = os.environ.get("DVATUI_WIRE", "").strip().lower()
    if choice == "textual":
        return
    SCREEN.forget()
    _shadow = None if choice == "full" else SCREEN
    if LayoutUpdate.render_segments is render_layout or not _fits_this_textual():
        return
    LayoutUpdate.render_segments = render_layout  # type: ignore[method-assign,assignment]
    ChopsUpdate.render_segments = render_chops  # type: ignore[method-assign,assignment]
    Compositor.reflow_visible = reflow_visible  # type: ignore[method-assign,assignment]
