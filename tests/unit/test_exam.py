"""The mock exam's draw, scoring and state; readiness on simulated learners; the plan."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from dvatui.domain.exam import (
    EXAM_QUESTIONS,
    EXAM_SECONDS,
    ExamError,
    ExamState,
    domain_quota,
    draw_exam,
    new_exam,
    scaled_score,
)
from dvatui.domain.loader import load_corpus
from dvatui.domain.model import DOMAIN_WEIGHTS, DOMAINS, Question
from dvatui.domain.readiness import estimate, plan
from dvatui.paths import shipped_notes_dir

NOTES = Path(__file__).resolve().parents[1] / "fixtures" / "notes"


@pytest.fixture(scope="module")
def pool() -> list[Question]:
    return load_corpus(shipped_notes_dir()).questions()


def test_the_quota_follows_the_weights() -> None:
    quota = domain_quota()
    assert sum(quota.values()) == EXAM_QUESTIONS
    for domain in DOMAINS:
        assert abs(quota[domain] - DOMAIN_WEIGHTS[domain] * EXAM_QUESTIONS) <= 1
    assert quota == {"development": 21, "security": 17, "deployment": 15, "troubleshooting": 12}


def test_the_draw_has_no_repeats_and_prefers_unseen(pool: list[Question]) -> None:
    rng = random.Random(5)
    first = draw_exam(pool, rng=rng)
    assert len(first) == EXAM_QUESTIONS == len({q.id for q in first})
    counts = {d: sum(1 for q in first if q.domain == d) for d in DOMAINS}
    assert counts == domain_quota()
    second = draw_exam(pool, seen_in_exams={q.id for q in first}, rng=rng)
    assert not {q.id for q in first} & {q.id for q in second}  # the pool has room
    everything = {q.id for q in pool}
    third = draw_exam(pool, seen_in_exams=everything - {first[0].id}, rng=rng)
    assert first[0].id in {q.id for q in third}  # the one unseen question is taken


def test_too_few_questions_is_a_clear_error() -> None:
    small = load_corpus(NOTES).questions()
    with pytest.raises(ExamError, match="too few questions"):
        draw_exam(small, rng=random.Random(1))


def test_scaled_score() -> None:
    assert scaled_score(0.0) == 100 and scaled_score(1.0) == 1000
    assert scaled_score(0.72) == 720
    assert scaled_score(0.71) < 720 < scaled_score(0.73)


def test_state_moves_timer_grading_and_round_trip(pool: list[Question]) -> None:
    questions = draw_exam(pool, rng=random.Random(2))
    exam = new_exam("e1", "2030-01-01T00:00:00+00:00", questions)
    first, second = questions[0], questions[1]
    exam = exam.answer(first.id, tuple(sorted(first.correct_indices)))
    wrong = next(i for i in range(len(second.choices)) if i not in second.correct_indices)
    exam = exam.answer(second.id, (wrong,)).flag(second.id).at(5).tick(90.5)
    assert exam.remaining_s == EXAM_SECONDS - 90.5 and exam.first_unanswered() == 2
    assert exam.tick(10**6).remaining_s == 0 and exam.tick(10**6).timed_out
    again = ExamState.from_data(exam.to_data())
    assert again == exam  # resume: every answer, flag, the position and the time
    by_id = {q.id: q for q in questions}
    done = exam.grade(by_id, finished_at="2030-01-01T01:00:00+00:00")
    assert done.finished and done.result is not None
    assert done.result.correct == 1 and done.result.total == EXAM_QUESTIONS
    assert sum(asked for _, asked in done.result.by_domain.values()) == EXAM_QUESTIONS
    assert not done.result.passed and done.result.score == scaled_score(1 / 65)
    assert ExamState.from_data(done.to_data()) == done


def test_readiness_needs_enough_data() -> None:
    few = {d: [1.0] * 3 for d in DOMAINS}
    assert estimate(few).score is None
    assert estimate({d: [1.0] * 12 for d in DOMAINS}).score is not None


def test_readiness_on_simulated_learners_lands_in_the_band() -> None:
    """Learners with a known skill per domain answer a random number of questions; the
    projected score's 90% band must hold the true expected score at least 90% of the time."""
    rng = random.Random(20261205)
    trials, inside = 400, 0
    widths = []
    for _ in range(trials):
        skill = {d: rng.uniform(0.35, 0.97) for d in DOMAINS}
        answers = {
            d: [1.0 if rng.random() < skill[d] else 0.0 for _ in range(rng.randint(12, 80))]
            for d in DOMAINS
        }
        result = estimate(answers)
        assert result.score is not None
        true_score = scaled_score(sum(DOMAIN_WEIGHTS[d] * skill[d] for d in DOMAINS))
        inside += result.score.low <= true_score <= result.score.high
        widths.append(result.score.high - result.score.low)
    assert inside / trials >= 0.90, inside / trials
    # the band narrows as evidence grows
    many = estimate({d: [1.0, 0.0, 1.0, 1.0] * 50 for d in DOMAINS})
    few = estimate({d: [1.0, 0.0, 1.0, 1.0] * 4 for d in DOMAINS})
    assert many.score is not None and few.score is not None
    assert many.score.high - many.score.low < few.score.high - few.score.low


def test_the_plan() -> None:
    today = date(2026, 12, 5)
    roomy = plan(date(2027, 1, 15), today, unseen=400, due_today=23)
    assert roomy.days_left == 41 and roomy.fits and roomy.reviews_today == 23
    assert roomy.new_today == 11  # 400 over the 38 days before the last 3
    tight = plan(date(2026, 12, 8), today, unseen=400, due_today=5)
    assert not tight.fits and tight.new_today == 60 and "60 new a day" in tight.note
    done = plan(date(2027, 1, 15), today, unseen=0, due_today=7)
    assert done.new_today == 0 and "every question seen" in done.note
