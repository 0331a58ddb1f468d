"""The section tree paints its lines from the labels' runs (``SectionTree._render_line``):
cell for cell (text, style and meta) what Textual's own ``Tree._render_line`` paints, in
every state a line can be in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Tree

from dvatui.app import make_app
from dvatui.paths import shipped_notes_dir
from dvatui.widgets.section_tree import SectionTree


def _cells(strip: Any) -> list[tuple[str, str, object]]:
    return [
        (char, str(segment.style), segment.style.meta if segment.style else None)
        for segment in strip
        for char in segment.text
    ]


def _compare_every_line(tree: SectionTree) -> int:
    base = tree.rich_style
    width = tree.size.width
    lines = len(tree._tree_lines)
    for y in range(lines):
        tree._line_cache.clear()  # both paint, neither reads the other's line
        ours = tree._render_line(y, 0, width, base)
        tree._line_cache.clear()
        textual = Tree._render_line(tree, y, 0, width, base)
        assert _cells(ours) == _cells(textual), y
    return lines


@pytest.mark.parametrize("size", [(160, 48), (100, 30)])
async def test_the_tree_paints_every_line_as_textual_does(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(notes=shipped_notes_dir(), db_path=tmp_path / "dvatui.json")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        tree = app.screen.query_one(SectionTree)
        tree.build_now()
        assert _compare_every_line(tree) > 200  # unfocused, titles cut to the pane

        # Marks, counts, a right answer, a wrong one, a leech; the tree focused; the cursor
        # and a hover on other lines; a folded chapter.
        corpus = app.session.corpus
        sections = list(corpus.sections())
        questions = corpus.questions()
        tree.leeches = frozenset({questions[3].id})
        tree.refresh_state(
            frozenset({sections[1].id, f"{sections[2].id}#item"}),
            {questions[0].id: True, questions[1].id: False, questions[3].id: False},
        )
        tree.focus()
        await pilot.pause()
        await pilot.press("j", "j", "j")
        tree.hover_line = 5
        await pilot.pause()
        assert tree.has_focus
        _compare_every_line(tree)
        await pilot.press("space")  # fold the chapter under the cursor
        await pilot.pause()
        _compare_every_line(tree)
