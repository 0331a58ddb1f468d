"""The progress screen (``S``): readiness, plan, weakest sections, mock exams, plots."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from textual.theme import Theme
from textual.widgets import OptionList, Static
from textual_plotext import PlotextPlot

from dvatui.app import DvaApp
from dvatui.domain.loader import load_corpus
from dvatui.domain.model import DOMAINS, Corpus
from dvatui.domain.readiness import MIN_ANSWERED, MIN_PER_DOMAIN, Readiness
from dvatui.screens.dialogs import HelpScreen
from dvatui.screens.main import MainScreen
from dvatui.screens.progress import ProgressScreen, count_ticks, theme_color
from dvatui.study import StudySession

NOW = datetime(2030, 1, 20, 12, 0, tzinfo=UTC)
SMALL = (80, 24)
WIDE = (160, 48)


def write_notes(folder: Path, per_domain: int = 12) -> Corpus:
    """A chapter per domain, two sections each; choice 0 is the right one."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, domain in enumerate(DOMAINS, 1):
        lines = ["---", f"domains: [{domain}]", "---", "", f"# {domain.title()}", ""]
        for part in (1, 2):
            lines += [f"## {domain.title()} {part}", "", "- A fact.", "", "```quiz"]
            for n in range(per_domain // 2):
                lines += [f"id: {domain}-{part}-{n}", f"? {domain} {part} {n}?"]
                lines += ["- [x] Right", "- [ ] Wrong", "> Because.", ""]
            lines += ["```", ""]
        (folder / f"{number:02d}-{domain}.md").write_text("\n".join(lines), encoding="utf-8")
    return load_corpus(folder)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def answer_some(corpus: Corpus, db_path: Path, per_domain: int, *, wrong_in: str = "") -> None:
    """``per_domain`` answers in each domain over the last days (all wrong in ``wrong_in``)."""
    clock = Clock(NOW - timedelta(days=5))
    session = StudySession(corpus, db_path, clock=clock, tz=UTC)
    session.open()
    for domain in DOMAINS:
        mine = [q for q in corpus.questions() if q.domain == domain][:per_domain]
        for i, question in enumerate(mine):
            clock.now = NOW - timedelta(days=i % 5, hours=1, minutes=i)
            session.answer(question.id, (1,) if domain == wrong_in else (0,))
    assert not session.flush()


def make_app(corpus: Corpus, db_path: Path, session: StudySession | None = None) -> DvaApp:
    session = session or StudySession(corpus, db_path, clock=lambda: NOW, tz=UTC)
    return DvaApp(corpus, db_path, session=session)


class Results:
    """What the progress screen handed back when it closed."""

    def __init__(self) -> None:
        self.got: list[tuple[str, str | None] | None] = []

    def __call__(self, value: tuple[str, str | None] | None) -> None:
        self.got.append(value)


async def open_progress(app: DvaApp, pilot: object, results: Results) -> ProgressScreen:
    await pilot.pause()  # type: ignore[attr-defined]
    app.push_screen(ProgressScreen(), results)
    await pilot.pause()  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
    screen = app.screen
    assert isinstance(screen, ProgressScreen)
    return screen


def text_of(screen: ProgressScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_empty_store_says_not_enough_data_and_q_closes(tmp_path: Path) -> None:
    corpus = write_notes(tmp_path / "notes")
    app = make_app(corpus, tmp_path / "d.json")
    results = Results()
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_progress(app, pilot, results)
        assert screen.has_class("-narrow") and not screen.has_class("-wide")
        projection = text_of(screen, "#projection")
        assert "not enough data yet" in projection and f"0/{MIN_ANSWERED}" in projection
        for domain in DOMAINS:
            row = screen.query_one(f"#domain-{domain}")
            assert row.has_class("-none")
            assert f"not enough data yet: 0 of {MIN_PER_DOMAIN}" in str(
                row.query_one(".domain-missing", Static).render()
            )
        assert "dvatui plan --exam-date YYYY-MM-DD" in text_of(screen, "#plan")
        assert "None yet" in text_of(screen, "#exams")
        assert screen.weakest == []
        assert screen.activity is not None and sum(n for _, n, _ in screen.activity) == 0
        await pilot.press("enter")  # nothing to jump to: stays
        assert app.screen is screen
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    assert results.got == [None]


async def test_projected_score_plan_and_history_after_enough_answers(tmp_path: Path) -> None:
    corpus = write_notes(tmp_path / "notes")
    db_path = tmp_path / "d.json"
    answer_some(corpus, db_path, per_domain=10)
    setup = StudySession(corpus, db_path, clock=lambda: NOW - timedelta(hours=3), tz=UTC)
    setup.open()
    setup.set_exam_date(date(2030, 2, 19))
    assert not setup.flush()
    app = make_app(corpus, db_path)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_progress(app, pilot, Results())
        assert screen.has_class("-wide")
        readiness = app.session.readiness()
        assert readiness.score is not None and readiness.pass_probability is not None
        projection = text_of(screen, "#projection")
        assert f"Projected {readiness.score.low}–{readiness.score.high}" in projection
        assert "likely to pass" in projection
        for domain in DOMAINS:
            row = screen.query_one(f"#domain-{domain}")
            assert row.has_class("-some") and not row.has_class("-none")
        plan = text_of(screen, "#plan")
        assert "Exam on 2030-02-19, in 30 days" in plan and "Today:" in plan
        activity = screen.activity
        assert activity is not None and len(activity) == 30 and activity[-1][0] == NOW.date()
        assert sum(n for _, n, _ in activity) == 40
        assert screen.query_one("#activity-card").has_class("-loaded")
        app.theme = "dva-paper"  # the plots are drawn again in the new theme's colours
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_readiness_and_history_load_in_workers_saying_loading_until_then(
    tmp_path: Path,
) -> None:
    corpus = write_notes(tmp_path / "notes")
    db_path = tmp_path / "d.json"
    answer_some(corpus, db_path, per_domain=2)
    gate = threading.Event()

    class Slow(StudySession):
        def readiness(self) -> Readiness:
            assert gate.wait(10)
            return super().readiness()

        def daily_activity(self, days: int = 30) -> list[tuple[date, int, int]]:
            assert gate.wait(10)
            return super().daily_activity(days)

    app = make_app(corpus, db_path, Slow(corpus, db_path, clock=lambda: NOW, tz=UTC))
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        app.push_screen(ProgressScreen())
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ProgressScreen)
        assert screen.activity is None and screen.readiness is None
        assert "loading..." in text_of(screen, "#activity-loading")
        assert "loading..." in text_of(screen, "#projection")
        card = screen.query_one("#activity-card")
        assert card.has_class("-loading") and not screen.query_one("#per-day").display
        assert "Today:" in text_of(screen, "#plan")  # the quick parts do not wait
        gate.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.activity is not None and card.has_class("-loaded")
        assert screen.query_one("#per-day", PlotextPlot).display
        assert "not enough data yet · 8/40" in text_of(screen, "#projection")


async def test_enter_on_a_weak_section_closes_with_it(tmp_path: Path) -> None:
    corpus = write_notes(tmp_path / "notes")
    db_path = tmp_path / "d.json"
    answer_some(corpus, db_path, per_domain=12, wrong_in="security")
    app = make_app(corpus, db_path)
    results = Results()
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_progress(app, pilot, results)
        weakest = [s.id for s, _, _ in app.session.weakest_sections(5)]
        assert screen.weakest == weakest and len(weakest) == 5
        assert corpus.section(weakest[0]).title.startswith("Security")  # type: ignore[union-attr]
        options = screen.query_one("#weakest", OptionList)
        assert app.focused is options and options.highlighted == 0
        await pilot.press("j", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
    assert results.got == [(weakest[1], None)]


async def test_pagedown_scrolls_the_page_at_80x24(tmp_path: Path) -> None:
    corpus = write_notes(tmp_path / "notes")
    app = make_app(corpus, tmp_path / "d.json")
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_progress(app, pilot, Results())
        body = screen.query_one("#progress-body")
        assert body.scroll_y == 0 and body.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.press("pageup")
        await pilot.pause()
        assert body.scroll_y == 0


def test_plot_colours_follow_the_theme_and_keep_their_hue_in_16_colours() -> None:
    dark = Theme("t", primary="#4FA3E0", success="#46A758", warning="#E8C547", dark=True)
    light = Theme("l", primary="#1F5FA8", success="#2E7D32", error="#B42318", dark=False)
    assert theme_color(dark, "success", "green") == (0x46, 0xA7, 0x58)
    assert theme_color(dark, "success", "green", ansi16=True) == "green+"
    assert theme_color(dark, "warning", "orange", ansi16=True) == "orange+"
    assert theme_color(light, "primary", "blue", ansi16=True) == "blue"
    assert theme_color(light, "error", "red", ansi16=True) == "red"
    assert theme_color(light, "accent", "magenta", ansi16=True) == "magenta"  # unset
    assert theme_color(Theme("n", primary="#888888"), "primary", "blue", ansi16=True) == "gray+"


def test_count_ticks_are_whole_numbers() -> None:
    assert count_ticks(0) == [0, 1]
    assert count_ticks(4) == [0, 1, 2, 3, 4]
    assert count_ticks(9) == [0, 5, 10]
    assert count_ticks(69) == [0, 20, 40, 60, 80]
