"""Grading a submitted answer, and the order a question's choices are shown in.

Apart from the quiz parser (``quiz.py``), whose patterns start-up does not need: the quiz
pane grades and shuffles from the first frame on.
"""

from __future__ import annotations

import random
import re

from msgspec import Struct

from dvatui.domain.model import Question, normalise_text


class Grade(Struct, frozen=True):
    """The outcome of one submitted answer."""

    question: Question
    chosen: frozenset[int]
    correct: bool
    missed: frozenset[int]
    """Right choices the learner did not pick."""
    wrong: frozenset[int]
    """Choices the learner picked that are wrong."""


def grade(question: Question, chosen: set[int] | frozenset[int] | tuple[int, ...]) -> Grade:
    """Score a submitted set of choices against a question."""
    picked = frozenset(chosen)
    right = question.correct_indices
    return Grade(
        question=question,
        chosen=picked,
        correct=picked == right,
        missed=right - picked,
        wrong=picked - right,
    )


# --------------------------------------------------------------------------- shown order

PINNED_RE = re.compile(
    r"^(?:"
    # "All of the above", "None of these", "Both of the above", "Any of the options"...
    r"(?:all|none|both|neither|either|any|each)\s+(?:of\s+)?(?:the\s+)?"
    r"(?:above|these|those|them|previous|preceding|other|options|answers|choices)\b"
    r"|"
    # "Both A and B", "A and C only", "Options 1 and 2", "A, B and C are correct"...
    r"(?:(?:both|either|neither|only)\s+)?(?:(?:options?|answers?|choices?)\s+)?"
    r"[a-f1-6](?:\s+[a-f1-6])*\s+(?:and|or|nor)\s+[a-f1-6]"
    r"(?:\s+(?:only|both|are\s+(?:correct|right|true)))?$"
    r")"
)
"""Wording of an option that refers to the other options (matched on normalised text)."""


def refers_to_others(text: str) -> bool:
    """True for an option like "All of the above" or "Both A and B", which stays last."""
    return PINNED_RE.match(normalise_text(text)) is not None


def shown_order(question: Question, seed: str) -> tuple[int, ...]:
    """The question's canonical choice indexes in the order to show them.

    The options are shuffled with ``random.Random(seed)`` (never the global generator),
    so one seed always gives one order, on any machine. Options that refer to the others
    (:func:`refers_to_others`) keep their file order after all the shuffled ones.
    """
    free = [i for i, c in enumerate(question.choices) if not refers_to_others(c.text)]
    pinned = [i for i, c in enumerate(question.choices) if refers_to_others(c.text)]
    random.Random(seed).shuffle(free)
    return (*free, *pinned)
