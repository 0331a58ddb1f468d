"""Markdown for the panes: inline Markdown as Rich ``Text``, and code blocks that wrap well.

The quiz pane shows question stems, choices and explanations with :func:`inline_markdown`
(code spans, bold, italics, links: the same CommonMark rules as the note pane, so no backtick
or ``**`` reaches the screen). The note pane lays out note items prepared ahead of time
(``domain/prepared.py``) with :class:`BlocksMarkdown`, exactly as Rich's Markdown lays out
their source, and renders the few that blocks do not cover with :class:`NoteMarkdown`, Rich's
Markdown. Both draw code blocks that keep each line's indentation when they have to wrap.

Styles are passed in (taken from the widgets' component classes, so from the theme); the
parsing is cached per source string, and texts prepared ahead of time are not parsed.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from msgspec import Struct, field
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from dvatui.domain import prepared
from dvatui.domain.prepared import (
    LITERAL_RE,
    Block,
    Cell,
    Code,
    ListBlock,
    Para,
    Quote,
    Run,
    TableBlock,
)

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from textual.widget import Widget

CONTINUATION = "↳ "
"""Starts a code line's continuation (after the line's own indentation) when it wraps."""


def component_style(widget: Widget, name: str) -> Style:
    """What a component class sets, as a Rich style to lay over other text.

    Colours come out resolved (``$text-muted`` is a translucent or "auto" colour: only the
    full style has it blended with the widget's background), but only the colours the class
    sets are kept, so it never paints over a cursor's or a pane's background.
    """
    full = widget.get_component_rich_style(name)
    own = widget.get_component_rich_style(name, partial=True)
    colours = Style.from_color(
        full.color if own.color is not None else None,
        full.bgcolor if own.bgcolor is not None else None,
    )
    return colours + own.without_color


class InlineStyles(Struct, frozen=True):
    """How each kind of inline Markdown looks (Rich styles, e.g. from component classes)."""

    code: Style = field(default_factory=Style)
    strong: Style = field(default_factory=lambda: Style(bold=True))
    em: Style = field(default_factory=lambda: Style(italic=True))
    strike: Style = field(default_factory=lambda: Style(strike=True))
    link: Style = field(default_factory=lambda: Style(underline=True))
    link_url: Style = field(default_factory=Style)


_OFFERED: dict[str, tuple[Run, ...]] = {}
"""Runs prepared ahead of time for the texts on screen (``offer_runs``): showing them
needs no Markdown parser."""


def offer_runs(runs: Mapping[str, tuple[Run, ...]]) -> None:
    """Runs prepared ahead of time (``domain/prepared.py``), by source: ``inline_runs`` uses
    them instead of parsing. Only the last texts offered are kept."""
    _OFFERED.clear()
    _OFFERED.update(runs)


@lru_cache(maxsize=4096)
def inline_runs(source: str) -> tuple[Run, ...]:
    """The text of inline Markdown, split into runs with what each run is (cached)."""
    offered = _OFFERED.get(source)
    if offered is not None:
        return offered
    return prepared.question_runs(source)  # markdown-it: ~15 ms to import, the first time


def inline_markdown(
    source: str, styles: InlineStyles | None = None, style: Style | str = ""
) -> Text:
    """Render inline Markdown (one paragraph) as Rich ``Text``.

    Args:
        source: The Markdown source, e.g. a question's stem.
        styles: How code, bold, italics and links look; plain attributes if None.
        style: The base style of the whole text.
    """
    styles = styles or InlineStyles()
    if "```" in source:
        return _with_literal_blocks(source, styles, style)
    text = Text(style=style, overflow="fold")  # a long ARN breaks, never cut
    by_kind = {
        "code": styles.code,
        "strong": styles.strong,
        "em": styles.em,
        "s": styles.strike,
        "link": styles.link,
        "url": styles.link_url,
    }
    for run, kinds in inline_runs(source):
        run_style = Style()
        for kind in ("link", "em", "strong", "s", "code", "url"):  # code wins over link
            if kind in kinds:
                run_style += by_kind[kind]
        text.append(run, run_style or None)
    return text


def _with_literal_blocks(source: str, styles: InlineStyles, style: Style | str) -> Text:
    """Prose as inline Markdown, literal blocks line by line in the code style, indented."""
    text = Text(style=style, overflow="fold")
    position = 0
    for match in LITERAL_RE.finditer(source):
        prose = source[position : match.start()].strip()
        if prose:
            text.append_text(inline_markdown(prose, styles))
        if text:
            text.append("\n")
        for line in match.group(1).split("\n"):
            text.append("  ")
            text.append(line.expandtabs(4).rstrip() or " ", styles.code)
            text.append("\n")
        position = match.end()
    rest = source[position:].strip()
    if rest:
        text.append_text(inline_markdown(rest, styles))
    else:
        text.rstrip()
    return text


# -- code blocks --------------------------------------------------------------------------


def wrap_code_line(line: str, width: int) -> list[str]:
    """Wrap one line of code to ``width`` cells, keeping its indentation.

    A continuation starts at the line's own indentation with :data:`CONTINUATION`, so code
    never wraps into column 0 and a wrapped line is told apart from a new one. Breaks fall
    after a space or a punctuation mark where one is near the end, else mid-word.
    """
    line = line.expandtabs(4).rstrip()
    if width < 4 or cell_len(line) <= width:
        return [line]
    indent = min(len(line) - len(line.lstrip(" ")), width // 2)
    prefix = " " * indent + CONTINUATION
    out: list[str] = []
    rest = line
    first = True
    while rest:
        room = width if first else width - cell_len(prefix)
        head = "" if first else prefix
        body = rest if first else rest.lstrip(" ")
        if cell_len(body) <= room:
            out.append(head + body)
            break
        cut = _cut(body, room)
        out.append(head + body[:cut].rstrip(" "))
        rest = body[cut:]
        first = False
    return out


def _cut(text: str, room: int) -> int:
    """Where to break ``text`` so that the first part fits in ``room`` cells."""
    end = 0
    used = 0
    for index, char in enumerate(text):
        used += cell_len(char)
        if used > room:
            break
        end = index + 1
    end = max(end, 1)
    for index in range(end, max(end - 12, 0), -1):  # a nearby space or punctuation mark
        if text[index - 1] in " ,;:/.-_=&?)]}>" and index > 1:
            return index
    return end


class CodeLines:
    """A code block's lines, each wrapped by :func:`wrap_code_line` (indentation kept),
    padded one column each side, in the theme's code block colours."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        style = console.get_style("markdown.code_block", default="none")
        mark = console.get_style("markdown.code_mark", default="dim")
        width = max(1, options.max_width - 2)
        for source in self.code.rstrip().split("\n"):
            for index, part in enumerate(wrap_code_line(source, width)):
                yield from _code_segments(part, index > 0, width, style, mark)


def _code_block_class() -> type:
    """Rich's Markdown code block, re-done: no fixed syntax colours, indentation kept."""
    from rich.markdown import TextElement

    class CodeBlock(TextElement):
        style_name = "markdown.code_block"

        @classmethod
        def create(cls, markdown: object, token: object) -> CodeBlock:
            return cls()

        def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
            yield CodeLines(str(self.text))

    return CodeBlock


def _code_segments(
    part: str, continued: bool, width: int, style: Style, mark: Style
) -> Iterator[Segment]:
    pad = Segment(" ", style)
    yield pad
    if continued:
        indent = len(part) - len(part.lstrip(" "))
        marker_end = indent + len(CONTINUATION)
        yield Segment(part[:indent], style)
        yield Segment(part[indent:marker_end], style + mark)
        yield Segment(part[marker_end:], style)
    else:
        yield Segment(part, style)
    yield Segment(" " * max(0, width - cell_len(part)), style)
    yield pad
    yield Segment.line()


@lru_cache(maxsize=1)
def note_markdown_class() -> type:
    """Rich's ``Markdown`` with :func:`wrap_code_line` code blocks (built on first use:
    importing rich.markdown costs ~40 ms, not before the first frame). Renders the note
    items that blocks do not cover (:class:`BlocksMarkdown`)."""
    from rich.markdown import Markdown

    code_block = _code_block_class()

    class NoteMarkdown(Markdown):
        elements: ClassVar[dict[str, type]] = {
            **Markdown.elements,
            "fence": code_block,
            "code_block": code_block,
        }

    return NoteMarkdown


# -- note items from prepared blocks -------------------------------------------------------
# ``BlocksMarkdown`` lays out a note item prepared ahead of time (``domain/prepared.py``) with
# Rich's Text and Table, segment for segment as ``NoteMarkdown`` lays out its source (a test
# compares the two on every shipped item at several widths): the same theme styles, summed
# the way Rich's Markdown stacks them, the same bullets, numbers, quote bars and padding.

_KIND_STYLES: dict[str, tuple[str, str]] = {
    "strong": ("markdown.strong", "none"),
    "em": ("markdown.em", "none"),
    "s": ("markdown.s", "none"),
    "code": ("markdown.code", "none"),
    "kbd": ("markdown.kbd", "bold"),
    "link": ("markdown.link", "none"),
    "link_url": ("markdown.link_url", "none"),
}


class BlocksMarkdown:
    """A note item's prepared blocks as a Rich renderable (what Rich's Markdown shows)."""

    def __init__(self, blocks: tuple[Block, ...]) -> None:
        self.blocks = blocks

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        options = options.update(height=None)
        base = console.get_style("none", default="none")
        after = False
        for block in self.blocks:
            # A blank line between top-level blocks, and before one that holds blocks of
            # its own (a list, a quote, a table), as Rich's Markdown has it.
            if after or _holds_blocks(block):
                yield Segment.line()
            yield from console.render(_renderable(console, block, base), options)
            after = True


def _holds_blocks(block: Block) -> bool:
    if isinstance(block, Quote):
        return bool(block.blocks)
    return isinstance(block, ListBlock | TableBlock)


def _renderable(console: Console, block: Block, base: Style) -> RenderableType:
    """One block, inside elements whose styles sum to ``base``."""
    if isinstance(block, Para):
        text = Text(justify="left")
        _append_runs(console, text, block.runs, base + _style(console, "markdown.paragraph"))
        return text
    if isinstance(block, Code):
        return CodeLines(block.text)
    if isinstance(block, Quote):
        quote = base + _style(console, "markdown.block_quote")
        return _Bars([_renderable(console, b, quote) for b in block.blocks], quote)
    if isinstance(block, ListBlock):
        item = base + _style(console, "markdown.item")
        items = [[_renderable(console, b, item) for b in blocks] for blocks in block.items]
        return _ListItems(items, item, block.start)
    return _table(console, block, base)


def _style(console: Console, name: str, default: str = "none") -> Style:
    return console.get_style(name, default=default)


def _append_runs(console: Console, text: Text, runs: Iterable[Run], style: Style) -> None:
    for run, kinds in runs:
        run_style = style
        for kind in kinds:
            name, default = _KIND_STYLES.get(kind, ("none", "none"))
            run_style = run_style + _style(console, name, default)
        text.append(run, run_style)


class _Bars:
    """A block quote: its blocks four columns narrower, each line after a bar."""

    def __init__(self, children: list[RenderableType], style: Style) -> None:
        self.children = children
        self.style = style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.containers import Renderables

        narrower = options.update(width=options.max_width - 4)
        lines = console.render_lines(Renderables(self.children), narrower, style=self.style)
        bar = Segment("▌ ", self.style)
        for line in lines:
            yield bar
            yield from line
            yield Segment("\n")


class _ListItems:
    """A bullet list (``start`` None) or a numbered one: each item's blocks after its
    bullet or number, wrapped lines under the item's text."""

    def __init__(self, items: list[list[RenderableType]], style: Style, start: int | None):
        self.items = items
        self.style = style
        self.start = start

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.containers import Renderables

        if self.start is None:
            mark_style = _style(console, "markdown.item.bullet")
            marks = [" • "] * len(self.items)
            width = 3
        else:
            mark_style = _style(console, "markdown.item.number")
            width = len(str(self.start + len(self.items))) + 2
            marks = [f"{self.start + n}".rjust(width - 1) + " " for n in range(len(self.items))]
        narrower = options.update(width=options.max_width - width)
        padding = Segment(" " * width, mark_style)
        for mark, children in zip(marks, self.items, strict=True):
            lines = console.render_lines(Renderables(children), narrower, style=self.style)
            for index, line in enumerate(lines):
                yield Segment(mark, mark_style) if index == 0 else padding
                yield from line
                yield Segment("\n")


def _table(console: Console, block: TableBlock, base: Style) -> RenderableType:
    from rich import box
    from rich.table import Table

    def cell(content: Cell) -> Text:
        text = Text("", justify=content.justify)
        _append_runs(console, text, content.runs, base)
        return text

    table = Table(
        box=box.SIMPLE,
        pad_edge=False,
        style="markdown.table.border",
        show_edge=True,
        collapse_padding=True,
    )
    for column in block.header or ():
        heading = cell(column)
        heading.stylize("markdown.table.header")
        table.add_column(heading)
    for row in block.rows:
        table.add_row(*(cell(content) for content in row))
    return table


# -- kept for the next start ---------------------------------------------------------------


@lru_cache(maxsize=1)
def code_digest() -> str:
    """What renders notes and inline Markdown, as a digest: dvatui's rendering code and the
    installed Rich Markdown and markdown-it (found, not imported). What was kept from a
    session that ran other code is not used."""
    import importlib.util

    from dvatui import __version__

    digest = hashlib.sha256(__version__.encode())
    here = Path(__file__).resolve().parent
    for name in ("markup.py", "note_view.py", "../domain/prepared.py"):
        with contextlib.suppress(OSError):
            digest.update((here / name).read_bytes())
    import rich

    files = [Path(rich.__file__).parent / "markdown.py"]
    spec = importlib.util.find_spec("markdown_it")
    if spec is not None and spec.origin:
        files.append(Path(spec.origin))
    for path in files:
        with contextlib.suppress(OSError):
            st = path.stat()
            digest.update(f"{path}:{st.st_size}:{st.st_mtime_ns}".encode())
    return digest.hexdigest()[:32]
