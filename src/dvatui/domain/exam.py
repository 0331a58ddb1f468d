"""The mock exam: 65 questions by the DVA-C02 domain weights, 130 minutes, a scaled score.

Pure functions and values; the session keeps the exam's state in the store and the screen
shows it. Nothing here reads a clock: the caller passes the elapsed time.

Scoring. AWS reports a scaled score from 100 to 1000 with 720 to pass and does not publish
how raw answers map onto it (questions are weighted, and 15 of 65 are unscored). dvatui's
estimate counts every question the same and maps the share answered right onto the scale
in two straight lines: 0% -> 100, 72% -> 720 (the pass mark; about the share most
practice-exam sites use), 100% -> 1000.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from msgspec import Struct, field
from msgspec.structs import replace

from dvatui.domain.model import DOMAIN_WEIGHTS, DOMAINS, Question

EXAM_QUESTIONS = 65
EXAM_SECONDS = 130 * 60
PASS_SCORE = 720
PASS_SHARE = 0.72
"""The share of right answers dvatui maps to the pass mark (an estimate: see above)."""


class ExamError(ValueError):
    """An exam cannot be drawn (too few questions); ``str()`` says what is missing."""


def domain_quota(total: int = EXAM_QUESTIONS) -> dict[str, int]:
    """Questions per domain: the exam weights times ``total``, rounded by largest remainder
    (each within 1 of weight x total, summing to exactly ``total``)."""
    exact = {d: DOMAIN_WEIGHTS[d] * total for d in DOMAINS}
    quota = {d: int(exact[d]) for d in DOMAINS}
    left = total - sum(quota.values())
    for d in sorted(DOMAINS, key=lambda d: exact[d] - quota[d], reverse=True)[:left]:
        quota[d] += 1
    return quota


MOCK_POOL = "mock"
"""The ``pool:`` value of the questions a mock exam draws first."""


def draw_exam(
    pool: Sequence[Question],
    *,
    seen_in_exams: Iterable[str] = (),
    rng: random.Random,
    total: int = EXAM_QUESTIONS,
) -> list[Question]:
    """Draw an exam: each domain's quota, in a shuffled order, no repeats. Within a domain
    the order of preference is: mock-pool questions (``pool: mock``, the exam-grade
    scenarios) not seen in earlier mock exams, other unseen questions, then seen pool
    questions and seen others. ``ExamError`` if a domain has too few questions."""
    seen = set(seen_in_exams)
    quota = domain_quota(total)
    chosen: list[Question] = []
    short: list[str] = []
    for domain in DOMAINS:
        mine = [q for q in pool if q.domain == domain]
        if len(mine) < quota[domain]:
            short.append(f"{domain} has {len(mine)} of the {quota[domain]} needed")
            continue
        tiers: list[list[Question]] = [[], [], [], []]
        for q in mine:
            tiers[(2 if q.id in seen else 0) + (0 if q.pool == MOCK_POOL else 1)].append(q)
        ordered: list[Question] = []
        for tier in tiers:
            rng.shuffle(tier)
            ordered += tier
        chosen += ordered[: quota[domain]]
    if short:
        raise ExamError(
            f"these notes hold too few questions for a {total}-question mock exam by the"
            f" DVA-C02 domain weights ({'; '.join(short)})"
        )
    rng.shuffle(chosen)
    return chosen


def scaled_score(share_right: float) -> int:
    """dvatui's estimate of the 100-1000 scaled score for a share of right answers."""
    share = min(max(share_right, 0.0), 1.0)
    if share <= PASS_SHARE:
        return round(100 + share / PASS_SHARE * (PASS_SCORE - 100))
    return round(PASS_SCORE + (share - PASS_SHARE) / (1 - PASS_SHARE) * (1000 - PASS_SCORE))


# --------------------------------------------------------------------------- the state


class ExamResult(Struct, frozen=True):
    correct: int
    total: int
    score: int
    passed: bool
    by_domain: Mapping[str, tuple[int, int]]
    """domain -> (right, asked)."""
    used_s: float


class ExamState(Struct, frozen=True):
    """One mock exam, in progress or finished (what the store keeps, as JSON)."""

    id: str
    started_at: str
    question_ids: tuple[str, ...]
    domains: Mapping[str, str]
    """question id -> its domain (kept, so history reads without the notes)."""
    answers: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    flags: frozenset[str] = frozenset()
    remaining_s: float = EXAM_SECONDS
    position: int = 0
    status: str = "in_progress"
    finished_at: str | None = None
    result: ExamResult | None = None

    # -- the learner's moves ------------------------------------------------------------------
    def answer(self, question_id: str, chosen: tuple[int, ...]) -> ExamState:
        answers = dict(self.answers)
        if chosen:
            answers[question_id] = tuple(sorted(chosen))
        else:
            answers.pop(question_id, None)
        return replace(self, answers=answers)

    def flag(self, question_id: str) -> ExamState:
        return replace(self, flags=self.flags ^ {question_id})

    def at(self, position: int) -> ExamState:
        return replace(self, position=min(max(position, 0), len(self.question_ids) - 1))

    def tick(self, elapsed_s: float) -> ExamState:
        """Time passes on screen (never below zero)."""
        return replace(self, remaining_s=max(self.remaining_s - max(elapsed_s, 0.0), 0.0))

    # -- questions about it --------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.status == "finished"

    @property
    def timed_out(self) -> bool:
        return self.remaining_s <= 0

    def unanswered(self) -> list[str]:
        return [q for q in self.question_ids if q not in self.answers]

    def first_unanswered(self) -> int:
        missing = self.unanswered()
        return self.question_ids.index(missing[0]) if missing else 0

    def by_domain(self) -> dict[str, int]:
        counts = dict.fromkeys(DOMAINS, 0)
        for qid in self.question_ids:
            domain = self.domains.get(qid, "")
            counts[domain] = counts.get(domain, 0) + 1
        return counts

    def grade(self, questions: Mapping[str, Question], *, finished_at: str) -> ExamState:
        """Mark every answer (choose-N: exactly the right set) and finish the exam."""
        right: dict[str, int] = dict.fromkeys(DOMAINS, 0)
        asked: dict[str, int] = dict.fromkeys(DOMAINS, 0)
        correct = 0
        for qid in self.question_ids:
            domain = self.domains.get(qid, "")
            asked[domain] = asked.get(domain, 0) + 1
            question = questions.get(qid)
            chosen = frozenset(self.answers.get(qid, ()))
            if question is not None and chosen == question.correct_indices:
                correct += 1
                right[domain] = right.get(domain, 0) + 1
        total = len(self.question_ids)
        score = scaled_score(correct / total if total else 0.0)
        result = ExamResult(
            correct=correct,
            total=total,
            score=score,
            passed=score >= PASS_SCORE,
            by_domain={d: (right.get(d, 0), asked[d]) for d in asked},
            used_s=EXAM_SECONDS - self.remaining_s,
        )
        return replace(self, status="finished", finished_at=finished_at, result=result)

    # -- JSON ------------------------------------------------------------------------------------
    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "started_at": self.started_at,
            "question_ids": list(self.question_ids),
            "domains": dict(self.domains),
            "answers": {q: list(c) for q, c in self.answers.items()},
            "flags": sorted(self.flags),
            "remaining_s": round(self.remaining_s, 3),
            "position": self.position,
            "status": self.status,
            "finished_at": self.finished_at,
            "result": None,
        }
        if self.result is not None:
            r = self.result
            data["result"] = {
                "correct": r.correct,
                "total": r.total,
                "score": r.score,
                "passed": r.passed,
                "by_domain": {d: list(v) for d, v in r.by_domain.items()},
                "used_s": round(r.used_s, 3),
            }
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> ExamState | None:
        """The exam in ``data``; None when it is not one (hand-edited, newer format)."""
        try:
            ids = tuple(str(q) for q in data["question_ids"])
            answers = {
                str(q): tuple(int(i) for i in c) for q, c in dict(data.get("answers", {})).items()
            }
            raw = data.get("result")
            result = None
            if isinstance(raw, dict):
                result = ExamResult(
                    correct=int(raw["correct"]),
                    total=int(raw["total"]),
                    score=int(raw["score"]),
                    passed=bool(raw["passed"]),
                    by_domain={
                        str(d): (int(v[0]), int(v[1])) for d, v in dict(raw["by_domain"]).items()
                    },
                    used_s=float(raw.get("used_s", 0.0)),
                )
            status = str(data.get("status", "in_progress"))
            if status not in ("in_progress", "finished") or not ids:
                return None
            finished_at = data.get("finished_at")
            return cls(
                id=str(data["id"]),
                started_at=str(data["started_at"]),
                question_ids=ids,
                domains={str(q): str(d) for q, d in dict(data.get("domains", {})).items()},
                answers=answers,
                flags=frozenset(str(q) for q in data.get("flags", [])),
                remaining_s=float(data.get("remaining_s", EXAM_SECONDS)),
                position=int(data.get("position", 0)),
                status=status,
                finished_at=str(finished_at) if finished_at else None,
                result=result,
            )
        except (KeyError, TypeError, ValueError, IndexError):
            return None


def new_exam(exam_id: str, started_at: str, questions: Sequence[Question]) -> ExamState:
    return ExamState(
        id=exam_id,
        started_at=started_at,
        question_ids=tuple(q.id for q in questions),
        domains={q.id: q.domain for q in questions},
    )
