"""The quiz pane's choices (``HangingRows``) look as the two-column ``Table.grid`` they
replace: same lines, same wrapping and ellipses, same padding in the same styles."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from dvatui.domain.loader import load_corpus
from dvatui.paths import shipped_notes_dir
from dvatui.widgets.quiz_panel import HangingRows

PICKED = Style(color="red", bgcolor="blue")
CODE = Style(bgcolor="grey23")


def table(rows: list[tuple[Text, Text]]) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for key, text in rows:
        grid.add_row(key, text)
    return grid


def cells(console: Console, renderable: object, width: int) -> list[list[Segment]]:
    """Rendered lines, with the same look written the same way (None and a null style
    are the same on screen; neighbouring segments of one style are one)."""
    lines = console.render_lines(renderable, console.options.update_width(width), pad=False)
    return [
        list(Segment.simplify(Segment(s.text, s.style or Style()) for s in line)) for line in lines
    ]


def rows_of(choices: list[str], picked: int) -> list[tuple[Text, Text]]:
    rows = []
    for n, choice in enumerate(choices):
        style = PICKED if n == picked else Style()
        key = Text.assemble(("›" if n == 0 else " ", "green"), Text(f" {n + 1} ( )", style=style))
        text = Text(choice, style=style)
        if "`" in choice:  # a code span in its own background, as inline Markdown gives
            text = Text.assemble(("code", CODE), " " + choice.replace("`", ""), style=style)
        rows.append((key, text))
    return rows


def test_every_shipped_question_at_many_widths() -> None:
    console = Console(width=120, color_system="truecolor", legacy_windows=False)
    questions = load_corpus(shipped_notes_dir()).questions()[::7]
    assert len(questions) > 50
    for question in questions:
        rows = rows_of([c.text for c in question.choices], picked=len(question.choices) - 1)
        for width in (12, 21, 34, 47, 60, 90):
            assert cells(console, HangingRows(rows), width) == cells(console, table(rows), width), (
                question.id,
                width,
            )


@pytest.mark.parametrize(
    "choices",
    [
        ["a", "bb", "ccc"],  # narrower than the pane: padded to the widest
        ["an-unbreakable-word-longer-than-the-pane-is-wide", "short"],  # cut with …
        ["`code` first", "line one\nline two"],
        [""],
    ],
)
def test_edge_cases(choices: list[str]) -> None:
    console = Console(width=80, color_system="truecolor", legacy_windows=False)
    rows = rows_of(choices, picked=0)
    for width in (9, 10, 16, 30):
        assert cells(console, HangingRows(rows), width) == cells(console, table(rows), width)
