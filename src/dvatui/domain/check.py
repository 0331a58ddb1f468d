"""Validation of a notes corpus beyond what parsing finds, and its summary counts."""

from __future__ import annotations

from collections import Counter

from msgspec import Struct, field

from dvatui.domain.model import DOMAINS, Corpus, Problem
from dvatui.domain.targets import target_problems
from dvatui.domain.text import quote

MIN_QUESTIONS_PER_SECTION = 3


class CheckReport(Struct):
    """Everything ``dvatui check`` prints: problems, then the counts."""

    problems: list[Problem]
    chapters: int
    sections: int
    items: int
    questions: int
    cards: int = 0
    by_domain: Counter[str] = field(default_factory=Counter)
    by_chapter: list[tuple[str, int, int, Counter[str]]] = field(default_factory=list)
    """(chapter title, sections, questions, questions by domain) per chapter."""

    @property
    def errors(self) -> list[Problem]:
        """Problems of severity error."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems of severity warning."""
        return [p for p in self.problems if p.severity == "warning"]

    def as_json(self, root: str) -> dict[str, object]:
        """The report as ``dvatui check --format json`` prints it (a documented contract)."""

        def entry(p: Problem) -> dict[str, object]:
            return {"file": str(p.path), "line": p.line, "message": p.message}

        return {
            "notes": root,
            "chapters": self.chapters,
            "sections": self.sections,
            "items": self.items,
            "questions": self.questions,
            "cards": self.cards,
            "errors": [entry(p) for p in self.errors],
            "warnings": [entry(p) for p in self.warnings],
        }

    def domain_share(self) -> dict[str, float]:
        """Each domain's share of all questions, 0..1."""
        total = sum(self.by_domain.values()) or 1
        return {d: self.by_domain.get(d, 0) / total for d in DOMAINS}


def check_corpus(corpus: Corpus, *, shipped: bool) -> CheckReport:
    """Collect parse problems and apply the corpus rules.

    Args:
        corpus: The loaded notes.
        shipped: Apply the rules for the shipped corpus (front matter with domains, one
            chapter per file, at least three questions per ``##`` section).

    Every corpus gets the rules of :mod:`dvatui.domain.targets`: a ``see:`` line must name
    exactly one note item, and a question's section needs an item for ``r`` to land on.
    """
    problems = list(corpus.problems)
    problems.extend(target_problems(corpus))
    if shipped:
        problems.extend(_shipped_rules(corpus))
    by_domain: Counter[str] = Counter()
    by_chapter = []
    sections = items = 0
    for chapter in corpus.chapters:
        chapter_domains: Counter[str] = Counter(q.domain for q in chapter.questions())
        by_domain.update(chapter_domains)
        count = sum(1 for s in chapter.walk() if s.level > 1)
        sections += count
        items += sum(len(s.items) for s in chapter.walk())
        by_chapter.append((chapter.title, count, len(chapter.questions()), chapter_domains))
    problems.sort(key=lambda p: (str(p.path), p.line))
    return CheckReport(
        problems=problems,
        chapters=len(corpus.chapters),
        sections=sections,
        items=items,
        questions=sum(by_domain.values()),
        cards=len(corpus.cards()),
        by_domain=by_domain,
        by_chapter=by_chapter,
    )


def _shipped_rules(corpus: Corpus) -> list[Problem]:
    problems: list[Problem] = []
    per_file: Counter[str] = Counter(str(c.path) for c in corpus.chapters)
    for chapter in corpus.chapters:
        if per_file[str(chapter.path)] > 1 and chapter.path.stem != chapter.id:
            problems.append(
                Problem(chapter.path, chapter.line, "shipped notes hold one '#' chapter per file")
            )
        if not chapter.domains:
            problems.append(
                Problem(chapter.path, 1, "front matter needs 'domains' (a list of DVA-C02 domains)")
            )
        if not chapter.sections:
            problems.append(Problem(chapter.path, chapter.line, "chapter has no '##' sections"))
        for section in chapter.sections:
            count = len(section.all_questions())
            if count < MIN_QUESTIONS_PER_SECTION:
                problems.append(
                    Problem(
                        section.path,
                        section.line,
                        f"section {quote(section.title, 80)} has {count} question(s); "
                        f"at least {MIN_QUESTIONS_PER_SECTION} are needed",
                    )
                )
            if not any(s.items for s in section.walk()):
                problems.append(
                    Problem(
                        section.path,
                        section.line,
                        f"section {quote(section.title, 80)} has no notes",
                    )
                )
    return problems
