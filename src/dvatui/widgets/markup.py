"""Markdown for the panes: inline Markdown as Rich ``Text``, and code blocks that wrap well.

The quiz pane shows question stems, choices and explanations with :func:`inline_markdown`
(code spans, bold, italics, links: the same CommonMark rules as the note pane, so no backtick
or ``**`` reaches the screen). The note pane renders items with :class:`NoteMarkdown`, Rich's
Markdown with a code block that keeps each line's indentation when it has to wrap.

Styles are passed in (taken from the widgets' component classes, so from the theme); the
parsing is cached per source string.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from msgspec import Struct, field
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from dvatui.domain.text import has_controls

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from rich.console import Console, ConsoleOptions, RenderResult
    from textual.widget import Widget

CONTINUATION = "↳ "
"""Starts a code line's continuation (after the line's own indentation) when it wraps."""


def component_style(widget: Widget, name: str) -> Style:
    """What a component class sets, as a Rich style to lay over other text.

    Colours come out resolved (``$text-muted`` is a translucent or "auto" colour: only the
    full style has it blended with the widget's background), but only the colours the class
    sets are kept, so it never paints over a cursor's or a pane's background.
    """
    full = widget.get_component_rich_style(name)
    own = widget.get_component_rich_style(name, partial=True)
    colours = Style.from_color(
        full.color if own.color is not None else None,
        full.bgcolor if own.bgcolor is not None else None,
    )
    return colours + own.without_color


class InlineStyles(Struct, frozen=True):
    """How each kind of inline Markdown looks (Rich styles, e.g. from component classes)."""

    code: Style = field(default_factory=Style)
    strong: Style = field(default_factory=lambda: Style(bold=True))
    em: Style = field(default_factory=lambda: Style(italic=True))
    strike: Style = field(default_factory=lambda: Style(strike=True))
    link: Style = field(default_factory=lambda: Style(underline=True))
    link_url: Style = field(default_factory=Style)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt  # ~40 ms: only when the first question is shown

    # No raw HTML: "<role-name>" in a question is text, as in the note pane.
    return MarkdownIt("commonmark", {"html": False}).enable("strikethrough")


Run = tuple[str, frozenset[str]]
"""A run of text and the kinds of inline Markdown it is in (``code``, ``strong``, ...)."""


_KEPT_RUNS: dict[str, tuple[Run, ...]] = {}
"""Runs kept from the last session (``keep_runs``): the first frame's question needs no
Markdown parser."""


@lru_cache(maxsize=4096)
def inline_runs(source: str) -> tuple[Run, ...]:
    """The text of inline Markdown, split into runs with what each run is (cached)."""
    kept = _KEPT_RUNS.pop(source, None)
    if kept is not None:
        return kept
    runs: list[Run] = []
    kinds: list[str] = []
    hrefs: list[str] = []
    link_text: list[str] = []

    def add(text: str, *extra: str) -> None:
        if text:
            runs.append((text, frozenset((*kinds, *extra))))
            if hrefs:
                link_text.append(text)

    for block in _parser().parseInline(source):
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


def inline_markdown(
    source: str, styles: InlineStyles | None = None, style: Style | str = ""
) -> Text:
    """Render inline Markdown (one paragraph) as Rich ``Text``.

    Args:
        source: The Markdown source, e.g. a question's stem.
        styles: How code, bold, italics and links look; plain attributes if None.
        style: The base style of the whole text.
    """
    styles = styles or InlineStyles()
    if "```" in source:
        return _with_literal_blocks(source, styles, style)
    text = Text(style=style, overflow="fold")  # a long ARN breaks, never cut
    by_kind = {
        "code": styles.code,
        "strong": styles.strong,
        "em": styles.em,
        "s": styles.strike,
        "link": styles.link,
        "url": styles.link_url,
    }
    for run, kinds in inline_runs(source):
        run_style = Style()
        for kind in ("link", "em", "strong", "s", "code", "url"):  # code wins over link
            if kind in kinds:
                run_style += by_kind[kind]
        text.append(run, run_style or None)
    return text


LITERAL_RE = re.compile(r"\n?```[^\n]*\n(.*?)\n```\n?", re.DOTALL)
"""A literal block inside a quiz stem, choice or explanation (see ``quiz.literal_block``)."""


def _with_literal_blocks(source: str, styles: InlineStyles, style: Style | str) -> Text:
    """Prose as inline Markdown, literal blocks line by line in the code style, indented."""
    text = Text(style=style, overflow="fold")
    position = 0
    for match in LITERAL_RE.finditer(source):
        prose = source[position : match.start()].strip()
        if prose:
            text.append_text(inline_markdown(prose, styles))
        if text:
            text.append("\n")
        for line in match.group(1).split("\n"):
            text.append("  ")
            text.append(line.expandtabs(4).rstrip() or " ", styles.code)
            text.append("\n")
        position = match.end()
    rest = source[position:].strip()
    if rest:
        text.append_text(inline_markdown(rest, styles))
    else:
        text.rstrip()
    return text


# -- code blocks --------------------------------------------------------------------------


def wrap_code_line(line: str, width: int) -> list[str]:
    """Wrap one line of code to ``width`` cells, keeping its indentation.

    A continuation starts at the line's own indentation with :data:`CONTINUATION`, so code
    never wraps into column 0 and a wrapped line is told apart from a new one. Breaks fall
    after a space or a punctuation mark where one is near the end, else mid-word.
    """
    line = line.expandtabs(4).rstrip()
    if width < 4 or cell_len(line) <= width:
        return [line]
    indent = min(len(line) - len(line.lstrip(" ")), width // 2)
    prefix = " " * indent + CONTINUATION
    out: list[str] = []
    rest = line
    first = True
    while rest:
        room = width if first else width - cell_len(prefix)
        head = "" if first else prefix
        body = rest if first else rest.lstrip(" ")
        if cell_len(body) <= room:
            out.append(head + body)
            break
        cut = _cut(body, room)
        out.append(head + body[:cut].rstrip(" "))
        rest = body[cut:]
        first = False
    return out


def _cut(text: str, room: int) -> int:
    """Where to break ``text`` so that the first part fits in ``room`` cells."""
    end = 0
    used = 0
    for index, char in enumerate(text):
        used += cell_len(char)
        if used > room:
            break
        end = index + 1
    end = max(end, 1)
    for index in range(end, max(end - 12, 0), -1):  # a nearby space or punctuation mark
        if text[index - 1] in " ,;:/.-_=&?)]}>" and index > 1:
            return index
    return end


def _code_block_class() -> type:
    """Rich's Markdown code block, re-done: no fixed syntax colours, indentation kept."""
    from rich.markdown import TextElement

    class CodeBlock(TextElement):
        style_name = "markdown.code_block"

        @classmethod
        def create(cls, markdown: object, token: object) -> CodeBlock:
            return cls()

        def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
            style = console.get_style("markdown.code_block", default="none")
            mark = console.get_style("markdown.code_mark", default="dim")
            width = max(1, options.max_width - 2)
            for source in str(self.text).rstrip().split("\n"):
                for index, part in enumerate(wrap_code_line(source, width)):
                    yield from _code_segments(part, index > 0, width, style, mark)

    return CodeBlock


def _code_segments(
    part: str, continued: bool, width: int, style: Style, mark: Style
) -> Iterator[Segment]:
    pad = Segment(" ", style)
    yield pad
    if continued:
        indent = len(part) - len(part.lstrip(" "))
        marker_end = indent + len(CONTINUATION)
        yield Segment(part[:indent], style)
        yield Segment(part[indent:marker_end], style + mark)
        yield Segment(part[marker_end:], style)
    else:
        yield Segment(part, style)
    yield Segment(" " * max(0, width - cell_len(part)), style)
    yield pad
    yield Segment.line()


@lru_cache(maxsize=1)
def note_markdown_class() -> type:
    """Rich's ``Markdown`` with :func:`wrap_code_line` code blocks (built on first use:
    importing rich.markdown costs ~40 ms, not before the first frame)."""
    from rich.markdown import Markdown

    code_block = _code_block_class()

    class NoteMarkdown(Markdown):
        elements: ClassVar[dict[str, type]] = {
            **Markdown.elements,
            "fence": code_block,
            "code_block": code_block,
        }

    return NoteMarkdown


# -- kept for the next start ---------------------------------------------------------------


def inline_sources(text: str) -> list[str]:
    """The sources ``inline_markdown(text)`` parses: the text, or its prose around literal
    blocks."""
    if "```" not in text:
        return [text]
    parts, position = [], 0
    for match in LITERAL_RE.finditer(text):
        parts.append(text[position : match.start()].strip())
        position = match.end()
    parts.append(text[position:].strip())
    return [part for part in parts if part]


def runs_to_keep(texts: Iterable[str]) -> dict[str, list[list[Any]]]:
    """The inline runs of these texts, as JSON data (for ``keep_runs`` at the next start)."""
    return {
        source: [[run, sorted(kinds)] for run, kinds in inline_runs(source)]
        for text in texts
        for source in inline_sources(text)
    }


def keep_runs(kept: Any) -> None:
    """Runs kept by ``runs_to_keep`` in an earlier session (the same code: ``code_digest``);
    anything malformed is ignored."""
    if not isinstance(kept, dict):
        return
    for source, runs in kept.items():
        if not isinstance(source, str) or not isinstance(runs, list) or not runs:
            continue
        good = [
            (run[0], frozenset(run[1]))
            for run in runs
            if isinstance(run, list)
            and len(run) == 2
            and isinstance(run[0], str)
            and not has_controls(run[0])
            and isinstance(run[1], list)
            and all(isinstance(kind, str) for kind in run[1])
        ]
        if len(good) == len(runs):
            _KEPT_RUNS[source] = tuple(good)


@lru_cache(maxsize=1)
def code_digest() -> str:
    """What renders notes and inline Markdown, as a digest: dvatui's rendering code and the
    installed Rich Markdown and markdown-it (found, not imported). What was kept from a
    session that ran other code is not used."""
    import importlib.util

    from dvatui import __version__

    digest = hashlib.sha256(__version__.encode())
    here = Path(__file__).resolve().parent
    for name in ("markup.py", "note_view.py"):
        with contextlib.suppress(OSError):
            digest.update((here / name).read_bytes())
    import rich

    files = [Path(rich.__file__).parent / "markdown.py"]
    spec = importlib.util.find_spec("markdown_it")
    if spec is not None and spec.origin:
        files.append(Path(spec.origin))
    for path in files:
        with contextlib.suppress(OSError):
            st = path.stat()
            digest.update(f"{path}:{st.st_size}:{st.st_mtime_ns}".encode())
    return digest.hexdigest()[:32]
