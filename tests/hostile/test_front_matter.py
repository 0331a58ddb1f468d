"""YAML front matter cannot blow up: alias bombs, deep nesting, huge values stay in one file."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from dvatui.domain.loader import MAX_FRONT_MATTER_BYTES, load_corpus

GOOD = "---\ntitle: Good\ndomains: [security]\n---\n# Good\n\n## S\n\n- a fact\n"


def billion_laughs() -> str:
    """The classic alias bomb: nine levels of nine aliases, 10**9 strings once expanded."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(
            f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},"
            f"*{prev},*{prev},*{prev}]"
        )
    return "---\n" + "\n".join(lines) + "\n---\n# Bomb\n\n- x\n"


def deep(depth: int) -> str:
    return "---\ntitle: " + "[" * depth + "]" * depth + "\n---\n# Deep\n\n- x\n"


def deep_block(depth: int) -> str:
    body = "".join(" " * n + f"k{n}:\n" for n in range(depth))
    return "---\n" + body + " " * depth + "v: 1\n---\n# Deep block\n\n- x\n"


CASES = {
    "bomb.md": billion_laughs(),
    "deep-50000.md": deep(50_000),
    "deep-5000.md": deep(5_000),
    "deep-block.md": deep_block(60),
    "anchor.md": "---\ntitle: &t Anchored\n---\n# A\n",
    "huge-int.md": "---\ntitle: 1" + "0" * 5000 + "\n---\n# Int\n",
    "oversize.md": "---\ntitle: x\nnote: '" + "y" * MAX_FRONT_MATTER_BYTES + "'\n---\n# Big\n",
}
EXPECTED = {
    "bomb.md": "anchors and aliases (&name, *name) are not allowed",
    "deep-50000.md": "front matter is longer than 16 KiB",
    "deep-5000.md": "nested more than 8 levels",
    "deep-block.md": "nested more than 8 levels",
    "anchor.md": "anchors and aliases (&name, *name) are not allowed",
    "huge-int.md": "front matter could not be read",
    "oversize.md": "front matter is longer than 16 KiB",
}


def test_bomb_is_small() -> None:
    assert len(billion_laughs().split("---\n")[1]) < 400


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_hostile_front_matter_is_one_problem_in_its_file(tmp_path: Path, name: str) -> None:
    (tmp_path / "01-good.md").write_text(GOOD)
    (tmp_path / name).write_text(CASES[name])
    corpus = load_corpus(tmp_path)
    assert corpus.chapter("good") is not None  # the rest still loads
    mine = [p for p in corpus.problems if p.path.name == name]
    assert [p.severity for p in mine] == ["error"], mine
    assert EXPECTED[name] in mine[0].message
    assert all(len(p.message) < 300 for p in corpus.problems)
    assert [p for p in corpus.problems if p.path.name != name] == []
    assert len(corpus.chapters) == 2  # the hostile file's body still loads, without its YAML


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    one_gib = 1 << 30
    resource.setrlimit(resource.RLIMIT_AS, (one_gib, one_gib))


@pytest.mark.parametrize("command", ["check", "outline"])
def test_cli_on_bombs_finishes_and_names_each_file(tmp_path: Path, command: str) -> None:
    """In a child with 1 GiB of address space: a bomb would fail it instead of the machine."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "01-good.md").write_text(GOOD)
    for name in ("bomb.md", "deep-50000.md", "deep-5000.md"):
        (folder / name).write_text(CASES[name])
    code = "import sys; from dvatui.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", code, command, "--notes", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limit_memory,
    )
    out = done.stdout + done.stderr
    assert "Traceback" not in out
    for name in ("bomb.md", "deep-50000.md", "deep-5000.md"):
        assert f"{name}:" in out, (name, out)
    assert "Good" in out
    assert done.returncode == (1 if command == "check" else 0), out
