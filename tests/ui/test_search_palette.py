"""Pilot tests: search (`/`) on the shipped notes, the palette's "Go to section" in any word
order, and the summary at the end of a section's quiz."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.command import CommandList, CommandPalette
from textual.widgets import OptionList, Static

from dvatui.app import DvaApp
from dvatui.domain.grading import shown_order
from dvatui.paths import shipped_notes_dir
from dvatui.screens.dialogs import SearchScreen
from dvatui.screens.main import MainScreen
from dvatui.widgets.note_view import NoteView
from dvatui.widgets.quiz_panel import QuizPanel

WIDE = (160, 48)


def current(app: DvaApp) -> str:
    screen = app.screen
    assert isinstance(screen, MainScreen) and screen.current is not None
    return screen.current.id


def quiz_text(quiz: QuizPanel) -> str:
    """What the quiz pane shows, as plain text."""
    from rich.console import Console

    console = Console(width=100, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(quiz.query_one("#quiz-body", Static).content)
    return console.export_text()


async def test_search_forgives_a_typo_and_highlights_what_it_found(
    app_factory: Callable[..., DvaApp],
) -> None:
    app = app_factory(shipped_notes_dir())
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("slash", *"dynamdb")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        note = screen.query_one("#search-note", Static)
        assert note.display and "DynamoDB" in str(note.render())
        results = screen.query_one(OptionList)
        first = results.get_option_at_index(0).prompt
        assert "DynamoDB" in str(first)
        await pilot.press("enter")
        await pilot.pause()
        assert current(app) == "dynamodb"  # the chapter's overview defines it
        assert app.query_one(NoteView).highlight == ["DynamoDB"]


async def test_search_ranks_the_defining_section_first_in_the_dialog(
    app_factory: Callable[..., DvaApp],
) -> None:
    app = app_factory(shipped_notes_dir())
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("slash", *"visibility timeout", "enter")
        await pilot.pause()
        assert current(app).endswith("/sqs-queues-polling-visibility-and-delays")
        note = app.query_one(NoteView)
        assert note.current_item is not None
        assert note.current_item.text.startswith("- **Visibility timeout**")


async def palette_results(app: DvaApp, pilot: object, query: str) -> list[str]:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*query)
    palette = app.screen
    assert isinstance(palette, CommandPalette)
    results = palette.query_one(CommandList)
    count = -1
    for _ in range(100):  # the palette searches in a worker: wait until the hits settle
        await pilot.pause(0.05)
        if results.option_count and results.option_count == count:
            break
        count = results.option_count
    prompts = (results.get_option_at_index(i).prompt for i in range(results.option_count))
    return [str(prompt).split("\n")[0] for prompt in prompts]  # the label, without the help


async def test_palette_finds_a_section_whatever_the_word_order(
    app_factory: Callable[..., DvaApp],
) -> None:
    app = app_factory(shipped_notes_dir())
    async with app.run_test(size=WIDE) as pilot:
        shown = await palette_results(app, pilot, "lambda conc")
        assert shown[0] == "Go to section: Concurrency and throttling (AWS Lambda)"
        await pilot.press("enter")
        await pilot.pause()
        assert current(app) == "lambda/concurrency-and-throttling"


async def test_palette_shows_section_titles_literally_in_any_order(
    app_factory: Callable[..., DvaApp], tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(
        "# Markup [b]Chapter[/b]\n\n## Queues [red]and[/red] polling\n\n- A fact.\n",
        encoding="utf-8",
    )
    app = app_factory(notes)
    async with app.run_test(size=WIDE) as pilot:
        shown = await palette_results(app, pilot, "chapter polling")
        assert "Go to section: Queues [red]and[/red] polling (Markup [b]Chapter[/b])" in shown


async def answer(pilot: object, quiz: QuizPanel, right: bool) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot) and quiz.question is not None
    question = quiz.question
    wanted = [i for i, c in enumerate(question.choices) if c.correct == right][: question.choose]
    order = shown_order(question, f"{question.id}:0")
    keys = [str(order.index(i) + 1) for i in wanted]
    await pilot.press(*keys, "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_end_of_a_section_shows_a_summary_then_the_next_section(
    app_factory: Callable[..., DvaApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("j", "tab", "tab")
        await pilot.pause()
        assert current(app) == "alpha/first-section"
        quiz = app.query_one(QuizPanel)
        assert quiz.index == 0 and len(quiz.questions) == 3
        await answer(pilot, quiz, right=True)
        await pilot.press("n")
        await answer(pilot, quiz, right=False)
        await pilot.press("n", "n")  # the third is left unanswered; past it: the summary
        await pilot.pause()
        assert quiz.at_end and quiz.index == 2
        text = quiz_text(quiz)
        assert "1/3 right · 2/3 answered" in text
        assert "✗ 2." in text and "· 3." in text and "(not answered)" in text
        assert "✗ 1." not in text and "· 1." not in text
        assert "n or enter: next section" in text
        await pilot.press("1")  # no question on screen: nothing is picked
        assert quiz.selected == set()
        await pilot.press("p")  # back to the last question, as it was left
        assert not quiz.at_end and quiz.index == 2
        await pilot.press("n")
        assert quiz.at_end
        await pilot.press("n")  # on to the next section's quiz
        await pilot.pause()
        assert current(app) == "alpha/second-section"
        assert not quiz.at_end and quiz.index == 0
        assert app.focused is quiz


async def test_a_section_all_right_says_so_and_enter_goes_on(
    app_factory: Callable[..., DvaApp],
) -> None:
    app = app_factory()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("j", "j", "tab", "tab")
        await pilot.pause()
        assert current(app) == "alpha/second-section"
        quiz = app.query_one(QuizPanel)
        assert len(quiz.questions) == 1
        await answer(pilot, quiz, right=True)
        await pilot.press("enter")  # after the answer, enter goes on: to the summary
        assert quiz.at_end
        assert "✓ Every question right." in quiz_text(quiz)
        await pilot.press("enter")
        await pilot.pause()
        assert current(app) == "alpha/second-section/a-subsection"
