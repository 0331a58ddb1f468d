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
    edited.write_text(src.replace("Beta is the second fact.", "Beta is the 2nd fact, edited.")
                      .replace("- Delta fact.", "- Delta fact.\n- A new fact."))
    after = load_corpus(edited)
    ids_before = {i.id for s in before.sections() for i in s.items}
    ids_after = {i.id for s in after.sections() for i in s.items}
    assert len(ids_before - ids_after) == 1  # only the edited item changed
    assert {s.id for s in before.sections()} == {s.id for s in after.sections()}
    assert {q.id for q in before.questions()} == {q.id for q in after.questions()}


def test_broken_file_is_reported_and_others_still_load(tmp_path: Path) -> None:
    (tmp_path / "01-good.md").write_text(
        "---\ntitle: Good\ndomains: [security]\n---\n# Good\n\n## S\n\n- fact\n")
    (tmp_path / "02-bad.md").write_text(
        "---\ntitle: [unclosed\n---\n# Bad\n\n## S\n\n- fact\n\n```quiz\n? Q\n- [x] a\n- [ ] b\n")
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
        "```quiz\n? Only one?\n- [x] a\n- [ ] b\n> e\n```\n")
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
