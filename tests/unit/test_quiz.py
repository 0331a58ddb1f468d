"""The quiz block parser and grading."""

from __future__ import annotations

import random
from pathlib import Path

from dvatui.domain.grading import grade, refers_to_others, shown_order
from dvatui.domain.model import Choice, Question, choice_id
from dvatui.domain.quiz import parse_quiz_block, stated_choose

P = Path("notes/x.md")


def parse(text: str, first_line: int = 10):
    return parse_quiz_block(
        text,
        first_line=first_line,
        path=P,
        chapter_id="c",
        section_id="c/s",
        default_domain="development",
    )


def test_single_and_multi_choice() -> None:
    qs, problems = parse(
        "id: q1\n? Pick one\n- [ ] a\n- [x] b\n> b.\n\n"
        "domain: security\n? Pick two (Choose two.)\n- [x] a\n- [x] b\n- [ ] c\n> a and b.\n"
    )
    assert problems == []
    assert next(q.id for q in qs) == "q1"
    assert qs[0].correct_indices == {1} and qs[0].domain == "development"
    assert qs[1].choose == 2 and qs[1].domain == "security"
    assert qs[1].line == 17


def test_continuation_lines_join_the_stem() -> None:
    qs, _ = parse("? First part\n  second part\n- [x] a\n- [ ] b\n> why\n> more\n")
    assert qs[0].stem == "First part second part"
    assert qs[0].explanation == "why more"


def test_derived_ids_are_stable_and_distinct() -> None:
    a, _ = parse("? One\n- [x] a\n- [ ] b\n> e\n")
    b, _ = parse("? One\n- [x] a\n- [ ] b\n> e\n")
    c, _ = parse("? Two\n- [x] a\n- [ ] b\n> e\n")
    assert a[0].id == b[0].id != c[0].id


def test_problems_have_lines_and_skip_only_the_bad_question() -> None:
    text = (
        "? No explanation\n- [x] a\n- [ ] b\n\n"  # line 10
        "? Duplicate choices\n- [x] a\n- [ ] A\n> e\n\n"  # line 14
        "? Two right, no phrase\n- [x] a\n- [x] b\n- [ ] c\n> e\n\n"  # 19
        "? Says three (Choose three.)\n- [x] a\n- [x] b\n- [ ] c\n> e\n\n"  # 25
        "domain: sales\n? Bad domain\n- [x] a\n- [ ] b\n> e\n\n"  # 31
        "? No right one\n- [ ] a\n- [ ] b\n> e\n\n"  # 37
        "? One choice\n- [x] a\n> e\n\n"  # 42
        "? Good\n- [x] a\n- [ ] b\n> e\n"  # 46
    )
    qs, problems = parse(text)
    assert [q.stem for q in qs] == ["Good"]
    got = [(p.line, p.message.split(":")[1].strip()[:25]) for p in problems]
    assert got == [
        (10, "question has no explanati"),
        (16, "duplicate choice (same as"),
        (19, "2 right choices but the q"),
        (25, "says choose 3 but marks 2"),
        (31, "unknown domain 'sales'; u"),
        (37, "no right choice marked wi"),
        (42, "1 choice(s); a question n"),
    ]


def test_stray_lines_are_reported() -> None:
    _, problems = parse("- [x] orphan\n? Q\n- [x] a\n- [ ] b\n> e\nnonsense\n")
    assert [p.line for p in problems] == [10, 15]


def test_choose_phrases() -> None:
    assert stated_choose("Which? (Choose two.)") == 2
    assert stated_choose("Which? (choose 3)") == 3
    assert stated_choose("Which one?") is None


def test_select_phrases_count_like_choose_phrases() -> None:
    """AWS writes "(Select TWO.)"; the number word may be in any case."""
    assert stated_choose("Which steps? (Select TWO.)") == 2
    assert stated_choose("Which steps? (Select THREE.)") == 3
    assert stated_choose("Which steps? (select two)") == 2
    assert stated_choose("Which steps? (SELECT Three.)") == 3
    assert stated_choose("Which steps? ( Select 2 . )") == 2
    assert stated_choose("Select the best option.") is None
    assert stated_choose("Which steps? (Select many.)") is None


def test_select_two_question_parses_and_is_checked() -> None:
    qs, problems = parse(
        "? Which TWO steps meet the requirements? (Select TWO.)\n"
        "- [x] a\n- [x] b\n- [ ] c\n- [ ] d\n- [ ] e\n> a and b.\n\n"
        "? Which THREE? (Select THREE.)\n- [x] a\n- [x] b\n- [ ] c\n> e\n"  # line 18
    )
    assert [q.choose for q in qs] == [2]
    assert [(p.line, p.message) for p in problems] == [
        (18, "quiz: says choose 3 but marks 2 right choice(s)")
    ]


def test_missing_phrase_message_names_both_forms() -> None:
    _, problems = parse("? Two right\n- [x] a\n- [x] b\n- [ ] c\n> e\n")
    assert "'(Select TWO.)' or '(Choose two.)'" in problems[0].message


def test_grade() -> None:
    qs, _ = parse("? Pick two (Choose two.)\n- [x] a\n- [x] b\n- [ ] c\n> e\n")
    q = qs[0]
    assert grade(q, {0, 1}).correct
    g = grade(q, {0, 2})
    assert not g.correct and g.missed == {1} and g.wrong == {2}
    assert not grade(q, {0}).correct


# ----------------------------------------------------------------- choice ids and order


def test_choice_ids_are_stable_and_ignore_case_punctuation_and_place() -> None:
    (a,), _ = parse("? Q\n- [ ] Use  gp3!\n- [x] Use io2\n> e\n")
    (b,), _ = parse("? Q\n- [x] use io2\n- [ ] use gp3\n> e\n")
    assert a.choices[0].id == b.choices[1].id == choice_id("USE GP3")
    assert a.choices[1].id == b.choices[0].id
    assert len(set(a.choice_ids)) == 2 and all(len(i) == 10 for i in a.choice_ids)
    assert a.index_of(b.choices[0].id) == 1 and a.index_of("nope") is None
    assert a.choices == (Choice("Use  gp3!", False), Choice("Use io2", True))  # file order


def test_see_lines_are_read_before_the_question() -> None:
    (q, r), problems = parse(
        "id: q1\nsee: Canary sends\n? One\n- [x] a\n- [ ] b\n> e\n\n"
        "see:\n? Two\n- [x] a\n- [ ] b\n> e\n"  # line 17: empty
    )
    assert (q.see, q.see_line) == ("Canary sends", 11)
    assert (r.see, r.see_line) == (None, 0)
    assert [(p.line, p.message) for p in problems] == [
        (17, "quiz: 'see:' needs a phrase of a note item")
    ]


def question_with(*texts: str) -> Question:
    body = "".join(f"- [{'x' if n == 0 else ' '}] {t}\n" for n, t in enumerate(texts))
    (q,), problems = parse(f"? Which? \n{body}> e\n")
    assert problems == []
    return q


def test_shown_order_is_a_seeded_shuffle() -> None:
    q = question_with("one", "two", "three", "four", "five", "six")
    first = shown_order(q, "q:0")
    assert sorted(first) == [0, 1, 2, 3, 4, 5]
    assert shown_order(q, "q:0") == first  # same seed, same order
    orders = {shown_order(q, f"q:{n}") for n in range(20)}
    assert len(orders) > 10  # other seeds, other orders
    state = random.getstate()
    shown_order(q, "q:0")
    assert random.getstate() == state  # the global generator is left alone


def test_options_about_the_other_options_stay_last() -> None:
    for last in ("All of the above", "None of these.", "Both A and B", "A and C only"):
        q = question_with("red", last, "green", "blue")
        for n in range(10):
            assert shown_order(q, f"s{n}")[-1] == 1, last
    q = question_with("None of the above", "x", "y", "All of the above")
    assert all(shown_order(q, f"s{n}")[-2:] == (0, 3) for n in range(10))


def test_refers_to_others_is_about_wording() -> None:
    for text in (
        "All of the above",
        "none of the above options",
        "Both of the above",
        "Neither of these",
        "Any of the answers",
        "Both A and B",
        "A, B and C are correct",
        "Options 1 and 2",
        "b or d",
    ):
        assert refers_to_others(text), text
    for text in (
        "Neither; it fails because two sources conflict",
        "All traffic goes to the primary",
        "A and B records in the hosted zone",
        "None",
        "Both queues must be FIFO",
        "Raise the timeout above 90 seconds",
    ):
        assert not refers_to_others(text), text


LITERAL = (
    "id: lit\npool: mock\n"
    "? A company found this statement in a bucket policy:\n"
    "  ~~~json\n"
    '  {"Effect": "Deny",\n'
    '    "Action": "s3:*"}\n'
    "  ~~~\n"
    "  Which change fixes the upload with the LEAST effort?\n"
    "- [ ] Run this command\n"
    "  ~~~\n"
    "  aws s3 cp a s3://b/a\n"
    "  ~~~\n"
    "- [x] Add the header\n"
    "> The policy denies:\n"
    "> ~~~\n"
)


def test_literal_lines_keep_their_indentation_in_stems_and_choices() -> None:
    qs, problems = parse(LITERAL.rsplit("> ~~~\n", 1)[0] + "> because.\n")
    assert problems == []
    q = qs[0]
    assert q.pool == "mock"
    assert q.stem == (
        "A company found this statement in a bucket policy:\n"
        '```json\n{"Effect": "Deny",\n  "Action": "s3:*"}\n```\n'
        "Which change fixes the upload with the LEAST effort?"
    )
    assert q.choices[0].text == "Run this command\n```\naws s3 cp a s3://b/a\n```\n"
    assert q.choices[1].text == "Add the header"


def test_an_unclosed_literal_is_one_error_not_a_cascade() -> None:
    qs, problems = parse("? Q\n  ~~~\n  {\n- [x] a\n- [ ] b\n> x\n\nid: next\n? Q2\n- [x] a\n")
    assert qs == []
    assert len(problems) == 1
    assert problems[0].line == 11 and "not closed" in problems[0].message


def test_unknown_pool_is_named() -> None:
    qs, problems = parse("pool: final\n? Q\n- [x] a\n- [ ] b\n> because.\n")
    assert qs[0].pool is None and "unknown pool 'final'" in problems[0].message


def test_one_misplaced_line_gives_one_error() -> None:
    qs, problems = parse(
        "? Q1\n- [x] a\n- [ ] b\nstray words here\n> because.\n\n? Q2\n- [x] a\n- [ ] b\n> ok.\n"
    )
    assert [p.line for p in problems] == [13]
    assert [q.stem for q in qs] == ["Q1", "Q2"]  # the stray line is reported, not both


def test_literal_blocks_render_as_code_lines() -> None:
    from rich.style import Style

    from dvatui.widgets.markup import InlineStyles, inline_markdown

    qs, _ = parse(LITERAL.rsplit("> ~~~\n", 1)[0] + "> because.\n")
    text = inline_markdown(qs[0].stem, InlineStyles(code=Style(bold=True)))
    assert "```" not in text.plain
    assert text.plain.splitlines()[1:3] == ['  {"Effect": "Deny",', '    "Action": "s3:*"}']
    assert any(span.style == Style(bold=True) for span in text.spans)
