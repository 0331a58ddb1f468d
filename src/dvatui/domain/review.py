"""What to study next: the review queue, today's counts, leeches, practice sets.

Pure functions over question ids and their review cards (``schedule.py``); the session
passes in the learner's progress as plain mappings, so nothing here knows the store.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from msgspec import Struct

from dvatui.domain.model import DOMAINS, Corpus, Question
from dvatui.domain.schedule import Card, due_at, local_day

Cards = Mapping[str, Mapping[str, Any] | None]
"""question id -> its card's JSON data (None or missing: never reviewed)."""


class Counts(Struct, frozen=True):
    """Today's numbers, for the header and ``dvatui stats``."""

    due_today: int
    new_today_left: int
    leeches: int


def due_questions(question_ids: Iterable[str], cards: Cards, until: datetime) -> list[str]:
    """The reviewed questions due by ``until``, most overdue first."""
    due = []
    for qid in question_ids:
        moment = due_at(cards.get(qid))
        if moment is not None and moment <= until:
            due.append((moment, qid))
    return [qid for _, qid in sorted(due)]


def introduced_on(first_answers: Mapping[str, str], now: datetime, tz: Any = None) -> int:
    """How many questions were answered for the first time on the learner's day of ``now``."""
    today = local_day(now, tz)
    count = 0
    for first in first_answers.values():
        try:
            when = datetime.fromisoformat(first)
        except ValueError:
            continue
        if when.tzinfo is not None and local_day(when, tz) == today:
            count += 1
    return count


def new_left(first_answers: Mapping[str, str], now: datetime, limit: int, tz: Any = None) -> int:
    return max(limit - introduced_on(first_answers, now, tz), 0)


def review_queue(
    question_ids: Sequence[str],
    cards: Cards,
    answered: Iterable[str],
    until: datetime,
    new_limit_left: int,
) -> list[str]:
    """Due questions (most overdue first), then unseen ones in reading order, up to the
    day's limit. A question answered before scheduling existed (no card) counts as due."""
    seen = set(answered)
    due = due_questions(question_ids, cards, until)
    uncarded = [q for q in question_ids if q in seen and cards.get(q) is None]
    unseen = [q for q in question_ids if q not in seen][: max(new_limit_left, 0)]
    return due + [q for q in uncarded if q not in due] + unseen


def leeches(question_ids: Iterable[str], cards: Cards) -> list[str]:
    """Questions forgotten so often after learning them that they need a new approach."""
    found = []
    for qid in question_ids:
        data = cards.get(qid)
        card = Card.from_data(data) if data is not None else None
        if card is not None and card.is_leech:
            found.append(qid)
    return found


def counts(
    question_ids: Sequence[str],
    cards: Cards,
    first_answers: Mapping[str, str],
    now: datetime,
    until: datetime,
    new_limit: int,
    tz: Any = None,
) -> Counts:
    return Counts(
        due_today=len(due_questions(question_ids, cards, until)),
        new_today_left=new_left(first_answers, now, new_limit, tz),
        leeches=len(leeches(question_ids, cards)),
    )


# --------------------------------------------------------------------------- practice sets

PRACTICE_SETS = (
    "domain",
    "chapter",
    "bookmarked",
    "flagged",
    "missed",
    "leeches",
    "unseen",
    "all",
)
"""The kinds of practice set (``dvatui review --set NAME``): a domain and a chapter take a
value (``domain:security``, ``chapter:lambda``)."""


class PracticeSetError(ValueError):
    """A practice-set name that means nothing; ``str()`` says what would."""


def practice_set(
    corpus: Corpus,
    name: str,
    *,
    results: Mapping[str, bool],
    bookmarked_sections: Iterable[str] = (),
    flagged: Iterable[str] = (),
    leech_ids: Iterable[str] = (),
    count: int | None = None,
    seed: int | str = 0,
) -> list[Question]:
    """The questions of a practice set, in a shuffled order (``seed``), ``count`` at most.

    ``name`` is ``domain:KEY``, ``chapter:ID`` (or a unique word of its title),
    ``bookmarked`` (questions of bookmarked sections), ``flagged``, ``missed`` (latest answer
    wrong), ``leeches`` (forgotten 8 times or more), ``unseen`` or ``all``.
    """
    kind, _, value = name.partition(":")
    questions = corpus.questions()
    if kind == "domain":
        if value not in DOMAINS:
            raise PracticeSetError(f"domain must be one of {', '.join(DOMAINS)}")
        chosen = [q for q in questions if q.domain == value]
    elif kind == "chapter":
        chapter = find_chapter(corpus, value)
        chosen = chapter.questions()
    elif kind == "bookmarked":
        marked = set(bookmarked_sections)
        chosen = [
            q for q in questions if q.section_id in marked or _parent_marked(corpus, q, marked)
        ]
    elif kind == "flagged":
        flags = set(flagged)
        chosen = [q for q in questions if q.id in flags]
    elif kind == "leeches":
        found = set(leech_ids)
        chosen = [q for q in questions if q.id in found]
    elif kind == "missed":
        chosen = [q for q in questions if results.get(q.id) is False]
    elif kind == "unseen":
        chosen = [q for q in questions if q.id not in results]
    elif kind == "all":
        chosen = list(questions)
    else:
        raise PracticeSetError(
            f"unknown practice set {name!r}: use domain:KEY, chapter:ID, bookmarked, flagged,"
            " missed, leeches, unseen or all"
        )
    random.Random(str(seed)).shuffle(chosen)
    return chosen[:count] if count is not None else chosen


def _parent_marked(corpus: Corpus, question: Question, marked: set[str]) -> bool:
    section = corpus.section(question.section_id)
    while section is not None and section.parent_id:
        if section.parent_id in marked:
            return True
        section = corpus.section(section.parent_id)
    return False


def find_chapter(corpus: Corpus, value: str) -> Any:
    """The chapter named by an id or a unique word of its title; ``PracticeSetError`` else."""
    if not value:
        raise PracticeSetError("chapter: needs a chapter id or a word of its title")
    exact = [c for c in corpus.chapters if c.id == value]
    if exact:
        return exact[0]
    word = value.lower()
    matches = [c for c in corpus.chapters if word in c.title.lower() or word in c.id]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(c.id for c in (matches or corpus.chapters)[:8])
    raise PracticeSetError(f"chapter {value!r} matches {len(matches)} chapters ({names}...)")
