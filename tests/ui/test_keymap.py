"""The settings file in the app: a user keymap (``App.set_keymap``), the help showing the
keys in effect, the theme, and one notification for what was not used."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console
from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import Static

from dvatui.app import DvaApp, binding_ids, binding_table, keymap_clashes, make_app
from dvatui.screens.dialogs import HelpScreen, help_markdown
from dvatui.screens.main import MainScreen
from dvatui.screens.review import ReviewScreen
from dvatui.settings import Settings, load_settings
from dvatui.store import Store

NOTES = Path(__file__).resolve().parents[1] / "fixtures" / "notes"
WIDE = (160, 48)


def app_with(db_path: Path, settings: Settings) -> DvaApp:
    return make_app(notes=NOTES, db_path=db_path, settings=settings)


def notices(app: DvaApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def test_every_binding_has_an_id_and_ids_are_unique() -> None:
    binding_table()  # imports every screen and widget
    missing: list[str] = []
    seen: dict[str, str] = {}
    pending: list[type] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls.__module__.startswith("dvatui."):
            continue
        for binding in cls.__dict__.get("BINDINGS", []):
            assert isinstance(binding, Binding)
            if not binding.id:
                missing.append(f"{cls.__name__}: {binding.key}")
                continue
            owner = seen.setdefault(binding.id, cls.__name__)
            assert owner == cls.__name__, f"{binding.id} is used by {owner} and {cls.__name__}"
    assert missing == []
    assert {"review", "quiz-next", "note-bookmark", "exam-flag", "suspend"} <= binding_ids()


async def test_a_keymap_rebinds_review_and_the_help_shows_it(db_path: Path) -> None:
    app = app_with(db_path, Settings(keymap={"review": "ctrl+r"}))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        review = [b.key for _, b, _, _ in app.screen.active_bindings.values() if b.id == "review"]
        assert review == ["ctrl+r"]
        await pilot.press("R")  # no longer review
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = help_markdown(app.screen_stack[0], app.user_keymap)
        assert "| ctrl+r | Review |" in shown and "| R | Review |" not in shown
        console = Console(width=120, record=True, file=io.StringIO())
        for group in app.screen.query(".help-group").results(Static):
            console.print(group.content)
        assert re.search(r"ctrl\+r\s+Review", console.export_text())
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert notices(app) == []


async def test_what_the_settings_file_got_wrong_is_one_notification(
    db_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('desired_retention = 1.5\ntheme = "no-such"\n[keymap]\nreveiw = "ctrl+r"\n')
    app = app_with(db_path, load_settings(path))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        (notice,) = notices(app)
        assert f"{path}: desired_retention: must be between 0.70 and 0.99, got 1.5" in notice
        assert f"{path}: theme: no theme named 'no-such'" in notice
        assert f"{path}: keymap.reveiw: no key binding has this id" in notice
        assert app.theme == "dva-night"  # the default


async def test_a_keymap_that_takes_a_key_from_another_binding_says_so(db_path: Path) -> None:
    app = app_with(db_path, Settings(path=Path("c.toml"), keymap={"review": "n"}))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        (notice,) = notices(app)
        assert "c.toml: keymap.review: n was the key of section-next, which loses it" in notice
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
    # Moving section-next away as well is no clash.
    assert keymap_clashes({"review": "n", "section-next": "ctrl+n"}) == []
    assert keymap_clashes({"help": "?"}) == []


async def test_the_settings_theme_wins_and_a_pick_is_kept_in_the_file(
    db_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# mine\ntheme = "dva-paper"\n')
    Store.open(db_path).set_setting("theme", "textual-dark")
    app = app_with(db_path, load_settings(path))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert app.theme == "dva-paper"
        app.theme = "nord"
        await pilot.pause()
    assert path.read_text() == '# mine\ntheme = "nord"\n'
    assert Store.open(db_path).get_setting("theme") == "textual-dark"


async def test_the_settings_review_values_win_over_the_data_file(db_path: Path) -> None:
    store = Store.open(db_path)
    store.set_setting("desired_retention", 0.95)
    store.set_setting("new_per_day", 50)
    app = app_with(db_path, Settings(desired_retention=0.8, new_per_day=3))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert app.session.setting("desired_retention") == 0.8
        assert app.session.new_per_day() == 3


@pytest.mark.parametrize("keys", ["ctrl+r,f5", "f5"])
async def test_several_keys_for_one_binding(db_path: Path, keys: str) -> None:
    app = app_with(db_path, Settings(keymap={"review": keys}))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
