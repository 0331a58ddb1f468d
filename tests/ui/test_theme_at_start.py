"""The theme a session starts in is put in force before anything is styled (``_start_theme``),
skipping the reparse and restyle that setting ``App.theme`` queues: it must look exactly as
the same theme picked later, through Textual's full refresh. And component styles, worked
out on first use (``LazyComponentStyles``), are what Textual gives at every moment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.dom import DOMNode

from dvatui.app import DvaApp, make_app
from dvatui.settings import Settings
from dvatui.store import Store
from dvatui.widgets.lazy_styles import declared_component_classes
from dvatui.widgets.note_view import NoteView
from dvatui.widgets.section_tree import SectionTree

NOTES = Path(__file__).resolve().parents[1] / "fixtures" / "notes"
SIZE = (120, 30)


def looks(app: DvaApp) -> dict[str, object]:
    """Every node's colours and component styles on the main screen (and the app's)."""
    seen: dict[str, object] = {}
    nodes: list[DOMNode] = [app, *app.screen.walk_children(with_self=True)]
    for n, node in enumerate(nodes):
        styles = node.styles
        parts = {}
        for name in sorted(declared_component_classes(type(node))):
            style = node.get_component_styles(name)
            parts[name] = (style.background, style.color, style.text_style)
        seen[f"{n}:{type(node).__name__}#{node.id}"] = (
            styles.background,
            styles.color,
            styles.border,
            parts,
        )
    return seen


async def picked_later(db_path: Path, theme: str) -> dict[str, object]:
    app = make_app(notes=NOTES, db_path=db_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.theme = theme
        await pilot.pause()
        return looks(app)


@pytest.mark.parametrize("theme", ["dva-paper", "dva-night", "nord"])
async def test_a_stored_theme_at_start_looks_as_when_picked(tmp_path: Path, theme: str) -> None:
    expected = await picked_later(tmp_path / "a.json", theme)
    db = tmp_path / "b.json"
    Store.open(db).set_setting("theme", theme)  # read in on_load, before any styling
    app = make_app(notes=NOTES, db_path=db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == theme
        assert app.stylesheet._variables == app.get_css_variables()
        assert looks(app) == expected


async def test_the_settings_theme_at_start_looks_as_when_picked(tmp_path: Path) -> None:
    expected = await picked_later(tmp_path / "a.json", "dva-paper")
    app = make_app(notes=NOTES, db_path=tmp_path / "b.json", settings=Settings(theme="dva-paper"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert looks(app) == expected


async def test_a_theme_picked_after_start_restyles(
    app_factory: Callable[..., DvaApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = looks(app)
        app.theme = "dva-paper"
        await pilot.pause()
        assert looks(app) != before
        app.theme = "dva-night"
        await pilot.pause()
        assert looks(app) == before


def worked_out_now(node: DOMNode, name: str) -> object:
    """The component style as Textual works it out (the stylesheet, this moment)."""
    virtual = DOMNode(classes=name)
    virtual._attach(node)
    node.app.stylesheet.apply(virtual, animate=False)
    return virtual.styles


async def test_component_styles_follow_focus_and_theme(
    app_factory: Callable[..., DvaApp],
) -> None:
    """Component styles are worked out on first use (``LazyComponentStyles``); those in
    use follow what they depend on: the tree's cursor its focus, all of them the theme."""
    app = app_factory()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        tree = app.screen.query_one(SectionTree)
        note = app.screen.query_one(NoteView)
        tree.focus()
        await pilot.pause()
        focused = tree.get_component_rich_style("tree--cursor")
        assert tree.get_component_styles("tree--cursor") == worked_out_now(tree, "tree--cursor")
        note.focus()
        await pilot.pause()
        blurred = tree.get_component_rich_style("tree--cursor")
        assert blurred != focused
        assert tree.get_component_styles("tree--cursor") == worked_out_now(tree, "tree--cursor")
        bookmark = note.get_component_rich_style("note-view--bookmark")
        app.theme = "dva-paper"
        await pilot.pause()
        assert note.get_component_rich_style("note-view--bookmark") != bookmark
        for name in ("note-view--bookmark", "note-view--code"):
            assert note.get_component_styles(name) == worked_out_now(note, name)
        with pytest.raises(KeyError):
            note.get_component_styles("no-such--class")
