"""A one-line footer of the keys that apply now.

Textual's ``Footer`` mounts a widget per key and recomposes on every focus change, which
cost ~130 ms of the first frame here and repaints on every pane switch. This bar is one
widget that re-renders a line of text when the screen's bindings change.
"""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widget import Widget


class KeyBar(Widget):
    """The footer: ``key description`` for each binding shown in the footer right now."""

    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--disabled"}

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        & > .key-bar--key { color: $footer-key-foreground; text-style: bold; }
        & > .key-bar--description { color: $footer-description-foreground; }
        & > .key-bar--disabled { color: $text-disabled; }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[object, ...] | None = None
        """What the bar shows (text, spans, width): a bindings change that leaves it the
        same repaints nothing."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            if self._shown is None:  # not painted yet: its first paint shows the keys
                return
            line = self._line()
            if self._signature(line) != self._shown:
                self.refresh()

    def _signature(self, line: Text) -> tuple[object, ...]:
        return (line.plain, tuple(line.spans), self.size.width)

    def render(self) -> Text:
        line = self._line()
        self._shown = self._signature(line)
        return line

    def _line(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        text_style = self.get_component_rich_style("key-bar--description")
        off_style = self.get_component_rich_style("key-bar--disabled")
        line = Text(no_wrap=True, overflow="ellipsis")
        seen: set[str] = set()
        palette = None
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.action in seen:
                continue
            if binding.key == self.app.COMMAND_PALETTE_BINDING:
                palette = binding
                continue
            if not binding.show:
                continue
            seen.add(binding.action)
            line.append(
                f" {self.app.get_key_display(binding)}", style=key_style if enabled else off_style
            )
            line.append(f" {binding.description} ", style=text_style if enabled else off_style)
        if palette is not None and self.app.ENABLE_COMMAND_PALETTE:
            tail = Text.assemble(
                (f" {self.app.get_key_display(palette)}", key_style), (" palette ", text_style)
            )
            room = self.size.width - tail.cell_len
            if line.cell_len > room > 0:
                line.truncate(room, overflow="ellipsis")
            line.pad_right(max(0, room - line.cell_len))
            line.append_text(tail)
        return line
