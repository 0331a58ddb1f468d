"""The record values: a bookmark or an answer is equal to another when what the learner made
is (ids, times of change, kept texts and review data are bookkeeping); values are frozen."""

from __future__ import annotations

import pytest

from dvatui.store.records import Answer, Bookmark, QuestionProgress


def bookmark(**changes: object) -> Bookmark:
    fields: dict[str, object] = {
        "target_id": "iam/policies#3",
        "kind": "item",
        "chapter_id": "iam",
        "section_id": "iam/policies",
        "label": "Policies",
        "comment": "",
        "created_at": "2026-12-01T10:00:00Z",
    }
    return Bookmark(**{**fields, **changes})  # type: ignore[arg-type]


def answer(**changes: object) -> Answer:
    fields: dict[str, object] = {
        "question_id": "q1",
        "section_id": "s",
        "chapter_id": "c",
        "chosen": (1,),
        "correct": True,
        "answered_at": "2026-12-01T10:00:00Z",
    }
    return Answer(**{**fields, **changes})  # type: ignore[arg-type]


def test_bookkeeping_is_not_part_of_equality() -> None:
    plain = bookmark()
    kept = bookmark(id="b-1", updated_at="2026-12-02T00:00:00Z", text="the item's text")
    assert plain == kept and hash(plain) == hash(kept) and len({plain, kept}) == 1
    assert plain != bookmark(comment="tricky")
    first = answer()
    again = answer(id="a-9", rating=3, card={"due": "x"}, chosen_ids=("c1",), text="t")
    assert first == again and hash(first) == hash(again)
    assert first != answer(chosen=(2,)) and first != answer(correct=False)


def test_a_bookmark_is_never_equal_to_an_answer_or_another_type() -> None:
    assert bookmark() != answer()
    assert answer() != ("q1", "s", "c", (1,), True, "2026-12-01T10:00:00Z")
    progress = QuestionProgress.first(answer(id="a-1"))
    assert progress.latest_answer() == answer()


def test_records_are_frozen() -> None:
    with pytest.raises(AttributeError):
        bookmark().comment = "changed"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        answer().correct = False  # type: ignore[misc]
