"""Layout at every size, the drawer and focus mode, clean rendering, theme colours.

Issue 9: three panes from 100 columns; note and quiz side by side from 80 with the tree as a
drawer and a breadcrumb; one pane at a time below 80; focus mode at any size; no sideways
scrolling in the note pane; inline Markdown in the quiz; colours from the theme, and a
cursor that does not depend on colour.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from msgspec.structs import replace
from rich.console import Console, Group
from textual.color import Color
from textual.widget import Widget

from dvatui.app import DvaApp
from dvatui.domain.grading import grade
from dvatui.domain.model import Choice
from dvatui.paths import shipped_notes_dir
from dvatui.screens.dialogs import help_markdown
from dvatui.screens.main import MainScreen
from dvatui.widgets.breadcrumb import Breadcrumb, fit_path
from dvatui.widgets.markup import CONTINUATION, LITERAL_RE, inline_markdown, wrap_code_line
from dvatui.widgets.note_view import NoteView
from dvatui.widgets.quiz_panel import QuizPanel
from dvatui.widgets.section_tree import SectionTree


def main(app: DvaApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def shown(widget: Widget) -> bool:
    return widget.display and widget.region.width > 0


def text_of(renderable: object, width: int) -> str:
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


# -- layout by width ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "mode"),
    [
        (79, 24, "narrow"),
        (80, 24, "medium"),
        (99, 30, "medium"),
        (100, 30, "wide"),
        (120, 30, "wide"),
        (160, 48, "wide"),
    ],
)
async def test_panes_by_width(
    app_factory: Callable[..., DvaApp], width: int, height: int, mode: str
) -> None:
    app = app_factory()
    async with app.run_test(size=(width, height)) as pilot:
        await pilot.pause()
        screen = main(app)
        tree, note, quiz = (
            app.query_one(SectionTree),
            app.query_one(NoteView),
            app.query_one(QuizPanel),
        )
        crumb = app.query_one(Breadcrumb)
        assert screen.layout_mode == mode
        if mode == "wide":
            assert shown(tree) and shown(note) and shown(quiz) and not shown(crumb)
            assert note.region.width >= 44 and quiz.region.width >= 34
            assert tree.region.right <= note.region.x and note.region.right <= quiz.region.x
            assert isinstance(app.focused, SectionTree)
        elif mode == "medium":
            assert shown(note) and shown(quiz) and shown(crumb) and not shown(tree)
            assert note.region.width >= 44 and note.region.right <= quiz.region.x
            assert isinstance(app.focused, NoteView)  # the reading starts; `s` opens the tree
        else:
            assert [shown(p) for p in (tree, note, quiz)] == [True, False, False]
            assert tree.region.width == width


async def test_drawer_opens_over_the_note_and_enter_closes_it(
    app_factory: Callable[..., DvaApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = main(app)
        tree, note = app.query_one(SectionTree), app.query_one(NoteView)
        await pilot.press("s")
        await pilot.pause()
        assert screen.has_class("-drawer") and isinstance(app.focused, SectionTree)
        assert shown(tree) and shown(note)
        assert tree.region.x == note.region.x  # over the note, not beside it
        assert "enter opens" in str(tree.border_title)
        await pilot.press("j", "enter")
        await pilot.pause()
        assert not screen.has_class("-drawer") and not shown(tree)
        assert isinstance(app.focused, NoteView)
        assert screen.current is not None and screen.current.id == "alpha/first-section"
        await pilot.press("s")  # s toggles: open, then close back to the note
        await pilot.pause()
        assert screen.has_class("-drawer")
        await pilot.press("s")
        await pilot.pause()
        assert not screen.has_class("-drawer") and isinstance(app.focused, NoteView)


async def test_breadcrumb_says_where_the_learner_is(app_factory: Callable[..., DvaApp]) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        main(app).show_section("alpha/second-section/a-subsection")
        await pilot.pause()
        crumb = app.query_one(Breadcrumb)
        assert crumb.path == ("Alpha Chapter", "Second Section", "A Subsection")
        line = str(crumb.render())
        assert "Alpha Chapter › Second Section › A Subsection" in line
        assert "s sections" in line and "z focus" in line
        assert crumb.region.height == 1


def test_breadcrumb_shortens_from_the_left() -> None:
    path = ("A long chapter title here", "Section", "The subsection being read")
    assert fit_path(path, 80) == list(path)
    assert fit_path(path, 40) == ["…", "Section", "The subsection being read"]
    assert fit_path(path, 30) == ["…", "The subsection being read"]
    assert fit_path(path, 10) == ["The subsection being read"]


async def test_pane_titles_name_the_pane_below_80(app_factory: Callable[..., DvaApp]) -> None:
    app = app_factory()
    async with app.run_test(size=(70, 24)) as pilot:
        await pilot.pause()
        tree, note = app.query_one(SectionTree), app.query_one(NoteView)
        assert str(tree.border_title).startswith("Sections (1/3) · tab: Notes")
        await pilot.press("tab")
        await pilot.pause()
        assert shown(note) and not shown(tree)
        assert str(note.border_title).startswith("Notes (2/3) · tab: Quiz")


@pytest.mark.parametrize("size", [(70, 24), (80, 24), (100, 30), (120, 30), (160, 48)])
async def test_focus_mode_shows_the_note_alone(
    app_factory: Callable[..., DvaApp], size: tuple[int, int]
) -> None:
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = main(app)
        tree, note, quiz = (
            app.query_one(SectionTree),
            app.query_one(NoteView),
            app.query_one(QuizPanel),
        )
        await pilot.press("z")
        await pilot.pause()
        assert screen.focus_mode and isinstance(app.focused, NoteView)
        assert shown(note) and not shown(tree) and not shown(quiz)
        assert not shown(app.query_one(Breadcrumb))
        assert note.region.width == size[0]
        assert "focus mode" in str(note.border_title)
        await pilot.press("z")
        await pilot.pause()
        assert not screen.focus_mode and shown(note)
        assert shown(quiz) == (size[0] >= 80)
        await pilot.press("z", "tab")  # tab leaves focus mode for the next pane
        await pilot.pause()
        assert not screen.focus_mode and isinstance(app.focused, QuizPanel) and shown(quiz)


async def test_resizing_moves_between_layouts(app_factory: Callable[..., DvaApp]) -> None:
    app = app_factory()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen = main(app)
        assert isinstance(app.focused, SectionTree)
        await pilot.resize_terminal(90, 30)
        await pilot.pause()
        # The tree kept the focus, so it shows as the open drawer.
        assert screen.layout_mode == "medium" and screen.has_class("-drawer")
        await pilot.press("tab")
        await pilot.pause()
        assert not screen.has_class("-drawer")
        await pilot.resize_terminal(70, 24)
        await pilot.pause()
        assert screen.layout_mode == "narrow" and shown(app.query_one(NoteView))


def test_new_keys_have_ids_and_are_in_the_help() -> None:
    ids = {b.id: b.key for b in MainScreen.BINDINGS if hasattr(b, "id")}
    assert ids["sections"] == "s" and ids["focus-mode"] == "z"
    keys = [b.key for b in MainScreen.BINDINGS if hasattr(b, "key")]
    assert len(keys) == len(set(keys))
    for cls in (SectionTree, NoteView, QuizPanel):  # no pane uses them for something else
        pane_keys = {k for b in cls.BINDINGS if hasattr(b, "key") for k in b.key.split(",")}
        assert not {"s", "z"} & pane_keys
    table = help_markdown(MainScreen())
    assert "| s | Sections |" in table and "| z | Focus |" in table


# -- the note pane ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (130, 32), (140, 40), (160, 48)])
async def test_note_pane_never_scrolls_sideways(
    app_factory: Callable[..., DvaApp], size: tuple[int, int]
) -> None:
    app = app_factory(shipped_notes_dir())
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = main(app)
        note = app.query_one(NoteView)
        corpus = app.session.corpus
        wide = [
            s.id
            for s in corpus.sections()
            if any(item.kind in ("code", "table") for item in s.items)
        ][:25]
        assert wide
        for section_id in wide:
            screen.show_section(section_id)
            await pilot.pause()
            width = note.scrollable_content_region.width
            assert note.virtual_size.width <= width
            assert not note.show_horizontal_scrollbar
            assert note._layout is not None
            assert max(s.cell_length for s in note._layout.strips) <= width


def test_code_lines_wrap_under_their_indentation() -> None:
    line = '    "Resource": "arn:aws:dynamodb:eu-west-1:111122223333:table/Orders"'
    parts = wrap_code_line(line, 30)
    assert len(parts) > 1 and all(len(p) <= 30 for p in parts)
    assert parts[0].startswith('    "Resource"')
    for part in parts[1:]:
        assert part.startswith("    " + CONTINUATION)
    joined = parts[0] + "".join(p.removeprefix("    " + CONTINUATION) for p in parts[1:])
    assert joined.replace(" ", "") == line.replace(" ", "")
    assert wrap_code_line("short", 30) == ["short"]


async def test_code_blocks_never_wrap_into_column_0(app_factory: Callable[..., DvaApp]) -> None:
    app = app_factory(shipped_notes_dir())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen, note = main(app), app.query_one(NoteView)
        corpus = app.session.corpus
        checked = 0
        for section in corpus.sections():
            codes = [i for i in section.items if i.kind == "code"]
            if not codes:
                continue
            screen.show_section(section.id)
            assert note._layout is not None
            for item in codes:
                index = note.items.index(item)
                start, end = note._layout.spans[index]
                body = [note._layout.strips[n].text for n in range(start, end)]
                source = [ln for ln in item.text.splitlines()[1:] if not ln.startswith("```")]
                for text in body:
                    stripped = text.strip()
                    if stripped.startswith(CONTINUATION.strip()):
                        continue
                    # A line that starts a code line keeps its indentation after the pad.
                    assert (
                        any(
                            text[1:].rstrip().startswith(s.rstrip()[:20])
                            for s in source
                            if s.strip()
                        )
                        or not stripped
                    ), text
                checked += 1
        assert checked >= 5


# -- the quiz pane ------------------------------------------------------------------------


def test_inline_markdown_in_the_quiz() -> None:
    text = inline_markdown("Call `DeleteMessage` with the **receipt handle**, *not* the ID")
    assert text.plain == "Call DeleteMessage with the receipt handle, not the ID"
    link = inline_markdown("See [the guide](https://example.com) and <role-name> or s3:*")
    assert link.plain == "See the guide (https://example.com) and <role-name> or s3:*"


async def test_every_shipped_question_renders_without_markdown_marks(
    app_factory: Callable[..., DvaApp],
) -> None:
    app = app_factory(shipped_notes_dir())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        quiz = app.query_one(QuizPanel)
        questions = app.session.corpus.questions()
        assert len(questions) > 500
        for full in questions:
            # literal lines (policy JSON, globs such as dist/**) are shown as they are:
            # check the prose around them (test_quiz checks how literal lines render)
            question = replace(
                full,
                stem=LITERAL_RE.sub(" ", full.stem),
                explanation=LITERAL_RE.sub(" ", full.explanation),
                choices=tuple(
                    Choice(LITERAL_RE.sub(" ", c.text), c.correct, c.id) for c in full.choices
                ),
            )
            quiz.show_questions(f"all:{question.id}", [question], {})
            before = text_of(Group(*quiz._parts()), 40)
            quiz.result = grade(question, set(question.correct_indices))
            after = text_of(Group(*quiz._parts()), 40)
            for shown_text in (before, after):
                assert "`" not in shown_text and "**" not in shown_text, question.id
            flat = "".join(after.split())  # long words fold across lines
            for choice in question.choices:
                words = inline_markdown(choice.text).plain.split()
                assert "".join(words[:3]) in flat, (question.id, choice.text)


LONG_WORDS = (
    "A developer runs an order service on Lambda behind API Gateway and stores orders in "
    "DynamoDB; every night a batch job re-reads yesterday's orders, recomputes totals and "
    "writes a report to S3, while during the day the service sees bursts of traffic when "
    "marketing emails go out. "
) * 5


def _long_notes(tmp_path: Path) -> Path:
    folder = tmp_path / "long"
    folder.mkdir()
    stem = " ".join(LONG_WORDS.split())
    choices = "\n".join(
        f"- [{'x' if n == 3 else ' '}] Option {n}: use `Feature{n}` with a setting that "
        "keeps the service within its limits and its costs low during the bursts"
        for n in range(1, 5)
    )
    (folder / "01-long.md").write_text(
        "---\ntitle: Long\ndomains: [development]\n---\n\n# Long\n\n## Long question\n\n"
        "- A note.\n\n```quiz\nid: long-one\ndomain: development\n"
        f"? {stem} Which approach fits best?\n{choices}\n> {stem}\n```\n",
        encoding="utf-8",
    )
    return folder


async def test_a_long_quiz_item_wraps_and_scrolls_fully_at_80x24(
    app_factory: Callable[..., DvaApp], tmp_path: Path
) -> None:
    assert 150 <= len(LONG_WORDS.split()) <= 350
    app = app_factory(_long_notes(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = main(app)
        screen.show_section("long/long-question")
        screen.focus_pane(2)
        await pilot.pause()
        quiz = app.query_one(QuizPanel)
        assert quiz.question is not None and quiz.question.id == "long-one"
        assert quiz.max_scroll_y > 0  # taller than the pane: it scrolls
        width = quiz.scrollable_content_region.width
        lines = text_of(Group(*quiz._parts()), width).splitlines()
        assert max(len(line.rstrip()) for line in lines) <= width
        # Moving the pointer down to the last choice keeps it in view.
        await pilot.press("k")
        await pilot.pause()
        await pilot.pause()
        assert quiz.focus_choice == 3
        visible = [
            quiz.scroll_offset.y,
            quiz.scroll_offset.y + quiz.scrollable_content_region.height,
        ]
        assert visible[1] > quiz.max_scroll_y - 10
        # Answer, then scroll to the very end: the last words are reachable.
        await pilot.press("c", "enter")
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        assert quiz.scroll_offset.y == quiz.max_scroll_y > 0
        await pilot.press("home")
        await pilot.pause()
        assert quiz.scroll_offset.y == 0


# -- colour -------------------------------------------------------------------------------


def _luminance(color: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def _contrast(a: Color, b: Color) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_panes_declare_their_component_classes() -> None:
    assert {
        "quiz-panel--right",
        "quiz-panel--wrong",
        "quiz-panel--pointer",
        "quiz-panel--code",
        "quiz-panel--flag",
    } <= QuizPanel.COMPONENT_CLASSES
    assert {
        "section-tree--bookmark",
        "section-tree--right",
        "section-tree--leech",
        "section-tree--marker",
    } <= SectionTree.COMPONENT_CLASSES
    assert {"note-view--cursor", "note-view--code", "note-view--link"} <= NoteView.COMPONENT_CLASSES
    sources = [
        Path(module.__file__ or "").read_text(encoding="utf-8")
        for module in (
            __import__("dvatui.widgets.quiz_panel", fromlist=["_"]),
            __import__("dvatui.widgets.section_tree", fromlist=["_"]),
            __import__("dvatui.widgets.note_view", fromlist=["_"]),
        )
    ]
    for fixed in ('"green"', '"red"', '"yellow"', '"bold yellow"', '"bold red"', "ansi_dark"):
        assert not any(fixed in source for source in sources), fixed


async def test_every_theme_shows_marks_and_cursor_distinctly(
    app_factory: Callable[..., DvaApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        tree, quiz = app.query_one(SectionTree), app.query_one(QuizPanel)
        themes = list(app.available_themes)
        assert {"dva-night", "dva-paper", "textual-light", "nord", "ansi-dark"} <= set(themes)
        for theme in themes:
            app.theme = theme
            await pilot.pause()
            background = Color.from_rich_color(quiz.rich_style.bgcolor)
            marks = {}
            for name in ("right", "wrong", "flag"):
                style = quiz.get_component_rich_style(f"quiz-panel--{name}")
                marks[name] = Color.from_rich_color(style.color)
            style = tree.get_component_rich_style("section-tree--bookmark")
            marks["bookmark"] = Color.from_rich_color(style.color)
            assert marks["right"] != marks["wrong"], theme
            if theme.startswith("ansi"):
                continue  # the terminal's own palette: hues, no RGB to measure
            for name, color in marks.items():
                # Textual's $text-* colours; the weakest, atom-one-light's green, is 2.5:1
                # (the marks are bold and shaped too: ✓ ✗ ★ ⚑).
                assert _contrast(color, background) >= 2.4, (theme, name)
            cursor = tree.get_component_rich_style("tree--cursor")
            assert cursor.bgcolor != tree.rich_style.bgcolor, theme


async def test_no_color_still_shows_where_the_cursor_is(
    app_factory: Callable[..., DvaApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = app_factory()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert app.no_color
        await pilot.press("j")
        await pilot.pause()
        tree = app.query_one(SectionTree)
        cursor_line = tree.render_line(tree.cursor_line - int(tree.scroll_offset.y)).text
        assert SectionTree.MARKER + "First Section" in cursor_line
        others = [tree.render_line(y).text for y in range(4) if y != tree.cursor_line]
        assert not any(SectionTree.MARKER in line for line in others)
        await pilot.press("tab")
        await pilot.pause()
        note = app.query_one(NoteView)
        gutters = [note.render_line(y).text[:1] for y in range(note.size.height)]
        assert "▌" in gutters  # the item under the cursor has a bar
        await pilot.press("tab")
        await pilot.pause()
        quiz = app.query_one(QuizPanel)
        question = quiz.question
        assert question is not None
        choices = text_of(quiz._choices_text(question), 60).splitlines()
        assert choices[0].startswith("› 1 ( )"), choices
        await pilot.press("a")
        choices = text_of(quiz._choices_text(question), 60).splitlines()
        assert "(•)" in choices[0]
