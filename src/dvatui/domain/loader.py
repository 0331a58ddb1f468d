"""Load notes from Markdown files into a :class:`~dvatui.domain.model.Corpus`.

CommonMark files are read through markdown-it-py tokens and their line maps: ``#`` starts a
chapter, ``##`` a section, ``###`` a subsection, and every other top-level block is a note
item. Files in the plain style of the learner's original README go to
:mod:`dvatui.domain.plain`. Loading never raises for bad content: problems are collected
with their file and line, and everything else still loads.

Notes are untrusted input. Files are read through :mod:`dvatui.domain.files` (regular
files only, with a size cap), control characters are made visible as soon as a file is
decoded (:func:`~dvatui.domain.text.clean_text`), YAML front matter is bounded in size and
depth and may not use aliases, and a failure inside one file's parse is reported against
that file while the other files still load.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from msgspec import Struct
from msgspec.structs import replace

from dvatui.domain.cards import cards_in_item
from dvatui.domain.files import notes_candidates, read_notes_file
from dvatui.domain.ids import IdPool, item_id, slugify, unique_id
from dvatui.domain.model import (
    DOMAINS,
    LAST_GOOD,
    Chapter,
    Corpus,
    ItemKind,
    NoteItem,
    Problem,
    Section,
    Severity,
)
from dvatui.domain.plain import looks_plain, parse_plain
from dvatui.domain.quiz import normalise_stem, parse_quiz_block
from dvatui.domain.text import clean_text, quote

__all__ = [
    "MAX_FRONT_MATTER_BYTES",
    "MAX_FRONT_MATTER_DEPTH",
    "MAX_LINES",
    "MAX_TOKENS",
    "FrontMatter",
    "TooComplexError",
    "item_id",
    "load_corpus",
    "parse_file",
    "parse_markdown",
    "parse_text",
    "read_front_matter",
]

FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
NUMBER_PREFIX_RE = re.compile(r"^\d+[-_ .]+")
MAX_FRONT_MATTER_BYTES = 16 * 1024
"""Front matter longer than this (16 KiB) is reported and ignored."""
MAX_FRONT_MATTER_DEPTH = 8
"""How deep YAML collections may nest in front matter (``title`` and ``domains`` need 2)."""
MAX_LINES = 200_000
"""A notes file with more lines is not parsed (the 25 shipped chapters have ~11,000)."""
MAX_TOKENS = 200_000
"""A Markdown file that makes more block tokens is not parsed (the shipped chapters make
~13,000 together). Parsing costs ~350 bytes per token, and a file of nested lists or wide
tables makes several tokens per byte: this, not the 4 MiB file size, bounds the memory."""
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


class _FrontMatterLoader(yaml.SafeLoader):
    """A safe YAML loader for untrusted front matter: no aliases or anchors, bounded depth.

    Aliases are what a "billion laughs" bomb multiplies; composing nodes is recursive, so
    the depth bound also keeps a deeply nested value from exhausting the stack.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None,
                None,
                "anchors and aliases (&name, *name) are not allowed in front matter",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_FRONT_MATTER_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"values nested more than {MAX_FRONT_MATTER_DEPTH} levels deep",
                    event.start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class TooComplexError(Exception):
    """A notes file is beyond what the loader parses (:data:`MAX_LINES`, :data:`MAX_TOKENS`)."""


class _TokenBudget(list[Token]):
    """markdown-it's token list, failing once it passes :data:`MAX_TOKENS`."""

    def append(self, token: Token) -> None:
        if len(self) >= MAX_TOKENS:
            raise TooComplexError(f"more than {MAX_TOKENS:,} Markdown tokens")
        super().append(token)


def _parse_blocks(body: str) -> list[Token]:
    """``MarkdownIt.parse`` with a bounded token list."""
    md = _parser()
    state = StateCore(body, md, {})
    state.tokens = _TokenBudget()
    md.core.process(state)
    return state.tokens


class FrontMatter(Struct):
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
    if len(raw.encode("utf-8", "replace")) > MAX_FRONT_MATTER_BYTES:
        problems.append(
            Problem(
                path,
                1,
                f"front matter is longer than {MAX_FRONT_MATTER_BYTES // 1024} KiB; it is ignored",
            )
        )
        return FrontMatter(None, (), offset, True)
    try:
        data: Any = yaml.load(raw, Loader=_FrontMatterLoader) or {}  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = 2 + (mark.line if mark is not None else 0)
        problems.append(Problem(path, line, f"front matter is not valid YAML: {_yaml_reason(exc)}"))
        return FrontMatter(None, (), offset, True)
    except Exception as exc:  # e.g. an integer too long to convert, a RecursionError
        problems.append(
            Problem(
                path, 2, f"front matter could not be read ({type(exc).__name__}); it is ignored"
            )
        )
        return FrontMatter(None, (), offset, True)
    if not isinstance(data, dict):
        problems.append(Problem(path, 1, "front matter must be a YAML mapping (key: value lines)"))
        return FrontMatter(None, (), offset, True)
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        problems.append(Problem(path, _key_line(raw, "title"), "front matter 'title' must be text"))
        title = None
    if title is not None:
        title = clean_text(title)  # YAML escapes ("\e", "\x9b") can spell control characters
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
            if isinstance(value, str) and value in DOMAINS:
                domains.append(value)
            else:
                problems.append(
                    Problem(
                        path,
                        _key_line(raw, "domains"),
                        f"unknown domain {quote(value)} in front matter; use {', '.join(DOMAINS)}",
                    )
                )
    return FrontMatter(title, tuple(domains), offset, True)


def _yaml_reason(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    reason = str(problem) if problem else (str(exc).splitlines() or ["unknown error"])[0]
    return reason[:200]


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
        self.item_ids = IdPool()
        self.card_ids = IdPool()
        self.section_ids = IdPool()
        self.file_chapter_id = slugify(NUMBER_PREFIX_RE.sub("", path.stem)) or "notes"
        self.multi = multi
        """True when the file holds several ``#`` chapters."""

    def _unique_section_id(self, base: str) -> str:
        return unique_id(base, self.section_ids)

    def start_chapter(self, title: str | None, line: int) -> Chapter:
        if self.multi and title is not None:
            chapter_id = f"{self.file_chapter_id}/{slugify(title)}"
        else:
            chapter_id = self.file_chapter_id
        chapter_id = self._unique_section_id(chapter_id)
        name = title or self.front.title or clean_text(self.path.stem)
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
            section = Section(
                self._unique_section_id(base),
                title,
                3,
                chapter.id,
                self.path,
                line,
                parent_id=self.parent.id,
            )
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
        if kind in ("paragraph", "bullet", "number") and ("::" in text or "?" in text):
            self.section.cards.extend(
                cards_in_item(
                    self.section, text, line, self.card_ids, list_item=kind != "paragraph"
                )
            )

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
    # Split on "\n" only, as markdown-it does, so that its line maps index this list
    # (str.splitlines would also split on form feeds and U+2028).
    lines = text.split("\n")
    body = "\n".join(lines[front.body_offset :])
    base = front.body_offset
    tokens = _parse_blocks(body)
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


def parse_text(raw: bytes, path: Path, problems: list[Problem]) -> list[Chapter]:
    """Parse one notes file's bytes, choosing the CommonMark or the plain-notes reader.

    The text is decoded as UTF-8 and its control characters are made visible before any
    parsing, so no heading, item, code block, quiz or message can carry one.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(path, line, "file is not UTF-8 text; save it as UTF-8"))
        text = raw.decode("utf-8", errors="replace")
    text = clean_text(text.replace("\r\n", "\n"))
    if text.count("\n") >= MAX_LINES:
        raise TooComplexError(f"more than {MAX_LINES:,} lines")
    if looks_plain(text):
        return parse_plain(text, path, problems)
    return parse_markdown(text, path, problems)


def parse_file(path: Path, problems: list[Problem], *, root: Path | None = None) -> list[Chapter]:
    """Read and parse one notes file; a failure is reported against the file, never raised.

    Args:
        path: The file.
        problems: Where problems are collected.
        root: The notes folder the file was found in (symbolic links must stay inside it),
            or None for a file the learner named.
    """
    raw = read_notes_file(path, problems, root=root)
    if raw is None:
        return []
    try:
        return parse_text(raw, path, problems)
    except TooComplexError as exc:
        severity: Severity = "warning" if root is not None else "error"
        problems.append(Problem(path, 0, f"skipped: too large to parse ({exc})", severity))
        return []
    except Exception as exc:  # a parser bug or an input too deep for it: lose one file only
        problems.append(
            Problem(
                path,
                1,
                f"could not read this file ({type(exc).__name__}: {str(exc)[:100]}); it is skipped",
            )
        )
        return []


def load_corpus(path: Path) -> Corpus:
    """Load a notes file or folder.

    Args:
        path: A Markdown file, or a folder of them.

    Returns:
        The corpus; its ``problems`` list what could not be loaded and where.
    """
    problems: list[Problem] = []
    chapters: list[Chapter] = []
    folder: Path | None = None
    if path.is_dir():
        folder = path
        files = notes_candidates(path, problems)
        if not files:
            problems.append(Problem(path, 0, "no Markdown (.md) files in this folder"))
    elif os.path.lexists(path):
        files = [path]
    else:
        problems.append(Problem(path, 0, "no such file or folder"))
        files = []
    for file in files:
        chapters.extend(parse_file(file, problems, root=folder))
    _dedupe_chapter_ids(chapters)
    # Duplicates are dropped before the corpus builds its id lookups, so that
    # ``corpus.question(id)`` is the question that the sections show.
    problems.extend(_duplicate_questions(chapters))
    return Corpus(chapters, problems, path)


def _dedupe_chapter_ids(chapters: Iterable[Chapter]) -> None:
    chapters = list(chapters)
    seen = IdPool()
    for chapter in chapters:  # a renamed chapter must not take a section's id either
        for section in chapter.walk():
            if section.level > 1 and section.id not in seen:
                seen.claim(section.id)
    for chapter in chapters:
        if chapter.id in seen:
            # Two files with the same slug (e.g. from different folders): keep both,
            # make the later one unique by its path so ids stay stable.
            base = f"{slugify(str(chapter.path.parent.name))}/{chapter.id}"
            _rename_chapter(chapter, unique_id(base, seen))
        else:
            seen.claim(chapter.id)


def _rename_chapter(chapter: Chapter, new_id: str) -> None:
    old = chapter.id
    chapter.id = new_id
    for section in chapter.walk():
        section.id = new_id + section.id[len(old) :]
        section.chapter_id = new_id
        section.parent_id = new_id + section.parent_id[len(old) :] if section.parent_id else None
        section.items = [replace(it, id=new_id + it.id[len(old) :]) for it in section.items]
        section.questions = [
            replace(q, chapter_id=new_id, section_id=section.id) for q in section.questions
        ]
        section.cards = [
            replace(c, id=new_id + c.id[len(old) :], chapter_id=new_id, section_id=section.id)
            for c in section.cards
        ]


def _duplicate_questions(chapters: list[Chapter]) -> list[Problem]:
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
                    problems.append(
                        Problem(
                            q.path,
                            q.line,
                            f"duplicate question id {quote(q.id)} (first at {p}:{ln})",
                        )
                    )
                    dup = True
                stem = normalise_stem(q.stem)
                if stem in by_stem:
                    p, ln = by_stem[stem]
                    problems.append(
                        Problem(q.path, q.line, f"duplicate question text (first at {p}:{ln})")
                    )
                    dup = True
                if not dup:
                    by_id[q.id] = (q.path, q.line)
                    by_stem[stem] = (q.path, q.line)
                    kept.append(q)
            section.questions = kept
    return problems


# --------------------------------------------------------------------------- reloading


Signature = tuple[int, int, int]
"""A file's (inode, size, mtime_ns): a change in any means it was written."""


def _signature(path: Path) -> Signature | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _copy_section(section: Section) -> Section:
    return replace(
        section,
        items=list(section.items),
        questions=list(section.questions),
        cards=list(section.cards),
        children=[_copy_section(child) for child in section.children],
    )


def _copy_chapter(chapter: Chapter) -> Chapter:
    """A copy whose sections can be renamed and filtered without touching the original."""
    return replace(
        chapter,
        overview=_copy_section(chapter.overview),
        sections=[_copy_section(s) for s in chapter.sections],
    )


class _FileState(Struct, frozen=True):
    signature: Signature | None
    chapters: list[Chapter]
    """What the corpus shows of the file."""
    problems: list[Problem]
    good: list[Chapter] | None
    """The chapters of the file's last parse without an error (None: it never had one)."""


class NotesLoader:
    """Loads a notes file or folder, then reloads it cheaply when files change.

    Only files whose (inode, size, mtime) changed are parsed again. A file that now has
    errors but loaded cleanly before keeps its last clean version, and each error becomes a
    warning naming the file and line, ending with :data:`LAST_GOOD`; fixing the file clears
    it. Not thread-safe: the app uses one loader from one worker thread at a time.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._files: dict[Path, _FileState] = {}
        self._listing: list[Path] | None = None

    def _list(self, problems: list[Problem]) -> list[Path]:
        path = self.path
        if path.is_dir():
            files = notes_candidates(path, problems)
            if not files:
                problems.append(Problem(path, 0, "no Markdown (.md) files in this folder"))
            return files
        if os.path.lexists(path):
            return [path]
        problems.append(Problem(path, 0, "no such file or folder"))
        return []

    def changed(self) -> bool:
        """True when a file was added, removed or written since the last ``load`` (one listing
        of the folder and a stat per file; no parsing)."""
        files = self._list([])
        if files != self._listing:
            return True
        return any(self._files[f].signature != _signature(f) for f in files)

    def load(self) -> Corpus:
        """Load the notes, parsing only the files that changed since the last load."""
        problems: list[Problem] = []
        files = self._list(problems)
        folder = self.path if self.path.is_dir() else None
        for file in files:
            signature = _signature(file)
            known = self._files.get(file)
            if known is not None and signature is not None and known.signature == signature:
                continue
            found: list[Problem] = []
            chapters = parse_file(file, found, root=folder)
            errors = [p for p in found if p.severity == "error"]
            if not chapters and found and known is not None and known.good:
                errors = found  # skipped now (too large, unreadable): it was fine before
            if not errors:
                state = _FileState(signature, chapters, found, chapters)
            elif known is not None and known.good is not None:
                warned = [p for p in found if p not in errors] + [
                    Problem(p.path, p.line, f"{p.message} ({LAST_GOOD})", "warning") for p in errors
                ]
                state = _FileState(signature, known.good, warned, known.good)
            else:
                state = _FileState(signature, chapters, found, None)
            self._files[file] = state
        for gone in set(self._files) - set(files):
            del self._files[gone]
        self._listing = files
        chapters = [_copy_chapter(c) for f in files for c in self._files[f].chapters]
        for file in files:
            problems.extend(self._files[file].problems)
        _dedupe_chapter_ids(chapters)
        problems.extend(_duplicate_questions(chapters))
        return Corpus(chapters, problems, self.path)


def corpus_digest(corpus: Corpus) -> int:
    """A digest of what a corpus shows (ids, titles, texts, problems): equal digests mean
    a reload would change nothing on screen."""
    parts: list[object] = []
    for section in corpus.sections():
        parts.append((section.id, section.title, section.level))
        parts.extend(item.id for item in section.items)
        parts.extend((q.id, q.stem, q.explanation, q.choices) for q in section.questions)
        parts.extend(card.id for card in section.cards)
    parts.extend(str(p) for p in corpus.problems)
    return hash(tuple(parts))
