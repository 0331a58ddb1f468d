"""Note items and question texts prepared ahead of time (``domain/prepared.py``) and laid
out without a Markdown parser (``markup.BlocksMarkdown``): segment for segment what Rich's
Markdown gives, and read back from the corpus cache only when sound."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console
from rich.style import Style
from rich.theme import Theme

from dvatui.domain import cache
from dvatui.domain.loader import load_corpus
from dvatui.domain.prepared import (
    ListBlock,
    Para,
    TableBlock,
    prepare_blocks,
    prepare_section,
    prepared_section,
    question_runs,
)
from dvatui.paths import shipped_notes_dir
from dvatui.widgets.markup import BlocksMarkdown, note_markdown_class

WIDTHS = (12, 20, 37, 61, 90, 150)

# Every style the two renderers use, each one different, so that a style summed in another
# order or left out shows up as a difference.
THEME = Theme(
    {
        "markdown.paragraph": Style(color="grey70"),
        "markdown.item": Style(italic=True),
        "markdown.item.bullet": Style(color="yellow", bold=True),
        "markdown.item.number": Style(color="bright_yellow"),
        "markdown.block_quote": Style(color="magenta"),
        "markdown.code": Style(color="red", bgcolor="grey11"),
        "markdown.code_block": Style(color="white", bgcolor="grey15"),
        "markdown.code_mark": Style(dim=True),
        "markdown.strong": Style(bold=True, color="bright_white"),
        "markdown.em": Style(italic=True, color="cyan"),
        "markdown.s": Style(strike=True),
        "markdown.kbd": Style(reverse=True),
        "markdown.link": Style(color="blue", underline=True),
        "markdown.link_url": Style(color="bright_cyan"),
        "markdown.table.border": Style(color="green"),
        "markdown.table.header": Style(bold=True, color="bright_magenta"),
    },
    inherit=True,
)

HARD_CASES = [
    "- a [link **bold**](http://example.com/x) and <kbd>Ctrl</kbd>+<kbd>C</kbd>",
    "1. one\n2. two\n   - nested **b**\n   - more\n10. ten",
    "7. seven\n8. eight",
    "> quote with a list\n> - a\n> - b\n>\n> a second paragraph",
    "| a | **b** | `c` |\n|:--|--:|:-:|\n| 1 | 2 | 3 |\n| a long cell that wraps round | x | y |",
    "- item\n\n  second paragraph\n\n  ```\n  code in a list\n  ```",
    "~~gone~~ and *em* and _em_ and ***both***",
    "line one  \nline two\\\nline three",
    "a &amp; b &copy; \\*not em\\*",
    "text <span>inline html</span> more",
    "-",
    "- ",
    "> ",
    "日本語のテキスト **太字** と絵文字 🎉🎉 and averylongwordwithoutanyspacethatmustbefolded",
    "a <kbd>K **x</kbd> y**",
    "```\n  indented\n\ttab\n```\n\nafter",
    "    indented code",
    "| a |\n|---|",
    "[x]: http://y\n\nparagraph [x]",
    "**unclosed",
    "- [ ] task",
    "para\n\n- list after a paragraph\n\n> and a quote",
    "".join("  " * depth + "- deeper\n" for depth in range(40)) + "\n" + "> " * 30 + "x",
]

NOT_COVERED = ["# A heading", "---", "a\n***\nb", "![an image](a.png)", "<div>x</div>"]


@pytest.fixture(scope="module")
def console() -> Console:
    return Console(theme=THEME, width=200, color_system="truecolor", force_terminal=True)


def _both(console: Console, text: str, width: int) -> tuple[list[object], list[object]]:
    blocks = prepare_blocks(text)
    assert blocks is not None, text
    options = console.options.update(
        width=width, min_width=width, max_width=width, height=None, highlight=False
    )
    ours = console.render_lines(BlocksMarkdown(blocks), options, pad=False)
    rich = note_markdown_class()(text, hyperlinks=False, inline_code_lexer=None)
    return list(ours), list(console.render_lines(rich, options, pad=False))


def test_every_shipped_note_item_lays_out_as_rich_markdown_does(console: Console) -> None:
    corpus = load_corpus(shipped_notes_dir())
    texts = [item.text for s in corpus.sections() for item in s.items if item.markup != "plain"]
    covered = [text for text in texts if prepare_blocks(text) is not None]
    assert len(covered) >= 0.97 * len(texts)  # 1413 of 1434 when this was written
    for text in covered:
        for width in WIDTHS:
            ours, rich = _both(console, text, width)
            assert ours == rich, (width, text)


@pytest.mark.parametrize("text", HARD_CASES)
def test_hard_cases_lay_out_as_rich_markdown_does(console: Console, text: str) -> None:
    for width in WIDTHS:
        ours, rich = _both(console, text, width)
        assert ours == rich, width


@pytest.mark.parametrize("text", NOT_COVERED)
def test_what_blocks_do_not_cover_is_left_to_rich(text: str) -> None:
    assert prepare_blocks(text) is None


def test_blocks_keep_what_rich_shows() -> None:
    (listing,) = prepare_blocks("- **Bold** and `code` [a link](http://x)\n  - nested") or ()
    assert isinstance(listing, ListBlock) and listing.start is None
    first = listing.items[0][0]
    assert isinstance(first, Para)
    assert first.runs == (
        ("Bold", ("strong",)),
        (" and ", ()),
        ("code", ("code",)),
        (" ", ()),
        ("a link", ("link",)),
        (" (", ()),
        ("http://x", ("link_url",)),
        (")", ()),
    )
    (table,) = prepare_blocks("| a | b |\n|--:|:-:|\n| 1 | 2 |") or ()
    assert isinstance(table, TableBlock)
    assert [cell.justify for cell in table.header or ()] == ["right", "center"]
    assert question_runs("**x** `y` [z](#a)") == (
        ("x", ("strong",)),
        (" ", ()),
        ("y", ("code",)),
        (" ", ()),
        ("z", ("link",)),
    )


# -- through the corpus cache ---------------------------------------------------------------


NOTES = (
    "---\ntitle: One\ndomains: [security]\n---\n# One\n\nIntro.\n\n## S\n\n- a **fact**\n\n"
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n***\n\n```quiz\nid: q1\n"
    "? Which `one`?\n- [x] **this**\n- [ ] that\n> because\n```\n"
)


@pytest.fixture
def notes(tmp_path: Path, write_notes: Callable[[Path, dict[str, str]], Path]) -> Path:
    return write_notes(tmp_path / "notes", {"01-one.md": NOTES})


def _prepared_file() -> Path:
    (path,) = cache.cache_dir().glob("corpus-*.prepared")
    return path


def test_a_cached_corpus_reads_each_section_prepared_as_it_was_written(notes: Path) -> None:
    parsed = cache.load_corpus_cached(notes)  # a miss: parsed, then written
    again = cache.load_corpus_cached(notes)  # a hit
    assert again.prepared is not parsed.prepared
    for section in again.sections():
        assert prepared_section(again, section.id) == prepare_section(section)
    section = again.chapters[0].sections[0]
    found = prepared_section(again, section.id)
    assert found is not None
    assert found.items["- a **fact**"] is not None
    assert found.items["***"] is None  # a rule: Rich renders it
    assert found.runs["Which `one`?"] == question_runs("Which `one`?")


@pytest.mark.parametrize("damage", ["garbage", "short", "open to others", "missing", "link"])
def test_a_damaged_prepared_file_means_parsing_again(
    notes: Path, tmp_path: Path, damage: str
) -> None:
    cache.load_corpus_cached(notes)
    path = _prepared_file()
    if damage == "garbage":
        path.write_bytes(b"\x00garbage" * (path.stat().st_size // 8 + 1))
    elif damage == "short":
        path.write_bytes(path.read_bytes()[:10])  # shorter than every section
    elif damage == "open to others":
        path.chmod(0o666)
    elif damage == "missing":
        path.unlink()
    else:
        target = tmp_path / "elsewhere"
        target.write_bytes(path.read_bytes())
        target.chmod(0o600)
        path.unlink()
        os.symlink(target, path)
    corpus = cache.load_corpus_cached(notes)  # the corpus itself is still the cache's
    assert corpus.chapters[0].title == "One"
    for section in corpus.sections():
        assert prepared_section(corpus, section.id) is None
