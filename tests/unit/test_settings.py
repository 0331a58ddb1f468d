"""The settings file: reading and checking it, writing one key, and ``dvatui config``."""

from __future__ import annotations

import json
import os
import tomllib
from datetime import date
from pathlib import Path

import pytest

from dvatui.cli import main
from dvatui.settings import (
    Settings,
    SettingsError,
    config_path,
    load_settings,
    parse_text,
    set_value,
    shown_path,
    unset_value,
)
from dvatui.store import Store

FIXTURE_NOTES = Path(__file__).resolve().parents[1] / "fixtures" / "notes"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "conf" / "config.toml"
    monkeypatch.setenv("DVATUI_CONFIG", str(path))
    monkeypatch.setenv("DVATUI_DB", str(tmp_path / "data" / "dvatui.json"))
    return path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- where the file is --------------------------------------------------------------------


def test_the_file_is_in_the_user_config_folder_unless_the_env_var_names_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DVATUI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    if os.uname().sysname == "Linux":
        assert config_path() == tmp_path / "xdg" / "dvatui" / "config.toml"
    monkeypatch.setenv("DVATUI_CONFIG", str(tmp_path / "mine.toml"))
    assert config_path() == tmp_path / "mine.toml"
    assert not (tmp_path / "xdg").exists()  # nothing is created


def test_messages_write_the_home_folder_as_a_tilde(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    path = write(tmp_path / ".config" / "dvatui" / "config.toml", "desired_retention = 1.5\n")
    assert shown_path(path) == "~/.config/dvatui/config.toml"
    assert load_settings(path).problems == (
        "~/.config/dvatui/config.toml: desired_retention: must be between 0.70 and 0.99, got 1.5",
    )


# -- reading ------------------------------------------------------------------------------


def test_a_missing_file_sets_nothing(config: Path) -> None:
    settings = load_settings()
    assert settings == Settings(path=config)
    assert settings.overrides() == {} and not settings.is_set("theme")


def test_every_key_is_read_and_typed(config: Path) -> None:
    write(
        config,
        f"""# mine
theme = "dva-paper"
notes = "{FIXTURE_NOTES}"
desired_retention = 0.85
new_per_day = 30
exam_date = 2027-01-15

[keymap]
review = "ctrl+r"
quiz-next = "ctrl+n, f5"
""",
    )
    settings = load_settings()
    assert settings.problems == ()
    assert settings.theme == "dva-paper"
    assert settings.notes == FIXTURE_NOTES
    assert settings.desired_retention == 0.85
    assert settings.new_per_day == 30
    assert settings.exam_date == date(2027, 1, 15)
    assert settings.keymap == {"review": "ctrl+r", "quiz-next": "ctrl+n,f5"}
    assert settings.overrides() == {
        "desired_retention": 0.85,
        "new_per_day": 30,
        "exam_date": "2027-01-15",
    }
    assert settings.is_set("keymap.review") and not settings.is_set("keymap.help")


def test_an_exam_date_may_be_a_string_and_notes_relative_to_the_file(config: Path) -> None:
    (config.parent / "my-notes").mkdir(parents=True)
    write(config, 'exam_date = "2027-01-15"\nnotes = "my-notes"\n')
    settings = load_settings()
    assert settings.exam_date == date(2027, 1, 15)
    assert settings.notes == config.parent / "my-notes"


def test_invalid_entries_are_reported_by_key_and_left_out_the_file_untouched(
    config: Path,
) -> None:
    text = """theme = ""
notes = "/no/such/folder"
desired_retention = 1.5
new_per_day = 2.5
exam_date = "next tuesday"
colour = "blue"
thme = "x"

[keymap]
review = "ctrl+r"
help = 5
search = "ctrl r"
"""
    write(config, text)
    before = config.stat()
    settings = load_settings()
    where = str(config)
    assert settings.problems == (
        f'{where}: theme: must be a theme name such as "dva-night", got ""',
        f"{where}: notes: /no/such/folder does not exist",
        f"{where}: desired_retention: must be between 0.70 and 0.99, got 1.5",
        f"{where}: new_per_day: must be a whole number between 0 and 1000, got 2.5",
        f'{where}: exam_date: must be a date written YYYY-MM-DD, got "next tuesday"',
        f"{where}: colour: unknown setting; known: theme, notes, desired_retention,"
        " new_per_day, exam_date, keymap",
        f"{where}: thme: unknown setting (did you mean theme?)",
        f'{where}: keymap.help: must be keys such as "ctrl+r" (several: "ctrl+r,f5"), got 5',
        f'{where}: keymap.search: must be keys such as "ctrl+r" (several: "ctrl+r,f5"),'
        ' got "ctrl r"',
    )
    # Defaults for the invalid keys; the valid one is used.
    assert settings.overrides() == {} and settings.theme is None and settings.notes is None
    assert settings.keymap == {"review": "ctrl+r"}
    assert config.read_text() == text and config.stat().st_mtime_ns == before.st_mtime_ns


def test_a_file_that_is_not_toml_sets_nothing_and_says_so(config: Path) -> None:
    write(config, "theme = dva-night\n")
    settings = load_settings()
    assert settings.overrides() == {} and settings.theme is None
    (problem,) = settings.problems
    assert problem.startswith(f"{config}: not valid TOML (") and "no setting was used" in problem


def test_a_folder_in_place_of_the_file_is_reported(config: Path) -> None:
    config.mkdir(parents=True)
    (problem,) = load_settings().problems
    assert problem.startswith(f"{config}: cannot be read")


# -- writing ------------------------------------------------------------------------------


def test_set_value_keeps_comments_and_other_keys(config: Path) -> None:
    write(
        config,
        """# my dvatui settings
theme = "nord"  # dark, please
desired_retention = 0.9

# keys
[keymap]
review = "ctrl+r"  # R is awkward
""",
    )
    assert set_value(config, "desired_retention", 0.85).changed
    assert set_value(config, "new_per_day", 30).changed
    assert set_value(config, "keymap.help", "f1").changed
    assert set_value(config, "exam_date", date(2027, 1, 15)).changed
    text = config.read_text()
    assert text == (
        """# my dvatui settings
theme = "nord"  # dark, please
desired_retention = 0.85
new_per_day = 30
exam_date = 2027-01-15

# keys
[keymap]
review = "ctrl+r"  # R is awkward
help = "f1"
"""
    )
    assert not set_value(config, "new_per_day", 30).changed  # already so: not rewritten
    assert unset_value(config, "desired_retention").changed
    assert unset_value(config, "keymap.review").changed
    assert "desired_retention" not in config.read_text() and "# keys\n" in config.read_text()
    assert tomllib.loads(config.read_text())["keymap"] == {"help": "f1"}
    written = unset_value(config, "keymap.help")
    assert written.changed and not written.comments_lost
    assert config.read_text().startswith("# my dvatui settings\n")
    assert not unset_value(config, "keymap.help").changed


def test_set_value_creates_the_file_and_its_folder(config: Path) -> None:
    written = set_value(config, "keymap.review", "ctrl+r")
    assert written.changed and not written.comments_lost
    assert tomllib.loads(config.read_text()) == {"keymap": {"review": "ctrl+r"}}
    assert config.read_text().startswith("# dvatui settings")
    set_value(config, "notes", Path('/tmp/odd "name"\\x'))
    assert load_settings().problems  # no such folder, but the string round-trips:
    assert tomllib.loads(config.read_text())["notes"] == '/tmp/odd "name"\\x'


def test_an_unusual_layout_is_rewritten_and_says_comments_were_lost(config: Path) -> None:
    write(config, '# gone\nkeymap.review = "ctrl+r"\ntheme = "nord"\n')
    written = set_value(config, "keymap.help", "f1")
    assert written.comments_lost
    assert tomllib.loads(config.read_text()) == {
        "keymap": {"review": "ctrl+r", "help": "f1"},
        "theme": "nord",
    }


def test_a_file_that_is_not_toml_is_never_overwritten(config: Path) -> None:
    write(config, "theme = dva-night\n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        set_value(config, "theme", "nord")
    assert config.read_text() == "theme = dva-night\n"


def test_a_linked_file_is_written_through_the_link(config: Path, tmp_path: Path) -> None:
    real = write(tmp_path / "dotfiles" / "dvatui.toml", "# dotfiles\n")
    config.parent.mkdir(parents=True)
    config.symlink_to(real)
    set_value(config, "new_per_day", 5)
    assert config.is_symlink() and "new_per_day = 5" in real.read_text()


def test_values_from_the_command_line_are_checked() -> None:
    assert parse_text("desired_retention", "0.8") == 0.8
    assert parse_text("new_per_day", "12") == 12
    assert parse_text("exam_date", "2027-01-15", today=date(2026, 12, 1)) == date(2027, 1, 15)
    with pytest.raises(SettingsError, match="not in the future"):
        parse_text("exam_date", "2026-11-30", today=date(2026, 12, 1))
    with pytest.raises(SettingsError, match='got "high"'):
        parse_text("desired_retention", "high")
    with pytest.raises(SettingsError, match="does not exist"):
        parse_text("notes", "/no/such/notes")
    assert parse_text("keymap.review", "ctrl+r, f5") == "ctrl+r,f5"


# -- dvatui config and the other commands -------------------------------------------------


def test_config_path_set_and_show(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "path"]) == 0
    assert capsys.readouterr().out == f"{config}\n"
    assert main(["config", "set", "notes", str(FIXTURE_NOTES)]) == 0
    assert main(["config", "set", "desired_retention", "0.8"]) == 0
    assert main(["config", "set", "keymap.review", "ctrl+r"]) == 0
    capsys.readouterr()
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert f'notes = "{FIXTURE_NOTES}"  # settings file' in out
    assert "desired_retention = 0.8  # settings file" in out
    assert "new_per_day = 20  # default" in out
    assert "[keymap]" in out and 'review = "ctrl+r"' in out
    assert tomllib.loads(out) is not None  # what it prints is a settings file


def test_config_set_refuses_bad_values_and_keys(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "set", "desired_retention", "1.5"]) == 2
    assert "desired_retention: must be between 0.70 and 0.99, got 1.5" in capsys.readouterr().err
    assert main(["config", "set", "colour", "blue"]) == 2
    assert main(["config", "set", "theme", "no-such-theme"]) == 2
    assert "no theme named" in capsys.readouterr().err
    assert main(["config", "set", "keymap.reveiw", "ctrl+r"]) == 2
    assert "did you mean review?" in capsys.readouterr().err
    assert not config.exists()


def test_config_notes_become_the_default_for_notes(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "set", "notes", str(FIXTURE_NOTES)]) == 0
    capsys.readouterr()
    assert main(["outline"]) == 0
    assert capsys.readouterr().out.startswith("Alpha Chapter")


def test_an_invalid_file_is_reported_on_stderr_and_the_command_goes_on(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(config, f'notes = "{FIXTURE_NOTES}"\nnew_per_day = -1\n')
    assert main(["outline"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Alpha Chapter")
    assert err == (
        f"dvatui: {config}: new_per_day: must be a whole number between 0 and 1000, got -1\n"
    )


def test_the_settings_file_wins_over_the_data_file(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "data" / "dvatui.json"
    assert main(["plan", "--exam-date", "2099-01-15", "--notes", str(FIXTURE_NOTES)]) == 0
    assert Store.open(db).get_setting("exam_date") == "2099-01-15"  # no settings file: data
    write(config, "exam_date = 2098-06-01\n")
    capsys.readouterr()
    assert main(["stats", "--format", "json", "--notes", str(FIXTURE_NOTES)]) == 0
    assert json.loads(capsys.readouterr().out)["exam_date"] == "2098-06-01"
    # The option writes where the value is in force: the settings file.
    assert main(["plan", "--exam-date", "2098-07-01", "--notes", str(FIXTURE_NOTES)]) == 0
    out, err = capsys.readouterr()
    assert "Exam on 2098-07-01" in out and "saved it there" in err
    assert load_settings().exam_date == date(2098, 7, 1)
    assert Store.open(db).get_setting("exam_date") == "2099-01-15"


def test_review_options_are_remembered_where_they_are_in_force(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "data" / "dvatui.json"
    write(config, "# mine\ndesired_retention = 0.8\n")
    notes = ["--notes", str(FIXTURE_NOTES)]
    assert main(["review", "--list", "--retention", "0.85", "--new-per-day", "7", *notes]) == 0
    assert load_settings().desired_retention == 0.85  # set in the file: kept there
    assert config.read_text() == "# mine\ndesired_retention = 0.85\n"
    store = Store.open(db)
    assert store.get_setting("desired_retention") is None
    assert store.get_setting("new_per_day") == 7  # not in the file: the data file, as before
