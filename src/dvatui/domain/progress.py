"""Progress: answered and correct counts per section, chapter and domain."""

from __future__ import annotations

from collections.abc import Mapping

from msgspec import Struct

from dvatui.domain.model import DOMAINS, Chapter, Corpus, Section


class Tally(Struct, frozen=True):
    """How many questions there are, how many were answered, how many correctly (last try)."""

    total: int = 0
    answered: int = 0
    correct: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.total + other.total, self.answered + other.answered, self.correct + other.correct
        )

    @property
    def percent(self) -> float:
        """Correct answers as a share of answered ones, 0..100."""
        return 100.0 * self.correct / self.answered if self.answered else 0.0


def section_tally(section: Section, latest: Mapping[str, bool], *, deep: bool = True) -> Tally:
    """Tally one section's questions (and its subsections' when ``deep``)."""
    questions = section.all_questions() if deep else section.questions
    answered = [latest[q.id] for q in questions if q.id in latest]
    return Tally(len(questions), len(answered), sum(answered))


def chapter_tally(chapter: Chapter, latest: Mapping[str, bool]) -> Tally:
    """Tally a whole chapter."""
    questions = chapter.questions()
    answered = [latest[q.id] for q in questions if q.id in latest]
    return Tally(len(questions), len(answered), sum(answered))


def domain_tallies(corpus: Corpus, latest: Mapping[str, bool]) -> dict[str, Tally]:
    """Tally every DVA-C02 domain across the corpus."""
    out = {d: Tally() for d in DOMAINS}
    for q in corpus.questions():
        seen = q.id in latest
        add = Tally(1, int(seen), int(seen and latest[q.id]))
        out[q.domain] = out.get(q.domain, Tally()) + add
    return out
