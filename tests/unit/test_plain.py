"""The plain-notes reader, on a fixture written in the style of the learner's README."""

from __future__ import annotations

from pathlib import Path

from dvatui.domain.loader import load_corpus
from dvatui.domain.plain import looks_plain


def outline(path: Path) -> list[tuple[str, list[tuple[str, int]]]]:
    corpus = load_corpus(path)
    return [(c.title, [(s.title, len(s.items)) for s in c.sections]) for c in corpus.chapters]


def test_every_chapter_and_subheading_in_order(fixtures: Path) -> None:
    assert outline(fixtures / "plain_notes.txt") == [
        ("My Cloud Study Log", []),
        ("Compute Basics", [("Pricing Models", 3), ("Network Cards", 2)]),
        ("Balancers : Scaling", [("Layer 7 Balancer", 2), ("Quiz", 2)]),
        ("Command Line Tools", []),
        (
            "Containers",
            [("Images", 3), ("Demo notes", 2), ("Task Recipes", 4), ("Containers Quiz", 1)],
        ),
        ("Messaging", []),
        ("Functions", []),
        ("Tables", []),
        ("Deployment Services", [("Rollouts", 4)]),
    ]


def test_items_before_the_first_subheading_go_to_the_chapter(fixtures: Path) -> None:
    corpus = load_corpus(fixtures / "plain_notes.txt")
    compute = corpus.chapters[1]
    assert next(i.text for i in compute.overview.items) == "1. Give every application its own role."
    assert len(compute.overview.items) == 3
    # the document title chapter keeps its prose
    assert "Personal notes" in corpus.chapters[0].overview.items[0].text


def test_number_without_dot_continues_the_list(fixtures: Path) -> None:
    balancers = load_corpus(fixtures / "plain_notes.txt").chapters[2]
    texts = [i.text for i in balancers.overview.items]
    assert texts[3] == "4. Balancers can be internal or public"
    assert len(texts) == 5


def test_nested_lists_and_odd_numbering(fixtures: Path) -> None:
    tools = load_corpus(fixtures / "plain_notes.txt").chapters[3]
    items = [i.text for i in tools.overview.items]
    assert len(items) == 5
    assert items[1].splitlines() == [
        "2. Credential lookup order:",
        "   1. Flags on the command",
        "   2. Environment variables",
        "   3. The shared credentials file",
    ]
    assert items[2].splitlines()[1:] == ["   1. Environment variables", "   2. System properties"]
    # "10.Signed" has no space after the dot, is renumbered by position, keeps its continuation
    assert items[4].splitlines() == [
        "5. Signed requests use a header or a query string",
        "   and expire after a set time.",
    ]


def test_continuations_demo_notes_and_repeated_numbers(fixtures: Path) -> None:
    containers = load_corpus(fixtures / "plain_notes.txt").chapters[4]
    images, demo, recipes, quiz = containers.sections
    assert images.items[1].text.splitlines() == [
        "2. Registries hold images:",
        "   Public : a community hub",
        "   Private: the cloud registry",
    ]
    assert [i.kind for i in demo.items] == ["quote", "quote"]
    assert demo.items[1].text.splitlines() == [
        "> The boot script names the cluster",
        "   the machine should join.",
    ]
    assert [i.text.split(" ", 1)[0] for i in recipes.items] == ["1.", "2.", "3.", "4."]
    assert recipes.items[3].text == "4. The bundle file describes several containers."
    assert quiz.items[0].kind == "paragraph"
    assert "= ENABLE_TASK_ROLE" in quiz.items[0].text


def test_repeated_numbers_in_an_indented_chapter(fixtures: Path) -> None:
    deploy = load_corpus(fixtures / "plain_notes.txt").chapters[-1]
    assert [i.text[:3] for i in deploy.sections[0].items] == ["1. ", "2. ", "3. ", "4. "]


def test_empty_chapters_are_kept(fixtures: Path) -> None:
    corpus = load_corpus(fixtures / "plain_notes.txt")
    empty = [c.title for c in corpus.chapters if not c.sections and not c.overview.items]
    assert empty == ["Messaging", "Functions", "Tables"]


def test_items_are_plain_text_and_ids_are_stable(fixtures: Path, tmp_path: Path) -> None:
    corpus = load_corpus(fixtures / "plain_notes.txt")
    item = corpus.chapters[1].sections[0].items[0]
    assert item.markup == "plain"
    # editing another chapter does not move this item's id
    text = (fixtures / "plain_notes.txt").read_text().replace("Vertical means", "Up means")
    copy = tmp_path / "plain_notes.txt"
    copy.write_text(text)
    again = load_corpus(copy).chapters[1].sections[0].items[0]
    assert again.id == item.id


def test_detection() -> None:
    assert looks_plain("# A\n1. x\n2. y\n3. z\n")
    assert not looks_plain("# A\n\n## B\n\n1. x\n2. y\n3. z\n")
    assert not looks_plain("# A\n- x\n1. x\n2. y\n3. z\n")
    assert not looks_plain("just text\n")


SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_21b16c506331fcc4.txt"


def test_learners_original_notes_when_available() -> None:
    """On machines with ../shared, the real README gives 22 '#' headings and 64 sub-headings."""
    import pytest

    if not SEED.exists():
        pytest.skip("../shared is not present")
    corpus = load_corpus(SEED)
    assert len(corpus.chapters) == 22
    assert sum(len(c.sections) for c in corpus.chapters) == 64
    assert not corpus.problems
