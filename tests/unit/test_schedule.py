"""Spaced review: FSRS scheduling rules, undo, re-rating, replay and the review queue.

Time comes from a clock the test moves; nothing sleeps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dvatui.domain import review
from dvatui.domain.loader import load_corpus
from dvatui.domain.model import Corpus, Question
from dvatui.domain.schedule import (
    LEECH_LAPSES,
    Card,
    Rating,
    Scheduler,
    describe_interval,
    end_of_local_day,
)
from dvatui.store import Store
from dvatui.study import StudySession

NOTES = Path(__file__).resolve().parents[1] / "fixtures" / "notes"
START = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


class TravelClock:
    """A clock that stands still until the test moves it."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def travel(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus(NOTES)


@pytest.fixture
def clock() -> TravelClock:
    return TravelClock()


def session_for(corpus: Corpus, db: Path, clock: TravelClock) -> StudySession:
    session = StudySession(corpus, db, clock=clock, tz=UTC)
    session.open()
    return session


def right(q: Question) -> tuple[int, ...]:
    return tuple(sorted(q.correct_indices))


def wrong(q: Question) -> tuple[int, ...]:
    return (next(i for i in range(len(q.choices)) if i not in q.correct_indices),)


def due(card: object) -> datetime:
    parsed = Card.from_data(card)  # type: ignore[arg-type]
    assert parsed is not None
    return parsed.due


# ------------------------------------------------------------------------ the rules


def test_a_wrong_answer_is_due_within_minutes_a_right_one_later() -> None:
    scheduler = Scheduler()
    wrong_card = scheduler.review("q", None, Rating.AGAIN, START)
    right_card = scheduler.review("q", None, Rating.GOOD, START)
    assert due(wrong_card) - START <= timedelta(minutes=10)
    assert due(right_card) > due(wrong_card)


def test_a_lapse_shortens_the_interval_and_counts() -> None:
    scheduler = Scheduler()
    card = None
    at = START
    for _ in range(4):  # learn it well: Good every time it comes due
        card = scheduler.review("q", card, Rating.GOOD, at)
        reviewed, at = at, due(card)
    assert at - reviewed > timedelta(days=3)
    lapsed = scheduler.review("q", card, Rating.AGAIN, at)
    assert due(lapsed) - at < timedelta(hours=1) < at - reviewed
    assert Card.from_data(lapsed).lapses == 1  # type: ignore[union-attr]


def test_easy_is_later_than_good_which_is_later_than_hard() -> None:
    scheduler = Scheduler()
    base = scheduler.review("q", None, Rating.GOOD, START)
    at = due(base)
    after = {r: due(scheduler.review("q", base, r, at)) for r in (2, 3, 4)}
    assert after[2] < after[3] < after[4]


def test_replay_equals_live_state() -> None:
    scheduler = Scheduler()
    live = None
    reviews = []
    at = START
    for rating in (3, 1, 3, 3, 2, 4, 1, 3):
        live = scheduler.review("q", live, rating, at)
        reviews.append((rating, at))
        at = due(live) + timedelta(hours=3)
    assert scheduler.replay("q", reversed(reviews)) == live


def test_a_leech_after_8_lapses() -> None:
    scheduler = Scheduler()
    card = scheduler.review("q", None, Rating.GOOD, START)
    at = START
    lapses = 0
    while lapses < LEECH_LAPSES:
        at = due(card) + timedelta(days=1)
        card = scheduler.review("q", card, Rating.GOOD, at)
        at = due(card) + timedelta(days=1)
        card = scheduler.review("q", card, Rating.AGAIN, at)
        lapses = Card.from_data(card).lapses  # type: ignore[union-attr]
    assert review.leeches(["q", "other"], {"q": card, "other": None}) == ["q"]


def test_local_day_and_interval_words() -> None:
    assert end_of_local_day(START, UTC) == datetime(2030, 3, 5, tzinfo=UTC)
    assert describe_interval(START + timedelta(minutes=10), START) == "again in 10 min"
    assert describe_interval(START + timedelta(days=3), START) == "in 3 days"
    assert describe_interval(START + timedelta(hours=1), START) == "in 1 hour"


# ------------------------------------------------------------------------ the session


def test_answers_review_cards_and_are_due_again(
    corpus: Corpus, tmp_path: Path, clock: TravelClock
) -> None:
    session = session_for(corpus, tmp_path / "d.json", clock)
    q1, q2 = corpus.questions()[:2]
    session.answer(q1.id, wrong(q1))
    session.answer(q2.id, right(q2))
    session.flush()
    assert session.next_review(q1.id) == "again in 1 min"
    assert session.review_counts().due_today == 2  # both come back today (learning steps)
    clock.travel(minutes=30)
    assert session.review_queue()[:2] == [q1.id, q2.id]  # most overdue first
    reopened = session_for(corpus, tmp_path / "d.json", clock)
    assert reopened.progress[q1.id].scheduling == session.progress[q1.id].scheduling
    history = Store.open(tmp_path / "d.json").answers()
    assert [a.rating for a in history] == [1, 3]
    assert history[1].card == session.progress[q2.id].scheduling


def test_undo_restores_the_answer_and_the_card_exactly(
    corpus: Corpus, tmp_path: Path, clock: TravelClock
) -> None:
    db = tmp_path / "d.json"
    session = session_for(corpus, db, clock)
    q = corpus.questions()[0]
    session.answer(q.id, right(q))
    session.flush()
    before = Store.open(db).progress()[q.id]
    clock.travel(days=2)
    session.answer(q.id, wrong(q))
    session.flush()
    assert Store.open(db).progress()[q.id].scheduling != before.scheduling
    assert session.undo() == q.id
    session.flush()
    assert Store.open(db).progress()[q.id] == before  # card, counts and latest answer
    assert session.progress[q.id] == before
    assert len(Store.open(db).answers()) == 1
    assert session.undo() == q.id and session.undo() is None  # further back, then nothing
    session.flush()
    assert q.id not in Store.open(db).progress() and Store.open(db).answers() == []


def test_hard_or_easy_after_a_right_answer(
    corpus: Corpus, tmp_path: Path, clock: TravelClock
) -> None:
    db = tmp_path / "d.json"
    session = session_for(corpus, db, clock)
    q = corpus.questions()[0]
    session.answer(q.id, right(q))
    good = session.progress[q.id].scheduling
    assert session.rate(Rating.EASY)
    session.flush()
    easy = Store.open(db).progress()[q.id].scheduling
    assert due(easy) > due(good)
    assert Store.open(db).answers()[0].rating == Rating.EASY
    session.answer(q.id, wrong(q))
    assert not session.rate(Rating.EASY)  # only right after a right answer


def test_the_new_question_limit_is_per_local_day(
    corpus: Corpus, tmp_path: Path, clock: TravelClock
) -> None:
    session = session_for(corpus, tmp_path / "d.json", clock)
    session.set_setting("new_per_day", 2)
    questions = corpus.questions()
    assert session.review_counts().new_today_left == 2
    assert session.review_queue() == [q.id for q in questions[:2]]
    session.answer(questions[0].id, right(questions[0]))
    session.answer(questions[1].id, right(questions[1]))
    assert session.review_counts().new_today_left == 0
    clock.travel(days=1)
    assert session.review_counts().new_today_left == 2


def test_an_upgraded_format_1_file_gets_cards_by_replay(
    corpus: Corpus, tmp_path: Path, clock: TravelClock
) -> None:
    from test_store_history import v1_file

    db = tmp_path / "d.json"
    v1_file(db, 40)
    session = session_for(corpus, db, clock)
    store = Store.open(db)
    answers = store.answers()
    for qid, progress in store.progress().items():
        mine = [a for a in answers if a.question_id == qid]
        assert progress.scheduling == session.rebuild_card(mine)
        assert progress.scheduling is not None


def test_import_rebuilds_the_cards_of_merged_questions(
    corpus: Corpus, tmp_path: Path, clock: TravelClock
) -> None:
    from dvatui.store import parse_export

    q = corpus.questions()[0]
    laptop = session_for(corpus, tmp_path / "laptop.json", clock)
    server = session_for(corpus, tmp_path / "server.json", clock)
    laptop.answer(q.id, right(q))
    laptop.flush()
    clock.travel(days=1)
    server.answer(q.id, wrong(q))
    server.flush()
    clock.travel(days=1)
    laptop.answer(q.id, right(q))
    laptop.flush()
    store = Store.open(tmp_path / "laptop.json", card_builder=laptop.rebuild_card)
    store.import_document(parse_export(Store.open(tmp_path / "server.json").export_document()))
    merged = sorted(store.answers(), key=lambda a: a.answered_at)
    assert [a.correct for a in merged] == [True, False, True]
    expected = laptop.scheduler.replay(
        q.id, [(a.rating or 0, datetime.fromisoformat(a.answered_at)) for a in merged]
    )
    assert store.progress()[q.id].scheduling == expected


def test_a_day_less_a_moment_reads_as_a_day() -> None:
    assert describe_interval(START + timedelta(days=1, seconds=-5), START) == "in 1 day"


def test_an_exam_date_raises_the_new_limit_to_fit(
    corpus: Corpus, tmp_path: Path, clock: TravelClock
) -> None:
    from datetime import date

    session = session_for(corpus, tmp_path / "d.json", clock)
    session.set_setting("new_per_day", 1)
    assert session.new_per_day() == 1
    session.set_exam_date(date(2030, 3, 9))  # 5 days ahead: 2 days for new questions
    total = len(corpus.questions())
    plan = session.plan()
    assert plan is not None and plan.days_left == 5
    assert session.new_per_day() == -(-total // 2) == plan.new_today


def test_forecast_weakest_sections_and_daily_activity(
    corpus: Corpus, tmp_path: Path, clock: TravelClock
) -> None:
    session = session_for(corpus, tmp_path / "d.json", clock)
    q1, q2, q3 = corpus.questions()[:3]
    session.answer(q1.id, wrong(q1))
    session.answer(q2.id, right(q2))
    clock.travel(days=1)
    session.answer(q3.id, right(q3))
    session.flush()
    forecast = session.due_forecast(14)
    assert len(forecast) == 14 and forecast[0][0] == clock.now.date()
    assert sum(n for _, n in forecast) == 3  # every card falls due within two weeks
    weakest = session.weakest_sections(5)
    assert weakest[0][0].id == q1.section_id and weakest[0][1] < 1.0
    activity = session.daily_activity(7)
    assert [(n, r) for _, n, r in activity[-2:]] == [(2, 1), (1, 1)]
