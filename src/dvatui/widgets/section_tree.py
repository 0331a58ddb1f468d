"""The left pane: chapters and sections as a tree, with bookmark marks and quiz counts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text, TextType
from textual.binding import Binding
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import Tree
from textual.widgets._tree import TOGGLE_STYLE
from textual.widgets.tree import TreeNode

from dvatui.domain.model import Corpus, Section
from dvatui.domain.progress import Tally
from dvatui.messages import BookmarkToggleRequested, SectionRequested
from dvatui.widgets.lazy_styles import LazyComponentStyles
from dvatui.widgets.markup import component_style
from dvatui.widgets.paint_style import StyleOncePerPaint
from dvatui.widgets.quiet import QuietBorderTitle


def _nothing() -> None:
    pass


_Run = tuple[str, Style | None]
"""A run of a label's text and its style (None: the label's own)."""


class _GuideLooks(NamedTuple):
    """The guides' styles, and whether each is hidden (a transparent colour)."""

    base: Style
    hover: Style
    selected: Style
    base_hidden: bool
    hover_hidden: bool
    selected_hidden: bool


class SectionTree(LazyComponentStyles, StyleOncePerPaint, Tree[str]):
    """Chapters and their sections. Moving the cursor shows the section in the note pane."""

    HELP = """
## Sections
Each line shows answered/total questions and ✓ correct. ★ marks a bookmarked
section, • a section with bookmarked items.
"""

    BINDINGS = [
        Binding("j", "cursor_down", "Cursor Down", show=False, id="tree-down"),
        Binding("k", "cursor_up", "Cursor Up", show=False, id="tree-up"),
        Binding("enter", "select_cursor", "Open the section", show=False, id="tree-open"),
        Binding("g", "scroll_home", "Top", show=False, id="tree-top"),
        Binding("G", "scroll_end", "Bottom", show=False, id="tree-bottom"),
        Binding(
            "b",
            "bookmark",
            "Bookmark section",
            tooltip="Bookmark or un-bookmark this section",
            id="tree-bookmark",
        ),
    ]

    COMPONENT_CLASSES = {
        "section-tree--marker",
        "section-tree--chapter",
        "section-tree--bookmark",
        "section-tree--count",
        "section-tree--right",
        "section-tree--leech",
    }
    """Every colour of the labels comes from these (so from the theme). The cursor line
    also starts with ``›``, so it does not depend on colour alone."""

    DEFAULT_CSS = """
    SectionTree {
        background: $surface;
        /* Labels are cut to the pane's width (with …): never a horizontal scrollbar, also
           not in the first frame, before the labels know that width. */
        overflow-x: hidden;
        & > .tree--guides { color: $text-muted 40%; }
        & > .section-tree--marker { text-style: bold; }
        & > .section-tree--chapter { text-style: bold; }
        & > .section-tree--bookmark { color: $text-warning; text-style: bold; }
        & > .section-tree--count { color: $text-muted; }
        & > .section-tree--right { color: $text-success; }
        & > .section-tree--leech { color: $text-error; text-style: bold; }
    }
    """

    border_title = QuietBorderTitle()

    MARKER = "›"
    """Starts the label of the line under the cursor (a space on the other lines)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(Text("Notes"), id=id, classes=classes)  # (markup would load emoji)
        self.show_root = False
        self.guide_depth = 2
        self._section_nodes: dict[str, TreeNode[str]] = {}
        self._sections: dict[str, Section] = {}
        self._marks: frozenset[str] = frozenset()
        self._item_marks: frozenset[str] = frozenset()
        self._latest: Mapping[str, bool] = {}
        self._question_ids: dict[str, tuple[str, ...]] = {}
        self._title_at: dict[str, tuple[int, int]] = {}
        """Section id -> where its title starts and ends in its label (after the mark)."""
        self.leeches: frozenset[str] = frozenset()
        """Question ids that are leeches: their sections show ⚠ (set before load/refresh)."""
        self._style_cache: dict[str, Style] | None = None
        self._runs: dict[str, tuple[Text, list[_Run]]] = {}
        """Section id -> its label and the label as runs of text and style, in order: the
        mark, the title, the count and the right part (``_paint_line`` paints from them)."""
        self._looks: _GuideLooks | None = None
        """The guides' styles during a paint (``render_lines``)."""
        self._pending: Corpus | None = None
        """A corpus whose tree is still to be built (see ``load``)."""
        self._pending_section: str | None = None
        """The section to put the cursor on when the tree is built."""
        self._place_cursor = False
        """Scroll the cursor a third of the way down when first painted (``select_section``
        before the first layout)."""

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        """Labels hold their styles: make them again in the new theme's colours."""
        self._style_cache = None
        self._styles()  # now, also for a tree still to be built (it looks the same)
        if self._section_nodes:
            self.refresh_state(self._marks, self._latest)

    def load(
        self,
        corpus: Corpus,
        bookmarked: frozenset[str],
        latest: Mapping[str, bool],
        *,
        later: bool = False,
    ) -> None:
        """Build the tree for a corpus; ``later``: when it is first needed (shown, focused,
        asked for its lines), for a tree that is a closed drawer at the first frame."""
        self._set_state(bookmarked, latest)
        if later:
            self._styles()  # now: it looks the same as a tree built at once
            self._pending = corpus
            self._pending_section = None
            return
        self._pending = None
        self._build_nodes(corpus)

    def build_now(self) -> None:
        """Build a tree whose building was put off (``load(later=True)``)."""
        corpus, self._pending = self._pending, None
        if corpus is not None:
            self._build_nodes(corpus)
            if self._pending_section is not None:
                self.select_section(self._pending_section)

    def on_focus(self) -> None:
        self.build_now()

    def _build_nodes(self, corpus: Corpus) -> None:
        # Textual's Tree clears its line cache and asks for a layout after each node added:
        # ~240 times here, ~2.5 ms at start-up. Once, at the end, is enough.
        self._invalidate = _nothing  # type: ignore[method-assign]
        try:
            self._add_all(corpus)
        finally:
            del self._invalidate
            self._invalidate()

    def _add_all(self, corpus: Corpus) -> None:
        self.clear()
        self._section_nodes.clear()
        self._sections.clear()
        self._question_ids = {}
        for chapter in corpus.chapters:
            # A chapter line counts every question of the chapter; a section its subsections'.
            self._question_ids[chapter.overview.id] = tuple(q.id for q in chapter.questions())
            for section in chapter.walk():
                if section.level > 1:
                    self._question_ids[section.id] = tuple(q.id for q in section.all_questions())
        for chapter in corpus.chapters:
            node = self.root.add(
                self._label(chapter.overview),
                data=chapter.overview.id,
                expand=True,
                allow_expand=bool(chapter.sections),
            )
            self._register(chapter.overview, node)
            for section in chapter.sections:
                self._add(node, section)

    def _add(self, parent: TreeNode[str], section: Section) -> None:
        if section.children:
            node = parent.add(self._label(section), data=section.id, expand=True)
            for child in section.children:
                self._add(node, child)
        else:
            node = parent.add_leaf(self._label(section), data=section.id)
        self._register(section, node)

    def _register(self, section: Section, node: TreeNode[str]) -> None:
        self._section_nodes[section.id] = node
        self._sections[section.id] = section

    def _set_state(self, bookmarked: frozenset[str], latest: Mapping[str, bool]) -> None:
        self._marks = bookmarked
        self._item_marks = frozenset(t.split("#", 1)[0] for t in bookmarked if "#" in t)
        self._latest = latest

    def _label(self, section: Section) -> Text:
        # Built as one string with spans: ~240 labels are made at start-up (uncut: they are
        # cut to the width they are painted at, in render_label).
        ids = self._question_ids.get(section.id, ())
        answered = [self._latest[q] for q in ids if q in self._latest]
        tally = Tally(len(ids), len(answered), sum(answered))
        style = self._styles()
        mark = ""
        if section.id in self._marks:
            mark = "★ "
        elif section.id in self._item_marks:
            mark = "• "
        count = f" {tally.answered}/{tally.total}" if tally.total else ""
        right = f" ✓{tally.correct}" if tally.answered else ""
        if self.leeches and not self.leeches.isdisjoint(ids):
            right += " ⚠"
        title = section.title
        text = Text(mark + title + count + right, no_wrap=True, overflow="ellipsis")
        end_mark, end_title = len(mark), len(mark) + len(title)
        self._title_at[section.id] = (end_mark, end_title)
        if mark:
            text.stylize(style["bookmark"], 0, end_mark)
        if section.level == 1:
            text.stylize(style["chapter"], end_mark, end_title)
        if count:
            text.stylize(style["count"], end_title, end_title + len(count))
        runs: list[_Run] = [(mark, style["bookmark"]), (title, None), (count, style["count"])]
        if section.level == 1:
            runs[1] = (title, style["chapter"])
        if right:
            right_style = style["right"] if tally.correct else style["count"]
            text.stylize(right_style, end_title + len(count))
            if right.endswith(" ⚠"):
                text.stylize(style["leech"], len(text) - 1)
                runs += [(right[:-1], right_style), ("⚠", right_style + style["leech"])]
            else:
                runs.append((right, right_style))
        self._runs[section.id] = (text, runs)
        return text

    def _styles(self) -> dict[str, Style]:
        """The label styles from the component classes (only what each sets)."""
        if self._style_cache is None:
            self._style_cache = {
                name: component_style(self, f"section-tree--{name}")
                for name in ("marker", "chapter", "bookmark", "count", "right", "leech")
            }
        return self._style_cache

    def process_label(self, label: TextType) -> Text:
        """A label made by ``_label`` (one line: titles hold no newline) is used as it is.
        Textual splits every label into lines and copies the first, twice per node added:
        ~40% of building the tree."""
        if isinstance(label, Text) and "\n" not in label.plain:
            return label
        return super().process_label(label)

    def get_label_width(self, node: TreeNode[str]) -> int:
        """The label's width without rendering it (Textual renders every label to size the
        tree; labels are cut to the pane's width when painted, and the tree never scrolls
        sideways, so the uncut width will do)."""
        icon = len(self.ICON_NODE_EXPANDED) if node.allow_expand else 0
        return icon + 1 + cell_len(str(node.label))  # (the cursor marker or a space in front)

    def _fit(self, label: Text, section: Section, at: int) -> Text:
        """``label`` (its title starting ``at`` characters in) with the title cut to fit."""
        end_mark, end_title = self._title_at[section.id]
        title_length = end_title - end_mark
        room = self._title_room(section) - (len(label) - at - title_length)
        if not 0 < room < title_length:
            return label
        start = at + end_mark
        cut = label[: start + max(room, 6) - 1]
        cut.rstrip()
        cut.append("…", style=label.get_style_at_offset(self.app.console, start))
        cut.append_text(label[at + end_title :])
        return cut

    def _title_room(self, section: Section) -> int:
        """Columns left for a label after the tree guides and the cursor marker, or 0
        before the first layout."""
        width = self.scrollable_content_region.width
        if not width:
            return 0
        guides = 2 * (section.level - 1) + (2 if section.children or section.level == 1 else 0)
        return width - guides - 2

    def render_label(self, node: TreeNode[str], base_style: Style, style: Style) -> Text:
        """The label with the cursor marker in front (a space on other lines), its title cut
        with … to the width it is painted at, so that the counts stay in view.

        What Textual's ``Tree.render_label`` makes (the expand icon, then the label with
        ``style`` over it), built in one Text rather than three copies."""
        label = node._label
        section = self._sections.get(node.data) if node.data is not None else None
        if section is not None and section.id in self._title_at:
            label = self._fit(label, section, 0)
        if node is self.cursor_node:
            text = Text(self.MARKER, style=base_style + style + self._styles()["marker"])
        else:
            text = Text(" ", style=base_style)
        if node._allow_expand:
            icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
            text.append(icon, base_style + TOGGLE_STYLE)
        start = len(text)
        text.append_text(label)
        text.stylize(style, start)
        return text

    def refresh_state(
        self,
        bookmarked: frozenset[str],
        latest: Mapping[str, bool],
        section_ids: set[str] | None = None,
    ) -> None:
        """Update marks and counts on the given sections (all when None)."""
        self._set_state(bookmarked, latest)
        if self._pending is not None:
            return  # the labels are made with the state when the tree is built
        ids = section_ids if section_ids is not None else set(self._section_nodes)
        chapters = {self._sections[s].chapter_id for s in ids if s in self._sections}
        for sid in ids | chapters:
            node = self._section_nodes.get(sid)
            if node is not None:
                node.set_label(self._label(self._sections[sid]))

    def collapsed_ids(self) -> set[str]:
        """The sections whose lines are folded (to fold them again after a reload)."""
        self.build_now()
        return {sid for sid, node in self._section_nodes.items() if not node.is_expanded}

    def collapse_ids(self, section_ids: set[str]) -> None:
        """Fold these sections' lines (those that still exist and can fold)."""
        self.build_now()
        for sid in section_ids:
            node = self._section_nodes.get(sid)
            if node is not None and node.allow_expand and node.is_expanded:
                node.collapse()

    def select_section(self, section_id: str) -> None:
        """Move the cursor to a section (the screen ignores the echo of its own request)."""
        if self._pending is not None:
            self._pending_section = section_id
            return
        node = self._section_nodes.get(section_id)
        if node is None or self.cursor_node is node:
            return
        parent = node.parent
        while parent is not None:
            if not parent.is_expanded:  # expand() re-lays out the tree even when open
                parent.expand()
            parent = parent.parent
        _ = self.last_line  # lays out the tree's lines, so that node.line is known
        height = self.scrollable_content_region.height
        top = int(self.scroll_offset.y)
        if not height:  # before the first layout: placed when first painted (render_lines)
            self._place_cursor = True
        elif not top <= node.line < top + height - 1:
            # Jump so the section sits a third of the way down, its chapter line in view:
            # fewer scrolls (each repaints the whole tree) than creeping one line per `n`.
            self.scroll_to(y=max(0, node.line - height // 3), animate=False, immediate=True)
        self.move_cursor(node, animate=False)

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._place_cursor:
            # The section chosen before the first layout sits a third of the way down, its
            # chapter line in view, from the first frame on (Textual would put it on the
            # top line, the chapter out of view).
            self._place_cursor = False
            height = self.scrollable_content_region.height
            if height and self.cursor_line > height // 3:
                self.scroll_to(
                    y=self.cursor_line - height // 3, animate=False, immediate=True, force=True
                )
        self._looks = self._guide_looks()  # the same for every line of this paint
        try:
            return super().render_lines(crop)
        finally:
            self._looks = None

    def render_line(self, y: int) -> Strip:
        """Textual's ``Tree.render_line`` with the pane's style worked out once per paint
        (``StyleOncePerPaint``)."""
        style = self.paint_style
        scroll_x, scroll_y = self.scroll_offset
        return self._render_line(y + scroll_y, scroll_x, scroll_x + self.size.width, style)

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """Textual's ``Tree._render_line``, painted from the label's runs: the same cells,
        styles and meta as Textual paints them (a test compares the two on every line in
        many states), at a fraction of the cost (Textual builds, copies and renders three
        Rich Texts per line: ~200 µs a line in the first frame)."""
        tree_lines = self._tree_lines
        width = self.size.width
        if y >= len(tree_lines):
            return Strip.blank(width, base_style)
        line = tree_lines[y]
        node = line.path[-1]
        section = self._sections.get(node.data) if node.data is not None else None
        entry = self._runs.get(section.id) if section is not None else None
        if section is None or entry is None or entry[0] is not node._label:
            return super()._render_line(y, x1, x2, base_style)
        is_hover = self.hover_line >= 0 and any(n._hover for n in line.path)
        cache_key = (
            y,
            is_hover,
            width,
            self._updates,
            self._pseudo_class_state,
            tuple(n._updates for n in line.path),
        )
        strip = self._line_cache.get(cache_key)
        if strip is None:
            segments = self._paint_line(y, line.path, line.last, is_hover, base_style)
            runs = self._fit_runs(section, entry[1], len(entry[0]))
            segments += self._paint_label(y, node, runs, segments[0].style)
            used = sum(cell_len(segment.text) for segment in segments[1:])
            pad = max(self.virtual_size.width, width) - used
            if pad > 0:
                segments.append(Segment(" " * pad, segments[0].style))
            strip = self._line_cache[cache_key] = Strip(segments[1:])
        return strip.crop(x1, x2)

    def _guide_looks(self) -> _GuideLooks:
        hidden = [
            self.get_component_styles(name).color.a == 0
            for name in ("tree--guides", "tree--guides-hover", "tree--guides-selected")
        ]
        base = self.get_component_rich_style("tree--guides", partial=True)
        hover = base + self.get_component_rich_style("tree--guides-hover", partial=True)
        selected = base + self.get_component_rich_style("tree--guides-selected", partial=True)
        return _GuideLooks(base, hover, selected, hidden[0], hidden[1], hidden[2])

    def _guides(self, style: Style, hidden: bool) -> tuple[str, str, str, str]:
        lines: tuple[str, str, str, str] = ("  ", "  ", "  ", "  ")
        if self.show_guides and not hidden:
            lines = self.LINES["default"]
            if style.bold:
                lines = self.LINES["bold"]
            elif style.underline2:
                lines = self.LINES["double"]
        depth = max(0, self.guide_depth - 2)
        a, b, c, d = (f"{chars[0]}{chars[1] * depth} " for chars in lines)
        return a, b, c, d

    def _paint_line(
        self, y: int, path: list[TreeNode[str]], last: bool, is_hover: bool, base_style: Style
    ) -> list[Segment]:
        """The line's style (as a first, empty segment), then its guides."""
        looks = self._looks or self._guide_looks()
        line_style = (
            self.get_component_rich_style("tree--highlight-line") if is_hover else base_style
        ) + Style(meta={"line": y})
        segments = [Segment("", line_style)]
        focused = self.has_focus
        hover = path[0]._hover
        selected = path[0]._selected and focused
        guide_style, hidden = looks.base, True
        for node in path[1:]:
            hidden = looks.base_hidden
            if hover:
                guide_style, hidden = looks.hover, looks.hover_hidden
            if selected:
                guide_style, hidden = looks.selected, looks.selected_hidden
            if node is not path[-1]:
                space, vertical, _, _ = self._guides(guide_style, hidden)
                segments.append(
                    Segment(space if node.is_last else vertical, line_style + guide_style)
                )
            hover = hover or node._hover
            selected = (selected or node._selected) and focused
        if len(path) > 1:
            _, _, terminator, cross = self._guides(guide_style, hidden)
            segments.append(Segment(terminator if last else cross, line_style + guide_style))
        return segments

    def _paint_label(
        self,
        y: int,
        node: TreeNode[str],
        runs: list[_Run],
        line_style: Style | None,
    ) -> list[Segment]:
        """What ``render_label`` makes of the node, with Textual's label styles over it."""
        line_style = line_style or Style()
        label_style = self.get_component_rich_style("tree--label", partial=True)
        if self.hover_line == y:
            label_style += self.get_component_rich_style("tree--highlight", partial=True)
        if self.cursor_line == y:
            label_style += self.get_component_rich_style("tree--cursor", partial=False)
        meta = Style(meta={"node": node._id})
        if node is self.cursor_node:
            lead = line_style + (line_style + label_style + self._styles()["marker"])
            segments = [Segment(self.MARKER, lead + meta)]
        else:
            lead = line_style + line_style
            segments = [Segment(" ", lead + meta)]
        if node._allow_expand:
            icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
            segments.append(Segment(icon, lead + (line_style + TOGGLE_STYLE) + meta))
        for text, style in runs:
            if text:
                own = lead + style if style else lead
                segments.append(Segment(text, own + label_style + meta))
        return segments

    def _fit_runs(self, section: Section, runs: list[_Run], length: int) -> list[_Run]:
        """The runs with the title cut as ``_fit`` cuts it."""
        (mark, mark_style), (title, title_style), *rest = runs
        room = self._title_room(section) - (length - len(title))
        if not 0 < room < len(title):
            return runs
        head = (mark + title[: max(room, 6) - 1]).rstrip()
        kept_mark, kept_title = head[: len(mark)], head[len(mark) :]
        return [(kept_mark, mark_style), (kept_title, title_style), ("…", title_style), *rest]

    def reveal_cursor(self) -> None:
        """Scroll so that the cursor line sits a third of the way down (e.g. when the tree
        shows again after being hidden, where scrolling to the cursor had no room)."""
        self.build_now()
        height = self.scrollable_content_region.height
        line, top = self.cursor_line, int(self.scroll_offset.y)
        if height and line >= 0 and not top < line < top + height - 1:
            self.scroll_to(y=max(0, line - height // 3), animate=False, immediate=True)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(SectionRequested(event.node.data, from_tree_cursor=True))

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        if event.node.data is not None and not event.node.allow_expand:
            self.post_message(SectionRequested(event.node.data, focus_note=True))

    @property
    def cursor_section_id(self) -> str | None:
        """The id of the section under the cursor."""
        if self._pending is not None:
            return self._pending_section
        node = self.cursor_node
        return node.data if node is not None else None

    def action_bookmark(self) -> None:
        """Ask the screen to bookmark the section under the cursor."""
        node = self.cursor_node
        if node is not None and node.data is not None:
            self.post_message(BookmarkToggleRequested(node.data, "section"))
