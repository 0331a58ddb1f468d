"""Which note item teaches a question's answer: where ``r`` ("read the note") lands.

A quiz block may name the item with a ``see:`` line: a phrase that occurs in exactly one
item, looked up in the question's section (with its subsections) first, then in its
chapter. Without one, the item is picked by words: of the items of the question's section
and its subsections, the one that shares the most content words with the right choice(s)
and the explanation; ties go to the first in reading order. The rules are documented in
``docs/notes-format.md``.

Pure and Textual-free; ``dvatui check`` reports what cannot be resolved.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from msgspec import Struct

from dvatui.domain.model import Corpus, NoteItem, Problem, Question, Section
from dvatui.domain.text import quote

__all__ = [
    "STOP_WORDS",
    "Target",
    "content_words",
    "phrase_form",
    "resolve_target",
    "target_item",
    "target_problems",
]

_STOP_WORDS_TEXT = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can cannot could did do does doing done down
    during each either else even every few for from further get gets got had has have
    having he her here hers him his how however i if in into is it its itself just least
    less let like made make makes many may me might more most much must my need needs no
    nor not now of off on once one only onto or other others otherwise our ours out over
    own per same several shall she should since so some such than that the their theirs
    them then there these they this those though through thus to too two under until up
    upon us use used uses using very via was we were what whatever when where whether
    which while who whom whose why will with within without would yes yet you your yours
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
"""Words that say nothing about a topic; they never count as shared."""

WORD_RE = re.compile(r"[a-z0-9]+")
MARKUP_RE = re.compile(r"[*`]+")
LENGTH_K, LENGTH_B = 1.2, 0.75
"""BM25's usual k1 and b: how much an item's length (in content words) tempers its score."""


@lru_cache(maxsize=16384)
def content_words(text: str) -> frozenset[str]:
    """The words of a text that can tie a question to a note item.

    Lowercase runs of letters and digits, without stop words and one-character words; a
    plural ending is dropped (``policies`` counts as ``policy``, ``buckets`` as
    ``bucket``) so that a question and a note need not agree on number.
    """
    found = set()
    for word in WORD_RE.findall(text.lower()):
        if len(word) < 2 or word in STOP_WORDS:
            continue
        if len(word) > 4 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        found.add(word)
    return frozenset(found)


def phrase_form(text: str) -> str:
    """How ``see:`` phrases and item texts are compared: lowercase, without ``*`` and
    backticks, every run of white space as one space."""
    return " ".join(MARKUP_RE.sub("", text).lower().split())


class Target(Struct, frozen=True):
    """Where a question's answer is taught, and how that was decided."""

    section: Section | None
    """The section whose items hold the target (None when nothing was found)."""
    item: NoteItem | None
    by: Literal["see", "words", "none"]
    """``see``: the question's ``see:`` line; ``words``: the automatic pick."""
    problem: Problem | None = None
    """What ``dvatui check`` reports about this question, if anything."""


def _items(sections: list[Section]) -> list[tuple[Section, NoteItem]]:
    return [(part, item) for section in sections for part in section.walk() for item in part.items]


def _matches(pairs: list[tuple[Section, NoteItem]], phrase: str) -> list[tuple[Section, NoteItem]]:
    return [(s, item) for s, item in pairs if phrase in phrase_form(item.text)]


def _by_words(question: Question, pairs: list[tuple[Section, NoteItem]]) -> int:
    """Index in ``pairs`` of the item that best matches the answer (first wins a tie).

    An item scores one point per content word it shares with the right choice(s) and the
    explanation, and a second point for a word of a right choice (the explanation also
    names the wrong choices, which must not pull the pick towards the items about them).
    The score is then scaled for the item's length, as BM25 does: a long table or code
    block shares many words with anything and must not win by size alone.
    """
    right = content_words(" ".join(c.text for c in question.choices if c.correct))
    wanted = right | content_words(question.explanation)
    sizes = [content_words(item.text) for _section, item in pairs]
    average = max(1.0, sum(len(words) for words in sizes) / len(sizes))
    best, best_score = 0, -1.0
    for index, words in enumerate(sizes):
        shared = len(wanted & words) + len(right & words)
        scale = (LENGTH_K + 1) / (1 + LENGTH_K * (1 - LENGTH_B + LENGTH_B * len(words) / average))
        score = shared * scale
        if score > best_score + 1e-9:
            best, best_score = index, score
    return best


def resolve_target(corpus: Corpus, question: Question) -> Target:
    """The note item that teaches the answer to ``question`` (see the module notes)."""
    section = corpus.section(question.section_id)
    own = _items([section]) if section is not None else []
    problem: Problem | None = None
    if question.see is not None:
        phrase = phrase_form(question.see)
        found = _matches(own, phrase)
        if not found:
            chapter = corpus.chapter(question.chapter_id)
            wider = _items(list(chapter.walk())) if chapter is not None else []
            found = _matches(wider, phrase)
        if len(found) == 1:
            (where, item) = found[0]
            return Target(where, item, "see")
        shown = quote(question.see, 60)
        if found:
            lines = ", ".join(str(item.line) for _s, item in found[:4])
            message = (
                f"quiz: see: {shown} matches {len(found)} note items (lines {lines}"
                f"{', ...' if len(found) > 4 else ''}); use a longer phrase"
            )
        else:
            message = f"quiz: see: {shown} matches no note item of this section or chapter"
        problem = Problem(question.path, question.see_line or question.line, message)
    if not own:
        unresolved = Problem(
            question.path,
            question.line,
            "quiz: no note item to point 'r' at: the question's section has no notes",
            "warning",
        )
        return Target(section, None, "none", problem or unresolved)
    where, item = own[_by_words(question, own)]
    return Target(where, item, "words", problem)


def note_location(corpus: Corpus, question: Question) -> tuple[str, str | None]:
    """Where to show the note that teaches ``question``: a section id and a note item id
    (None: the top of the question's own section, when nothing resolves)."""
    target = resolve_target(corpus, question)
    if target.section is None:
        return question.section_id, None
    return target.section.id, target.item.id if target.item is not None else None


def target_item(corpus: Corpus, question: Question) -> NoteItem | None:
    """The note item that teaches the answer to ``question``, if one can be found."""
    return resolve_target(corpus, question).item


def target_problems(corpus: Corpus) -> list[Problem]:
    """A bad ``see:`` line (error) or a question with no item to point at (warning)."""
    problems = []
    for question in corpus.questions():
        problem = resolve_target(corpus, question).problem
        if problem is not None:
            problems.append(problem)
    return problems
