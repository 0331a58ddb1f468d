"""The middle pane: a section's notes rendered as Markdown, with a cursor on note items.

Rendering uses the line API: each note item is rendered once to Rich segments per width and
cached, so switching sections costs a dictionary lookup (or one render of a few items) instead
of rebuilding a tree of widgets, and moving the cursor repaints only the lines that change.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from msgspec import Struct
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from rich.theme import Theme as RichTheme
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from dvatui.domain.model import NoteItem, Section
from dvatui.domain.prepared import Block, prepare_blocks
from dvatui.domain.text import has_controls
from dvatui.messages import BookmarkToggleRequested
from dvatui.widgets.lazy_styles import LazyComponentStyles
from dvatui.widgets.markup import (
    BlocksMarkdown,
    code_digest,
    component_style,
    note_markdown_class,
)
from dvatui.widgets.paint_style import StyleOncePerPaint
from dvatui.widgets.quiet import QuietBorderTitle

GUTTER = 2
"""Columns on the left for the cursor bar and the bookmark star."""
CACHE_SIZE = 256
"""Sections (at one width each) kept rendered, the least recently shown dropped first."""
MAX_KEPT_WIDTH = 1000
"""Wider layouts kept by an earlier session are not rendered again at quit."""
KEPT_WIDTHS = 3
"""Widths the section on screen is kept at for the next start: now and the last two."""


class _Layout(Struct):
    """A section rendered at one width: its lines and where each item starts and ends."""

    lines: list[list[Segment]]
    """Rich segments per line. Plain lists, not ``Strip``s: a strip carries seven caches of
    its own (~2 KB), and the render cache keeps thousands of lines."""
    spans: list[tuple[int, int]]
    """Per item: first line, one past the last line."""

    @property
    def strips(self) -> list[Strip]:
        """The lines as strips (made on each call)."""
        return [Strip(line) for line in self.lines]


NUMBERED_RE = re.compile(r"^(\d+\.|>)\s+(.*)$", re.DOTALL)


def _plain_renderable(text: str) -> RenderableType:
    """A plain-notes item with a hanging indent: wrapped lines align under its text."""
    match = NUMBERED_RE.match(text)
    if match is None:
        return Text(text)
    from rich.table import Table

    body = "\n".join(line.removeprefix("   ") for line in match.group(2).split("\n"))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="dim")
    grid.add_column(ratio=1)
    grid.add_row(match.group(1), Text(body))
    return grid


class NoteView(LazyComponentStyles, StyleOncePerPaint, ScrollView, can_focus=True):
    """Shows one section's note items; ``j``/``k`` move a cursor from item to item."""

    HELP = """
## Notes
Move the cursor between note items and bookmark the tricky ones.
"""

    BINDINGS = [
        Binding("j,down", "cursor(1)", "Next item", show=False, id="note-down"),
        Binding("k,up", "cursor(-1)", "Previous item", show=False, id="note-up"),
        Binding("g,home", "cursor_to(0)", "Top", show=False, id="note-top"),
        Binding("G,end", "cursor_to(-1)", "Bottom", show=False, id="note-bottom"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="note-page-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="note-page-up"),
        Binding(
            "b",
            "bookmark",
            "Bookmark item",
            tooltip="Bookmark or un-bookmark this item",
            id="note-bookmark",
        ),
    ]

    COMPONENT_CLASSES = {
        "note-view--cursor",
        "note-view--cursor-bar",
        "note-view--bookmark",
        "note-view--match",
        "note-view--target",
        "note-view--title",
        "note-view--crumb",
        "note-view--empty",
        "note-view--code",
        "note-view--code-block",
        "note-view--code-mark",
        "note-view--link",
        "note-view--quote",
        "note-view--bullet",
        "note-view--table",
        "note-view--heading",
    }
    """Every colour of the pane comes from these (so from the theme); Rich's own Markdown
    colours are replaced by them while a section is rendered."""

    DEFAULT_CSS = """
    NoteView {
        background: $surface;
        /* Never wider than the pane: the vertical scrollbar's column is always kept. */
        overflow-x: hidden;
        scrollbar-gutter: stable;
        /* The cursor keeps the text's own colours (readable in 16 colours) and has a bar. */
        & > .note-view--cursor { background: $primary 15%; }
        & > .note-view--cursor-bar { color: $text-primary; text-style: bold; }
        & > .note-view--bookmark { color: $text-warning; text-style: bold; }
        & > .note-view--match { background: $warning 40%; text-style: bold underline; }
        & > .note-view--target { background: $accent 25%; }
        & > .note-view--title { color: $text-primary; text-style: bold; }
        & > .note-view--crumb { color: $text-muted; }
        & > .note-view--empty { color: $text-muted; text-style: italic; }
        & > .note-view--code { color: $text-accent; background: $foreground 7%; }
        & > .note-view--code-block { color: $foreground; background: $foreground 7%; }
        & > .note-view--code-mark { color: $text-muted; }
        & > .note-view--link { color: $text-primary; text-style: underline; }
        & > .note-view--quote { color: $text-secondary; }
        & > .note-view--bullet { color: $text-primary; text-style: bold; }
        & > .note-view--table { color: $text-muted; }
        & > .note-view--heading { color: $text-primary; text-style: bold; }
    }
    """

    border_title = QuietBorderTitle()

    cursor: reactive[int] = reactive(0, init=False, repaint=False)
    """Index of the note item under the cursor."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.section: Section | None = None
        self.items: list[NoteItem] = []
        """The note items on screen: the section's own, then its subsections'."""
        self.crumb = ""
        self.bookmarked: frozenset[str] = frozenset()
        self.highlight: list[str] = []
        self.marked: str | None = None
        """The item jumped to (e.g. the one a question tests): highlighted until the
        next section is shown."""
        self._cache: dict[tuple[str, int], _Layout] = {}
        self._rich_theme: RichTheme | None = None
        """Rich's Markdown styles in this theme's colours (made on first render)."""
        self._layout: _Layout | None = None
        self._layout_width = 0
        self._kept: list[Mapping[str, Any]] = []
        """Layouts kept from the last session (``offer_kept_layout``), for one use."""
        self._kept_widths: list[int] = []
        """The widths of those layouts (``kept_widths``)."""
        self._prepared: Mapping[str, tuple[Block, ...] | None] = {}

    # -- public ---------------------------------------------------------------------------
    def show(
        self,
        section: Section,
        *,
        crumb: str,
        bookmarked: frozenset[str],
        item_id: str | None = None,
        highlight: str | None = None,
        prepared: Mapping[str, tuple[Block, ...] | None] | None = None,
    ) -> None:
        """Show a section, optionally with the cursor on one item and words highlighted.

        ``prepared``: note items' blocks prepared ahead of time, by source text (the corpus
        cache's): those items are laid out without parsing their Markdown.

        The item named by ``item_id`` is also highlighted (``note-view--target``), so it
        stays easy to find after the cursor moves on.
        """
        same = self.section is not None and self.section.id == section.id
        self.section = section
        self._prepared = prepared or {}
        # A section shows its subsections too, each under its own heading line.
        self.items = [item for part in section.walk() for item in part.items]
        self.crumb = crumb
        self.bookmarked = bookmarked
        self.highlight = [w for w in re.findall(r"\w[\w.+-]*", highlight or "") if len(w) > 1]
        # Before the first layout the pane's width is not known: the note is laid out when
        # it is first painted (``render_line``), at the width it is painted at.
        if self.scrollable_content_region.width:
            self._relayout()
        else:
            self._forget_layout()
        index = 0
        self.marked = None
        if item_id is not None:
            found = next((i for i, it in enumerate(self.items) if it.id == item_id), None)
            if found is not None:
                index, self.marked = found, item_id
        elif same:
            index = min(self.cursor, max(0, len(self.items) - 1))
        self.set_reactive(NoteView.cursor, index)
        if item_id is not None:
            self._scroll_to_cursor(center=True)
        elif not same:
            self.scroll_to(0, 0, animate=False)
        self.refresh()

    def set_bookmarked(self, bookmarked: frozenset[str]) -> None:
        """Update the bookmark stars without re-rendering the notes (repainting only the
        lines whose star comes or goes)."""
        old, self.bookmarked = self.bookmarked, bookmarked
        if old == bookmarked or self.section is None:
            return
        changed = old ^ bookmarked
        if self.section.id in changed or self._layout is None:
            self.refresh()
            return
        for index, item in enumerate(self.items):
            if item.id in changed and index < len(self._layout.spans):
                start, _end = self._layout.spans[index]
                self.refresh_lines(start + self.HEADER_LINES)

    @property
    def current_item(self) -> NoteItem | None:
        """The note item under the cursor."""
        if self.section is None or not self.items:
            return None
        return self.items[min(self.cursor, len(self.items) - 1)]

    def forget_rendered(self) -> None:
        """Forget rendered sections without repainting (the notes were reloaded: a section
        with the same id may hold other items now; the next ``show`` renders it anew)."""
        self._cache.clear()

    def clear_cache(self) -> None:
        """Forget rendered sections (after a theme change)."""
        self._cache.clear()
        self._relayout()
        self.refresh()

    # -- layout ---------------------------------------------------------------------------
    def _forget_layout(self) -> None:
        self._layout = None
        self.virtual_size = Size(0, 0)

    def _relayout(self) -> None:
        if self.section is None:
            self._forget_layout()
            return
        width = max(10, self.scrollable_content_region.width or self.size.width or 80)
        key = (self.section.id, width)
        layout = self._cache.pop(key, None)
        if layout is None:
            layout = self._kept_for(self.section, width) or self._render_section(
                self.section, width
            )
            while len(self._cache) >= CACHE_SIZE:
                del self._cache[next(iter(self._cache))]  # the least recently shown
        self._cache[key] = layout
        self._layout = layout
        self._layout_width = width
        self.virtual_size = Size(width, len(layout.lines) + self.HEADER_LINES)

    # -- the first frame of the next start -------------------------------------------------
    def render_key(self, section: Section, width: int) -> str:
        """What a layout of ``section`` at ``width`` depends on, as a digest: the section's
        text, this pane's styles (so the theme) and the code that renders it."""
        parts = [
            [part.title, [[i.id, i.kind, i.text, i.markup] for i in part.items]]
            for part in section.walk()
        ]
        styles = {name: str(style) for name, style in self._markdown_styles().items()}
        styles["title"] = str(self.get_component_rich_style("note-view--title"))
        blob = json.dumps([code_digest(), width, section.id, parts, styles], ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]

    def kept_layout(self, width: int | None = None) -> dict[str, Any] | None:
        """The section on screen laid out at ``width`` (None: as laid out now), as JSON data
        to keep for the next start (its first frame then needs no Markdown parser); None if
        it cannot be kept."""
        section = self.section
        if section is None or self._layout is None:
            return None
        if width is None or width == self._layout_width:
            width, layout = self._layout_width, self._layout
        else:
            layout = self._cache.get((section.id, width)) or self._render_section(section, width)
        styles: dict[Style, str] = {}
        lines = []
        for line in layout.lines:
            row = []
            for text, style, control in line:
                if control or (style is not None and (style.link or style._meta)):
                    return None
                if style is not None and style not in styles:
                    written = str(style)
                    if Style.parse(written) != style:
                        return None
                    styles[style] = written
                row.append([text, styles[style] if style is not None else None])
            lines.append(row)
        return {
            "key": self.render_key(section, width),
            "width": width,
            "lines": lines,
            "spans": [list(span) for span in layout.spans],
        }

    def kept_widths(self) -> list[int]:
        """The widths this pane had in the sessions that kept layouts (the last first):
        the next start keeps the section at these widths too (``kept_layout(width)``), so
        a learner who works in two terminals of different sizes starts fast in both."""
        return list(self._kept_widths)

    def offer_kept_layout(self, kept: object) -> None:
        """Layouts kept by ``kept_layout`` in an earlier session: one is used instead of
        rendering when the same section comes up at its width, styles and code (the others
        are ignored)."""
        entries = kept if isinstance(kept, list) else []
        self._kept = [entry for entry in entries if isinstance(entry, Mapping)]
        widths = [entry.get("width") for entry in self._kept]
        self._kept_widths = [w for w in widths if type(w) is int and 10 <= w <= MAX_KEPT_WIDTH]

    def _kept_for(self, section: Section, width: int) -> _Layout | None:
        entries, self._kept = self._kept, []  # one use: the first frame
        if not entries:
            return None
        key = self.render_key(section, width)
        kept = next((entry for entry in entries if entry.get("key") == key), None)
        if kept is None:
            return None
        try:
            lines = [
                [
                    Segment(text, Style.parse(style) if style is not None else None)
                    for text, style in row
                ]
                for row in kept["lines"]
            ]
            spans = [(int(start), int(end)) for start, end in kept["spans"]]
        except Exception:  # damaged (a bad style too): render it
            return None
        texts = [seg.text for row in lines for seg in row]
        if not all(type(text) is str for text in texts) or any(
            "\n" in text or has_controls(text) for text in texts
        ):
            return None  # never an escape sequence to the terminal, even from our cache
        return _Layout(lines, spans)

    def _markdown_theme(self) -> RichTheme:
        """Rich's Markdown styles, taken from this pane's component classes (the theme)."""
        return RichTheme(self._markdown_styles(), inherit=True)

    def _markdown_styles(self) -> dict[str, Style]:
        def part(name: str) -> Style:
            return component_style(self, name)

        code, block = part("note-view--code"), part("note-view--code-block")
        link, heading = part("note-view--link"), part("note-view--heading")
        table, bullet = part("note-view--table"), part("note-view--bullet")
        styles = {
            "markdown.code": code,
            "markdown.code_block": block,
            "markdown.code_mark": part("note-view--code-mark"),
            "markdown.block_quote": part("note-view--quote"),
            "markdown.list": Style(),
            "markdown.item.bullet": bullet,
            "markdown.item.number": bullet,
            "markdown.hr": table,
            "markdown.table.border": table,
            "markdown.table.header": heading,
            "markdown.link": link,
            "markdown.link_url": link,
            "markdown.kbd": code,
        }
        styles.update({f"markdown.h{n}": heading for n in range(1, 8)})
        return styles

    def _render_section(self, section: Section, width: int) -> _Layout:
        console = self.app.console
        if self._rich_theme is None:
            self._rich_theme = self._markdown_theme()
        with console.use_theme(self._rich_theme):
            return self._render_parts(section, width)

    def _render_parts(self, section: Section, width: int) -> _Layout:
        console = self.app.console
        inner = max(8, width - GUTTER - 1)
        options = console.options.update(
            width=inner, min_width=inner, max_width=inner, height=None, highlight=False
        )
        strips: list[list[Segment]] = []
        spans: list[tuple[int, int]] = []
        heading_style = self.get_component_rich_style("note-view--title")
        for part in section.walk():
            if part is not section:
                title = Text(part.title, style=heading_style)
                strips.extend(console.render_lines(title, options))
                strips.append([])
            for item in part.items:
                start = len(strips)
                lines = console.render_lines(self._renderable(item), options, pad=False)
                # Rich pads blocks with blank lines; one gap between items is enough.
                while lines and not "".join(seg.text for seg in lines[-1]).strip():
                    lines.pop()
                while lines and not "".join(seg.text for seg in lines[0]).strip():
                    lines.pop(0)
                strips.extend(lines)
                if len(strips) == start:
                    strips.append([])
                spans.append((start, len(strips)))
                strips.append([])
        return _Layout(strips, spans)

    def _renderable(self, item: NoteItem) -> RenderableType:
        if item.markup == "plain":
            return _plain_renderable(item.text)
        if item.text in self._prepared:
            blocks = self._prepared[item.text]
        else:
            blocks = prepare_blocks(item.text)  # parses: markdown-it costs ~15 ms to import
        if blocks is not None:
            return BlocksMarkdown(blocks)
        # What blocks do not cover (a heading, a rule, an image...): Rich's own Markdown,
        # built on first use (with markdown-it and Pygments, ~25 ms to import).
        markdown = note_markdown_class()
        return markdown(item.text, hyperlinks=False, inline_code_lexer=None)  # type: ignore[no-any-return]

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()
        self._scroll_to_cursor()

    # -- painting -------------------------------------------------------------------------
    HEADER_LINES = 3

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.paint_style
        index = scroll_y + y
        if self._layout is None and self.section is not None and width:
            self._relayout()  # the first paint after `show` before the first layout
        if self._layout is None or self.section is None:
            return Strip.blank(width, base)
        header = self._header_line(index, width, base)
        if header is not None:
            return header
        line = index - self.HEADER_LINES
        if line >= len(self._layout.lines):
            return Strip.blank(width, base)
        item_index = self._item_at(line)
        strip = Strip(self._layout.lines[line])
        if self.highlight and item_index is not None:
            strip = self._highlighted(strip)
        gutter = "  "
        gutter_style = base
        if item_index is not None:
            start, _end = self._layout.spans[item_index]
            item = self.items[item_index]
            mine = item_index == self.cursor and self.has_focus_within
            star = item.id in self.bookmarked and line == start
            if item.id == self.marked:
                # Applied first, so its background wins over the cursor's.
                strip = strip.apply_style(self.get_component_rich_style("note-view--target"))
            if item_index == self.cursor:
                cursor_style = self.get_component_rich_style("note-view--cursor")
                strip = strip.apply_style(cursor_style if mine else Style(dim=False))
                gutter = "▌" if mine else "│"
                gutter_style = base + component_style(self, "note-view--cursor-bar")
            if star:
                gutter = gutter[0] + "★" if gutter.strip() else " ★"
                gutter_style = gutter_style + component_style(self, "note-view--bookmark")
        left = Strip([Segment(gutter.ljust(GUTTER), gutter_style)])
        joined = Strip.join([left, strip.apply_style(base)])
        return joined.crop_extend(scroll_x, scroll_x + width, base)

    def _header_line(self, index: int, width: int, base: Style) -> Strip | None:
        assert self.section is not None
        room = max(1, width - GUTTER - 1)
        mark = ""
        if index == 0:
            text = Text(self.crumb, style=self.get_component_rich_style("note-view--crumb"))
        elif index == 1:
            mark = " ★" if self.section.id in self.bookmarked else ""
            text = Text(self.section.title, style=self.get_component_rich_style("note-view--title"))
        elif index == 2:
            if self.items or self.section.children:
                return Strip.blank(width, base)
            text = Text(
                "(no notes in this section yet)",
                style=self.get_component_rich_style("note-view--empty"),
            )
        else:
            return None
        # One line each: cut with an ellipsis, the bookmark star kept.
        text.truncate(max(1, room - len(mark)), overflow="ellipsis")
        if mark:
            text.append(mark, style=self.get_component_rich_style("note-view--bookmark"))
        text = Text(" " * GUTTER) + text
        segments = list(text.render(self.app.console))
        return Strip(segments).apply_style(base).crop_extend(0, width, base)

    def _highlighted(self, strip: Strip) -> Strip:
        plain = strip.text
        low = plain.lower()
        spans = []
        for word in self.highlight:
            for match in re.finditer(re.escape(word.lower()), low):
                spans.append((match.start(), match.end()))
        if not spans:
            return strip
        text = Text()
        for segment in strip:
            text.append(segment.text, segment.style)
        style = self.get_component_rich_style("note-view--match")
        for start, end in spans:
            text.stylize(style, start, end)
        return Strip(list(text.render(self.app.console)), strip.cell_length)

    def _item_at(self, line: int) -> int | None:
        assert self._layout is not None
        for index, (start, end) in enumerate(self._layout.spans):
            if start <= line < end:
                return index
            if start > line:
                return None
        return None

    # -- cursor ---------------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        before = self.scroll_offset.y
        self._scroll_to_cursor()
        if self.scroll_offset.y != before or self._layout is None:
            self.refresh()
            return
        # Repaint only the two items whose cursor state changed (a few hundred bytes over
        # SSH instead of the whole pane).
        for index in (old, new):
            if 0 <= index < len(self._layout.spans):
                start, end = self._layout.spans[index]
                self.refresh_lines(start + self.HEADER_LINES, end - start)

    def _scroll_to_cursor(self, center: bool = False) -> None:
        if self._layout is None or not self._layout.spans:
            return
        start, end = self._layout.spans[min(self.cursor, len(self._layout.spans) - 1)]
        top = start + self.HEADER_LINES
        bottom = end + self.HEADER_LINES
        height = self.scrollable_content_region.height or 1
        y = self.scroll_offset.y
        if center:
            target = max(0, top - height // 3)
        elif self.cursor == 0:
            target = 0
        elif top < y:
            # Jump so the item sits two thirds down: the next few moves need no scroll,
            # and every scroll repaints the whole pane (~6 KB at 80x24 over SSH).
            target = max(0, min(top, bottom - (height * 2) // 3))
        elif bottom > y + height:
            target = min(top, max(bottom - height, top - height // 4))
        else:
            return
        self.scroll_to(y=target, animate=False)

    def action_cursor(self, step: int) -> None:
        """Move the cursor by ``step`` items."""
        if self.section and self.items:
            self.cursor = max(0, min(len(self.items) - 1, self.cursor + step))

    def action_cursor_to(self, index: int) -> None:
        """Move the cursor to the first (0) or last (-1) item."""
        if self.section and self.items:
            self.cursor = len(self.items) - 1 if index < 0 else 0
            if index < 0:
                self.scroll_end(animate=False)

    def action_page(self, direction: int) -> None:
        """Move the cursor about a screenful."""
        if self._layout is None or self.section is None or not self.items:
            return
        height = self.scrollable_content_region.height or 10
        start, _ = self._layout.spans[self.cursor]
        target = start + direction * height
        index = self._item_at(max(0, min(target, len(self._layout.lines) - 1)))
        if index is None:
            index = len(self.items) - 1 if direction > 0 else 0
        if index == self.cursor:
            index = max(0, min(len(self.items) - 1, self.cursor + direction))
        self.cursor = index

    def action_bookmark(self) -> None:
        """Ask the screen to bookmark the item under the cursor."""
        item = self.current_item
        if item is not None:
            self.post_message(BookmarkToggleRequested(item.id, "item"))
        elif self.section is not None:
            self.post_message(BookmarkToggleRequested(self.section.id, "section"))

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        self._rich_theme = None
        self.clear_cache()  # the rendered lines hold the old theme's colours

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
