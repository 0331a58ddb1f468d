"""Pilot tests: every key the learner uses, and what ends up in the data file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from dvatui.app import DvaApp
from dvatui.domain.grading import shown_order
from dvatui.domain.targets import target_item
from dvatui.screens.dialogs import BookmarksScreen, DataProblemScreen, HelpScreen, SearchScreen
from dvatui.screens.main import MainScreen
from dvatui.store import Store
from dvatui.widgets.note_view import NoteView
from dvatui.widgets.quiz_panel import QuizPanel
from dvatui.widgets.section_tree import SectionTree

WIDE = (160, 48)


def main(app: DvaApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def saved(pilot: Pilot[None]) -> None:
    """Wait for the saves: they run in worker threads, off the UI thread."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def key_of(quiz: QuizPanel, index: int) -> str:
    """The letter key of the choice with this canonical index, where it is shown now."""
    return "abcdef"[quiz.order.index(index)]


def current(app: DvaApp) -> str:
    section = main(app).current
    assert section is not None
    return section.id


async def test_start_shows_first_section_with_tree_focused(
    app_factory: Callable[..., DvaApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, SectionTree)
        assert current(app) == "alpha"
        assert "0/7 answered" in app.title


async def test_tree_keys_move_and_the_note_follows(app_factory: Callable[..., DvaApp]) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("j")
        await pilot.pause()
        assert current(app) == "alpha/first-section"
        await pilot.press("down", "down")
        await pilot.pause()
        assert current(app) == "alpha/second-section/a-subsection"
        await pilot.press("k")
        await pilot.pause()
        assert current(app) == "alpha/second-section"
        await pilot.press("G")
        await pilot.pause()
        assert current(app) == "beta/rollouts"
        await pilot.press("g")
        await pilot.pause()
        assert current(app) == "alpha"
        note = app.query_one(NoteView)
        assert note.section is not None and note.section.id == "alpha"


async def test_enter_on_a_section_opens_it_in_the_note_pane(
    app_factory: Callable[..., DvaApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("j", "enter")
        await pilot.pause()
        assert isinstance(app.focused, NoteView)
        assert current(app) == "alpha/first-section"


async def test_tab_and_shift_tab_cycle_panes(app_factory: Callable[..., DvaApp]) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        seen = []
        for _ in range(3):
            await pilot.press("tab")
            seen.append(type(app.focused).__name__)
        await pilot.press("shift+tab")
        seen.append(type(app.focused).__name__)
        assert seen == ["NoteView", "QuizPanel", "SectionTree", "QuizPanel"]


async def test_keys_typed_right_after_tab_reach_the_new_pane(
    app_factory: Callable[..., DvaApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("j", "tab", "j", "j")  # no pause: type-ahead as over SSH
        await pilot.pause()
        assert current(app) == "alpha/first-section"
        assert app.query_one(NoteView).cursor == 2


async def test_n_and_p_walk_sections_in_reading_order(app_factory: Callable[..., DvaApp]) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("tab")  # from the note pane, n/p are section keys
        order = []
        for _ in range(5):
            await pilot.press("n")
            order.append(current(app))
        await pilot.press("n")  # past the end: stays
        assert current(app) == "beta/rollouts"
        await pilot.press("p")
        order.append(current(app))
        assert order == [
            "alpha/first-section",
            "alpha/second-section",
            "alpha/second-section/a-subsection",
            "beta",
            "beta/rollouts",
            "beta",
        ]


async def test_note_cursor_keys(app_factory: Callable[..., DvaApp]) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("j", "tab")
        note = app.query_one(NoteView)
        await pilot.press("j", "j")
        assert note.cursor == 2
        await pilot.press("k")
        assert note.cursor == 1
        await pilot.press("G")
        assert note.cursor == 4
        await pilot.press("down")
        assert note.cursor == 4
        await pilot.press("g")
        assert note.cursor == 0


async def test_b_bookmarks_the_item_and_it_is_on_disk(
    app_factory: Callable[..., DvaApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("j", "tab", "j", "b")
        await saved(pilot)
        item = app.query_one(NoteView).current_item
        assert item is not None
        marks = Store.open(db_path).bookmarks()
        assert [(b.target_id, b.kind) for b in marks] == [(item.id, "item")]
        assert marks[0].label.startswith("Beta is the second fact")
        assert item.id in app.session.bookmarked
        await pilot.press("b")
        await saved(pilot)
        assert Store.open(db_path).bookmarks() == []


async def test_b_in_the_tree_bookmarks_the_section(
    app_factory: Callable[..., DvaApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("j", "b")
        await saved(pilot)
        marks = Store.open(db_path).bookmarks()
        assert [(b.target_id, b.kind, b.label) for b in marks] == [
            ("alpha/first-section", "section", "First Section")
        ]
        tree = app.query_one(SectionTree)
        assert tree.cursor_node is not None
        assert str(tree.cursor_node.label).startswith("★ First Section")


async def test_bookmarks_dialog_jump_comment_remove(
    app_factory: Callable[..., DvaApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("G", "b", "g", "j", "tab", "j", "j", "b")  # a section and an item
        await pilot.press("B")
        await pilot.pause()
        assert isinstance(app.screen, BookmarksScreen)
        assert len(app.screen.entries) == 2
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.focused, Input)
        await pilot.press(*"tricky", "enter")
        await saved(pilot)
        comments = {b.target_id: b.comment for b in Store.open(db_path).bookmarks()}
        assert comments["beta/rollouts"] == "tricky"
        await pilot.press("j", "enter")  # jump to the item bookmark
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert current(app) == "alpha/first-section"
        assert app.query_one(NoteView).cursor == 2
        assert isinstance(app.focused, NoteView)
        await pilot.press("B", "d")
        await saved(pilot)
        assert [b.target_id for b in Store.open(db_path).bookmarks()] == [
            app.query_one(NoteView).section.items[2].id
        ]  # type: ignore[union-attr]
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_search_jumps_and_highlights(app_factory: Callable[..., DvaApp]) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"canary")
        await pilot.pause()
        results = app.screen.query_one(OptionList)
        assert results.option_count >= 1
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        note = app.query_one(NoteView)
        assert current(app) == "beta/rollouts"
        assert note.current_item is not None and "Canary" in note.current_item.text
        assert note.highlight == ["canary"]
        await pilot.press("slash", "enter")  # enter on an empty query closes
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_palette_goes_to_a_section(app_factory: Callable[..., DvaApp]) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"go to section rollouts")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert current(app) == "beta/rollouts"


async def test_quiz_single_answer_is_stored(
    app_factory: Callable[..., DvaApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("G", "tab", "tab")
        quiz = app.query_one(QuizPanel)
        assert quiz.question is not None and quiz.question.id == "beta-canary"
        await pilot.press("enter")  # nothing picked: a warning, nothing stored
        # Options are shuffled: press the keys of the positions where they are shown.
        await pilot.press("1", key_of(quiz, 1), "enter")  # 1 then b's key: the last pick counts
        await saved(pilot)
        answers = Store.open(db_path).answers()
        assert [(a.question_id, a.chosen, a.correct) for a in answers] == [
            ("beta-canary", (1,), True)
        ]
        assert quiz.result is not None and quiz.result.correct
        await pilot.press("n")
        assert quiz.question.id == "beta-fast-rollback"
        await pilot.press(key_of(quiz, 2), "enter")  # c: a wrong one
        await saved(pilot)
        assert Store.open(db_path).latest_answers()["beta-fast-rollback"].correct is False
        assert "2/7 answered · 1 right" in app.title
        tree = app.query_one(SectionTree)
        assert tree.cursor_node is not None and "2/3 ✓1" in str(tree.cursor_node.label)


async def test_quiz_choose_two_with_space(
    app_factory: Callable[..., DvaApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("G", "tab", "tab", "p")
        quiz = app.query_one(QuizPanel)
        assert quiz.question is not None and quiz.question.id == "beta-two"
        first, second = quiz.order.index(0), quiz.order.index(1)
        step = "down" if second > first else "up"
        await pilot.press(
            *["down"] * first, "space", *[step] * abs(second - first), "space", "enter"
        )
        await saved(pilot)
        latest = Store.open(db_path).latest_answers()
        assert latest["beta-two"].chosen == (0, 1) and latest["beta-two"].correct


async def test_quiz_r_reads_the_note(app_factory: Callable[..., DvaApp]) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("G", "k")  # chapter node: quiz over the whole chapter
        await pilot.pause()
        assert current(app) == "beta"
        await pilot.press("tab", "tab", "1", "enter", "r")
        await pilot.pause()
        assert current(app) == "beta/rollouts"
        assert isinstance(app.focused, NoteView)


async def test_theme_is_picked_and_remembered(
    app_factory: Callable[..., DvaApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*"dva-paper")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "dva-paper"
    assert Store.open(db_path).get_setting("theme", None) == "dva-paper"
    again = app_factory()
    async with again.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert again.theme == "dva-paper"


async def test_help_lists_keys_from_the_bindings(app_factory: Callable[..., DvaApp]) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        from dvatui.screens.dialogs import help_markdown

        text = help_markdown(main_screen := app.screen_stack[0])
        assert isinstance(main_screen, MainScreen)
        for row in (
            "| tab | Pane |",
            "| B | Bookmarks |",
            "| / | Search |",
            "| b | Bookmark item |",
            "| enter | Submit |",
            "| r | Read the note |",
        ):
            assert row in text
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)


async def test_q_quits(app_factory: Callable[..., DvaApp]) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_reopening_returns_to_the_last_section(app_factory: Callable[..., DvaApp]) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("G")
        await pilot.pause()
        await pilot.press("q")
    again = app_factory()
    async with again.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert current(again) == "beta/rollouts"


async def test_narrow_terminal_shows_one_pane_at_a_time(app_factory: Callable[..., DvaApp]) -> None:
    app = app_factory()
    async with app.run_test(size=(79, 24)) as pilot:
        await pilot.pause()
        screen = main(app)
        assert screen.has_class("-narrow")
        shown = [p.id for p in screen.panes if p.display and p.styles.display != "none"]
        assert shown == ["tree-pane"]
        await pilot.press("tab")
        await pilot.pause()
        shown = [p.id for p in screen.panes if p.styles.display != "none"]
        assert shown == ["note-pane"]
        assert app.query_one(NoteView).size.width >= 70


async def test_too_small_notice(app_factory: Callable[..., DvaApp]) -> None:
    app = app_factory()
    async with app.run_test(size=(50, 12)) as pilot:
        await pilot.pause()
        assert main(app).has_class("-too-small")
        notice = str(app.screen.query_one("#too-small").render())
        assert "50×12" in notice and "at least 60×15" in notice


async def test_damaged_data_file_is_kept_and_fresh_start_needs_consent(
    app_factory: Callable[..., DvaApp], db_path: Path
) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b'{"bookmarks": {"1": ')
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DataProblemScreen)
        assert db_path.read_bytes() == b'{"bookmarks": {"1": '  # untouched while asking
        backups = [
            p
            for p in db_path.parent.iterdir()
            if p.name != db_path.name and not p.name.endswith(".lock")
        ]
        assert any(p.read_bytes() == b'{"bookmarks": {"1": ' for p in backups)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("j", "b")
        await pilot.pause()
    assert len(Store.open(db_path).bookmarks()) == 1


async def test_damaged_data_file_quit_leaves_it_alone(
    app_factory: Callable[..., DvaApp], db_path: Path
) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"\x00\x00\x00")
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 2
    assert db_path.read_bytes() == b"\x00\x00\x00"


async def test_ssh_turns_animations_off(
    app_factory: Callable[..., DvaApp], monkeypatch: object
) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    app = app_factory()
    assert app.animation_level == "none"


async def test_help_scrolls_for_every_key_of_a_burst(app_factory: Callable[..., DvaApp]) -> None:
    """Keys that arrive together (type-ahead over SSH) each scroll one line."""
    from textual import events
    from textual.containers import VerticalScroll

    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        for _ in range(6):
            app.post_message(events.Key("j", "j"))
        await pilot.pause()
        assert app.screen.query_one("#help-body", VerticalScroll).scroll_y == 6


async def test_a_subsection_without_questions_shows_its_sections_quiz(
    app_factory: Callable[..., DvaApp], tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(
        "# C\n\n## S\n\n- s fact\n\n### Sub\n\n- sub fact\n\n### Quizzed\n\n- q fact\n\n"
        "```quiz\n? Which?\n- [x] a\n- [ ] b\n> because\n```\n"
    )
    app = app_factory(notes)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("j", "j")
        await pilot.pause()
        assert current(app) == "notes/s/sub"
        quiz = app.query_one(QuizPanel)
        assert quiz.question is not None and quiz.question.stem == "Which?"


async def test_a_section_shows_its_subsections_items(
    app_factory: Callable[..., DvaApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("j", "j", "tab")
        await pilot.pause()
        assert current(app) == "alpha/second-section"
        note = app.query_one(NoteView)
        assert [i.text for i in note.items] == ["- Delta fact.", "- Epsilon fact."]
        await pilot.press("j", "b")
        await saved(pilot)
        (mark,) = Store.open(db_path).bookmarks()
        assert mark.section_id == "alpha/second-section/a-subsection"


async def test_the_last_note_line_can_be_scrolled_into_view(
    app_factory: Callable[..., DvaApp],
) -> None:
    from dvatui.paths import shipped_notes_dir

    app = app_factory(shipped_notes_dir())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j", "tab", "G")
        await pilot.pause()
        note = app.query_one(NoteView)
        assert note.current_item is note.items[-1]
        last_line = note.items[-1].text.split()[-1].strip("*`.")
        visible = "\n".join(note.render_line(y).text for y in range(note.size.height))
        assert last_line in visible


async def test_changes_from_a_second_session_show_up(
    app_factory: Callable[..., DvaApp], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DvaApp, "SYNC_INTERVAL", 0.05)
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        other = Store.open(db_path)  # another dvatui process on the same file
        other.add_bookmark(
            target_id="beta/rollouts",
            kind="section",
            chapter_id="beta",
            section_id="beta/rollouts",
            label="Rollouts",
        )
        other.record_answer(
            question_id="beta-canary",
            section_id="beta/rollouts",
            chapter_id="beta",
            chosen=(1,),
            correct=True,
        )
        await pilot.pause(0.3)
        assert "beta/rollouts" in app.session.bookmarked
        assert app.session.results == {"beta-canary": True}
        assert "1/7 answered · 1 right" in app.title


def shown_lines(quiz: QuizPanel) -> list[str]:
    """The choice lines of the quiz pane as plain text, top to bottom."""
    from rich.console import Console

    question = quiz.question
    assert question is not None
    console = Console(width=100, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(quiz._choices_text(question))
    return [line for line in console.export_text().splitlines() if line.strip()]


async def test_choices_are_shuffled_and_the_keys_follow_the_shown_order(
    app_factory: Callable[..., DvaApp], db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("G", "tab", "tab", "n")
        quiz = app.query_one(QuizPanel)
        question = quiz.question
        assert question is not None and question.id == "beta-fast-rollback"
        order = shown_order(question, "beta-fast-rollback:0")  # never answered: attempts 0
        assert quiz.order == order and order != (0, 1, 2, 3)
        lines = shown_lines(quiz)
        for position, index in enumerate(order):
            assert question.choices[index].text in lines[position]
        await pilot.press("1")  # the first option on screen...
        assert quiz.selected == {order[0]}
        await pilot.press("k")  # the pointer wraps to the last one shown
        assert quiz.focus_choice == len(order) - 1
        await pilot.press("space", "a", "enter")  # ...a is the same one again
        await saved(pilot)
        answer = Store.open(db_path).latest_answers()["beta-fast-rollback"]
        assert answer.chosen == (order[0],)  # stored by canonical index
        assert answer.correct is (order[0] == 0)
        # The result keeps the order that was answered, with the marks on it.
        assert quiz.order == order
        lines = shown_lines(quiz)
        right = order.index(0)
        assert lines[right].lstrip().startswith(f"✓{right + 1}")
        if order[0] != 0:
            assert lines[0].lstrip().startswith("✗1")


async def test_the_order_stays_until_the_question_is_answered_again(
    app_factory: Callable[..., DvaApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("G", "tab", "tab", "n")
        quiz = app.query_one(QuizPanel)
        before = quiz.order
        await pilot.press("n", "p")  # shown again, not answered: the same order
        assert quiz.order == before
        await pilot.press("q")
    again = app_factory()
    async with again.run_test(size=WIDE) as pilot:  # a resumed session
        await pilot.pause()
        await pilot.press("tab", "tab", "n")
        quiz = again.query_one(QuizPanel)
        question = quiz.question
        assert question is not None and question.id == "beta-fast-rollback"
        assert quiz.order == before
        await pilot.press("1", "enter")
        await saved(pilot)
        assert quiz.order == before  # the result is shown on the order answered
        await pilot.press("n", "p")  # the next showing: shuffled with a new seed
        assert quiz.order == shown_order(question, "beta-fast-rollback:1")


async def test_r_lands_on_and_highlights_the_item_that_teaches_the_answer(
    app_factory: Callable[..., DvaApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("G", "tab", "tab")
        quiz = app.query_one(QuizPanel)
        assert quiz.question is not None and quiz.question.id == "beta-canary"
        await pilot.press("1", "enter", "r")
        await pilot.pause()
        note = app.query_one(NoteView)
        assert isinstance(app.focused, NoteView)
        assert current(app) == "beta/rollouts"
        target = target_item(app.session.corpus, quiz.question)
        assert target is not None and target.text.startswith("- **Canary**")
        assert note.current_item is target
        assert note.marked == target.id
        # Highlighted in the theme's target colour, under the cursor and after it moves on.
        marked = note.get_component_rich_style("note-view--target").bgcolor
        assert marked is not None

        def backgrounds() -> set[object]:
            lines = (note.render_line(y) for y in range(note.size.height))
            return {seg.style.bgcolor for line in lines for seg in line if seg.style}

        assert marked in backgrounds()
        await pilot.press("j")
        assert note.current_item is not target and marked in backgrounds()
        await pilot.press("p")  # another section: the mark goes
        await pilot.pause()
        assert note.marked is None and marked not in backgrounds()


async def test_r_on_a_subsection_question_stays_on_the_section(
    app_factory: Callable[..., DvaApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("j", "j", "tab", "tab")
        await pilot.pause()
        assert current(app) == "alpha/second-section"
        quiz = app.query_one(QuizPanel)
        asked = quiz.question
        assert asked is not None and asked.section_id == "alpha/second-section/a-subsection"
        await pilot.press("r")
        await pilot.pause()
        assert current(app) == "alpha/second-section"  # the quiz keeps its place
        assert quiz.question is asked
        note = app.query_one(NoteView)
        assert note.current_item is not None and note.current_item.text == "- Epsilon fact."
