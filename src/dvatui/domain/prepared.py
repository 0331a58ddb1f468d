"""Note items and question texts parsed ahead of time, so showing them needs no parser.

Rich renders a note item's Markdown by parsing it with markdown-it on every render, and
importing the two (with Pygments, which Rich's Markdown imports) costs ~25 ms. The corpus
cache therefore keeps every section *prepared* (``prepare_section``): each note item as a
small tree of blocks (paragraphs of styled runs, lists, quotes, code, tables) and the inline
Markdown of the section's questions as runs. The note pane lays out blocks with Rich's
``Text`` and ``Table`` exactly as Rich's Markdown would (``widgets/markup.py``), so a start
with nothing kept from the last session draws its first frame without a Markdown parser.

An item whose Markdown uses anything else (a heading, a rule, an image, raw HTML blocks)
is prepared as None: the note pane renders it with Rich's Markdown, as before.

Textual- and Rich-free: runs name their kinds (``strong``, ``code``...), not styles.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

import msgspec
from msgspec import Struct

if TYPE_CHECKING:
    from collections.abc import Iterable

    from markdown_it import MarkdownIt
    from markdown_it.token import Token

    from dvatui.domain.model import Corpus, Section

__all__ = [
    "LITERAL_RE",
    "Block",
    "Cell",
    "Code",
    "ListBlock",
    "Para",
    "PreparedSection",
    "Quote",
    "Run",
    "TableBlock",
    "decode_prepared",
    "encode_prepared",
    "inline_sources",
    "prepare_blocks",
    "prepare_section",
    "prepared_section",
    "prepared_sections",
    "question_runs",
]

Run = tuple[str, tuple[str, ...]]
"""A run of text and the inline kinds it is inside, outermost first: ``strong``, ``em``,
``s``, ``code``, ``kbd``, ``link``, ``link_url`` (notes); ``url`` (questions)."""

Justify = Literal["default", "left", "center", "right"]


class Para(Struct, frozen=True, array_like=True, tag="p"):
    """A paragraph: its runs, in order (adjacent runs are not merged, as in Rich)."""

    runs: tuple[Run, ...]


class Code(Struct, frozen=True, array_like=True, tag="c"):
    """A fenced or indented code block."""

    text: str


class Quote(Struct, frozen=True, array_like=True, tag="q"):
    """A block quote and the blocks inside it."""

    blocks: tuple[Block, ...]


class ListBlock(Struct, frozen=True, array_like=True, tag="l"):
    """A bullet list (``start`` None) or a numbered list from ``start``; each item is a
    tuple of blocks."""

    start: int | None
    items: tuple[tuple[Block, ...], ...]


class Cell(Struct, frozen=True, array_like=True):
    """A table cell: its alignment (``default``: none given) and runs."""

    justify: Justify
    runs: tuple[Run, ...]


class TableBlock(Struct, frozen=True, array_like=True, tag="t"):
    """A table: the header row (None without one) and the body rows."""

    header: tuple[Cell, ...] | None
    rows: tuple[tuple[Cell, ...], ...]


Block = Para | Code | Quote | ListBlock | TableBlock


class PreparedSection(Struct, frozen=True, array_like=True):
    """A section's note items as blocks and its questions' inline Markdown as runs, both
    keyed by their source text (so a lookup can never hand over another text's blocks)."""

    items: dict[str, tuple[Block, ...] | None]
    runs: dict[str, tuple[Run, ...]]


class _UnsupportedError(Exception):
    """The Markdown uses something blocks do not cover: Rich renders it."""


# -- note items ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _note_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # What Rich's Markdown parses with (CommonMark, raw HTML on, strikethrough, tables).
    return MarkdownIt().enable("strikethrough").enable("table")


def prepare_blocks(source: str) -> tuple[Block, ...] | None:
    """A note item's Markdown as blocks, or None if it uses something blocks do not cover.

    The blocks keep what Rich's Markdown renders, in its order and with its quirks: raw
    inline HTML other than ``<kbd>`` is dropped; a link shows its text, then its address in
    parentheses; list items and quotes hold their blocks without blank lines between them.
    """
    tokens = _flatten(_note_parser().parse(source))
    try:
        blocks, end = _blocks(tokens, 0, None)
    except (_UnsupportedError, IndexError, ValueError, RecursionError):
        return None
    return blocks if end == len(tokens) else None


def _flatten(tokens: list[Token]) -> list[Token]:
    """Inline tokens replaced by their children (as Rich walks them)."""
    flat: list[Token] = []
    for token in tokens:
        if token.children and token.type != "fence" and token.tag != "img":
            flat.extend(_flatten(token.children))
        else:
            flat.append(token)
    return flat


def _blocks(tokens: list[Token], start: int, close: str | None) -> tuple[tuple[Block, ...], int]:
    """Blocks from ``tokens[start]`` until the token of type ``close`` (or the end); returns
    them and the index after ``close``."""
    out: list[Block] = []
    index = start
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        if kind == close:
            return tuple(out), index + 1
        if kind == "paragraph_open":
            runs, index = _runs(tokens, index + 1, "paragraph_close")
            out.append(Para(runs))
        elif kind in ("fence", "code_block"):
            out.append(Code(token.content))
            index += 1
        elif kind == "blockquote_open":
            inner, index = _blocks(tokens, index + 1, "blockquote_close")
            out.append(Quote(inner))
        elif kind in ("bullet_list_open", "ordered_list_open"):
            first = None if kind == "bullet_list_open" else int(token.attrs.get("start", 1))
            items, index = _list_items(tokens, index + 1, kind.replace("_open", "_close"))
            out.append(ListBlock(first, items))
        elif kind == "table_open":
            table, index = _table(tokens, index + 1)
            out.append(table)
        else:
            raise _UnsupportedError(kind)
    if close is not None:
        raise _UnsupportedError(f"no {close}")
    return tuple(out), index


def _list_items(
    tokens: list[Token], index: int, close: str
) -> tuple[tuple[tuple[Block, ...], ...], int]:
    items: list[tuple[Block, ...]] = []
    while tokens[index].type != close:
        if tokens[index].type != "list_item_open":
            raise _UnsupportedError(tokens[index].type)
        blocks, index = _blocks(tokens, index + 1, "list_item_close")
        items.append(blocks)
    return tuple(items), index + 1


def _table(tokens: list[Token], index: int) -> tuple[TableBlock, int]:
    header: tuple[Cell, ...] | None = None
    rows: list[tuple[Cell, ...]] = []
    in_head = False
    while tokens[index].type != "table_close":
        kind = tokens[index].type
        if kind in ("thead_open", "thead_close", "tbody_open", "tbody_close"):
            in_head = kind == "thead_open"
            index += 1
        elif kind == "tr_open":
            row, index = _row(tokens, index + 1)
            if in_head:
                header = row  # Rich keeps the head's last row
            else:
                rows.append(row)
        else:
            raise _UnsupportedError(kind)
    return TableBlock(header, tuple(rows)), index + 1


def _row(tokens: list[Token], index: int) -> tuple[tuple[Cell, ...], int]:
    cells: list[Cell] = []
    while tokens[index].type != "tr_close":
        kind = tokens[index].type
        if kind not in ("th_open", "td_open"):
            raise _UnsupportedError(kind)
        style = str(tokens[index].attrs.get("style"))
        justify: Justify = "default"
        for name in ("right", "center", "left"):  # Rich's order
            if f"text-align:{name}" in style:
                justify = name
                break
        runs, index = _runs(tokens, index + 1, kind.replace("_open", "_close"))
        cells.append(Cell(justify, runs))
    return tuple(cells), index + 1


def _runs(tokens: list[Token], index: int, close: str) -> tuple[tuple[Run, ...], int]:
    """The runs of inline tokens up to ``close``, styled as Rich's Markdown styles them: a
    stack of kinds that every closing token pops (whichever kind is on top, as Rich does)."""
    runs: list[Run] = []
    kinds: list[str] = []
    link: list[str] | None = None  # the text of an open link (Rich keeps only its letters)
    href = ""

    def add(text: str, *extra: str) -> None:
        if link is not None:
            link.append(text)
        elif text:
            runs.append((text, (*kinds, *extra)))

    while tokens[index].type != close:
        token = tokens[index]
        kind = token.type
        index += 1
        if kind == "text":
            add(token.content)
        elif kind == "softbreak":
            add(" ")
        elif kind == "hardbreak":
            add("\n")
        elif kind == "code_inline":
            if token.content:
                add(token.content, "code")
        elif kind in ("strong_open", "em_open", "s_open"):
            kinds.append(token.tag)
        elif kind in ("strong_close", "em_close", "s_close"):
            if not kinds:
                raise _UnsupportedError("unbalanced")
            kinds.pop()
        elif kind == "html_inline":
            if token.content == "<kbd>":
                kinds.append("kbd")
            elif token.content == "</kbd>":
                if not kinds:
                    raise _UnsupportedError("unbalanced")
                kinds.pop()
        elif kind == "link_open" and link is None:
            link, href = [], str(token.attrs.get("href", "#"))
        elif kind == "link_close" and link is not None:
            text, link = "".join(link), None
            add(text, "link")
            add(" (")
            add(href, "link_url")
            add(")")
        else:
            raise _UnsupportedError(kind)
    if kinds or link is not None:
        raise _UnsupportedError("unbalanced")
    return tuple(runs), index + 1


# -- question texts -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _inline_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # No raw HTML: "<role-name>" in a question is text, as in the note pane.
    return MarkdownIt("commonmark", {"html": False}).enable("strikethrough")


def question_runs(source: str) -> tuple[Run, ...]:
    """The text of inline Markdown (a question's stem, choice or explanation) as runs.

    Kinds: ``code``, ``strong``, ``em``, ``s``, ``link``, and ``url`` for a link's address
    shown after its text (unless it is the text itself or a ``#`` anchor)."""
    runs: list[Run] = []
    kinds: list[str] = []
    hrefs: list[str] = []
    link_text: list[str] = []

    def add(text: str, *extra: str) -> None:
        if text:
            runs.append((text, (*kinds, *extra)))
            if hrefs:
                link_text.append(text)

    for block in _inline_parser().parseInline(source):
        for token in block.children or ():
            kind = token.type
            if kind in ("text", "html_inline"):
                add(token.content)
            elif kind == "code_inline":
                add(token.content, "code")
            elif kind == "softbreak":
                add(" ")
            elif kind == "hardbreak":
                add("\n")
            elif kind.endswith("_open") and kind[:-5] in ("strong", "em", "s"):
                kinds.append(kind[:-5])
            elif kind.endswith("_close") and kind[:-6] in ("strong", "em", "s"):
                if kind[:-6] in kinds:
                    kinds.remove(kind[:-6])
            elif kind == "link_open":
                kinds.append("link")
                hrefs.append(str(token.attrs.get("href", "")))
                link_text.clear()
            elif kind == "link_close":
                if "link" in kinds:
                    kinds.remove("link")
                href = hrefs.pop() if hrefs else ""
                if href and href != "".join(link_text) and not href.startswith("#"):
                    add(f" ({href})", "url")
            elif kind == "image":
                add(token.content or str(token.attrs.get("alt", "")))
            else:
                add(token.content)
    return tuple(runs)


LITERAL_RE = re.compile(r"\n?```[^\n]*\n(.*?)\n```\n?", re.DOTALL)
"""A literal block inside a quiz stem, choice or explanation (see ``quiz.literal_block``)."""


def inline_sources(text: str) -> list[str]:
    """The parts of a question text that are inline Markdown: the text, or its prose
    around literal blocks."""
    if "```" not in text:
        return [text]
    parts, position = [], 0
    for match in LITERAL_RE.finditer(text):
        parts.append(text[position : match.start()].strip())
        position = match.end()
    parts.append(text[position:].strip())
    return [part for part in parts if part]


# -- sections -----------------------------------------------------------------------------


def prepare_section(section: Section) -> PreparedSection:
    """A section's own note items as blocks (plain-notes items are not Markdown: left
    out) and the inline Markdown of its own questions as runs."""
    items = {
        item.text: prepare_blocks(item.text) for item in section.items if item.markup != "plain"
    }
    runs = {
        source: question_runs(source)
        for question in section.questions
        for text in (question.stem, question.explanation, *(c.text for c in question.choices))
        for source in inline_sources(text)
    }
    return PreparedSection(items, runs)


def encode_prepared(corpus: Corpus) -> dict[str, bytes]:
    """Every section of the corpus prepared, as JSON per section id (for the cache)."""
    encoder = msgspec.json.Encoder()
    return {section.id: encoder.encode(prepare_section(section)) for section in corpus.sections()}


@lru_cache(maxsize=1)
def _decoder() -> msgspec.json.Decoder[PreparedSection]:
    return msgspec.json.Decoder(PreparedSection)


def decode_prepared(raw: bytes | memoryview) -> PreparedSection | None:
    """One section's prepared JSON, checked against the types; None if it is malformed."""
    try:
        return _decoder().decode(raw)
    except (msgspec.DecodeError, RecursionError):
        return None


def prepared_section(corpus: Corpus, section_id: str) -> PreparedSection | None:
    """The prepared form of a section that came from the corpus cache (None for a corpus
    parsed in this process: its texts are prepared as they are shown)."""
    raw = corpus.prepared.get(section_id)
    return decode_prepared(raw) if raw is not None else None


def prepared_sections(corpus: Corpus, section_ids: Iterable[str]) -> PreparedSection:
    """What is prepared of these sections, merged (empty where nothing is)."""
    items: dict[str, tuple[Block, ...] | None] = {}
    runs: dict[str, tuple[Run, ...]] = {}
    for section_id in dict.fromkeys(section_ids):
        found = prepared_section(corpus, section_id)
        if found is not None:
            items.update(found.items)
            runs.update(found.runs)
    return PreparedSection(items, runs)
