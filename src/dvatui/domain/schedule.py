"""Spaced review: every question is a card scheduled by FSRS (the ``fsrs`` package).

Pure functions around ``fsrs.Scheduler``. A card's state is kept as plain JSON data (what the
store saves with each answer and in the question's progress record)::

    {"state": 2, "step": null, "stability": 3.17, "difficulty": 5.3,
     "due": "2026-12-08T09:00:00+00:00", "last_review": "2026-12-05T09:00:00+00:00",
     "reps": 3, "lapses": 1}

``reps`` (reviews) and ``lapses`` (a card in review forgotten again) are dvatui's own: FSRS
needs neither, but leeches are counted in lapses. Fuzzing is off, so a card rebuilt by
replaying the answer history equals the card kept live, to the microsecond.

Times are UTC inside; "today" is the learner's local day, which the caller gives as the
UTC instant its local day ends (``end_of_local_day``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from msgspec import Struct

if TYPE_CHECKING:
    import fsrs

DEFAULT_RETENTION = 0.90
"""The desired retention: the chance of remembering a card when it comes due."""
DEFAULT_NEW_PER_DAY = 20
"""New questions introduced per local day, at most."""
LEECH_LAPSES = 8
"""A card forgotten this many times after it was learned is a leech (as in Anki)."""

CardData = dict[str, Any]


class Rating(IntEnum):
    """How well the learner knew the answer (FSRS's four grades)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


def rating_for(correct: bool) -> Rating:
    """A wrong answer rates Again; a right one Good (Hard/Easy are the learner's choice)."""
    return Rating.GOOD if correct else Rating.AGAIN


def card_id_for(question_id: str) -> int:
    """A stable positive integer for a question (FSRS cards carry an integer id)."""
    return int.from_bytes(hashlib.sha256(question_id.encode()).digest()[:6], "big")


class Card(Struct, frozen=True):
    """A question's review state, read from its JSON form."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int
    lapses: int

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Card | None:
        """The card in ``data``, or None if it is not a card (hand-edited, newer format)."""
        try:
            due = _utc(data["due"])
            last = data.get("last_review")
            state = int(data["state"])
            if state not in (1, 2, 3) or due is None:
                return None
            step = data.get("step")
            return cls(
                state=state,
                step=int(step) if step is not None else None,
                stability=_float(data.get("stability")),
                difficulty=_float(data.get("difficulty")),
                due=due,
                last_review=_utc(last) if last else None,
                reps=int(data.get("reps", 0)),
                lapses=int(data.get("lapses", 0)),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def to_data(self) -> CardData:
        return {
            "state": self.state,
            "step": self.step,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "due": self.due.isoformat(),
            "last_review": self.last_review.isoformat() if self.last_review else None,
            "reps": self.reps,
            "lapses": self.lapses,
        }

    @property
    def is_leech(self) -> bool:
        return self.lapses >= LEECH_LAPSES


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _utc(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC)


class Scheduler:
    """FSRS with dvatui's settings: the desired retention, no fuzzing."""

    def __init__(self, desired_retention: float = DEFAULT_RETENTION) -> None:
        if not 0.7 <= desired_retention <= 0.99:
            raise ValueError("desired retention must be between 0.70 and 0.99")
        self.desired_retention = desired_retention
        self._made: fsrs.Scheduler | None = None

    @property
    def _fsrs(self) -> fsrs.Scheduler:
        """fsrs's scheduler, made at the first review (fsrs is imported then: showing what
        is due needs only the stored cards, and the first frame does not wait for it)."""
        if self._made is None:
            import fsrs

            self._made = fsrs.Scheduler(
                desired_retention=self.desired_retention, enable_fuzzing=False
            )
        return self._made

    def review(
        self, question_id: str, before: Mapping[str, Any] | None, rating: int, at: datetime
    ) -> CardData:
        """The card after one review at ``at`` (a new card if ``before`` is None or broken)."""
        import fsrs

        previous = Card.from_data(before) if before is not None else None
        at = at.astimezone(UTC)
        if previous is None:
            card = fsrs.Card(card_id=card_id_for(question_id), due=at)
            reps = lapses = 0
        else:
            card = fsrs.Card(
                card_id=card_id_for(question_id),
                state=fsrs.State(previous.state),
                step=previous.step,
                stability=previous.stability,
                difficulty=previous.difficulty,
                due=previous.due,
                last_review=previous.last_review,
            )
            reps, lapses = previous.reps, previous.lapses
        was_review = card.state == fsrs.State.Review
        after, _ = self._fsrs.review_card(card, fsrs.Rating(int(rating)), review_datetime=at)
        lapsed = was_review and int(rating) == Rating.AGAIN
        return Card(
            state=int(after.state),
            step=after.step,
            stability=after.stability,
            difficulty=after.difficulty,
            due=after.due.astimezone(UTC),
            last_review=after.last_review.astimezone(UTC) if after.last_review else at,
            reps=reps + 1,
            lapses=lapses + int(lapsed),
        ).to_data()

    def replay(self, question_id: str, reviews: Iterable[tuple[int, datetime]]) -> CardData | None:
        """The card rebuilt from its reviews (rating, time), oldest first; None if none."""
        card: CardData | None = None
        for rating, at in sorted(reviews, key=lambda r: r[1]):
            card = self.review(question_id, card, rating, at)
        return card

    def retrievability(self, data: Mapping[str, Any] | None, now: datetime) -> float | None:
        """The chance of remembering the card at ``now`` (None for a card never reviewed)."""
        card = Card.from_data(data) if data is not None else None
        if card is None or card.stability is None or card.last_review is None:
            return None
        import fsrs

        live = fsrs.Card(
            card_id=0,  # without an id, fsrs makes one from the clock and sleeps 1 ms
            state=fsrs.State(card.state),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due,
            last_review=card.last_review,
        )
        return float(self._fsrs.get_card_retrievability(live, current_datetime=now))


# --------------------------------------------------------------------------- days and queues


def end_of_local_day(now: datetime, tz: Any = None) -> datetime:
    """The UTC instant the learner's local day containing ``now`` ends.

    ``tz`` is the learner's time zone (a ``tzinfo``); None means the machine's local zone.
    """
    local = now.astimezone(tz) if tz is not None else now.astimezone()
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time())
    return midnight.replace(tzinfo=local.tzinfo).astimezone(UTC)


def local_day(moment: datetime, tz: Any = None) -> date:
    return (moment.astimezone(tz) if tz is not None else moment.astimezone()).date()


def due_at(data: Mapping[str, Any] | None) -> datetime | None:
    card = Card.from_data(data) if data is not None else None
    return card.due if card is not None else None


def is_due(data: Mapping[str, Any] | None, until: datetime) -> bool:
    """True when a reviewed card is due at or before ``until``."""
    due = due_at(data)
    return due is not None and due <= until


def describe_interval(due: datetime, now: datetime) -> str:
    """A learner's words for when a card comes back: "again in 10 min", "in 3 days"."""
    seconds = (due - now).total_seconds()
    if seconds < 60:
        return "again in under a minute"
    if seconds < 3600:
        return f"again in {round(seconds / 60)} min"
    if round(seconds / 3600) < 24:
        hours = round(seconds / 3600)
        return f"in {hours} hour" + ("s" if hours != 1 else "")
    days = round(seconds / 86400)
    if days < 60:
        return f"in {days} day" + ("s" if days != 1 else "")
    months = round(days / 30)
    return f"in {months} months"
