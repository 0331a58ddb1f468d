"""A pane's style worked out once per paint rather than once per line.

Widgets on Textual's line API paint line by line, and Textual's ``Tree.render_line`` (like
the note pane's) asks for the widget's ``rich_style`` on every line: ~90 µs each time, as it
blends the backgrounds of every ancestor. It cannot change during one paint, so
``StyleOncePerPaint`` works it out when ``render_lines`` starts and hands it out as
``paint_style`` until the paint ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.style import Style
    from textual.geometry import Region
    from textual.strip import Strip
    from textual.widget import Widget

    _Base = Widget
else:
    _Base = object


class StyleOncePerPaint(_Base):
    """Mixin for a line-API widget (before its Textual base): ``paint_style``."""

    _paint_style: Style | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._paint_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._paint_style = None

    @property
    def paint_style(self) -> Style:
        """The widget's ``rich_style``: worked out once during a paint."""
        return self._paint_style or self.rich_style
