"""Quiz blocks: parsing the ```quiz fenced format and validating questions.

The format is documented in ``docs/notes-format.md``. Parsing never raises: every problem
becomes a :class:`~dvatui.domain.model.Problem` with the file and line, and a broken
question is skipped while the rest of the block still loads.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from msgspec import Struct, field

from dvatui.domain.model import DOMAINS, Choice, Problem, Question, normalise_text

NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5}
CHOOSE_RE = re.compile(
    r"\(\s*(?:choose|select)\s+(two|three|four|five|\d)\s*\.?\s*\)", re.IGNORECASE
)
"""A "(Choose two.)" or AWS's "(Select TWO.)" phrase; any case, optional final period."""
CHOICE_RE = re.compile(r"^[-*]\s*\[([ xX])\]\s*(.*)$")
META_RE = re.compile(r"^(id|domain|see|pool)\s*:\s*(.*)$")
LITERAL_FENCE_RE = re.compile(r"^(~~~+)\s*([A-Za-z0-9_+-]*)\s*$")
"""A ``~~~`` line inside a quiz block opens (or closes) literal lines: JSON, YAML, code."""
POOLS = ("mock",)
"""Question pools a ``pool:`` line may name (``mock``: drawn first by the mock exam)."""
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
MIN_CHOICES = 2
MAX_CHOICES = 6


def normalise_stem(text: str) -> str:
    """Case- and space-insensitive form of a question, to find duplicates."""
    return normalise_text(text)


def stated_choose(stem: str) -> int | None:
    """The N of a "(Choose N.)" or "(Select N.)" phrase in a question, if it has one."""
    match = CHOOSE_RE.search(stem)
    if match is None:
        return None
    word = match.group(1).lower()
    return NUMBER_WORDS.get(word) or int(word)


class _Draft(Struct):
    line: int
    qid: str | None = None
    domain: str | None = None
    domain_line: int = 0
    see: str | None = None
    see_line: int = 0
    pool: str | None = None
    stem_lines: list[str] = field(default_factory=list)
    choices: list[tuple[int, Choice]] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    started: bool = False
    """True once the ``?`` line was seen."""


def parse_quiz_block(
    text: str,
    *,
    first_line: int,
    path: Path,
    chapter_id: str,
    section_id: str,
    default_domain: str,
) -> tuple[list[Question], list[Problem]]:
    """Parse the body of one quiz block.

    Args:
        text: The block's content, without the fences.
        first_line: The 1-based file line of the block's first content line.
        path: The notes file, for problem locations.
        chapter_id: Id of the chapter holding the block.
        section_id: Id of the section holding the block.
        default_domain: Domain for questions without a ``domain:`` line.

    Returns:
        The valid questions and the problems found.
    """
    questions: list[Question] = []
    problems: list[Problem] = []
    draft: _Draft | None = None

    def flush() -> None:
        nonlocal draft
        if draft is not None:
            question = _finish(draft, path, chapter_id, section_id, default_domain, problems)
            if question is not None:
                questions.append(question)
        draft = None

    literal: list[str] | None = None
    literal_open = (0, "", "~~~", 0)  # line, language, fence, indentation

    for offset, raw in enumerate(text.splitlines()):
        lineno = first_line + offset
        line = raw.strip()
        if literal is not None:
            if line == literal_open[2]:
                if draft is not None:
                    _add_literal(draft, literal, literal_open[1])
                literal = None
            else:
                indent = literal_open[3]
                literal.append(raw[indent:] if raw[:indent].strip() == "" else raw.lstrip())
            continue
        if not line:
            continue
        fence = LITERAL_FENCE_RE.match(line)
        if fence:
            if draft is None or not draft.started:
                problems.append(
                    Problem(path, lineno, "quiz: literal lines ('~~~') before the '? question'")
                )
            literal = []
            literal_open = (lineno, fence.group(2), fence.group(1), len(raw) - len(raw.lstrip()))
            continue
        meta = META_RE.match(line)
        if meta:
            if draft is None or draft.started:
                flush()
                draft = _Draft(line=lineno)
            _set_meta(draft, meta.group(1), meta.group(2).strip(), lineno, path, problems)
            continue
        if line.startswith("?"):
            if draft is None or draft.started:
                flush()
                draft = _Draft(line=lineno)
            draft.started = True
            draft.line = lineno
            draft.stem_lines.append(line[1:].strip())
            continue
        if draft is None or not draft.started:
            problems.append(
                Problem(path, lineno, f"quiz: expected '? question' before {line[:40]!r}")
            )
            continue
        choice = CHOICE_RE.match(line)
        if choice:
            if draft.explanation:
                problems.append(Problem(path, lineno, "quiz: choice after the explanation"))
            draft.choices.append((lineno, Choice(choice.group(2).strip(), choice.group(1) != " ")))
        elif line.startswith(">"):
            draft.explanation.append(line[1:].strip())
        elif draft.choices or draft.explanation:
            problems.append(
                Problem(path, lineno, f"quiz: unexpected line {line[:40]!r} (not a choice or '>')")
            )
        else:
            draft.stem_lines.append(line)
    if literal is not None:
        problems.append(
            Problem(
                path,
                literal_open[0],
                f"quiz: literal lines opened here are not closed with {literal_open[2]}",
            )
        )
        if draft is not None:
            draft.started = False  # the question is incomplete: report it once, skip it
            draft.stem_lines.clear()
            draft = None
    flush()
    return questions, problems


def literal_block(lines: list[str], language: str = "") -> str:
    """How literal lines sit inside a stem, a choice or an explanation: a fenced block."""
    body = "\n".join(line.rstrip() for line in lines).strip("\n")
    return f"\n```{language}\n{body}\n```\n"


def _add_literal(draft: _Draft, lines: list[str], language: str) -> None:
    block = literal_block(lines, language)
    if draft.explanation:
        draft.explanation.append(block)
    elif draft.choices:
        lineno, choice = draft.choices[-1]
        draft.choices[-1] = (lineno, Choice(choice.text + block, choice.correct))
    else:
        draft.stem_lines.append(block)


def join_parts(parts: list[str]) -> str:
    """Join a stem's or explanation's lines: prose with spaces, literal blocks on their own."""
    out = ""
    for part in parts:
        if not part:
            continue
        if part.startswith("\n```") or out.endswith("```\n") or not out:
            out += part
        else:
            out += " " + part
    return out.strip()


def _set_meta(
    draft: _Draft, key: str, value: str, lineno: int, path: Path, problems: list[Problem]
) -> None:
    if key == "id":
        if not ID_RE.match(value):
            problems.append(
                Problem(path, lineno, f"quiz: bad id {value!r} (use letters, digits, -_.)")
            )
        else:
            draft.qid = value
    elif key == "see":
        if not value:
            problems.append(Problem(path, lineno, "quiz: 'see:' needs a phrase of a note item"))
        else:
            draft.see = value
            draft.see_line = lineno
    elif key == "pool":
        if value not in POOLS:
            problems.append(
                Problem(
                    path, lineno, f"quiz: unknown pool {value!r}; use one of {', '.join(POOLS)}"
                )
            )
        else:
            draft.pool = value
    else:
        draft.domain = value
        draft.domain_line = lineno


def _finish(
    draft: _Draft,
    path: Path,
    chapter_id: str,
    section_id: str,
    default_domain: str,
    problems: list[Problem],
) -> Question | None:
    line = draft.line
    stem = join_parts(draft.stem_lines)
    before = len(problems)
    if not draft.started or not stem:
        problems.append(Problem(path, line, "quiz: question has no text after '?'"))
        return None
    choices = [c for _, c in draft.choices]
    if len(choices) < MIN_CHOICES:
        problems.append(
            Problem(path, line, f"quiz: {len(choices)} choice(s); a question needs 2-6")
        )
    elif len(choices) > MAX_CHOICES:
        problems.append(Problem(path, line, f"quiz: {len(choices)} choices; at most {MAX_CHOICES}"))
    right = sum(c.correct for c in choices)
    if choices and right == 0:
        problems.append(Problem(path, line, "quiz: no right choice marked with [x]"))
    seen: dict[str, int] = {}
    for lineno, choice in draft.choices:
        key = normalise_stem(choice.text)
        if not key:
            problems.append(Problem(path, lineno, "quiz: empty choice"))
        elif key in seen:
            problems.append(
                Problem(path, lineno, f"quiz: duplicate choice (same as line {seen[key]})")
            )
        else:
            seen[key] = lineno
    stated = stated_choose(stem)
    if right > 1 and stated is None:
        problems.append(
            Problem(
                path,
                line,
                f"quiz: {right} right choices but the question does not say "
                f"'(Select {_word(right).upper()}.)' or '(Choose {_word(right)}.)'",
            )
        )
    elif stated is not None and stated != right:
        problems.append(
            Problem(path, line, f"quiz: says choose {stated} but marks {right} right choice(s)")
        )
    if not draft.explanation:
        problems.append(Problem(path, line, "quiz: question has no explanation ('>' lines)"))
    domain = draft.domain or default_domain
    if domain not in DOMAINS:
        problems.append(
            Problem(
                path,
                draft.domain_line or line,
                f"quiz: unknown domain {domain!r}; use one of {', '.join(DOMAINS)}",
            )
        )
    if len(problems) > before:
        return None
    qid = draft.qid or _derived_id(section_id, stem)
    return Question(
        id=qid,
        chapter_id=chapter_id,
        section_id=section_id,
        stem=stem,
        choices=tuple(choices),
        explanation=join_parts(draft.explanation),
        domain=domain,
        path=path,
        line=line,
        see=draft.see,
        see_line=draft.see_line,
        pool=draft.pool,
    )


def _word(n: int) -> str:
    for word, value in NUMBER_WORDS.items():
        if value == n:
            return word
    return str(n)


def _derived_id(section_id: str, stem: str) -> str:
    digest = hashlib.sha1(normalise_stem(stem).encode("utf-8")).hexdigest()[:10]
    return f"{section_id}?{digest}"
