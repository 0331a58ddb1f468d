"""Only regular files are read as notes: no device, FIFO, outward symlink or giant file."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from dvatui.cli import main
from dvatui.domain.cache import load_corpus_cached
from dvatui.domain.files import MAX_FILE_BYTES
from dvatui.domain.loader import load_corpus
from dvatui.domain.model import Corpus

GOOD = "# Good\n\n## S\n\n- a fact\n"


@pytest.fixture(autouse=True)
def _deadline() -> Iterator[None]:
    """Turn a hang (reading /dev/zero, opening a FIFO) into a failure after 20 s."""

    def expired(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("the loader hung")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def problems_of(corpus: Corpus, name: str) -> list[tuple[str, str]]:
    return [(p.severity, p.message) for p in corpus.problems if p.path.name == name]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_named_directly_is_refused(device: str) -> None:
    corpus = load_corpus(Path(device))
    assert corpus.chapters == []
    assert [(p.severity, "not a regular file" in p.message) for p in corpus.errors] == [
        ("error", True)
    ]
    assert load_corpus_cached(Path(device)).chapters == []


def test_check_on_dev_zero_returns(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--notes", "/dev/zero"]) == 1
    assert "/dev/zero:0: error: skipped: not a regular file" in capsys.readouterr().out


def test_a_fifo_is_skipped_without_hanging(tmp_path: Path) -> None:
    (tmp_path / "01-good.md").write_text(GOOD)
    os.mkfifo(tmp_path / "02-pipe.md")
    corpus = load_corpus(tmp_path)
    assert [c.title for c in corpus.chapters] == ["Good"]
    assert problems_of(corpus, "02-pipe.md") == [
        ("warning", "skipped: not a regular file (a folder, device, pipe or socket)")
    ]
    assert load_corpus(tmp_path / "02-pipe.md").errors  # named directly: an error, no hang
    assert [c.title for c in load_corpus_cached(tmp_path).chapters] == ["Good"]


def test_a_symlink_out_of_the_folder_is_not_a_chapter(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "01-good.md").write_text(GOOD)
    secret = tmp_path / "secret.md"
    secret.write_text("# SECRET\n\nroot:x:0:0\n")
    (notes / "x.md").symlink_to(secret)
    (notes / "passwd.md").symlink_to("/etc/passwd")
    (notes / "up.md").symlink_to("../secret.md")
    (notes / "zero.md").symlink_to("/dev/zero")
    (notes / "dangling.md").symlink_to(tmp_path / "missing.md")
    corpus = load_corpus(notes)
    assert [c.title for c in corpus.chapters] == ["Good"]
    outside = "skipped: a symbolic link to a file outside the notes folder"
    for name in ("x.md", "passwd.md", "up.md", "zero.md"):
        assert problems_of(corpus, name) == [("warning", outside)], name
    assert [s for s, _ in problems_of(corpus, "dangling.md")] == ["warning"]
    text = " ".join(i.text for s in corpus.sections() for i in s.items)
    assert "root:x" not in text


def test_a_symlink_inside_the_folder_loads(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "01-good.md").write_text(GOOD)
    (tmp_path / "02-alias.md").symlink_to("real/01-good.md")
    (tmp_path / "linked-folder").symlink_to(tmp_path / "real")  # folders are not followed
    os.mkfifo(tmp_path / "real" / "pipe")
    (tmp_path / "03-pipe.md").symlink_to("real/pipe")
    corpus = load_corpus(tmp_path)
    assert [c.path.name for c in corpus.chapters] == ["02-alias.md", "01-good.md"]
    assert [s for s, _ in problems_of(corpus, "03-pipe.md")] == ["warning"]


def test_a_file_named_directly_may_be_a_link_to_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.md").write_text(GOOD)
    (tmp_path / "mine.md").symlink_to(tmp_path / "elsewhere.md")
    assert [c.title for c in load_corpus(tmp_path / "mine.md").chapters] == ["Good"]


def test_an_oversize_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "01-good.md").write_text(GOOD)
    with (tmp_path / "02-huge.md").open("wb") as handle:
        handle.write(b"# Huge\n\n" + b"- x\n" * (MAX_FILE_BYTES // 4))
    (tmp_path / "03-limit.md").write_bytes(b"# Limit\n" + b"y" * (MAX_FILE_BYTES - 8))
    corpus = load_corpus(tmp_path)
    assert [c.title for c in corpus.chapters] == ["Good", "Limit"]
    assert problems_of(corpus, "02-huge.md") == [("warning", "skipped: larger than 4 MiB")]
    assert problems_of(corpus, "03-limit.md") == []


def test_an_unreadable_file_is_a_warning(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    (tmp_path / "01-good.md").write_text(GOOD)
    locked = tmp_path / "02-locked.md"
    locked.write_text(GOOD)
    locked.chmod(0)
    corpus = load_corpus(tmp_path)
    assert [s for s, _ in problems_of(corpus, "02-locked.md")] == ["warning"]


def test_many_identical_items_and_headings_load_in_linear_time(tmp_path: Path) -> None:
    """20,000 copies of one item or heading: quadratic id numbering took minutes here."""
    (tmp_path / "items.md").write_text("# Same\n\n" + "- x\n" * 20_000)
    (tmp_path / "heads.md").write_text("# Heads\n\n" + "## x\n\n" * 20_000)
    corpus = load_corpus(tmp_path)  # the autouse deadline fails this if it takes 20 s
    items = corpus.chapters[1].overview.items
    assert len(items) == 20_000 and len({i.id for i in items}) == 20_000
    assert len(corpus.chapters[0].sections) == 20_000
    assert corpus.chapters[0].sections[-1].id == "heads/x-20000"


def test_a_file_with_too_many_lines_is_skipped(tmp_path: Path) -> None:
    from dvatui.domain.loader import MAX_LINES

    (tmp_path / "01-good.md").write_text(GOOD)
    (tmp_path / "02-long.txt").write_text("# Long\n\nHead\n" + "1. x\n" * MAX_LINES)
    corpus = load_corpus(tmp_path)
    assert [c.title for c in corpus.chapters] == ["Good"]
    assert problems_of(corpus, "02-long.txt") == [
        ("warning", f"skipped: too large to parse (more than {MAX_LINES:,} lines)")
    ]


def test_markdown_that_makes_too_many_tokens_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dvatui.domain import loader

    monkeypatch.setattr(loader, "MAX_TOKENS", 1000)
    (tmp_path / "01-good.md").write_text(GOOD)
    (tmp_path / "02-nested.md").write_text("# Nested\n\n" + "- x\n  - y\n" * 200)
    (tmp_path / "03-wide.md").write_text("# Wide\n\n|" + "a|" * 400 + "\n|" + "-|" * 400 + "\n")
    corpus = load_corpus(tmp_path)
    assert [c.title for c in corpus.chapters] == ["Good"]
    for name in ("02-nested.md", "03-wide.md"):
        assert problems_of(corpus, name) == [
            ("warning", "skipped: too large to parse (more than 1,000 Markdown tokens)")
        ]
    assert load_corpus(tmp_path / "03-wide.md").errors  # named directly: an error
