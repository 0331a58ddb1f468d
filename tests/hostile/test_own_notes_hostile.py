"""Hostile input for the learner's-own-notes features: flashcards parsed from notes, live
reload, re-attachment of bookmarks and card schedules, per-collection data files,
``dvatui notes copy|list``, ``dvatui check --format json`` and ``e`` (the editor).

Every fixture is made in ``tmp_path`` at test time. Tests marked ``xfail(strict=True)``
show a bug (the reason says what); they start passing when it is fixed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shlex
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dvatui.app import DvaApp, make_app
from dvatui.cli import main
from dvatui.domain.cache import load_corpus_cached
from dvatui.domain.loader import LAST_GOOD, NotesLoader, load_corpus
from dvatui.paths import shipped_notes_dir
from dvatui.store import Store
from dvatui.study import StudySession
from dvatui.study.collections import collection_db_path, other_collections, remember_root

from ._helpers import PAYLOAD, all_text, controls

SIZE = (120, 36)


def one_file(tmp_path: Path, text: str, name: str = "n.md") -> Path:
    folder = tmp_path / "notes"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def fronts_backs(folder: Path) -> list[tuple[str, str]]:
    return [(c.front, c.back) for c in load_corpus(folder).cards()]


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def bump(path: Path) -> None:
    """Make sure a rewrite is seen as a change even on a coarse-mtime file system."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


# --------------------------------------------------------------------------- card parsing


def test_50000_card_lines_load_in_bounded_time(tmp_path: Path) -> None:
    folder = one_file(tmp_path, "# Big\n\n" + "a::b\n" * 50_000)
    start = time.perf_counter()
    corpus = load_corpus(folder)
    assert time.perf_counter() - start < 5
    cards = corpus.cards()
    assert len(cards) == 50_000
    assert len({c.id for c in cards}) == 50_000  # identical cards: distinct, stable ids


def test_50000_card_list_items_are_refused_not_parsed(tmp_path: Path) -> None:
    folder = one_file(tmp_path, "# Big\n\n" + "- a::b\n" * 50_000)
    start = time.perf_counter()
    corpus = load_corpus(folder)
    assert time.perf_counter() - start < 5
    assert corpus.cards() == [] and any("too large" in p.message for p in corpus.problems)


@pytest.mark.parametrize(
    "line",
    [
        "x::y " * 400_000,  # 2 MB, 400,000 separators
        "`a::b` " * 300_000,  # code spans to mask
        "arn:a::" * 300_000,  # one endless ARN
        "A::B::C " * 250_000,  # CloudFormation types
        "``a`" * 500_000,  # unbalanced code-span openers
    ],
    ids=["separators", "code-spans", "arn", "cfn-types", "backticks"],
)
def test_one_2mb_line_with_thousands_of_separators(tmp_path: Path, line: str) -> None:
    folder = one_file(tmp_path, "# Long\n\n" + line + "\n")
    start = time.perf_counter()
    corpus = load_corpus(folder)
    assert time.perf_counter() - start < 5
    assert len(corpus.cards()) <= 1  # one card per line at most


def test_controls_in_card_fronts_and_backs_are_made_visible(tmp_path: Path) -> None:
    folder = one_file(
        tmp_path,
        f"# C\n\nfront {PAYLOAD}::back {PAYLOAD}\n\nmulti {PAYLOAD}\n??\nline {PAYLOAD}\n",
    )
    corpus = load_corpus(folder)
    assert len(corpus.cards()) == 3
    for card in corpus.cards():
        assert controls(card.front) == [] and controls(card.back) == []
        assert "␛" in card.front + card.back
    assert all(controls(t) == [] for t in all_text(corpus))
    # and the same from the start-up cache (a miss, then a hit)
    for _ in range(2):
        cached = load_corpus_cached(folder)
        assert [(c.front, c.back) for c in cached.cards()] == [
            (c.front, c.back) for c in corpus.cards()
        ]


def test_triple_colon_makes_two_cards(tmp_path: Path) -> None:
    folder = one_file(tmp_path, "# T\n\nc:::d\n")
    assert fronts_backs(folder) == [("c", "d"), ("d", "c")]


def test_four_or_five_colons_do_not_leak_into_the_back(tmp_path: Path) -> None:
    folder = one_file(tmp_path, "# T\n\na::::b\n\ne:::::f\n")
    for front, back in fronts_backs(folder):
        assert not back.startswith(":") and not front.endswith(":")


def test_question_mark_in_top_level_code_or_quote_is_not_a_card(tmp_path: Path) -> None:
    folder = one_file(
        tmp_path,
        "# T\n\n```\nfront\n?\nback\nz::y\n```\n\n> quoted\n> ?\n> answer\n\n> q::a\n\n"
        "    indented\n    ?\n    code::x\n\n| a::b | c |\n|---|---|\n| x::y | ? |\n",
    )
    assert fronts_backs(folder) == []


def test_code_block_inside_a_list_item_holds_no_cards(tmp_path: Path) -> None:
    folder = one_file(
        tmp_path,
        "# T\n\n- An example:\n\n  ```\n  front\n  ?\n  back\n  ```\n\n"
        "- C++:\n  ```cpp\n  std::vector<int> v;\n  ```\n",
    )
    assert fronts_backs(folder) == []


def test_cards_in_a_chapter_overview_and_duplicates(tmp_path: Path) -> None:
    folder = one_file(
        tmp_path,
        "# T\n\nover::view\n\n## S\n\nsame::card\n\nsame::card\n\nSame!::card.\n",
    )
    corpus = load_corpus(folder)
    (chapter,) = corpus.chapters
    assert [(c.section_id, c.front) for c in chapter.cards()] == [
        ("n", "over"),
        ("n/s", "same"),
        ("n/s", "same"),
        ("n/s", "Same!"),
    ]
    ids = [c.id for c in chapter.cards()]
    assert len(set(ids)) == 4 and all(corpus.card(i) is not None for i in ids)


@pytest.mark.parametrize(
    "body",
    ["::back only", "front only::", " :: ", "?\nback only", "front only\n?", "??", "::"],
)
def test_a_card_with_an_empty_side_is_not_made(tmp_path: Path, body: str) -> None:
    folder = one_file(tmp_path, f"# T\n\n{body}\n")
    assert fronts_backs(folder) == []


# --------------------------------------------------------------------------- live reload


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("# A\n\n## One\n\n- first fact\n\nfa::ba\n")
    (notes / "b.md").write_text("# B\n\n## Two\n\n- second fact\n\nfb::bb\n")
    return notes


def test_notes_root_that_is_a_symlink_loads_and_reloads(tmp_path: Path, folder: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(folder)
    loader = NotesLoader(link)
    assert [c.id for c in loader.load().chapters] == ["a", "b"]
    assert not loader.changed()
    (folder / "a.md").write_text("# A\n\n## One\n\n- first fact, edited\n\nfa::ba\n")
    bump(folder / "a.md")
    assert loader.changed()
    assert len(loader.load().cards()) == 2


def test_a_file_replaced_by_a_folder_or_deleted_between_polls(folder: Path) -> None:
    loader = NotesLoader(folder)
    loader.load()
    (folder / "a.md").unlink()
    (folder / "a.md").mkdir()
    (folder / "a.md" / "inner.md").write_text("# Inner\n\nin::side\n")
    assert loader.changed()
    corpus = loader.load()
    assert [c.id for c in corpus.chapters] == ["inner", "b"]
    (folder / "a.md" / "inner.md").unlink()
    (folder / "a.md").rmdir()
    assert loader.changed()
    corpus = loader.load()
    assert [c.id for c in corpus.chapters] == ["b"] and corpus.errors == []
    assert [c.front for c in corpus.cards()] == ["fb"]  # the other file is untouched
    assert not loader.changed()


def test_the_whole_notes_folder_disappearing_does_not_raise(folder: Path) -> None:
    loader = NotesLoader(folder)
    loader.load()
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()
    assert loader.changed()
    corpus = loader.load()
    assert corpus.chapters == [] and corpus.errors


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file anyway")
def test_a_file_that_becomes_unreadable_keeps_its_last_good_version(folder: Path) -> None:
    loader = NotesLoader(folder)
    loader.load()
    os.chmod(folder / "a.md", 0)
    try:
        bump(folder / "a.md")
        corpus = loader.load()
        assert [c.id for c in corpus.chapters] == ["a", "b"]
        assert any(p.message.endswith(f"({LAST_GOOD})") for p in corpus.problems)
    finally:
        os.chmod(folder / "a.md", 0o644)


def test_a_file_that_grows_too_large_keeps_its_last_good_version(folder: Path) -> None:
    loader = NotesLoader(folder)
    loader.load()
    (folder / "a.md").write_text("# A\n\n## One\n\n- first fact\n\nfa::ba\n" + "x\n" * 200_001)
    corpus = loader.load()
    assert [c.id for c in corpus.chapters] == ["a", "b"]
    assert any(p.message.endswith(f"({LAST_GOOD})") for p in corpus.problems)


def _same_id_folder(tmp_path: Path) -> Path:
    notes = tmp_path / "dup"
    (notes / "a").mkdir(parents=True)
    (notes / "b").mkdir()
    (notes / "a" / "x.md").write_text("# X\n\n## S\n\n- one\n\nf1::b1\n")
    (notes / "b" / "x.md").write_text("# X2\n\n## S\n\n- two\n\nf2::b2\n")
    return notes


def test_chapters_with_the_same_id_keep_stable_ids_across_reloads(tmp_path: Path) -> None:
    notes = _same_id_folder(tmp_path)
    loader = NotesLoader(notes)
    first = loader.load()
    ids = [c.id for c in first.cards()]
    sections = [s.id for s in first.sections()]
    assert ids == ["x/s~" + ids[0].split("~")[1], "b/x/s~" + ids[1].split("~")[1]]
    for text in ("# X\n\n## S\n\n- one, edited\n\nf1::b1\n", "# X\n\n## S\n\n- one\n\nf1::b1\n"):
        (notes / "a" / "x.md").write_text(text)
        bump(notes / "a" / "x.md")
        again = loader.load()
        assert [c.id for c in again.cards()] == ids
        assert [s.id for s in again.sections()] == sections
        assert again.card(ids[1]) is not None and again.card(ids[1]).front == "f2"
    # editing the renamed file does not corrupt the other file's cached chapters
    (notes / "b" / "x.md").write_text("# X2\n\n## S\n\n- two\n\nf2::b2\n\nf3::b3\n")
    bump(notes / "b" / "x.md")
    third = loader.load()
    assert [c.chapter_id for c in third.cards()] == ["x", "b/x", "b/x"]
    assert third.chapter("x") is not None and third.chapter("x").path == notes / "a" / "x.md"
    assert [c.id for c in loader.load().cards()] == [c.id for c in third.cards()]


def test_deduped_chapter_ids_never_collide_with_section_ids(tmp_path: Path) -> None:
    notes = _same_id_folder(tmp_path)
    (notes / "b.md").write_text("# B\n\n## X\n\n- three\n")
    corpus = load_corpus(notes)
    ids = [s.id for s in corpus.sections()]
    assert len(ids) == len(set(ids)), ids


# --------------------------------------------------------------------------- re-attachment


class Clock:
    def __init__(self) -> None:
        from datetime import UTC, datetime

        self.now = datetime(2030, 1, 2, 12, 0, tzinfo=UTC)

    def __call__(self) -> Any:
        return self.now


def test_rating_an_edited_card_does_not_shift_other_cards_schedules(tmp_path: Path) -> None:
    notes = one_file(
        tmp_path, "# T\n\n## S\n\n" + "".join(f"Port of service {i}::{i}000\n\n" for i in range(5))
    )
    session = StudySession(load_corpus(notes), tmp_path / "db.json", clock=Clock())
    session.open()
    old = {c.front: c.id for c in session.corpus.cards()}
    for card in session.corpus.cards():
        assert session.rate_card(card.id, 3)
    assert session.flush() == []
    text = (notes / "n.md").read_text().replace("## S", "## Renamed")
    (notes / "n.md").write_text(text)
    session.swap_corpus(load_corpus(notes))
    new = {c.front: c.id for c in session.corpus.cards()}
    assert {f: session.card_aliases().get(new[f]) for f in new} == {f: old[f] for f in new}
    session.rate_card(new["Port of service 0"], 1)
    assert session.flush() == []
    aliases = session.card_aliases()
    for i in range(1, 5):
        front = f"Port of service {i}"
        assert aliases.get(new[front]) in (None, old[front]), front


def test_a_bookmark_with_huge_saved_text_lists_quickly(tmp_path: Path) -> None:
    words = " ".join(f"w{i % 50}" for i in range(50_000))
    body = "# T\n\n## S\n\n" + words + "\n\n" + "".join(f"- item {i}\n" for i in range(200))
    notes = one_file(tmp_path, body)
    session = StudySession(load_corpus(notes), tmp_path / "db.json", clock=Clock())
    session.open()
    item = session.corpus.section("n/s").items[0]
    assert session.set_bookmark(item.id, True)
    assert session.flush() == []
    (notes / "n.md").write_text(body.replace("w7 w8", "w7 x w8", 1))
    session.swap_corpus(load_corpus(notes))
    start = time.perf_counter()
    entries = session.bookmark_entries()
    elapsed = time.perf_counter() - start
    assert [e.status for e in entries] == ["moved"]
    assert elapsed < 1.0, f"{elapsed:.1f} s"


def test_a_bookmark_with_huge_saved_text_that_is_gone_detaches(tmp_path: Path) -> None:
    words = " ".join(f"w{i}" for i in range(20_000))
    body = "# T\n\n## S\n\n" + words + "\n\n- small\n"
    notes = one_file(tmp_path, body)
    db = tmp_path / "db.json"
    session = StudySession(load_corpus(notes), db, clock=Clock())
    session.open()
    item = session.corpus.section("n/s").items[0]
    session.set_bookmark(item.id, True)
    assert session.flush() == []
    (notes / "n.md").write_text("# T\n\n## S\n\n- small\n")
    session.swap_corpus(load_corpus(notes))
    start = time.perf_counter()
    (entry,) = session.bookmark_entries()
    assert time.perf_counter() - start < 2
    assert entry.status == "detached" and entry.text.startswith("w0 w1")
    # the data file is intact and still holds the bookmark
    assert [b.target_id for b in Store.open(db, read_only=True).bookmarks()] == [item.id]


# --------------------------------------------------------------------------- collections, CLI


def test_notes_copy_refuses_bad_targets_without_touching_them(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("keep me")
    code, _, err = run_cli("notes", "copy", str(a_file))
    assert code == 2 and "not an empty folder" in err and a_file.read_text() == "keep me"
    code, _, err = run_cli("notes", "copy", str(a_file / "sub"))
    assert code == 2 and "cannot copy" in err
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    code, _, err = run_cli("notes", "copy", str(dangling))
    assert code == 2 and not (tmp_path / "nowhere").exists()
    full = tmp_path / "full"
    full.mkdir()
    (full / "mine.md").write_text("# Mine\n")
    link = tmp_path / "link-to-full"
    link.symlink_to(full)
    code, _, err = run_cli("notes", "copy", str(link))
    assert code == 2 and sorted(p.name for p in full.iterdir()) == ["mine.md"]


def test_notes_copy_into_a_symlink_to_an_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    code, _, _ = run_cli("notes", "copy", str(link))
    assert code == 0
    assert len(list(target.glob("*.md"))) == len(list(shipped_notes_dir().glob("*.md")))


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_notes_copy_into_an_unwritable_place(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        code, _, err = run_cli("notes", "copy", str(locked / "new"))
        assert code == 2 and "cannot copy" in err
    finally:
        locked.chmod(0o700)


def test_notes_copy_prints_a_command_that_works_for_paths_with_spaces(tmp_path: Path) -> None:
    target = tmp_path / "my notes"
    code, out, _ = run_cli("notes", "copy", str(target))
    assert code == 0
    line = next(ln for ln in out.splitlines() if "dvatui --notes" in ln)
    argv = shlex.split(line.split("with:", 1)[1])
    assert argv == ["dvatui", "--notes", str(target)]


def _weird_collection(tmp_path: Path, name: str) -> Path:
    base = tmp_path / "data" / "dvatui.json"
    base.parent.mkdir()
    root = tmp_path / name
    root.mkdir()
    (root / "a.md").write_text("# A\n\n- one\n")
    db = collection_db_path(base, root, shipped_notes_dir())
    remember_root(db, root)
    Store.open(db).add_bookmark(
        target_id="a", kind="section", chapter_id="a", section_id="a", label="A"
    )
    return base


def test_how_to_open_is_shell_safe(tmp_path: Path) -> None:
    name = "x'; touch PWNED; '"
    base = _weird_collection(tmp_path, name)
    (found,) = other_collections(base, base)
    assert shlex.split(found.how_to_open) == ["dvatui", "--notes", str(tmp_path / name)]


def test_notes_list_cannot_be_forged_by_a_root_with_newlines(tmp_path: Path) -> None:
    base = _weird_collection(tmp_path, "evil\n  data: fake.json (99 bookmarks, 0 answers)\nx")
    code, out, _ = run_cli("notes", "list", "--db", str(base))
    assert code == 0
    assert out.count("  data: ") == 2, out  # the shipped notes and one collection
    # the root's line break shows as ␤ on its own row: no second, forged row
    assert "99 bookmarks" not in out.replace("99 bookmarks, 0 answers)␤x", "")


def test_check_json_never_prints_raw_controls(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "bad\x9b2J\x1b[31m.md").write_text("# X\n\n```quiz\n? Q\n- [x] a\n```\n")
    code, out, _ = run_cli("check", "--notes", str(notes), "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["errors"] and controls(out) == []


def test_check_json_counts_hostile_cards(tmp_path: Path) -> None:
    folder = one_file(tmp_path, f"# T\n\nf {PAYLOAD}::b\n\nc:::d\n\n::\n")
    code, out, _ = run_cli("check", "--notes", str(folder), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["cards"] == 3 and controls(out) == []


# --------------------------------------------------------------------------- the app


async def test_recall_panel_never_shows_a_raw_control(
    tmp_path: Path,
    notes_app: Callable[[Path, Path], DvaApp],
    rendered: Callable[..., str],
    press_review: Callable[[Any, DvaApp], Awaitable[Any]],
) -> None:
    from dvatui.widgets.recall_panel import RecallPanel

    notes = one_file(tmp_path, f"# T\n\n## S\n\nfront {PAYLOAD} [bold]x[/]::back {PAYLOAD}\n")
    app = notes_app(notes, tmp_path / "db.json")
    async with app.run_test(size=SIZE) as pilot:
        screen = await press_review(pilot, app)
        recall = screen.query_one(RecallPanel)
        assert recall.card is not None
        await pilot.press("space")
        await pilot.pause()
        text = rendered(recall.shown)
        assert "␛" in text and "[bold]x[/]" in text and controls(text) == []
        card_id = recall.card.id
        await pilot.press("3")
        await pilot.pause()
        assert app.session.card_progress(card_id) is not None


async def test_reload_warning_strip_shows_no_raw_control(
    tmp_path: Path,
    notes_app: Callable[[Path, Path], DvaApp],
    reload_notes: Callable[[DvaApp, Any], Awaitable[None]],
) -> None:
    name = "n\x1b]0;pwned\x07\x1b[2J.md"
    good = "# T\n\n## S\n\n- fact\n"
    notes = one_file(tmp_path, good, name=name)
    app = notes_app(notes, tmp_path / "db.json")
    async with app.run_test(size=SIZE) as pilot:
        await reload_notes(app, pilot)
        (notes / name).write_text(good + "\n```quiz\n? Q\n- [x] a\n- [ ] b\nstray\n```\n")
        bump(notes / name)
        await reload_notes(app, pilot)
        strip = app.screen.query_one("#notes-warning")
        assert strip.has_class("-shown")
        assert controls(str(strip.render())) == []


async def test_reload_of_a_deleted_file_keeps_the_app_alive(
    tmp_path: Path,
    notes_app: Callable[[Path, Path], DvaApp],
    reload_notes: Callable[[DvaApp, Any], Awaitable[None]],
) -> None:
    notes = one_file(tmp_path, "# A\n\n## S\n\n- a\n\nq::a\n", name="a.md")
    (notes / "b.md").write_text("# B\n\n## S\n\n- b\n")
    app = notes_app(notes, tmp_path / "db.json")
    async with app.run_test(size=SIZE) as pilot:
        await reload_notes(app, pilot)
        app.screen.show_section("a/s")  # type: ignore[attr-defined]
        await pilot.pause()
        (notes / "a.md").unlink()
        await reload_notes(app, pilot)
        assert [c.id for c in app.session.corpus.chapters] == ["b"]
        assert app.screen.current is not None  # type: ignore[attr-defined]
        (notes / "b.md").unlink()
        (notes / "b.md").mkdir()
        await reload_notes(app, pilot)
        assert app.session.corpus.chapters == []


@contextlib.contextmanager
def _no_suspend(self: DvaApp) -> Iterator[None]:
    yield


async def _edit_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> tuple[str | None, list[list[str]], Path]:
    for key in ("VISUAL", "EDITOR"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    calls: list[list[str]] = []
    monkeypatch.setattr(DvaApp, "suspend", _no_suspend)
    monkeypatch.setattr(subprocess, "run", lambda argv, **_: calls.append(list(argv)))
    notes = one_file(tmp_path, "# T\n\n- x\n")
    app = make_app(notes=notes, db_path=tmp_path / "db.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        result = app.edit_notes(notes / "n.md", 0)
        await app.workers.wait_for_complete()
    return result, calls, notes / "n.md"


@pytest.mark.parametrize(
    ("env", "argv0"),
    [
        ({"EDITOR": "'/opt/my editor/bin/ed' --wait"}, ["/opt/my editor/bin/ed", "--wait"]),
        ({"EDITOR": 'code -w --title "a b"'}, ["code", "-w", "--title", "a b"]),
        ({"EDITOR": ""}, ["vi"]),
        ({"VISUAL": "", "EDITOR": "nano"}, ["nano"]),
        ({"EDITOR": "ed; rm -rf ~"}, ["ed;", "rm", "-rf", "~"]),  # never a shell
    ],
)
async def test_editor_commands_are_split_not_shelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], argv0: list[str]
) -> None:
    result, calls, path = await _edit_with(tmp_path, monkeypatch, env)
    assert result is None
    assert calls == [[*argv0, "+1", str(path)]]


async def test_an_editor_with_an_unbalanced_quote_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result, calls, _ = await _edit_with(tmp_path, monkeypatch, {"EDITOR": "vim 'oops"})
    assert calls == [] and result is not None and "editor command" in result


async def test_a_blank_editor_variable_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"VISUAL": "   ", "EDITOR": "nano"}
    result, calls, path = await _edit_with(tmp_path, monkeypatch, env)
    assert result is None and calls == [["nano", "+1", str(path)]]
