"""How exam-like a set of questions is: the measures the corpus tests hold the bank to.

The measures compare a question bank with AWS's published DVA-C02 sample questions
(issue 11): stem length, long scenarios, stated requirements, "(Select TWO.)" share,
UPPERCASE qualifiers, option length, multi-step options, literal snippets, pure recall, and a
keyword guesser that picks the option sharing most words with the stem. Every rule is a plain
heuristic, written down here and in ``docs/notes-format.md``; none needs a model or network.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from statistics import median

from msgspec import Struct

from dvatui.domain.model import Question

__all__ = [
    "BankStats",
    "QuestionStats",
    "bank_stats",
    "guesser_odds",
    "is_multi_step",
    "measure",
    "words",
]

WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'._/-]*")
CODE_RE = re.compile(r"\n```[^\n]*\n.*?\n```\n?", re.DOTALL)
SENTENCE_RE = re.compile(r"(?<=[.?!])\s+(?=[A-Z(])")

ACTOR_RE = re.compile(
    r"\b(company|developer|developers|team|teams|engineer|organization|startup|"
    r"application|app|retailer|bank|university|agency|business|customer|customers|"
    r"service|workload|game|studio|hospital|insurer|publisher|platform|site)\b",
    re.IGNORECASE,
)
"""Words that name an actor or a workload: a scenario has one."""

REQUIREMENT_RE = re.compile(
    r"\b(must|without|only|need|needs|needed|require|requires|required|requirement|"
    r"cannot|can't|should|within|no more than|at least|at most|minimi[sz]e|"
    r"least|most|fewest|lowest|highest|fastest|every|never|always)\b",
    re.IGNORECASE,
)
"""Words that state a requirement or a constraint."""

QUALIFIER_RE = re.compile(
    r"\b(LEAST|MOST|FEWEST|LOWEST|HIGHEST|FASTEST|BEST|NOT|MINIMUM|MAXIMUM|SMALLEST|LARGEST)\b"
)
"""The exam's UPPERCASE qualifiers ("LEAST operational overhead", "MOST secure")."""

STEP_VERBS = (
    "add|allow|assign|attach|call|change|configure|copy|create|define|delete|deny|deploy|"
    "disable|enable|encrypt|grant|include|increase|install|invoke|launch|migrate|modify|"
    "mount|move|pass|point|publish|put|read|reduce|reference|register|remove|replace|"
    "request|retrieve|return|rotate|route|run|schedule|send|set|specify|store|subscribe|"
    "switch|tag|turn|update|upload|use|write|cache|give|make|poll|process|raise|lower|"
    "map|log|emit|track|retry|validate|verify|check|apply|associate|generate|import|export"
)
MULTI_STEP_RE = re.compile(
    rf"(;|\bthen\b|\b(?:and|, and)\s+(?:{STEP_VERBS})\b|\.\s+[A-Z])",
)
"""An option that joins two actions: "...; ...", "then", "and <verb>", two sentences."""

_STOP = """a an the of to in on for and or but with without by from at as is are was were be been
    being it its this that these those which what when where who how why will would can could
    should must may might do does did not no yes than then so such into onto over under about
    after before each every all any both either neither one two three use using used uses
    developer developers company application app team aws amazon solution solutions meet meets
    requirements requirement need needs needed wants want has have had their there they them
    you your we our us i me my he she his her more most less least only also just same other
    select choose following"""
STOPWORDS = frozenset(_STOP.split())
"""Words the keyword guesser ignores: the glue of any question."""

MIN_SCENARIO_WORDS = 50
MIN_REQUIREMENTS = 2
RECALL_MAX_WORDS = 30


def words(text: str) -> list[str]:
    """The words of a text, code blocks included, punctuation stripped."""
    return WORD_RE.findall(text)


def _prose(text: str) -> str:
    return CODE_RE.sub(" ", text)


def _content_words(text: str) -> set[str]:
    return {
        w.lower().strip("._/-'")
        for w in words(_prose(text))
        if w.lower().strip("._/-'") not in STOPWORDS and len(w) > 2
    }


def requirements(stem: str) -> int:
    """How many sentences of a stem state a requirement or a constraint."""
    sentences = SENTENCE_RE.split(" ".join(_prose(stem).split()))
    return sum(1 for s in sentences if REQUIREMENT_RE.search(s) and not s.rstrip().endswith("?"))


def is_multi_step(option: str) -> bool:
    """True for an option that is a solution of two or more actions."""
    prose = " ".join(_prose(option).split())
    return len(words(prose)) >= 10 and MULTI_STEP_RE.search(prose) is not None


def guesser_odds(question: Question, *, fewest: bool = False) -> tuple[float, float]:
    """The keyword guesser's chance of a right answer, and a blind guess's chance.

    The guesser ranks options by how many content words they share with the stem and picks
    the top ``choose`` of them (``fewest``: the bottom ones, the reverse cue); ties are
    broken at random, so its chance is exact, not sampled.
    """
    stem_words = _content_words(question.stem)
    sign = -1 if fewest else 1
    scores = [sign * len(stem_words & _content_words(c.text)) for c in question.choices]
    k = question.choose
    n = len(question.choices)
    blind = 1 / math.comb(n, k)
    order = sorted(set(scores), reverse=True)
    picked: list[int] = []  # indices surely picked
    tied: list[int] = []
    for score in order:
        group = [i for i, s in enumerate(scores) if s == score]
        if len(picked) + len(group) <= k:
            picked.extend(group)
            if len(picked) == k:
                break
        else:
            tied = group
            break
    right = question.correct_indices
    if not set(picked) <= right:
        return 0.0, blind
    need = k - len(picked)
    if need == 0:
        return 1.0, blind
    good = len([i for i in tied if i in right])
    if good < need:
        return 0.0, blind
    return math.comb(good, need) / math.comb(len(tied), need), blind


class QuestionStats(Struct, frozen=True):
    """The measures of one question."""

    stem_words: int
    requirements: int
    scenario: bool
    select: bool
    qualifier: bool
    option_words: tuple[int, ...]
    multi_step: bool
    snippet: bool
    recall: bool
    guesser: float
    blind: float
    reverse: float = 0.0
    """The reverse guesser's chance (the option sharing the fewest stem words)."""


def measure(question: Question) -> QuestionStats:
    """Measure one question."""
    stem = question.stem
    stem_words = len(words(_prose(stem)))
    reqs = requirements(stem)
    options = [c.text for c in question.choices]
    steps = sum(is_multi_step(o) for o in options)
    guess, blind = guesser_odds(question)
    snippet = "```" in stem or any("```" in o for o in options)
    return QuestionStats(
        stem_words=stem_words,
        requirements=reqs,
        scenario=(
            stem_words >= MIN_SCENARIO_WORDS
            and reqs >= MIN_REQUIREMENTS
            and ACTOR_RE.search(stem) is not None
        ),
        select=question.choose >= 2,
        qualifier=QUALIFIER_RE.search(_prose(stem)) is not None,
        option_words=tuple(len(words(_prose(o))) for o in options),
        multi_step=steps * 2 >= len(options),
        snippet=snippet,
        recall=stem_words < RECALL_MAX_WORDS and reqs == 0 and not snippet,
        guesser=guess,
        blind=blind,
        reverse=guesser_odds(question, fewest=True)[0],
    )


class BankStats(Struct, frozen=True):
    """The measures of a set of questions (shares are 0..1)."""

    count: int
    median_stem_words: float
    scenario_share: float
    requirements_share: float
    select_share: float
    qualifier_share: float
    median_option_words: float
    multi_step_share: float
    snippet_share: float
    recall_share: float
    guesser: float
    chance: float
    reverse: float = 0.0

    @property
    def guesser_edge(self) -> float:
        """How many points the keyword guesser scores above a blind guess."""
        return (self.guesser - self.chance) * 100

    @property
    def reverse_edge(self) -> float:
        """How many points the reverse guesser (fewest shared words) scores above chance."""
        return (self.reverse - self.chance) * 100

    def rows(self) -> Sequence[tuple[str, str]]:
        """The figures as (measure, value) rows for a report."""

        def pct(x: float) -> str:
            return f"{x * 100:.1f}%"

        return (
            ("questions", str(self.count)),
            ("stem length, median words", f"{self.median_stem_words:g}"),
            ("long scenarios", pct(self.scenario_share)),
            ("stems with >= 2 requirements", pct(self.requirements_share)),
            ("Select TWO", pct(self.select_share)),
            ("UPPERCASE qualifiers", pct(self.qualifier_share)),
            ("option length, median words", f"{self.median_option_words:g}"),
            ("multi-step options", pct(self.multi_step_share)),
            ("snippets", pct(self.snippet_share)),
            ("pure recall", pct(self.recall_share)),
            ("keyword guesser vs chance", f"{self.guesser_edge:+.1f} points"),
            ("reverse guesser vs chance", f"{self.reverse_edge:+.1f} points"),
        )


def bank_stats(questions: Iterable[Question]) -> BankStats:
    """Measure a set of questions."""
    stats = [measure(q) for q in questions]
    n = len(stats) or 1

    def share(flag: Iterable[bool]) -> float:
        return sum(flag) / n

    return BankStats(
        count=len(stats),
        median_stem_words=median([s.stem_words for s in stats]) if stats else 0,
        scenario_share=share(s.scenario for s in stats),
        requirements_share=share(s.requirements >= MIN_REQUIREMENTS for s in stats),
        select_share=share(s.select for s in stats),
        qualifier_share=share(s.qualifier for s in stats),
        median_option_words=(median([w for s in stats for w in s.option_words]) if stats else 0),
        multi_step_share=share(s.multi_step for s in stats),
        snippet_share=share(s.snippet for s in stats),
        recall_share=share(s.recall for s in stats),
        guesser=sum(s.guesser for s in stats) / n,
        chance=sum(s.blind for s in stats) / n,
        reverse=sum(s.reverse for s in stats) / n,
    )
