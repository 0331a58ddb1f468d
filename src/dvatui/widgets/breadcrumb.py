"""A one-line breadcrumb: where the learner is (chapter, section), and a few keys."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from dvatui.widgets.markup import component_style

SEPARATOR = " › "


class Breadcrumb(Widget):
    """Shows ``path`` on the left (the last part stands out) and ``keys`` on the right.

    When the line is too short, the keys go first, then the path loses its first parts
    (shown as ``…``), then the last part is cut with an ellipsis.
    """

    COMPONENT_CLASSES = {"breadcrumb--current", "breadcrumb--key", "breadcrumb--separator"}

    DEFAULT_CSS = """
    Breadcrumb {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        & > .breadcrumb--current { color: $foreground; text-style: bold; }
        & > .breadcrumb--key { color: $text-primary; text-style: bold; }
        & > .breadcrumb--separator { color: $text-muted; }
    }
    """

    path: reactive[tuple[str, ...]] = reactive(())
    """Chapter, section, subsection... titles, outermost first."""
    keys: reactive[tuple[tuple[str, str], ...]] = reactive(())
    """(key, what it does) pairs shown on the right while there is room."""

    def render(self) -> Text:
        width = self.content_region.width
        keys = self._keys()
        room = width - (keys.cell_len + 2 if keys.cell_len else 0)
        if room < 20:  # the path comes first
            keys, room = Text(), width
        line = self._path(room)
        if keys.cell_len:
            line.pad_right(max(0, width - line.cell_len - keys.cell_len))
            line.append_text(keys)
        return line

    def _keys(self) -> Text:
        key_style = component_style(self, "breadcrumb--key")
        text = Text(no_wrap=True)
        for index, (key, does) in enumerate(self.keys):
            if index:
                text.append("  ")
            text.append(key, style=key_style)
            text.append(f" {does}")
        return text

    def _path(self, room: int) -> Text:
        separator = component_style(self, "breadcrumb--separator")
        current = component_style(self, "breadcrumb--current")
        shown = fit_path(self.path, room)
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, part in enumerate(shown):
            if index:
                text.append(SEPARATOR, style=separator)
            text.append(part, style=current if index == len(shown) - 1 else "")
        text.truncate(max(0, room), overflow="ellipsis")
        return text


def fit_path(path: tuple[str, ...], room: int) -> list[str]:
    """The parts of ``path`` to show in ``room`` columns: outer parts give way to ``…``
    first; the last part always stays (the caller cuts it if it is still too long)."""
    parts = list(path)
    shown = parts
    dropped = 0
    while _length(shown) > room and dropped < len(parts) - 1:
        dropped += 1
        shown = ["…", *parts[dropped:]]
    if _length(shown) > room:
        shown = parts[-1:]
    return shown


def _length(parts: list[str]) -> int:
    return sum(len(part) for part in parts) + len(SEPARATOR) * (len(parts) - 1)
