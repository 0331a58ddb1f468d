"""Terminal escape sequences in notes (and in the data file) never reach the terminal raw."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dvatui.cli import main
from dvatui.domain.cache import load_corpus_cached
from dvatui.domain.loader import load_corpus
from dvatui.domain.text import clean_text, escape_json_controls, quote
from dvatui.store import Store

from ._helpers import OSC52, PAYLOAD, PAYLOADS, all_text, controls

P = PAYLOAD


def write_hostile_notes(folder: Path) -> Path:
    """A folder with the payload in every place a notes file has text."""
    folder.mkdir()
    (folder / "01-markdown.md").write_text(
        f"---\ntitle: 'Title {P}'\ndomains: [security, 'dev{P}']\n---\n"
        f"# Chapter {P}\n\nIntro {P}\n\n## Section {P}\n\n- bullet {P}\n\n1. number {P}\n\n"
        f"paragraph {P}\n\n| head {P} | b |\n|---|---|\n| cell {P} | 2 |\n\n> quote {P}\n\n"
        f"```sh\necho code {P}\n```\n\n    indented code {P}\n\n<div>html {P}</div>\n\n"
        f"#### small heading {P}\n\n### Sub {P}\n\n"
        f"```quiz\nid: esc-1\n? Stem {P}\n  more stem {P}\n- [x] right {P}\n- [ ] wrong {P}\n"
        f"> explanation {P}\n\nid: bad id {P}\n? Broken {P}\n- [x] only {P}\n> e\n"
        f"stray line {P}\n```\n",
        encoding="utf-8",
    )
    # YAML escapes spell control characters without any raw control byte in the file.
    (folder / "02-yaml-escapes.md").write_text(
        '---\ntitle: "T \\e]52;c;ZWNobyBQV05FRA==\\a \\x9b2J \\u001b[2J \\r"\n---\n# \n\n- x\n'
    )
    (folder / "03-plain.txt").write_text(
        f"# Plain {P}\n\nHeading {P}\n1. one {P}\n2. two {P}\n   more {P}\n3. three\n\n"
        f"Demo notes\n> demo {P}\n",
        encoding="utf-8",
    )
    (folder / f"04-name{P.replace('/', '').replace(chr(0), '')}.md").write_text("no heading here\n")
    (folder / "05-crlf.md").write_text("# CRLF\r\n\r\n- fine\r\n- lone\rCR\r\n")
    return folder


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    return write_hostile_notes(tmp_path / "notes")


def test_clean_text_makes_every_control_visible() -> None:
    assert clean_text("a\tb\nc") == "a\tb\nc"
    assert clean_text("x\r\ny") == "x\ny"
    assert clean_text(OSC52) == "␛]52;c;ZWNobyBQV05FRA==␇"
    assert clean_text("\x00\x1f\x7f\r") == "␀␟␡␍"
    assert clean_text("\x9b2J\x85") == "\\x9b2J\\x85"
    for code in [*range(0x20), *range(0x7F, 0xA0)]:
        if chr(code) not in "\n\t":
            assert controls(clean_text(f"a{chr(code)}b")) == [], hex(code)
    assert clean_text("ok ✓ ünïcode") == "ok ✓ ünïcode"


def test_quote_is_bounded_and_clean() -> None:
    assert quote("x" * 1000).endswith("…'") and len(quote("x" * 1000)) <= 62
    assert quote(f"a{OSC52}") == clean_text(repr(f"a{OSC52}"))
    assert controls(quote(P)) == []
    assert quote([[1] * 10] * 10) == "a list"
    assert quote(10**100) == "a very large number"


def test_json_output_escapes_c1_and_keeps_the_data() -> None:
    out = escape_json_controls(json.dumps({"k": f"x{P}"}, ensure_ascii=False))
    assert controls(out) == []
    assert json.loads(out) == {"k": f"x{P}"}


def test_nothing_loaded_carries_a_control_character(hostile: Path) -> None:
    corpus = load_corpus(hostile)
    texts = all_text(corpus)
    assert texts
    bad = [t for t in texts if controls(t)]
    assert bad == []
    # Made visible, not lost.
    chapter = corpus.chapter("markdown")
    assert chapter is not None and "␛]52;c;" in chapter.title
    assert any("␛" in t and "[2J" in t for t in texts)
    assert any("\\x9b2J" in t for t in texts)
    assert corpus.chapter("yaml-escapes") is not None
    yaml_title = corpus.chapter("yaml-escapes").title  # type: ignore[union-attr]
    assert "␛]52;c;" in yaml_title and "\\x9b2J" in yaml_title
    question = corpus.question("esc-1")
    assert question is not None
    assert "␛" in question.stem and "␛" in question.explanation
    assert all("␛" in c.text for c in question.choices)
    assert any("bad id" in p.message for p in corpus.problems)
    assert any("unknown domain" in p.message for p in corpus.problems)
    crlf = corpus.chapter("crlf")
    assert crlf is not None
    assert [i.text for i in crlf.overview.items] == ["- fine", "- lone␍CR"]


def test_the_cache_keeps_the_text_clean(hostile: Path) -> None:
    load_corpus_cached(hostile)
    assert [t for t in all_text(load_corpus_cached(hostile)) if controls(t)] == []


@pytest.mark.parametrize("command", [["outline"], ["check"], ["check", "--strict"]])
def test_cli_prints_no_control_characters(
    hostile: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    main([*command, "--notes", str(hostile)])
    out, err = capsys.readouterr()
    assert "Title ␛]52;c;" in out + err
    assert controls(out) == [] and controls(err) == []


def test_bookmarks_and_stats_from_a_hostile_data_file(
    hostile: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "d.json"
    corpus = load_corpus(hostile)
    section = corpus.chapters[0].sections[0]
    store = Store.open(db)
    store.add_bookmark(
        target_id=section.id,
        kind="section",
        chapter_id=section.chapter_id,
        section_id=section.id,
        label=f"label {P}",
        comment=f"comment {P}",
    )
    store.add_bookmark(
        target_id=f"gone{P}", kind="section", chapter_id="x", section_id="x", label=f"gone {P}"
    )
    store.record_answer(
        question_id="esc-1",
        section_id=section.id,
        chapter_id=section.chapter_id,
        chosen=(0,),
        correct=True,
    )
    del store
    for fmt in ("text", "markdown", "json"):
        assert main(["bookmarks", "--format", fmt, "--notes", str(hostile), "--db", str(db)]) == 0
        out, err = capsys.readouterr()
        assert controls(out) == [] and controls(err) == [], fmt
        if fmt == "json":
            rows = json.loads(out)
            assert [r["label"] for r in rows] == [f"label {P}", f"gone {P}"]  # exact data
        else:
            assert "label ␛]52;c;" in out and "comment ␛" in out
    assert main(["stats", "--notes", str(hostile), "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert controls(out) == [] and controls(err) == []
    assert "␛]52;c;" in out


def test_payloads_cover_c0_c1_and_del() -> None:
    seen = {ord(c) for c in "".join(PAYLOADS) if controls(c)}
    assert {0x1B, 0x07, 0x7F, 0x9B, 0x9D, 0x0D, 0x00} <= seen
