"""Loading CommonMark notes: headings as the tree, items, quizzes, ids, errors."""

from __future__ import annotations

from pathlib import Path

from dvatui.domain.check import check_corpus
from dvatui.domain.loader import load_corpus
from dvatui.paths import shipped_notes_dir


def test_structure(fixtures: Path) -> None:
    corpus = load_corpus(fixtures / "sample-notes.md")
    (chapter,) = corpus.chapters
    assert chapter.id == "sample-notes"
    assert chapter.title == "Sample Chapter"
    assert chapter.domains == ("development", "security")
    assert [s.title for s in chapter.sections] == ["First Section", "Second Section"]
    assert [c.title for c in chapter.sections[1].children] == ["A Subsection"]
    assert chapter.overview.items[0].text == "A chapter used by the tests."
    first = chapter.sections[0]
    assert [i.kind for i in first.items] == ["bullet", "bullet", "paragraph", "table", "code"]
    assert first.items[0].line == 12
    assert first.id == "sample-notes/first-section"
    assert chapter.sections[1].children[0].id == "sample-notes/second-section/a-subsection"
    assert len(first.questions) == 3
    assert first.questions[1].domain == "security"
    assert chapter.sections[1].all_questions()[0].section_id.endswith("a-subsection")
    assert corpus.problems == []


def test_item_ids_survive_edits_elsewhere(fixtures: Path, tmp_path: Path) -> None:
    src = (fixtures / "sample-notes.md").read_text()
    before = load_corpus(fixtures / "sample-notes.md")
    edited = tmp_path / "sample-notes.md"
    edited.write_text(
        src.replace("Beta is the second fact.", "Beta is the 2nd fact, edited.").replace(
            "- Delta fact.", "- Delta fact.\n- A new fact."
        )
    )
    after = load_corpus(edited)
    ids_before = {i.id for s in before.sections() for i in s.items}
    ids_after = {i.id for s in after.sections() for i in s.items}
    assert len(ids_before - ids_after) == 1  # only the edited item changed
    assert {s.id for s in before.sections()} == {s.id for s in after.sections()}
    assert {q.id for q in before.questions()} == {q.id for q in after.questions()}


def test_broken_file_is_reported_and_others_still_load(tmp_path: Path) -> None:
    (tmp_path / "01-good.md").write_text(
        "---\ntitle: Good\ndomains: [security]\n---\n# Good\n\n## S\n\n- fact\n"
    )
    (tmp_path / "02-bad.md").write_text(
        "---\ntitle: [unclosed\n---\n# Bad\n\n## S\n\n- fact\n\n```quiz\n? Q\n- [x] a\n- [ ] b\n"
    )
    (tmp_path / "03-latin1.md").write_bytes(b"# Caf\xe9\n\n## S\n\n- x\n")
    corpus = load_corpus(tmp_path)
    assert [c.title for c in corpus.chapters] == ["Good", "Bad", "Caf\ufffd"]
    messages = [(p.path.name, p.line, p.message) for p in corpus.problems]
    assert any(m[:2] == ("02-bad.md", 2) and "not valid YAML" in m[2] for m in messages)
    assert any(m[0] == "02-bad.md" and "not closed" in m[2] for m in messages)
    assert any(m[0] == "03-latin1.md" and "UTF-8" in m[2] for m in messages)


def test_unknown_domain_in_front_matter(tmp_path: Path) -> None:
    f = tmp_path / "x.md"
    f.write_text("---\ntitle: X\ndomains: [devops]\n---\n# X\n")
    problems = load_corpus(f).problems
    assert [(p.line, "unknown domain 'devops'" in p.message) for p in problems] == [(3, True)]


def test_single_file_splits_into_chapters(tmp_path: Path) -> None:
    f = tmp_path / "mine.md"
    f.write_text("# One\n\ntext\n\n## A\n\n- a\n\n# Two\n\n## B\n\n- b\n\n# One\n\n- again\n")
    corpus = load_corpus(f)
    assert [c.id for c in corpus.chapters] == ["mine/one", "mine/two", "mine/one-2"]
    assert [s.id for s in corpus.chapters[1].sections] == ["mine/two/b"]


def test_duplicates_across_files(tmp_path: Path) -> None:
    quiz = "```quiz\nid: same\n? Same question?\n- [x] a\n- [ ] b\n> e\n```\n"
    (tmp_path / "a.md").write_text(f"# A\n\n## S\n\n{quiz}")
    (tmp_path / "b.md").write_text(f"# B\n\n## S\n\n{quiz.replace('same', 'other')}")
    corpus = load_corpus(tmp_path)
    msgs = sorted(p.message.split(" (")[0] for p in corpus.problems)
    assert msgs == ["duplicate question text"]
    assert len(corpus.questions()) == 1
    (tmp_path / "b.md").write_text(f"# B\n\n## S\n\n{quiz.replace('Same', 'Other')}")
    corpus = load_corpus(tmp_path)
    assert [p.message.split(" (")[0] for p in corpus.problems] == ["duplicate question id 'same'"]


def test_shipped_rules(tmp_path: Path) -> None:
    (tmp_path / "01-x.md").write_text(
        "---\ntitle: X\n---\n# X\n\n## Thin\n\n- a fact\n\n"
        "```quiz\n? Only one?\n- [x] a\n- [ ] b\n> e\n```\n"
    )
    report = check_corpus(load_corpus(tmp_path), shipped=True)
    msgs = [p.message for p in report.errors]
    assert "front matter needs 'domains' (a list of DVA-C02 domains)" in msgs
    assert "section 'Thin' has 1 question(s); at least 3 are needed" in msgs


def test_neighbours_follow_reading_order(fixtures: Path) -> None:
    corpus = load_corpus(fixtures / "sample-notes.md")
    order = [s.id for s in corpus.sections()]
    assert corpus.neighbour(order[0], 1).id == order[1]
    assert corpus.neighbour(order[-1], 1) is None
    assert corpus.neighbour(order[0], -1) is None


def test_shipped_notes_are_found() -> None:
    assert any(shipped_notes_dir().glob("*.md"))


def test_item_summaries_for_labels(fixtures: Path) -> None:
    first = load_corpus(fixtures / "sample-notes.md").chapters[0].sections[0]
    summaries = [i.summary for i in first.items]
    assert summaries[0].startswith("Alpha: the first fact, with code")
    assert summaries[3] == "Table: Name / Value"
    assert summaries[4] == "Code: # not a heading: inside a code block"


def test_duplicate_question_id_lookups_agree_with_the_sections(tmp_path: Path) -> None:
    """The corpus finds the question the learner sees, in the section that shows it."""

    def quiz(stem: str) -> str:
        return f"```quiz\nid: twin\n? {stem}\n- [x] a\n- [ ] b\n> because\n```\n"

    (tmp_path / "mine.md").write_text(
        "# Mine\n\n## First\n\n- one\n\n"
        + quiz("Which one comes first?")
        + "\n## Second\n\n- two\n\n"
        + quiz("Which one comes second?")
    )
    corpus = load_corpus(tmp_path)
    first, second = corpus.chapters[0].sections
    assert [q.stem for q in first.questions] == ["Which one comes first?"]
    assert second.questions == []
    found = corpus.question("twin")
    assert found is first.questions[0]
    assert found.section_id == first.id
    assert any("duplicate question id 'twin'" in p.message for p in corpus.problems)
    for question in corpus.questions():
        assert corpus.question(question.id) is question
        section = corpus.section(question.section_id)
        assert section is not None and question in section.questions


def test_colliding_chapter_ids_stay_unique(tmp_path: Path) -> None:
    """A renamed duplicate chapter must not take an id another chapter already has."""
    (tmp_path / "a").mkdir()
    (tmp_path / "B_").mkdir()
    (tmp_path / "a" / "x.md").write_text("# X\n\n## S\n\n- in a/x\n")
    (tmp_path / "b.md").write_text("# X\n\n## S\n\n- chapter b/x\n\n# Y\n\n- chapter b/y\n")
    (tmp_path / "B_" / "x.md").write_text("# X\n\n## S\n\n- in B_/x, renamed to b/x\n")
    corpus = load_corpus(tmp_path)
    ids = [c.id for c in corpus.chapters]
    assert len(ids) == len(set(ids))
    section_ids = [s.id for s in corpus.sections()]
    assert len(section_ids) == len(set(section_ids))
    for section in corpus.sections():
        assert corpus.section(section.id) is section
        for item in section.items:
            assert corpus.item(item.id) == (section, item)


def test_line_maps_ignore_unicode_line_separators(tmp_path: Path) -> None:
    """Only "\\n" ends a line, as for markdown-it: U+2028 must not shift later items."""
    f = tmp_path / "sep.md"
    f.write_text("# T\n\n## S\n\npara\u2028graph\n\n- bullet\n")
    items = load_corpus(f).chapters[0].sections[0].items
    assert [(i.kind, i.text, i.line) for i in items] == [
        ("paragraph", "para\u2028graph", 5),
        ("bullet", "- bullet", 7),
    ]


def test_id_helpers_have_their_own_module() -> None:
    """No import cycle between the loader and the plain reader; old import paths still work."""
    import subprocess
    import sys

    from dvatui.domain import ids, loader, model

    assert model.slugify is ids.slugify
    assert loader.item_id is ids.item_id
    assert ids.item_id("s", "a  b", ids.IdPool()) == ids.item_id("s", "a b", ids.IdPool())
    code = "import sys, dvatui.domain.plain; print('dvatui.domain.loader' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    for module in ("plain", "loader", "model", "ids", "text", "files", "check"):
        source = (Path(loader.__file__).parent / f"{module}.py").read_text()
        nested = [
            ln
            for ln in source.splitlines()
            if ln.startswith((" ", "\t"))
            and ln.strip().startswith(("from dvatui.domain", "import dvatui.domain"))
        ]
        assert nested == [], (module, nested)


def test_front_matter_values_are_never_dumped_whole(tmp_path: Path) -> None:
    f = tmp_path / "x.md"
    big = "[" * 4 + ", ".join(["'" + "v" * 50 + "'"] * 200) + "]" * 4
    f.write_text(f"---\ntitle: X\ndomains: [{big}, '{'w' * 5000}']\n---\n# X\n")
    messages = [p.message for p in load_corpus(f).problems]
    assert messages and all(len(m) < 300 for m in messages), messages
    assert any("unknown domain a list" in m for m in messages)


def test_id_pool_gives_the_ids_the_first_free_number_rule_gives() -> None:
    """Bookmarks point at these ids: the linear-time pool must not renumber anything."""
    import random

    from dvatui.domain.ids import IdPool

    rng = random.Random(7)
    bases = [rng.choice(["a", "b", "a-2", "a-3", "b-2-2", "b-2"]) for _ in range(300)]
    taken: set[str] = set()
    expected = []
    for base in bases:  # the old rule, spelled out
        candidate, n = base, 2
        while candidate in taken:
            candidate = f"{base}-{n}"
            n += 1
        taken.add(candidate)
        expected.append(candidate)
    pool = IdPool()
    assert [pool.claim(base) for base in bases] == expected
