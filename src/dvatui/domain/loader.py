"""Load notes from Markdown files into a :class:`~dvatui.domain.model.Corpus`.

CommonMark files are read through markdown-it-py tokens and their line maps: ``#`` starts a
chapter, ``##`` a section, ``###`` a subsection, and every other top-level block is a note
item. Files in the plain style of the learner's original README go to
:mod:`dvatui.domain.plain`. Loading never raises for bad content: problems are collected
with their file and line, and everything else still loads.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from dvatui.domain.model import (
    DOMAINS,
    Chapter,
    Corpus,
    ItemKind,
    NoteItem,
    Problem,
    Section,
    slugify,
)
from dvatui.domain.plain import looks_plain, parse_plain
from dvatui.domain.quiz import parse_quiz_block

FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
NUMBER_PREFIX_RE = re.compile(r"^\d+[-_ .]+")
BLOCK_KINDS: dict[str, ItemKind] = {
    "paragraph_open": "paragraph",
    "table_open": "table",
    "blockquote_open": "quote",
    "fence": "code",
    "code_block": "code",
    "hr": "rule",
    "html_block": "html",
}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Only block structure is needed (headings keep their raw text), so skip inline parsing:
    # it is half the cost of a parse.
    return MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"])


def item_id(section_id: str, text: str, taken: set[str]) -> str:
    """A note item's id: its section plus a hash of its whitespace-normalised text."""
    digest = hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()[:10]
    base = f"{section_id}#{digest}"
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    taken.add(candidate)
    return candidate


@dataclass
class FrontMatter:
    """What a file's YAML front matter says, and the line its body starts on."""

    title: str | None
    domains: tuple[str, ...]
    body_offset: int
    present: bool


def read_front_matter(text: str, path: Path, problems: list[Problem]) -> FrontMatter:
    """Split off and validate YAML front matter."""
    match = FRONT_MATTER_RE.match(text)
    if match is None:
        return FrontMatter(None, (), 0, False)
    offset = text[: match.end()].count("\n")
    raw = match.group(1) or ""
    try:
        data: Any = yaml.safe_load(raw) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = 2 + (mark.line if mark is not None else 0)
        problems.append(Problem(path, line, f"front matter is not valid YAML: {_yaml_reason(exc)}"))
        return FrontMatter(None, (), offset, True)
    if not isinstance(data, dict):
        problems.append(Problem(path, 1, "front matter must be a YAML mapping (key: value lines)"))
        return FrontMatter(None, (), offset, True)
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        problems.append(Problem(path, _key_line(raw, "title"), "front matter 'title' must be text"))
        title = None
    domains_raw = data.get("domains", [])
    if isinstance(domains_raw, str):
        domains_raw = [domains_raw]
    domains: list[str] = []
    if not isinstance(domains_raw, list):
        problems.append(
            Problem(path, _key_line(raw, "domains"), "front matter 'domains' must be a list")
        )
    else:
        for value in domains_raw:
            if value in DOMAINS:
                domains.append(str(value))
            else:
                problems.append(
                    Problem(path, _key_line(raw, "domains"),
                            f"unknown domain {value!r} in front matter; use {', '.join(DOMAINS)}")
                )
    return FrontMatter(title, tuple(domains), offset, True)


def _yaml_reason(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    return str(problem) if problem else str(exc).splitlines()[0]


def _key_line(raw: str, key: str) -> int:
    for n, line in enumerate(raw.splitlines(), start=2):
        if line.startswith(f"{key}:"):
            return n
    return 1


class _Builder:
    """Accumulates chapters and sections while walking one file's tokens."""

    def __init__(
        self, path: Path, front: FrontMatter, problems: list[Problem], multi: bool
    ) -> None:
        self.path = path
        self.front = front
        self.problems = problems
        self.chapters: list[Chapter] = []
        self.chapter: Chapter | None = None
        self.section: Section | None = None
        self.parent: Section | None = None
        self.item_ids: set[str] = set()
        self.section_ids: set[str] = set()
        self.file_chapter_id = slugify(NUMBER_PREFIX_RE.sub("", path.stem)) or "notes"
        self.multi = multi
        """True when the file holds several ``#`` chapters."""

    def _unique_section_id(self, base: str) -> str:
        candidate, n = base, 2
        while candidate in self.section_ids:
            candidate = f"{base}-{n}"
            n += 1
        self.section_ids.add(candidate)
        return candidate

    def start_chapter(self, title: str | None, line: int) -> Chapter:
        if self.multi and title is not None:
            chapter_id = f"{self.file_chapter_id}/{slugify(title)}"
        else:
            chapter_id = self.file_chapter_id
        chapter_id = self._unique_section_id(chapter_id)
        name = title or self.front.title or self.path.stem
        overview = Section(chapter_id, name, 1, chapter_id, self.path, line)
        chapter = Chapter(chapter_id, name, self.front.domains, self.path, line, overview)
        self.chapters.append(chapter)
        self.chapter = chapter
        self.section = overview
        self.parent = None
        return chapter

    def current_chapter(self, line: int) -> Chapter:
        return self.chapter or self.start_chapter(None, line)

    def start_section(self, title: str, level: int, line: int) -> None:
        chapter = self.current_chapter(line)
        if level == 3 and self.parent is not None:
            base = f"{self.parent.id}/{slugify(title)}"
            section = Section(self._unique_section_id(base), title, 3, chapter.id, self.path,
                              line, parent_id=self.parent.id)
            self.parent.children.append(section)
        else:
            base = f"{chapter.id}/{slugify(title)}"
            section = Section(self._unique_section_id(base), title, 2, chapter.id, self.path, line)
            chapter.sections.append(section)
            self.parent = section
        self.section = section

    def add_item(self, kind: ItemKind, text: str, line: int) -> None:
        text = text.rstrip()
        if not text.strip():
            return
        self.current_chapter(line)
        assert self.section is not None
        iid = item_id(self.section.id, text, self.item_ids)
        self.section.items.append(NoteItem(iid, kind, text, line))

    def add_quiz(self, content: str, first_line: int) -> None:
        chapter = self.current_chapter(first_line)
        assert self.section is not None
        default = chapter.domains[0] if chapter.domains else "development"
        questions, problems = parse_quiz_block(
            content,
            first_line=first_line,
            path=self.path,
            chapter_id=chapter.id,
            section_id=self.section.id,
            default_domain=default,
        )
        self.section.questions.extend(questions)
        self.problems.extend(problems)


def parse_markdown(text: str, path: Path, problems: list[Problem]) -> list[Chapter]:
    """Parse one CommonMark notes file into chapters."""
    front = read_front_matter(text, path, problems)
    lines = text.splitlines()
    body = "\n".join(lines[front.body_offset :])
    base = front.body_offset
    tokens = _parser().parse(body)
    chapters_in_file = sum(1 for t in tokens if t.type == "heading_open" and t.tag == "h1")
    builder = _Builder(path, front, problems, multi=chapters_in_file > 1)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.level != 0 or token.map is None:
            i += 1
            continue
        start, end = token.map
        line = base + start + 1
        if token.type == "heading_open":
            title = tokens[i + 1].content.strip()
            level = int(token.tag[1])
            if level == 1:
                builder.start_chapter(title, line)
            elif level in (2, 3):
                builder.start_section(title, level, line)
            else:
                builder.add_item("paragraph", _slice(lines, base, start, end), line)
            i = _skip_block(tokens, i)
            continue
        if token.type in ("bullet_list_open", "ordered_list_open"):
            kind: ItemKind = "bullet" if token.type == "bullet_list_open" else "number"
            close = _skip_block(tokens, i)
            for child in tokens[i + 1 : close]:
                if child.type == "list_item_open" and child.level == 1 and child.map:
                    cstart, cend = child.map
                    builder.add_item(kind, _slice(lines, base, cstart, cend), base + cstart + 1)
            i = close
            continue
        if token.type == "fence" and token.info.strip().split(" ")[0] == "quiz":
            builder.add_quiz(token.content, base + start + 2)
            if not token.markup or not _fence_closed(lines, base, end, token.markup):
                problems.append(Problem(path, line, "quiz block is not closed with ```"))
            i += 1
            continue
        kind_of = BLOCK_KINDS.get(token.type)
        if kind_of is not None:
            builder.add_item(kind_of, _slice(lines, base, start, end), line)
        i = _skip_block(tokens, i)
    if not builder.chapters:
        builder.start_chapter(front.title, 1)
    if front.title and len(builder.chapters) == 1:
        chapter = builder.chapters[0]
        chapter.title = front.title
        chapter.overview.title = front.title
    return builder.chapters


def _fence_closed(lines: list[str], base: int, end: int, markup: str) -> bool:
    last = base + end - 1
    return 0 <= last < len(lines) and lines[last].strip().startswith(markup)


def _slice(lines: list[str], base: int, start: int, end: int) -> str:
    chunk = lines[base + start : base + end]
    while chunk and not chunk[-1].strip():
        chunk.pop()
    return "\n".join(chunk)


def _skip_block(tokens: list[Token], i: int) -> int:
    """Index just past the block that starts at ``tokens[i]``."""
    token = tokens[i]
    if token.nesting != 1:
        return i + 1
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j + 1
    return len(tokens)


def parse_file(path: Path, problems: list[Problem]) -> list[Chapter]:
    """Read one notes file, choosing the CommonMark or the plain-notes reader."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(path, 0, f"cannot read file: {exc.strerror or exc}"))
        return []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(path, line, "file is not UTF-8 text; save it as UTF-8"))
        text = raw.decode("utf-8", errors="replace")
    text = text.replace("\r\n", "\n")
    if looks_plain(text):
        return parse_plain(text, path, problems)
    return parse_markdown(text, path, problems)


def notes_files(root: Path) -> list[Path]:
    """Markdown files under a folder, in name order (folders depth first)."""
    files = [p for p in root.rglob("*") if p.suffix.lower() in (".md", ".markdown", ".txt")]
    files = [p for p in files if p.is_file() and not any(part.startswith(".") for part in
                                                          p.relative_to(root).parts)]
    return sorted(files, key=lambda p: [part.lower() for part in p.relative_to(root).parts])


def load_corpus(path: Path) -> Corpus:
    """Load a notes file or folder.

    Args:
        path: A Markdown file, or a folder of them.

    Returns:
        The corpus; its ``problems`` list what could not be loaded and where.
    """
    problems: list[Problem] = []
    chapters: list[Chapter] = []
    if path.is_dir():
        files = notes_files(path)
        if not files:
            problems.append(Problem(path, 0, "no Markdown (.md) files in this folder"))
    elif path.exists():
        files = [path]
    else:
        problems.append(Problem(path, 0, "no such file or folder"))
        files = []
    for file in files:
        chapters.extend(parse_file(file, problems))
    _dedupe_chapter_ids(chapters)
    corpus = Corpus(chapters, problems, path)
    corpus.problems.extend(_duplicate_questions(corpus.chapters))
    return corpus


def _dedupe_chapter_ids(chapters: Iterable[Chapter]) -> None:
    seen: set[str] = set()
    for chapter in chapters:
        if chapter.id in seen:
            # Two files with the same slug (e.g. from different folders): keep both,
            # make the later one unique by its path so ids stay stable.
            new_id = f"{slugify(str(chapter.path.parent.name))}/{chapter.id}"
            _rename_chapter(chapter, new_id)
        seen.add(chapter.id)


def _rename_chapter(chapter: Chapter, new_id: str) -> None:
    old = chapter.id
    chapter.id = new_id
    for section in chapter.walk():
        section.id = new_id + section.id[len(old):]
        section.chapter_id = new_id
        section.parent_id = (
            new_id + section.parent_id[len(old):] if section.parent_id else None
        )
        section.items = [
            replace(it, id=new_id + it.id[len(old):]) for it in section.items
        ]
        section.questions = [
            replace(q, chapter_id=new_id, section_id=section.id) for q in section.questions
        ]


def _duplicate_questions(chapters: list[Chapter]) -> list[Problem]:
    from dvatui.domain.quiz import normalise_stem

    problems: list[Problem] = []
    by_id: dict[str, tuple[Path, int]] = {}
    by_stem: dict[str, tuple[Path, int]] = {}
    for chapter in chapters:
        for section in chapter.walk():
            kept = []
            for q in section.questions:
                dup = False
                if q.id in by_id:
                    p, ln = by_id[q.id]
                    problems.append(Problem(q.path, q.line,
                                            f"duplicate question id {q.id!r} (first at {p}:{ln})"))
                    dup = True
                stem = normalise_stem(q.stem)
                if stem in by_stem:
                    p, ln = by_stem[stem]
                    problems.append(Problem(q.path, q.line,
                                            f"duplicate question text (first at {p}:{ln})"))
                    dup = True
                if not dup:
                    by_id[q.id] = (q.path, q.line)
                    by_stem[stem] = (q.path, q.line)
                    kept.append(q)
            section.questions = kept
    return problems
