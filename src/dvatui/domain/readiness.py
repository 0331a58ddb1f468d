"""Readiness: how likely the learner is to answer a fresh exam question right, per domain,
a projected scaled score with a band, and a daily plan to an exam date.

The estimator (documented in the README):

* Evidence for a domain is every question of it the learner has answered. A question
  counts as ``k`` right in ``[0, 1]``: its FSRS retrievability now (the chance of still
  knowing it today) when it has a card, else 1 or 0 from the latest answer.
* Each domain gets a Beta posterior: prior Beta(1, 1) (a flat 50%: unseen questions count
  with this prior, not as zero) plus sum(k) successes and n - sum(k) failures. Its mean is
  the domain's estimate; its band is mean +- 1.96 standard deviations (a nominal 95% band,
  narrowing as n grows). On simulated learners (tests/unit/test_exam.py) the true expected
  score falls inside the projected band 93-96% of the time; with 1.645 (nominal 90%) only
  88%, because the normal approximation and the bent score scale lose a little.
* The exam share is the weighted sum over domains (32/26/24/18), its variance the weighted
  sum of variances; the projected score and its band go through ``exam.scaled_score``, and
  the pass probability is the normal probability that the share exceeds 72%.
* "Not enough data yet" until at least 40 questions are answered with at least 5 in each
  domain.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date

from msgspec import Struct

from dvatui.domain.exam import PASS_SHARE, scaled_score
from dvatui.domain.model import DOMAIN_WEIGHTS, DOMAINS

PRIOR_RIGHT = 1.0
PRIOR_WRONG = 1.0
Z95 = 1.96
MIN_ANSWERED = 40
MIN_PER_DOMAIN = 5


class Band(Struct, frozen=True):
    low: float
    mid: float
    high: float


class Readiness(Struct, frozen=True):
    """Per domain (None: not enough data in that domain) and the projection."""

    domains: Mapping[str, Band | None]
    evidence: Mapping[str, int]
    score: Band | None
    """The projected scaled score (low, mid, high), or None: not enough data yet."""
    pass_probability: float | None


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def domain_posterior(knowledge: Iterable[float]) -> tuple[float, float, int]:
    """(mean, variance, n) of the Beta posterior for one domain's evidence."""
    values = [min(max(k, 0.0), 1.0) for k in knowledge]
    right = PRIOR_RIGHT + sum(values)
    wrong = PRIOR_WRONG + len(values) - sum(values)
    total = right + wrong
    mean = right / total
    variance = right * wrong / (total * total * (total + 1))
    return mean, variance, len(values)


def estimate(knowledge_by_domain: Mapping[str, Iterable[float]]) -> Readiness:
    """Readiness from each domain's per-question knowledge values (see the module doc)."""
    bands: dict[str, Band | None] = {}
    evidence: dict[str, int] = {}
    share = var = 0.0
    for domain in DOMAINS:
        mean, variance, n = domain_posterior(knowledge_by_domain.get(domain, ()))
        evidence[domain] = n
        sd = math.sqrt(variance)
        bands[domain] = (
            Band(max(mean - Z95 * sd, 0.0), mean, min(mean + Z95 * sd, 1.0))
            if n >= MIN_PER_DOMAIN
            else None
        )
        weight = DOMAIN_WEIGHTS[domain]
        share += weight * mean
        var += weight * weight * variance
    enough = sum(evidence.values()) >= MIN_ANSWERED and all(
        n >= MIN_PER_DOMAIN for n in evidence.values()
    )
    if not enough:
        return Readiness(bands, evidence, None, None)
    sd = math.sqrt(var)
    score = Band(
        scaled_score(share - Z95 * sd), scaled_score(share), scaled_score(share + Z95 * sd)
    )
    probability = _phi((share - PASS_SHARE) / sd) if sd > 0 else float(share >= PASS_SHARE)
    return Readiness(bands, evidence, score, probability)


# --------------------------------------------------------------------------- the plan

MAX_NEW_PER_DAY = 60
"""More new questions a day than this is not a plan a learner keeps."""
REVIEW_ONLY_DAYS = 3
"""The last days before the exam are for review: no new questions."""


class Plan(Struct, frozen=True):
    days_left: int
    new_today: int
    reviews_today: int
    unseen: int
    fits: bool
    """False when the unseen questions cannot all be met by the date at a sane pace."""
    note: str
    """What the plan means, in words (what fits when it does not)."""


def plan(
    exam_date: date, today: date, *, unseen: int, due_today: int, new_done_today: int = 0
) -> Plan:
    """New questions and reviews for today so that every question is seen (and the due
    queue cleared) by the exam date. The last ``REVIEW_ONLY_DAYS`` days add nothing new."""
    days_left = (exam_date - today).days
    if days_left <= 0:
        return Plan(days_left, 0, due_today, unseen, unseen == 0, "the exam is today or past")
    new_days = max(days_left - REVIEW_ONLY_DAYS, 1)
    remaining = unseen + new_done_today
    per_day = math.ceil(remaining / new_days) if remaining else 0
    fits = per_day <= MAX_NEW_PER_DAY
    new_today = max(min(per_day, MAX_NEW_PER_DAY) - new_done_today, 0)
    if not unseen:
        note = "every question seen: review what is due each day"
    elif fits:
        note = f"{per_day} new a day for {min(new_days, days_left)} days, then review only"
    else:
        reachable = MAX_NEW_PER_DAY * new_days
        note = (
            f"too close for all {unseen} unseen questions: at {MAX_NEW_PER_DAY} new a day"
            f" you can meet {min(reachable, unseen)} of them; favour the weakest domains"
        )
    return Plan(days_left, new_today, due_today, unseen, fits, note)
