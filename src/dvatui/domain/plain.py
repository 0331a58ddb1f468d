"""A line-based reader for plain notes: the style of the learner's original DVA-C01 README.

That style has ``#`` chapters, but its sub-headings are bare lines (``ENI``, ``Cross zone LB``,
``CloudWatch:``) followed by numbered lists whose numbering is loose (``8 ELB``, ``10.Users``,
``19 . x``, repeated numbers), indented continuation lines, nested lists that restart at 1,
``Demo notes`` blocks of ``>`` lines and empty chapters. CommonMark would read much of that as
lazy continuations, block quotes and indented code, so this reader works line by line.
"""

from __future__ import annotations

import re
from pathlib import Path

from msgspec import Struct, field

from dvatui.domain.cards import is_quiz_heading, plain_quiz_cards
from dvatui.domain.ids import IdPool, item_id, slugify, unique_id
from dvatui.domain.model import Chapter, ItemKind, NoteItem, Problem, Section
from dvatui.domain.text import clean_text

CHAPTER_RE = re.compile(r"^#\s+(.*?)\s*$")
DOTTED_RE = re.compile(r"^(\d{1,3})\s*\.\s*(.*)$")
"""``1. x``, ``10.Users``, ``19 . Dockerrun``."""
SPACED_RE = re.compile(r"^(\d{1,3})\s+(\S.*)$")
"""``8 ELB``: a number with no dot, accepted only where the list expects that number."""
NAMED_HEADING_RE = re.compile(r"(?i)^(demo notes|.*\bquiz\s*:?)$")
NUMBER_PREFIX_RE = re.compile(r"^\d+[-_ .]+")
MAX_HEADING_LEN = 80


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def looks_plain(text: str) -> bool:
    """True when a file reads like plain notes rather than CommonMark.

    Plain notes have ``#`` chapters but no ``##`` headings, no fenced blocks and no bullet
    lists, and a good share of their lines are numbered items.
    """
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines or not any(CHAPTER_RE.match(ln) for ln in lines):
        return False
    for ln in lines:
        s = ln.lstrip()
        if s.startswith(("##", "```", "~~~", "- ", "* ", "+ ", "|")):
            return False
    numbered = sum(1 for ln in lines if DOTTED_RE.match(ln.strip()))
    return numbered >= 3 and numbered * 5 >= len(lines)


class _Draft(Struct):
    line: int
    kind: ItemKind
    head: str
    number: int | None = None
    indent: int = 0
    extra: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)


class _PlainBuilder:
    def __init__(self, path: Path, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        self.file_id = slugify(NUMBER_PREFIX_RE.sub("", path.stem)) or "notes"
        self.multi = sum(1 for ln in lines if CHAPTER_RE.match(ln)) > 1
        self.chapters: list[Chapter] = []
        self.ids = IdPool()
        self.card_ids = IdPool()
        self.section: Section | None = None
        self.drafts: list[_Draft] = []
        self.top_indent: int | None = None
        self.last_top: int | None = None
        self.nested_indent: int | None = None

    def unique(self, base: str) -> str:
        return unique_id(base, self.ids)

    # -- structure -------------------------------------------------------------------------
    def start_chapter(self, title: str, line: int) -> None:
        self.close_section()
        cid = self.unique(f"{self.file_id}/{slugify(title)}" if self.multi else self.file_id)
        overview = Section(cid, title, 1, cid, self.path, line)
        self.chapters.append(Chapter(cid, title, (), self.path, line, overview, markup="plain"))
        self.section = overview

    def start_section(self, title: str, line: int) -> None:
        if not self.chapters:
            self.start_chapter(clean_text(self.path.stem), 1)
        self.close_section()
        chapter = self.chapters[-1]
        sid = self.unique(f"{chapter.id}/{slugify(title)}")
        section = Section(sid, title, 2, chapter.id, self.path, line)
        chapter.sections.append(section)
        self.section = section

    def close_section(self) -> None:
        if self.section is not None:
            position = 0
            for draft in self.drafts:
                if draft.kind == "number":
                    position += 1
                self.section.items.append(self.finish(draft, position))
            if self.section.level == 2 and is_quiz_heading(self.section.title):
                chapter = self.chapters[-1].title if self.chapters else ""
                self.section.cards.extend(plain_quiz_cards(self.section, chapter, self.card_ids))
        self.drafts = []
        self.top_indent = None
        self.last_top = None
        self.nested_indent = None

    def finish(self, draft: _Draft, position: int) -> NoteItem:
        assert self.section is not None
        head = f"{position}. {draft.head}" if draft.kind == "number" else draft.head
        body = [head, *("   " + x for x in draft.extra), *("   " + c for c in draft.children)]
        text = "\n".join(part.rstrip() for part in body)
        return NoteItem(
            item_id(self.section.id, text, self.ids), draft.kind, text, draft.line, markup="plain"
        )

    # -- lines -----------------------------------------------------------------------------
    def numbered(self, raw: str) -> tuple[int, str] | None:
        s = raw.strip()
        dotted = DOTTED_RE.match(s)
        if dotted:
            return int(dotted.group(1)), dotted.group(2).strip()
        spaced = SPACED_RE.match(s)
        expected = (
            self.last_top is not None
            and spaced is not None
            and (int(spaced.group(1)) == self.last_top + 1)
        )
        aligned = self.top_indent is None or _indent(raw) <= self.top_indent + 1
        if spaced is not None and expected and aligned:
            return int(spaced.group(1)), spaced.group(2).strip()
        return None

    def next_nonblank(self, index: int) -> int | None:
        for j in range(index + 1, len(self.lines)):
            if self.lines[j].strip():
                return j
        return None

    def is_heading(self, index: int) -> bool:
        raw = self.lines[index]
        s = raw.strip()
        if len(s) > MAX_HEADING_LEN or s.startswith((">", "#")) or DOTTED_RE.match(s):
            return False
        after_break = (
            index == 0
            or not self.lines[index - 1].strip()
            or bool(CHAPTER_RE.match(self.lines[index - 1]))
        )
        if NAMED_HEADING_RE.match(s):
            return True
        j = self.next_nonblank(index)
        nxt = self.lines[j] if j is not None else ""
        nxt_num = DOTTED_RE.match(nxt.strip())
        if nxt_num and int(nxt_num.group(1)) == 1 and abs(_indent(nxt) - _indent(raw)) <= 2:
            return after_break or not self.drafts
        if s.endswith(":") and after_break:
            return not (nxt_num and int(nxt_num.group(1)) > 1)
        return after_break and nxt.strip().startswith(">") and not self.drafts

    def add_numbered(self, raw: str, number: int, text: str, lineno: int) -> None:
        indent = _indent(raw)
        if self.top_indent is None or indent < self.top_indent:
            self.top_indent = indent
        parent = self.drafts[-1] if self.drafts else None
        deeper = indent > self.top_indent + 1 and parent is not None and parent.kind == "number"
        in_run = self.nested_indent is not None and indent >= self.nested_indent - 1
        if deeper and (number == 1 or in_run):
            assert parent is not None
            if self.nested_indent is None:
                self.nested_indent = indent
            parent.children.append(f"{len(parent.children) + 1}. {text}")
            return
        self.nested_indent = None
        self.last_top = number
        self.drafts.append(_Draft(lineno, "number", text, number, indent))

    def add_other(self, raw: str, lineno: int) -> None:
        s = raw.strip()
        if s.startswith(">"):
            self.drafts.append(_Draft(lineno, "quote", "> " + s[1:].strip(), indent=_indent(raw)))
            return
        if self.drafts:
            self.drafts[-1].extra.append(" ".join(s.split()))
            return
        self.drafts.append(_Draft(lineno, "paragraph", " ".join(s.split()), indent=_indent(raw)))

    def run(self) -> list[Chapter]:
        for index, raw in enumerate(self.lines):
            lineno = index + 1
            if not raw.strip():
                continue
            chapter = CHAPTER_RE.match(raw)
            if chapter:
                self.start_chapter(chapter.group(1) or "Untitled", lineno)
                continue
            if self.section is None:
                self.start_chapter(clean_text(self.path.stem), 1)
            item = self.numbered(raw)
            if item is not None:
                self.add_numbered(raw, item[0], item[1], lineno)
            elif self.is_heading(index):
                self.start_section(raw.strip().rstrip(":").strip(), lineno)
            else:
                self.add_other(raw, lineno)
        self.close_section()
        return self.chapters


def parse_plain(text: str, path: Path, problems: list[Problem]) -> list[Chapter]:
    """Parse a plain-notes file into chapters, sections and items.

    Items keep their own text; numbering is by position, so ``8 ELB``, ``10.Users`` and
    repeated numbers all read in order. Nothing here is an error: a chapter with no content
    is kept (and shown as empty).
    """
    del problems  # the plain reader accepts every line; kept for a uniform signature
    # "\n" only: line numbers must match the editor's, whatever U+2028 or a form feed says.
    return _PlainBuilder(path, text.split("\n")).run()
