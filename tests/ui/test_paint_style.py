"""The note and tree panes work their style out once per paint (``StyleOncePerPaint``), not
once per line, and paint the same as with the style asked for on every line."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.dom import DOMNode
from textual.geometry import Region

from dvatui.app import make_app
from dvatui.paths import shipped_notes_dir
from dvatui.widgets.note_view import NoteView
from dvatui.widgets.paint_style import StyleOncePerPaint
from dvatui.widgets.section_tree import SectionTree


@pytest.mark.parametrize("pane", [NoteView, SectionTree])
async def test_a_paint_asks_for_the_pane_style_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pane: type
) -> None:
    app = make_app(notes=shipped_notes_dir(), db_path=tmp_path / "dvatui.json")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        widget = app.screen.query_one(pane)
        region = Region(0, 0, widget.size.width, widget.size.height)
        assert widget.size.height > 20
        asked: list[object] = []
        real = DOMNode.rich_style

        def counting(node: DOMNode) -> object:
            if node is widget:
                asked.append(node)
            return real.fget(node)  # type: ignore[attr-defined]

        monkeypatch.setattr(DOMNode, "rich_style", property(counting))
        _forget_painted(widget)
        painted = widget.render_lines(region)
        assert len(asked) == 1

        # As painted with the style asked for on every line:
        monkeypatch.setattr(StyleOncePerPaint, "paint_style", property(lambda w: w.rich_style))
        _forget_painted(widget)
        asked.clear()
        assert widget.render_lines(region) == painted
        assert len(asked) > 20


def _forget_painted(widget: NoteView | SectionTree) -> None:
    """Paint again, not from Textual's caches of painted lines."""
    widget._styles_cache.clear()
    if isinstance(widget, SectionTree):
        widget._line_cache.clear()
