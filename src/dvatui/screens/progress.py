"""The progress screen (``S``): am I ready, and what should I do before the exam date?

Per-domain readiness bars with their bands, the projected score against 720, the plan to
the exam date, the weakest sections (``enter`` shows one), the mock-exam history, and
plots (textual-plotext) of answers per day, accuracy per day and the due forecast.

Thin: every number comes from the study session. The readiness estimate (a
retrievability per card) and the answer history behind the activity plots are computed in
thread workers; their parts say "loading..." until they report. Below
``WIDE_WIDTH`` columns everything stacks in one scrolling column; from there on, the
numbers sit on the left and the plots on the right.
"""

from __future__ import annotations

import colorsys
from collections.abc import Sequence
from datetime import date, datetime
from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import Header, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState
from textual_plotext import PlotextPlot

from dvatui.domain.exam import EXAM_QUESTIONS, PASS_SCORE, PASS_SHARE, ExamState
from dvatui.domain.model import DOMAIN_WEIGHTS, DOMAINS
from dvatui.domain.readiness import MIN_ANSWERED, MIN_PER_DOMAIN, Band, Readiness
from dvatui.messages import StudyChanged, study_app
from dvatui.study import StudySession
from dvatui.widgets.key_bar import KeyBar

#: What the screen hands back when it closes: a section (and note item) to show, or None.
Jump = tuple[str, str | None] | None

WIDE_WIDTH = 120
"""From this many columns the plots sit beside the numbers."""
ACTIVITY_DAYS = 30
FORECAST_DAYS = 14
WEAKEST = 5
PLAN_HINT = "dvatui plan --exam-date YYYY-MM-DD"
NOT_ENOUGH = "not enough data yet"
LOADING = "loading..."
READINESS_GROUP = "progress-readiness"
ACTIVITY_GROUP = "progress-activity"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

RGB = tuple[int, int, int]
PlotColor = RGB | str


ANSI_HUES: tuple[tuple[int, str], ...] = (
    (0, "red"),
    (50, "orange"),
    (120, "green"),
    (180, "cyan"),
    (230, "blue"),
    (300, "magenta"),
    (360, "red"),
)
"""Hues of plotext's names for the ANSI colours ("orange" is ANSI yellow)."""


def theme_color(theme: Theme, name: str, fallback: str, *, ansi16: bool = False) -> PlotColor:
    """A theme colour as plotext wants it: RGB; with only 16 colours, the ANSI colour of
    the nearest hue (bright on a dark theme), so that a green stays green rather than
    becoming the grey a plain downsampling picks. ``fallback`` (a plotext colour name)
    when the theme leaves it unset."""
    value = getattr(theme, name, None)
    try:
        rgb = Color.parse(value).rgb if isinstance(value, str) else None
    except Exception:  # a theme file may hold anything
        rgb = None
    if rgb is None:
        return fallback
    if not ansi16:
        return rgb
    hue, _light, saturation = colorsys.rgb_to_hls(*(part / 255 for part in rgb))
    family = (
        "gray" if saturation < 0.2 else min(ANSI_HUES, key=lambda pair: abs(pair[0] - hue * 360))[1]
    )
    return f"{family}+" if theme.dark else family


def count_ticks(top: int, most: int = 4) -> list[int]:
    """Whole-number ticks from 0 to at least ``top`` in steps of 1, 2, 5, 10, 20, 50..."""
    step, scale = 1, 1
    while top / (step * scale) > most:
        step = {1: 2, 2: 5, 5: 10}[step]
        if step == 10:
            step, scale = 1, scale * 10
    size = step * scale
    return list(range(0, top + size, size)) if top else [0, 1]


def chance_text(chance: float) -> str:
    """A probability as a percentage that never claims certainty."""
    if chance > 0.99:
        return "over 99%"
    if chance < 0.01:
        return "under 1%"
    return f"{chance:.0%}"


def day_label(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}"


def projection_text(readiness: Readiness) -> str:
    """The projected score as content markup: "projected 690-760, 72% likely to pass"."""
    score, chance = readiness.score, readiness.pass_probability
    if score is None or chance is None:
        answered = sum(readiness.evidence.values())
        return (
            f"[b]Projected score[/b]: [$warning]{NOT_ENOUGH}[/] · {answered}/{MIN_ANSWERED}"
            f" answers, {MIN_PER_DOMAIN}+ per domain"
        )
    colour = "$success" if score.mid >= PASS_SCORE else "$warning"
    return (
        f"[b]Projected {score.low}–{score.high}[/b], "
        f"[{colour} b]{chance_text(chance)} likely to pass[/]"
        f" [dim](most likely {score.mid}; {PASS_SCORE} passes)[/]"
    )


def exam_line(exam: ExamState, session: StudySession) -> str:
    """One mock exam as a line of content markup: date, score, pass or fail."""
    try:
        started = datetime.fromisoformat(exam.started_at)
        when = started.astimezone(session.tz).date().isoformat()
    except ValueError:
        when = escape(exam.started_at[:10])
    result = exam.result
    if result is None:
        total = len(exam.question_ids) or EXAM_QUESTIONS
        return f"{when}  [$accent]in progress[/]: {len(exam.answers)}/{total} answered (X resumes)"
    verdict = "[$success b]PASS[/]" if result.passed else "[$error b]FAIL[/]"
    return f"{when}  {result.score:>4}  {verdict}  {result.correct}/{result.total} right"


class ProgressScreen(Screen[Jump]):
    """Readiness, the plan, the weakest sections, mock exams and activity plots."""

    DEFAULT_CSS = """
    ProgressScreen { layout: vertical; }
    ProgressScreen #progress-body { height: 1fr; scrollbar-size-vertical: 1; }
    ProgressScreen #progress-columns { height: auto; layout: vertical; }
    ProgressScreen.-wide #progress-columns { layout: horizontal; }
    ProgressScreen .progress-column { height: auto; width: 1fr; }
    ProgressScreen .card {
        height: auto;
        border: round $panel-lighten-2;
        border-title-color: $text-accent;
        border-title-style: bold;
        padding: 0 1;
    }
    ProgressScreen .card:focus-within { border: round $primary; }
    ProgressScreen .domain-row { height: 1; }
    ProgressScreen .domain-name { width: 20; }
    ProgressScreen .domain-row ProgressBar { width: 1fr; }
    ProgressScreen .domain-row Bar { width: 1fr; }
    ProgressScreen .domain-row.-pass Bar > .bar--bar { color: $success; }
    ProgressScreen .domain-row.-short Bar > .bar--bar { color: $warning; }
    ProgressScreen .domain-band { width: 15; text-align: right; }
    ProgressScreen .domain-missing { width: 1fr; color: $text-muted; }
    ProgressScreen .domain-row.-none ProgressBar, ProgressScreen .domain-row.-none .domain-band {
        display: none;
    }
    ProgressScreen .domain-row.-some .domain-missing { display: none; }
    ProgressScreen .hint { color: $text-muted; }
    ProgressScreen #weakest { height: auto; max-height: 7; border: none; padding: 0; }
    ProgressScreen .plot-card { height: 12; }
    ProgressScreen.-wide .plot-card { height: 15; }
    ProgressScreen .plot-card PlotextPlot { height: 1fr; }
    ProgressScreen #activity-loading { height: 1fr; content-align: center middle; }
    ProgressScreen .plot-card.-loading PlotextPlot { display: none; }
    ProgressScreen .plot-card.-loaded #activity-loading { display: none; }
    """

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE_WIDTH, "-wide")]
    HELP_PANES = ()
    BINDINGS = [
        Binding(
            "enter",
            "jump",
            "Show section",
            id="progress-jump",
            priority=True,
            tooltip="Close and show the highlighted weak section",
        ),
        Binding("j", "move(1)", "Down", show=False, id="progress-down"),
        Binding("k", "move(-1)", "Up", show=False, id="progress-up"),
        Binding("pagedown,space", "page(1)", "Scroll", id="progress-page", priority=True),
        Binding(
            "pageup", "page(-1)", "Scroll up", show=False, priority=True, id="progress-page-up"
        ),
        Binding("q,escape", "close", "Back", id="progress-close", tooltip="Back to the notes"),
        Binding("question_mark", "help", "Help", id="progress-help", tooltip="All keys"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.weakest: list[str] = []
        self.readiness: Readiness | None = None
        self.activity: list[tuple[date, int, int]] | None = None

    @property
    def session(self) -> StudySession:
        """The learner's study session (owned by the app)."""
        return study_app(self).session

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(icon="▤")
        with VerticalScroll(id="progress-body"), Horizontal(id="progress-columns"):
            with Vertical(classes="progress-column"):
                with Vertical(id="readiness", classes="card"):
                    yield Static(f"[b]Projected score[/b]: {LOADING}", id="projection")
                    for domain in DOMAINS:
                        with Horizontal(id=f"domain-{domain}", classes="domain-row -none"):
                            yield Static(
                                f"{domain.capitalize()} {DOMAIN_WEIGHTS[domain]:.0%}",
                                classes="domain-name",
                            )
                            yield ProgressBar(total=100, show_eta=False, show_percentage=False)
                            yield Static(classes="domain-band")
                            yield Static(LOADING, classes="domain-missing")
                    yield Static(
                        f"Bar: chance to get a fresh question right (95% band). "
                        f"About {PASS_SHARE:.0%} passes.",
                        classes="hint",
                    )
                yield Static(id="plan", classes="card")
                with Vertical(id="weakest-card", classes="card"):
                    yield OptionList(id="weakest")
                yield Static(id="exams", classes="card")
            with Vertical(classes="progress-column"):
                with Vertical(id="activity-card", classes="card plot-card -loading"):
                    yield Static(LOADING, id="activity-loading")
                    yield PlotextPlot(id="per-day")
                with Vertical(id="accuracy-card", classes="card plot-card -loading"):
                    yield PlotextPlot(id="accuracy")
                with Vertical(id="forecast-card", classes="card plot-card"):
                    yield PlotextPlot(id="forecast")
        yield KeyBar()

    def on_mount(self) -> None:
        titles = {
            "readiness": "Readiness",
            "plan": "Exam date",
            "weakest-card": f"Weakest {WEAKEST} sections (enter shows one)",
            "exams": "Mock exams",
            "activity-card": f"Answers per day, last {ACTIVITY_DAYS} days",
            "accuracy-card": "Right answers per day (%)",
            "forecast-card": f"Due in the next {FORECAST_DAYS} days",
        }
        for ident, title in titles.items():
            self.query_one(f"#{ident}").border_title = title
        self.query_one("#accuracy-card").border_subtitle = f"line: {PASS_SHARE:.0%}, about a pass"
        study_app(self).study_changed.subscribe(self, self._study_changed)
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self._fill()
        self.query_one("#weakest", OptionList).focus(scroll_visible=False)

    def _study_changed(self, _change: StudyChanged) -> None:
        if self.is_attached:
            self._fill()

    def _theme_changed(self, _theme: Theme) -> None:
        if self.is_attached:
            self._draw_forecast()
            if self.activity is not None:
                self._draw_activity(self.activity)

    # -- filling ------------------------------------------------------------------------------
    def _fill(self) -> None:
        """The quick parts now; readiness (a retrievability per card) and the answer
        history in thread workers, so the screen is up at once."""
        session = self.session
        self._show_plan()
        self._show_weakest()
        self._show_exams()
        self._draw_forecast()
        for group, job in (
            (READINESS_GROUP, session.readiness),
            (ACTIVITY_GROUP, partial(session.daily_activity, ACTIVITY_DAYS)),
        ):
            self.run_worker(job, thread=True, group=group, exclusive=True, exit_on_error=False)

    def _show_readiness(self, readiness: Readiness) -> None:
        self.query_one("#projection", Static).update(projection_text(readiness))
        for domain in DOMAINS:
            row = self.query_one(f"#domain-{domain}", Horizontal)
            band: Band | None = readiness.domains.get(domain)
            row.set_class(band is None, "-none")
            row.set_class(band is not None, "-some")
            row.set_class(band is not None and band.mid >= PASS_SHARE, "-pass")
            row.set_class(band is not None and band.mid < PASS_SHARE, "-short")
            if band is None:
                have = readiness.evidence.get(domain, 0)
                row.query_one(".domain-missing", Static).update(
                    f"{NOT_ENOUGH}: {have} of {MIN_PER_DOMAIN} answers"
                )
                continue
            row.query_one(ProgressBar).update(progress=round(band.mid * 100))
            row.query_one(".domain-band", Static).update(
                f"{band.mid:.0%} ({band.low * 100:.0f}–{band.high * 100:.0f})"
            )

    def _show_plan(self) -> None:
        session = self.session
        plan, when = session.plan(), session.exam_date()
        counts = session.review_counts()
        today = f"Today: {counts.due_today} due, {counts.new_today_left} new left."
        if plan is None or when is None:
            text = f"No exam date. Set one: [b]{PLAN_HINT}[/b]\n{today}"
        elif plan.days_left <= 0:
            text = (
                f"The exam date {when.isoformat()} is today or past. "
                f"A new one: [b]{PLAN_HINT}[/b]\n{today}"
            )
        else:
            colour = "$text" if plan.fits else "$warning"
            text = (
                f"Exam on [b]{when.isoformat()}[/b], in {plan.days_left} days · "
                f"{plan.unseen} questions not seen yet\n"
                f"Today: [b]{plan.new_today} new, {plan.reviews_today} reviews[/b]\n"
                f"[{colour}]{escape(plan.note)}[/]"
            )
        self.query_one("#plan", Static).update(text)

    def _show_weakest(self) -> None:
        options = self.query_one("#weakest", OptionList)
        keep = options.highlighted or 0
        options.clear_options()
        self.weakest = []
        rows = self.session.weakest_sections(WEAKEST)
        if not rows:
            options.add_option(
                Option(
                    "Answer some questions first: your weakest sections show here.", disabled=True
                )
            )
            return
        for section, share, answered in rows:
            where = self.session.locate(section.id).where
            label = f"{share:>4.0%} right of {answered:<3d} [dim]·[/] {escape(where)}"
            options.add_option(Option(label, id=section.id))
            self.weakest.append(section.id)
        options.highlighted = min(keep, len(rows) - 1)

    def _show_exams(self) -> None:
        exams = list(reversed(self.session.exams()))  # newest first
        if not exams:
            text = f"None yet: X on the main screen starts one ({EXAM_QUESTIONS} questions)."
        else:
            text = "\n".join(exam_line(exam, self.session) for exam in exams)
        self.query_one("#exams", Static).update(text)

    # -- plots ---------------------------------------------------------------------------------
    def _colors(self) -> dict[str, PlotColor]:
        theme = self.app.current_theme
        ansi16 = self.app.console.color_system == "standard"
        return {
            role: theme_color(theme, role, fallback, ansi16=ansi16)
            for role, fallback in (
                ("primary", "blue"),
                ("success", "green"),
                ("warning", "orange"),
                ("accent", "magenta"),
            )
        }

    def _draw_forecast(self) -> None:
        rows = self.session.due_forecast(FORECAST_DAYS)
        widget = self.query_one("#forecast", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        xs = list(range(len(rows)))
        counts = [n for _, n in rows]
        plt.bar(xs, counts, color=self._colors()["primary"], width=0.6)
        ticks = xs[::2]
        plt.xticks(
            [float(t) for t in ticks], ["today" if x == 0 else day_label(rows[x][0]) for x in ticks]
        )
        top = count_ticks(max(counts, default=0))
        plt.yticks([float(t) for t in top])
        plt.ylim(0, top[-1])
        widget.refresh()

    def _draw_activity(self, rows: Sequence[tuple[date, int, int]]) -> None:
        colors = self._colors()
        xs = list(range(len(rows)))
        ticks = [x for x in xs if (len(rows) - 1 - x) % 7 == 0]
        labels = [day_label(rows[x][0]) for x in ticks]
        per_day = self.query_one("#per-day", PlotextPlot)
        plt = per_day.plt
        plt.clear_data()
        plt.clear_figure()
        answers = [n for _, n, _ in rows]
        right = [r for _, _, r in rows]
        # The right answers drawn over the day's total: what shows above them is wrong.
        legend = any(answers)
        plt.bar(xs, answers, color=colors["warning"], width=0.6, label="wrong" if legend else None)
        plt.bar(xs, right, color=colors["success"], width=0.6, label="right" if legend else None)
        top = count_ticks(max(answers, default=0))
        plt.yticks([float(t) for t in top])
        plt.ylim(0, top[-1])
        plt.xlim(-1, len(rows))
        plt.xticks([float(t) for t in ticks], labels)
        if not any(answers):
            plt.title(f"no answers in the last {ACTIVITY_DAYS} days")
        per_day.refresh()

        accuracy = self.query_one("#accuracy", PlotextPlot)
        plt = accuracy.plt
        plt.clear_data()
        plt.clear_figure()
        days = [x for x in xs if answers[x]]
        shares = [100 * right[x] / answers[x] for x in days]
        plt.hline(PASS_SHARE * 100, colors["accent"])
        if days:
            plt.plot(days, shares, color=colors["primary"], marker="braille")
            plt.scatter(days, shares, color=colors["primary"], marker="dot")
        else:
            plt.title("no answers yet")
        plt.ylim(0, 100)
        plt.yticks([0, 25, 50, 75, 100])
        plt.xlim(-1, len(rows))
        plt.xticks([float(t) for t in ticks], labels)
        accuracy.refresh()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group not in (READINESS_GROUP, ACTIVITY_GROUP):
            return
        event.stop()
        result = worker.result
        if event.state == WorkerState.SUCCESS and isinstance(result, Readiness):
            self.readiness = result
            self._show_readiness(result)
        elif event.state == WorkerState.SUCCESS and isinstance(result, list):
            self.activity = result
            self._draw_activity(result)
            for card in self.query(".plot-card.-loading"):
                card.set_class(False, "-loading")
                card.add_class("-loaded")
        elif event.state == WorkerState.ERROR:
            problem = escape(str(worker.error))
            if worker.group == READINESS_GROUP:
                self.query_one("#projection", Static).update(f"Could not estimate: {problem}")
            else:
                self.query_one("#activity-loading", Static).update(
                    f"Could not read the answer history: {problem}"
                )

    # -- keys ---------------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#weakest")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_jump()

    def action_jump(self) -> None:
        """Close and show the highlighted weak section."""
        index = self.query_one("#weakest", OptionList).highlighted
        if index is not None and index < len(self.weakest):
            self.dismiss((self.weakest[index], None))

    def action_move(self, step: int) -> None:
        """Move the highlight in the weakest sections."""
        options = self.query_one("#weakest", OptionList)
        options.action_cursor_down() if step > 0 else options.action_cursor_up()

    def action_page(self, step: int) -> None:
        """Scroll the page (at 80x24 not everything fits)."""
        body = self.query_one("#progress-body", VerticalScroll)
        body.scroll_page_down() if step > 0 else body.scroll_page_up()

    def action_close(self) -> None:
        """Back to the notes."""
        self.dismiss(None)

    def action_help(self) -> None:
        """Show every key."""
        from dvatui.screens.dialogs import HelpScreen

        self.app.push_screen(HelpScreen(self))
